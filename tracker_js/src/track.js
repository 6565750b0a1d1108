// Builds an event in the collector's short-key format and sends it (or hands it to `queued`,
// the click batch of t-clicks.js), unless it must not be sent. Keys (collector/request.py):
// n name, s site, u url, t title, w/h screen size, l language, z time zone, v visitor id;
// `fields` adds the rest (r, p, e, d, cx …) and may replace u. Undefined values vanish in JSON.
//
// Every event that passes the gates also sets window.footfall.e to its name (internal): the
// survey checker (t-surveys.js) turns that property into a setter, to see SPA page views (it asks
// for the new page's surveys) and custom events (a survey's "event" trigger). Before the checker
// has loaded, it holds the last name. Events handed to `queued` (heatmap clicks, the chunks' own
// calls) set it too; the checker ignores them (name "click", or not a string).
import { blocked, data, exclude, has } from './config.js';
import { send } from './send.js';
import { D, L, N, W, safe } from './util.js';

// The page's URL as reported: without the #fragment unless data-hash (hash-routed apps).
export const pageUrl = () => (has('hash') ? L.href : L.href.split('#')[0]);

// Returns the event (clicks.js flags rage clicks on it while it waits in the batch).
export const track = safe((name, fields, queued) => {
  const event = Object.assign(
    {
      n: name,
      s: data.site,
      u: pageUrl(),
      t: D.title,
      w: screen.width,
      h: screen.height,
      l: N.language,
      z: Intl.DateTimeFormat().resolvedOptions().timeZone,
    },
    fields
  );
  // Excluded paths are matched against the event's own URL: an engagement report sent during an
  // SPA navigation belongs to the page being left, not to the address bar's.
  if (!blocked && !exclude.some((re) => re.test(new URL(event.u).pathname))) {
    // The visitor id: random, first-party, in localStorage; created by the first event really
    // sent, so an ignored visit stores nothing. None with data-cookieless, or when storage is
    // refused (private mode, sandboxed iframe): the collector then uses its daily hash. The
    // browser's own random UUID is borrowed from an object URL, "blob:<origin>/<uuid>": unlike
    // crypto.randomUUID it exists on plain-http pages too, and it is shorter than building one.
    // footfall_t, when the id was made (ms), tells the survey widget new visitors from returning
    // ones (an id without it was made by an older t.js: a returning visitor).
    try {
      has('cookieless') ||
        (event.v = localStorage.footfall_id ||= ((localStorage.footfall_t = Date.now()), URL.createObjectURL(new Blob()).slice(-36)));
    } catch (e) {}
    (queued || send)(event);
    W.footfall.e = name;
  }
  return event;
});
