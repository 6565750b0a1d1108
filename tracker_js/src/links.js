// Outbound links and file downloads, as custom events with props {url}: "File Download" for a
// link whose path ends in a common file extension (on any host), "Outbound Link: Click" for
// one to another host over http(s). Left and middle clicks (middle: a new tab), with the mouse
// or the keyboard. sendBeacon outlives the page, so navigation is neither delayed nor stopped.
import { track } from './track.js';
import { D, L, on } from './util.js';

const FILE = /\.(pdf|zip|docx?|xlsx?|pptx?|csv|txt|rar|7z|dmg|exe|msi|pkg|apk|mp[34]|mov|avi|wav|epub|gz|tar)$/i;

const link = (e) => {
  const a = e.target.closest('a[href]');
  const name =
    e.button < 2 && // auxclick also fires for the right button
    a &&
    (FILE.test(a.pathname) ? 'File Download' : a.host != L.host && /^http/.test(a.href) && 'Outbound Link: Click');
  if (name) track(name, { p: { url: a.href } });
};

export const trackLinks = () => {
  on(D, 'click', link);
  on(D, 'auxclick', link);
};
