// Whether an event must not be sent; checked before every send. Bots (navigator.webdriver),
// local development (localhost, 127.x.x.x, [::1], and file: pages, whose hostname is empty),
// Do Not Track / Global Privacy Control when the site asks to respect them, excluded paths.
import { exclude, has } from './config.js';

const LOCAL = /^(localhost|127(\.\d+){3}|\[::1\]|)$/;

export const ignored = () =>
  (navigator.webdriver && !has('allowWebdriver')) ||
  (LOCAL.test(location.hostname) && !has('allowLocal')) ||
  (has('respectDnt') && (navigator.doNotTrack == '1' || navigator.globalPrivacyControl)) ||
  exclude.some((re) => re.test(location.pathname));
