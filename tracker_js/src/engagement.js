// Time on page and scroll depth, per page view. Time counts only while the page is visible AND
// focused (document.hidden, document.hasFocus()), re-evaluated on every visibility, focus, blur,
// scroll and pagehide event. A report — an "engagement" event with e (ms) and d (deepest scroll,
// % of the document height) — is sent for the page view it belongs to (u = that view's URL) when
// the page is hidden (switching tabs, minimising, closing, navigating away: so the last page of
// a visit is counted too) and when an SPA navigation starts a new page view. Each report carries
// only the time since the previous one, so the collector's sum per page view is the total; after
// coming back to the tab, counting goes on. A report without new time is sent at most once per
// page view.
import { track } from './track.js';
import { D, W, on } from './util.js';

export let current; // the URL of the page view being measured
let ms = 0; // engaged time not reported yet
let since; // when the current engaged stretch began (Date.now()), or false
let depth; // deepest scroll so far, %
let reported; // a report was sent for this page view

// e: the DOM event; nothing when a new page view closes the current one.
const measure = (e) => {
  const now = Date.now();
  // Navigating away fires pagehide while the document is still "visible": it ends the count.
  const gone = e && e.type == 'pagehide';
  if (since) ms += now - since;
  since = !gone && !D.hidden && D.hasFocus() && now;
  // How far down the bottom of the viewport has been. Not measured for the SPA report, when
  // the next view's content may already be on screen.
  if (e) depth = Math.max(depth, Math.round(((scrollY + innerHeight) * 100) / D.documentElement.scrollHeight));
  // Leaving: a new page view, the page hidden, or unloaded.
  if (!e || D.hidden || gone) {
    if (current && (ms || !reported)) {
      track('engagement', { u: current, e: ms, d: depth });
      ms = 0;
      reported = 1;
    }
  }
};

// A new page view: report the one being left, then measure `url` from zero.
export const view = (url) => {
  measure();
  current = url;
  ms = reported = depth = 0;
  measure(1);
};

// visibilitychange is fired at the document and bubbles: the window sees it in the capture phase.
export const trackEngagement = () => {
  for (const type of ['visibilitychange', 'pagehide', 'focus', 'blur', 'scroll']) on(W, type, measure);
};
