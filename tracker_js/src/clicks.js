// t-clicks.js, the click collector for heatmaps: a file of its own, loaded by t.js after the
// page's load event (index.js) unless data-heatmap="off" or the visit is not counted. Every
// pointer click becomes a "click" event with
//   cs      the target's selector (selector.js)
//   ox, oy  where in the target's box it was clicked, fractions 0–1 of its width and height
//   cx, cy  where on the page: x as a fraction of the document's width, y in px from its top
//   vw, dh  the viewport's width (the heatmap's device class) and the document's height
// Keyboard "clicks" and el.click() have no position (event.detail is 0) and are skipped.
// Three or more clicks within 1 s and 30 px of each other are a rage click: all of them get
// rc: true (the earlier ones while they still wait in the batch).
//
// Everything else comes from t.js through window.footfall._c (internal): [track, send], the
// functions that build (with gating, exclusions and the visitor id) and deliver events. The chunk
// replaces _c with 1 when it takes it, so a second copy does nothing; so does a copy loaded
// without t.js (no _c). No globals, nothing thrown.
//
// The batch: one POST of a JSON array 5 s after its first click, when the page is hidden or
// unloaded, or at once when it nears the collector's limits (100 events, 64 KB per request):
// 20,000 characters of JSON stay under 64 KB even if every one were 3 bytes of UTF-8 (the one
// event pushed past the mark is a few KB at most); the 99th event ends a batch too. Clicks carry
// their own URL, so an SPA navigation does not need to end the batch.
import { selector } from './selector.js';

// Plain globals rather than util.js's aliases and on(): this file is small enough that its own
// try/catch around the click listener is shorter than the helpers.
const E = document.documentElement;

try {
  const footfall = window.footfall;
  const hook = footfall._c; // throws without t.js: caught below
  if (hook[1]) {
    footfall._c = 1;
    const [track, send] = hook;
    const queue = [];
    let recent = []; // [time, x, y, event] of the clicks of the last second near the latest one

    const flush = () => queue[0] && send(queue.splice(0));
    const batch = (event) =>
      queue.push(event) < 2 ? setTimeout(flush, 5e3) : (queue[98] || JSON.stringify(queue).length > 2e4) && flush();

    // Hidden or unloaded: the batch goes. (Shown again: it goes too, early; nothing is lost.)
    addEventListener('pagehide', flush);
    addEventListener('visibilitychange', flush);
    addEventListener('click', (e) => {
      try {
        if (!e.detail) return;
        const el = e.target;
        const box = el.getBoundingClientRect();
        const x = e.pageX;
        const y = e.pageY;
        const click = track(
          'click',
          {
            cx: x / E.scrollWidth,
            cy: y,
            cs: selector(el),
            ox: (e.clientX - box.left) / box.width,
            oy: (e.clientY - box.top) / box.height,
            vw: innerWidth,
            dh: E.scrollHeight,
          },
          batch
        );
        recent = recent.filter(([time, x0, y0]) => e.timeStamp - time < 1e3 && Math.hypot(x - x0, y - y0) < 30);
        recent.push([e.timeStamp, x, y, click]);
        if (recent[2]) for (const c of recent) c[3].rc = true;
      } catch (error) {
        // Never throw into the host page.
      }
    }, true);
  }
} catch (e) {
  // Without t.js (no window.footfall, or no _c): nothing to do.
}
