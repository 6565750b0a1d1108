// The visitor id: a random first-party id kept in localStorage, so the collector can tell
// returning visitors apart without cookies. In data-cookieless mode nothing is stored and no
// id is sent; the collector then falls back to its own per-request hash.
import { has } from './config.js';
import { uuid } from './uuid.js';

const KEY = 'footfall_id';

export const visitorId = () => {
  if (has('cookieless')) return;
  try {
    let id = localStorage.getItem(KEY);
    if (!id) localStorage.setItem(KEY, (id = uuid()));
    return id;
  } catch (e) {
    // Storage disabled or full (private mode, sandboxed iframe): send without an id.
  }
};
