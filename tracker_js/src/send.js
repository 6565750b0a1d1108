// Delivery. The body is JSON sent as text/plain (the default for a string body) — a CORS
// "simple" request, so there is no preflight. navigator.sendBeacon: it survives page unload, and
// a refused or failed beacon is simply lost (analytics never breaks a page).
//
// There used to be a fetch(…, {keepalive: true}) fallback for a refused beacon. It could never
// help: browsers refuse a beacon when the page's keep-alive quota (64 KB of requests in flight)
// is used up, and a keep-alive fetch draws on that same quota, so it failed too; a browser
// without sendBeacon throws before any fallback runs. Its 34 bytes now load the survey checker.
//
// The payload may be an array of events: the click batches of t-clicks.js (clicks.js).
import { api } from './config.js';
import { N, safe } from './util.js';

export const send = safe((payload) => N.sendBeacon(api, JSON.stringify(payload)));
