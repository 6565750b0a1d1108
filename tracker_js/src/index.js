// The Footfall tracker: wiring and the public API. Listeners, timers, delivery and the API run
// inside try/catch (safe() in util.js) and the bundle is an IIFE, so the only global is
// window.footfall and nothing ever throws into the page.
//
// One source, two builds (build.mjs): t.js, and t-heatmap.js, which also collects clicks for
// heatmaps. HEATMAP is a build-time constant; in t.js the click code is dropped entirely.
//
// Calls made before this file loads are queued by the stub from docs/tracker.md:
//   window.footfall = window.footfall || function () {
//     (window.footfall.q = window.footfall.q || []).push(arguments) };
// and replayed, in order, after the first page view.
import { off, readConfig } from './config.js';
import { trackClicks } from './clicks.js';
import { trackEngagement } from './engagement.js';
import { trackLinks } from './links.js';
import { trackPageviews } from './pageview.js';
import { track } from './track.js';
import { W, safe } from './util.js';

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
    footfall.loaded = true;
    footfall.surveys = !off('surveys'); // for the survey widget (a later release)
    W.footfall = footfall;
    trackEngagement();
    trackPageviews();
    trackLinks();
    if (HEATMAP && !off('heatmap')) trackClicks();
    for (const args of (queued && queued.q) || []) footfall(...args);
  }
} catch (e) {
  // A tracker that cannot start stays silent.
}
