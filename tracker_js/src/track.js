// Builds an event in the collector's one-letter format and sends it, unless a gate says no.
// Keys (collector/request.py): n name, s site, u url, r referrer, t title, w/h screen size,
// l language, z time zone, v visitor id, i event id, p props. Undefined keys vanish in JSON.
import { data, has } from './config.js';
import { ignored } from './gate.js';
import { visitorId } from './identity.js';
import { send } from './send.js';
import { uuid } from './uuid.js';

// The page's URL as reported: without the #fragment unless data-hash (hash-routed apps).
export const pageUrl = () => (has('hash') ? location.href : location.href.split('#')[0]);

let visitor;

// fields: extra keys for this event (r, p, and later e, d …); undefined values are dropped.
export const track = (name, fields) => {
  try {
    if (ignored()) return;
    // Created with the first event really sent, so ignored visits store nothing.
    visitor = visitor || visitorId();
    send(
      Object.assign(
        {
          n: name,
          s: data.site,
          u: pageUrl(),
          t: document.title,
          w: screen.width,
          h: screen.height,
          l: navigator.language,
          z: Intl.DateTimeFormat().resolvedOptions().timeZone,
          v: visitor,
          i: uuid(),
        },
        fields
      )
    );
  } catch (e) {
    // Runs from timers and the page's own calls: never let an error escape.
  }
};
