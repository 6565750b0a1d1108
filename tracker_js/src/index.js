// The Footfall tracker: wiring and the public API. Listeners, timers, delivery and the API run
// inside try/catch (safe() in util.js) and the bundle is an IIFE, so the only global is
// window.footfall and nothing ever throws into the page.
//
// Two chunks are loaded after the page's load event, unless the visit is not counted at all
// (`blocked`), each from next to this file:
// - t-clicks.js (clicks.js), clicks for heatmaps, unless data-heatmap="off". It finds what it
//   needs in window.footfall._c — internal, not an API: [track, send] offered by this file,
//   replaced by 1 once the chunk has taken it (so a second copy of the chunk does nothing).
// - t-surveys.js (surveys.js), the survey checker, unless data-surveys="off": it asks the
//   collector which surveys may show on the page and loads the widget, survey.js, only when
//   there are some. It takes window.footfall._s, [track, api], the same way.
//
// Calls made before this file loads are queued by the stub from docs/tracker.md:
//   window.footfall = window.footfall || function () {
//     (window.footfall.q = window.footfall.q || []).push(arguments) };
// and replayed, in order, after the first page view.
import { api, blocked, off, readConfig, src } from './config.js';
import { trackEngagement } from './engagement.js';
import { trackLinks } from './links.js';
import { trackPageviews } from './pageview.js';
import { send } from './send.js';
import { track } from './track.js';
import { D, W, on, safe } from './util.js';

// A chunk from next to this file (an absolute URL, since import() in a cross-origin classic
// script cannot resolve a relative one). Same origin as t.js, so the CSP that lets t.js run lets
// the chunk run too; import() passes on t.js's nonce, is not a Trusted Types sink, and is shorter
// than a <script> element. A URL that is not a string literal is also left alone by esbuild.
// .catch: a chunk that fails to load is not an unhandled rejection.
const load = (name) => import(new URL(name, src)).catch(safe);

// Once the page has loaded: the chunks that are on. footfall.surveys is read now, so a page may
// still set it to false before then.
const later = () => {
  off('heatmap') || load('t-clicks.js');
  footfall.surveys && load('t-surveys.js');
};

// footfall('event', name, props): a custom event. props is an object whose values are sent as
// strings (the collector takes no nested values); anything else is ignored. So are other
// commands.
const footfall = safe((command, name, props) => {
  if (command == 'event' && name) {
    let p;
    if (typeof props == 'object') for (const key in props) (p = p || {})[key] = '' + props[key];
    track('' + name, { p });
  }
});

try {
  const queued = W.footfall;
  // The snippet twice on one page must not count twice.
  if (!(queued && queued.loaded)) {
    readConfig();
    footfall.loaded = 1;
    footfall.surveys = !off('surveys'); // the survey checker and widget read it before showing anything
    W.footfall = footfall;
    trackEngagement();
    trackPageviews();
    trackLinks();
    // The chunks: once the page has loaded (at once when that is past: "complete" is the one
    // readyState before "d"), unless the visit is not counted. _c only when heatmaps are on.
    blocked ||
      (off('heatmap') || (footfall._c = [track, send]),
      (footfall._s = [track, api]),
      D.readyState < 'd' ? later() : on(W, 'load', later));
    ((queued && queued.q) || []).map((args) => footfall(...args));
  }
} catch (e) {
  // A tracker that cannot start stays silent.
}
