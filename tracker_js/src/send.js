// Delivery. The body is JSON sent as text/plain (the default for a string body) — a CORS
// "simple" request, so there is no preflight. sendBeacon first (it survives page unload); fetch
// with keepalive when the beacon was refused (its queue is full). A failed fetch is swallowed:
// analytics never breaks a page.
//
// Clicks (t-heatmap.js) are batched: batch(event) queues one, and the queue goes as one POST
// of a JSON array 5 s after its first event, when the page is hidden (flush(), engagement.js),
// or at once when it nears the collector's limits (100 events, 64 KB per request).
import { api } from './config.js';
import { N, safe } from './util.js';

const queue = [];

export const send = safe((payload) => {
  const body = JSON.stringify(payload);
  // .catch(safe): safe(error) only builds a wrapper, so it is a do-nothing rejection handler.
  N.sendBeacon(api, body) || fetch(api, { method: 'POST', body, keepalive: true }).catch(safe);
});

export const flush = () => queue[0] && send(queue.splice(0));

// 20,000 characters of JSON stay under 64 KB even if every one were 3 bytes of UTF-8 (the one
// event pushed past the mark is a few KB at most); the 99th event ends a batch too.
export const batch = (event) =>
  queue.push(event) < 2 ? setTimeout(flush, 5e3) : (queue[98] || JSON.stringify(queue).length > 2e4) && flush();
