// Delivery. The body is JSON sent as text/plain (the default for a string body) — a CORS
// "simple" request, so there is no preflight. sendBeacon first (it survives page unload); fetch
// with keepalive when there is no beacon or it was refused (queue full). A failed fetch is
// swallowed: analytics never breaks a page.
import { api } from './config.js';

export const send = (payload) => {
  const body = JSON.stringify(payload);
  (navigator.sendBeacon && navigator.sendBeacon(api, body)) ||
    fetch(api, { method: 'POST', body, keepalive: true }).catch(() => {});
};
