// Clicks for heatmaps (t-heatmap.js only): every pointer click becomes a "click" event with
//   cs      the target's selector (selector.js)
//   ox, oy  where in the target's box it was clicked, fractions 0–1 of its width and height
//   cx, cy  where on the page: x as a fraction of the document's width, y in px from its top
//   vw, dh  the viewport's width (the heatmap's device class) and the document's height
// Keyboard "clicks" and el.click() have no position (event.detail is 0) and are skipped.
// Clicks go in batches (send.js). Three or more within 1 s and 30 px of each other are a rage
// click: all of them get rc: true (the earlier ones while they still wait in the batch).
import { selector } from './selector.js';
import { batch } from './send.js';
import { track } from './track.js';
import { D, E, M, on } from './util.js';

let recent = []; // [time, x, y, event] of the clicks of the last second near the latest one

export const trackClicks = () =>
  on(D, 'click', (e) => {
    if (e.detail) {
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
      recent = recent.filter(([time, x0, y0]) => e.timeStamp - time < 1e3 && M.hypot(x - x0, y - y0) < 30);
      recent.push([e.timeStamp, x, y, click]);
      if (recent[2]) for (const c of recent) c[3].rc = true;
    }
  });
