// The Footfall tracker: wiring and the public API. Everything runs inside try/catch and the
// bundle is an IIFE, so the only global is window.footfall and nothing ever throws into the page.
//
// Calls made before this file loads are queued by the stub from docs/tracker.md:
//   window.footfall = window.footfall || function () {
//     (window.footfall.q = window.footfall.q || []).push(arguments) };
// and replayed, in order, after the first page view.
import { readConfig } from './config.js';
import { trackPageviews } from './pageview.js';
import { track } from './track.js';

// footfall(command, ...args). Unknown commands are ignored.
const commands = {
  // footfall('event', name, props): a custom event. props is an object whose values are sent
  // as strings (the collector takes no nested values); anything else is ignored.
  event: (name, props) => {
    if (!name) return;
    let p;
    if (typeof props == 'object') for (const key in props) (p = p || {})[key] = String(props[key]);
    track(String(name), { p });
  },
};

try {
  const queued = window.footfall;
  // The snippet twice on one page must not count twice.
  if (!(queued && queued.loaded)) {
    readConfig();
    const footfall = (command, ...args) => {
      try {
        commands[command] && commands[command](...args);
      } catch (e) {
        // Never throw into the host page.
      }
    };
    footfall.loaded = true;
    window.footfall = footfall;
    trackPageviews();
    for (const args of (queued && queued.q) || []) footfall(...args);
  }
} catch (e) {
  // A tracker that cannot start stays silent.
}
