// Delivery. The body is JSON sent as text/plain (the default for a string body) — a CORS
// "simple" request, so there is no preflight. sendBeacon first (it survives page unload); fetch
// with keepalive when the beacon was refused (its queue is full). A failed fetch is swallowed:
// analytics never breaks a page.
//
// The payload may be an array of events: the click batches of t-clicks.js (clicks.js).
import { api } from './config.js';
import { N, safe } from './util.js';

export const send = safe((payload) => {
  const body = JSON.stringify(payload);
  // .catch(safe): safe(error) only builds a wrapper, so it is a do-nothing rejection handler.
  N.sendBeacon(api, body) || fetch(api, { method: 'POST', body, keepalive: 1 }).catch(safe);
});
