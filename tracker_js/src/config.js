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

export let data; // the script's dataset: flags are checked with has('allowLocal') and so on
export let api;
export let exclude; // RegExp[]

export const has = (flag) => flag in data; // a flag is an attribute with or without a value

export function readConfig() {
  // currentScript is set while a classic script (defer/async too) first runs; the fallback
  // covers loaders that evaluate us some other way.
  const script = document.currentScript || document.querySelector('script[data-site]');
  data = script.dataset; // data-allow-local -> data.allowLocal
  api = data.api || new URL(script.src).origin + '/api/event';
  exclude = (data.exclude || '').split(',').filter(Boolean).map(glob);
}

// "/blog/*" matches within one path segment, "/docs/**" at any depth, anything else literally.
const glob = (pattern) =>
  RegExp(
    '^' +
      pattern
        .trim()
        .replace(/\*\*?|[.+?^${}()|[\]\\]/g, (m) => (m == '**' ? '.*' : m == '*' ? '[^/]*' : '\\' + m)) +
      '$'
  );
