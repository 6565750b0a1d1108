// Settings from the data-* attributes of the <script> tag that loaded the tracker, read once by
// readConfig() at start. Module bindings rather than an object's properties, so the minifier can
// shorten every name but the attributes' own (see ARCHITECTURE.md, "Keeping it small").
//
//   data-site            the site id (its main hostname); the collector can also match by hostname
//   data-api             ingest URL; default: the origin that served this file + /api/event
//   data-exclude         comma-separated path globs whose pages send nothing
//   data-hash            count #fragment changes as page views (hash-routed apps)
//   data-cookieless      keep no visitor id in localStorage
//   data-respect-dnt     send nothing when Do Not Track or Global Privacy Control is on
//   data-allow-local     also send from localhost, 127.x.x.x, [::1] and file: pages
//   data-allow-webdriver also send when navigator.webdriver is true (automated tests)
//   data-heatmap="off"   no click events: t-clicks.js, the click collector, is not loaded
//   data-surveys="off"   no feedback surveys: t-surveys.js, the survey checker, is not loaded
//                        (index.js exposes the flag as window.footfall.surveys)
import { D, L, N } from './util.js';

export let data; // the script's dataset: flags are checked with has('allowLocal') and so on
export let api;
export let src; // this script's URL: the chunks (t-clicks.js, t-surveys.js) are next to it
export let exclude; // RegExp[]
export let blocked; // webdriver, local page, or DNT / GPC with data-respect-dnt: send nothing

export const has = (flag) => flag in data; // a flag is an attribute with or without a value
export const off = (option) => data[option] == 'off'; // data-heatmap="off", data-surveys="off"

export const readConfig = () => {
  // currentScript is set while a classic script (defer and async too) first runs. A loader
  // that evaluates the file some other way leaves it null: the tracker then stays silent.
  const script = D.currentScript;
  data = script.dataset; // data-allow-local -> data.allowLocal
  api = data.api || new URL('/api/event', script.src);
  src = script.src;
  // An empty entry ("", or "a,,b") becomes /^$/, which no path matches: paths start with "/".
  exclude = (data.exclude || '').split(',').map(glob);
  // Local development: localhost, 127.x.x.x, [::1], and file: pages (whose hostname is empty).
  blocked =
    (N.webdriver && !has('allowWebdriver')) ||
    (/^(localhost|127\.|\[::1\]|$)/.test(L.hostname) && !has('allowLocal')) ||
    (has('respectDnt') && (N.doNotTrack == 1 || N.globalPrivacyControl));
};

// "/blog/*" matches within one path segment, "/docs/**" at any depth, anything else literally:
// every other non-word character is escaped (an identity escape such as \- or \/ is valid in a
// RegExp without the u flag).
const glob = (pattern) =>
  RegExp('^' + pattern.trim().replace(/\*\*?|\W/g, (m) => (m[1] ? '.*' : m == '*' ? '[^/]*' : '\\' + m)) + '$');
