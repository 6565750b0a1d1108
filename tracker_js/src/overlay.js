// overlay.js, the live-page heatmap overlay. The dashboard's heatmap page opens the site's page as
// https://{site}{path}#ff-overlay={token}; the survey checker (t-surveys.js) sees the fragment and
// imports this file instead of asking for surveys. It fetches the page's click aggregates,
// GET /api/overlay?token=… from the server this file came from (import.meta.url: this file is
// built as an ES module, the one that needs its own URL), and draws, over the page's real
// elements:
//   - a box on each element a selector finds, shaded by its share of the page's clicks, with a
//     badge "clicks · share %" (and "rage N" in red, outlined in red, for rage clicks);
//   - a bar at the bottom: the page and device class of the data, how many elements were not
//     found on this page, a note when this window is another device class than the data's, and
//     "Esc hides" — Escape hides and shows the overlay again.
// The overlay takes no pointer events: the page stays usable under it. It is drawn in a shadow
// root (the page's CSS cannot reach it), every text from the server or the page is set with
// textContent, and selectors — text that visitors' browsers sent — are only ever passed to
// querySelector, inside a try. On an SPA navigation to another path it removes itself. Like the
// other files, one IIFE that never throws and adds no global.
(() => {
  try {
    const D = document;
    const path = location.pathname;
    const token = location.hash.split('#ff-overlay=')[1];
    const h = (tag, className, ...children) => {
      const el = D.createElement(tag);
      el.className = className;
      el.append(...children);
      return el;
    };
    const host = D.createElement('footfall-overlay');
    const shown = (on) =>
      (host.style.cssText =
        'all:initial!important;position:fixed!important;inset:0!important;z-index:2147483646!important;' +
        'pointer-events:none!important;display:' + (on ? 'block' : 'none') + '!important');
    shown(1);
    const root = host.attachShadow({ mode: 'open' });
    const css = `*{box-sizing:border-box;margin:0;font:12px/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.b{position:fixed;outline:2px solid #ea580c;background:rgba(234,88,12,var(--a))}
.r{outline:3px dashed #dc2626}
.n{position:absolute;top:-10px;left:-2px;padding:1px 5px;border-radius:4px;background:#111827;color:#fff;white-space:nowrap}
.r .n{background:#b91c1c}
.p{position:fixed;left:8px;right:8px;bottom:8px;padding:6px 10px;border-radius:6px;background:#111827;color:#fff;font-size:13px}`;
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      root.append(h('style', '', css));
    }
    const bar = h('div', 'p', 'Footfall heatmap: loading…');
    bar.setAttribute('role', 'status');
    root.append(bar);
    D.body.append(host);

    let visible = 1;
    addEventListener('keydown', (e) => e.key == 'Escape' && shown((visible = !visible)), true);

    const draw = (data) => {
      const rage = {};
      for (const item of data.rage) rage[item.selector] = item.clicks;
      const items = []; // [element, box]
      let missing = 0;
      const top = Math.max(...data.selectors.map((item) => item.share), 0.0001);
      for (const { selector, clicks, share } of data.selectors) {
        let el;
        try {
          el = D.querySelector(selector);
        } catch (e) {}
        if (!el) {
          missing++;
          continue;
        }
        const angry = rage[selector];
        const badge = `${clicks} · ${(share * 100).toFixed(1)} %` + (angry ? ` · rage ${angry}` : '');
        const box = h('div', angry ? 'b r' : 'b', h('span', 'n', badge));
        box.style.setProperty('--a', (0.1 + (0.45 * share) / top).toFixed(2));
        items.push([el, box]);
        root.append(box);
      }
      const width = innerWidth;
      const here = width < 768 ? 'mobile' : width < 1024 ? 'tablet' : 'desktop';
      bar.textContent =
        `Footfall heatmap · ${data.page} · ${data.device} · ${items.length} elements` +
        (missing ? ` (${missing} not found on this page)` : '') +
        (here != data.device ? ` · the clicks are from ${data.device} screens, this window is ${here}-sized` : '') +
        ' · Esc hides';

      // Boxes follow their elements: on scroll and resize, and every second for layout changes.
      let queued;
      const place = () => {
        queued = 0;
        if (location.pathname != path) return clearInterval(timer), host.remove();
        for (const [el, box] of items) {
          const r = el.getBoundingClientRect();
          const style = box.style;
          style.left = r.left + 'px';
          style.top = r.top + 'px';
          style.width = r.width + 'px';
          style.height = r.height + 'px';
          style.display = r.width || r.height ? '' : 'none';
        }
      };
      const later = () => queued || (queued = requestAnimationFrame(place));
      addEventListener('scroll', later, { capture: true, passive: true });
      addEventListener('resize', later);
      const timer = setInterval(later, 1e3);
      place();
    };

    fetch(new URL('/api/overlay?token=' + encodeURIComponent(token), import.meta.url))
      .then((response) => response.json().then((data) => (response.ok ? draw(data) : (bar.textContent = `Footfall heatmap: ${data.error}`))))
      // A forged token's 403 has no CORS header (dashboard/overlay.py): the browser reports a
      // network error, as for an unreachable server.
      .catch(() => (bar.textContent = 'Footfall heatmap: the clicks could not be loaded; open the overlay again from the dashboard.'));
  } catch (e) {
    // Never throw into the host page.
  }
})();
