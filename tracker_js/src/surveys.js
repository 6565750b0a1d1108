// t-surveys.js, the survey checker: a file of its own, loaded by t.js after the page's load event
// (index.js) unless data-surveys="off" or the visit is not counted. On every counted page view it
// asks the collector which surveys may show on the page (GET /api/surveys?site=&path=, cached
// for a minute) and imports the widget, survey.js, only when the answer is not an empty list.
// Everything else — device, new or returning visitor, sampling, frequency, triggers — is decided
// by the widget, so this file stays small: it is loaded on every page of a site with surveys on.
//
// From t.js it takes window.footfall._s (internal): [track, api]. `track(name, fields, queued)`
// builds an event with the gates, exclusions and the visitor id and hands it to `queued` only
// when the page may send: that is how the checker (and the widget) know the page is counted, and
// where they find the site, the page URL and the visitor id. `api` is the ingest URL
// (/api/event, or data-api); the survey endpoints are next to it (api + '/../surveys'). The
// checker replaces _s with 1, so a second copy does nothing; so does a copy loaded without t.js.
//
// Page views and custom events: t.js sets window.footfall.e to the name of each event it sends
// (track.js); this file turns `e` into a setter. "pageview" (a new page view, SPA navigations
// included) asks again for the new page; any other name goes to the widget, once it is loaded,
// for its "event" triggers. The last name sent before then is passed along when the widget
// starts, so a custom event sent while the list was on its way still counts.
//
// The widget's entry, window.footfall._w(name, list, track, api, start), set by survey.js:
//   name   a custom event's name (or the last one sent before the widget started), or nothing
//   list   the page's surveys (a new page view), possibly empty; nothing for an event alone
//   start  when the page view began (ms since the epoch): "delay" triggers count from it
// No globals, nothing thrown: a failed request is swallowed.
//
// The live-page heatmap overlay also starts here: when the page was opened from the dashboard
// with #ff-overlay=<token>, this file imports overlay.js instead of asking for surveys (see
// there). So the overlay shows where surveys are on (the default) and the visit is counted.
// The widget and the heatmap overlay, next to this file: a module (and a chunk imported by t.js
// is one) resolves a relative URL against its own. Not string literals in import(), so esbuild
// leaves them alone.
const WIDGET = './survey.js';
const OVERLAY = './overlay.js';

try {
  const footfall = window.footfall;
  const hook = footfall._s; // throws without t.js: caught below
  if (hook[0]) {
    footfall._s = 1;
    const [track, api] = hook;
    // A custom event's name: not one of t.js's own events, nor a chunk's call through track.
    const custom = (name) => typeof name == 'string' && !/^(pageview|engagement|click)$/.test(name) && name;
    let last = custom(footfall.e); // the last custom event of this page view, for the widget's start
    let start = Date.now() - performance.now(); // the first page view began with the navigation
    // Opened from the dashboard's heatmap page (#ff-overlay=<token>): the site's owner, looking at
    // the heatmap over the live page. The overlay, and no survey.
    const overlay = /#ff-overlay=/.test(location);

    const check = () =>
      footfall.surveys &&
      track(0, 0, (event) => {
        const url = new URL(event.u); // with #fragment only for hash-routed apps (data-hash)
        const at = start;
        fetch(
          `${api}/../surveys?site=${encodeURIComponent(event.s || location.hostname)}&path=${encodeURIComponent(url.pathname + url.hash)}`
        )
          .then((response) => response.json())
          // An empty list still goes to a widget already loaded: the page changed (an SPA), so
          // what was waiting for a trigger on the page before must stop.
          .then((list) => (list[0] || footfall._w) && import(WIDGET).then(() => footfall._w(last, list, track, api, at)))
          .catch(() => {});
      });

    Object.defineProperty(footfall, 'e', {
      configurable: true,
      set(name) {
        try {
          if (name == 'pageview') {
            start = Date.now();
            last = 0; // an event of the page before must not trigger this page's surveys
            overlay || check();
          } else if (custom(name)) {
            last = name;
            footfall._w && footfall._w(name);
          }
        } catch (e) {
          // Never throw into the host page (nor into t.js's track).
        }
      },
    });
    overlay ? import(OVERLAY).catch(() => {}) : check();
  }
} catch (e) {
  // Without t.js (no window.footfall, or no _s): nothing to do.
}
