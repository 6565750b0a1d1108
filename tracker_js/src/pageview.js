// Page views: one on load, one per SPA navigation (history.pushState / replaceState, the back
// and forward buttons, and #hash changes when data-hash is set). A navigation to the URL already
// counted is not a new page view. The referrer goes with the first page view only, and only
// when it is another site's: later views come from this page. Each new page view first closes
// the engagement report of the one before (engagement.js).
import { has } from './config.js';
import { current, view } from './engagement.js';
import { pageUrl, track } from './track.js';
import { D, L, W, on } from './util.js';

export const trackPageviews = () => {
  // Another site's address, or nothing. "https://host:port/path".split('/')[2] is the host.
  let referrer = D.referrer;
  if (referrer.split('/')[2] == L.host) referrer = '';

  const pageview = () => {
    if (pageUrl() != current) {
      view(pageUrl());
      track('pageview', { r: referrer || undefined });
      referrer = '';
    }
  };

  // Routers usually set document.title just after pushState: let them, then send. Several
  // navigations within the wait end as one page view, for the URL they end at.
  const later = () => setTimeout(pageview, 50);

  for (const method of ['pushState', 'replaceState']) {
    const original = history[method];
    history[method] = (...args) => (later(), original.apply(history, args));
  }
  on(W, 'popstate', later);
  if (has('hash')) on(W, 'hashchange', later);
  pageview();
};
