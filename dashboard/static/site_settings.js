// The site settings page: copy buttons, and the live "has this site sent data yet?" check.
// No inline scripts (the CSP forbids them): texts come from data-* attributes, translated by the
// server, and are set with textContent only.
(function () {
  'use strict';
  var POLL_MS = 5000;

  function copy(button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent).then(function () {
      var label = button.textContent;
      button.textContent = button.getAttribute('data-copied');
      setTimeout(function () { button.textContent = label; }, 2000);
    }, function () {});
  }

  function show(status, receiving) {
    status.textContent = status.getAttribute(receiving ? 'data-receiving' : 'data-waiting');
    status.className = 'badge ' + (receiving ? 'ok' : 'waiting');
    status.setAttribute('data-state', receiving ? 'receiving' : 'waiting');
  }

  function poll(status) {
    fetch(status.getAttribute('data-url'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) return;
        show(status, body.receiving === true);
        if (!body.receiving) setTimeout(function () { poll(status); }, POLL_MS);
      })
      .catch(function () { setTimeout(function () { poll(status); }, POLL_MS * 2); });
  }

  function start() {
    document.querySelectorAll('button[data-copy]').forEach(function (button) {
      button.addEventListener('click', function () { copy(button); });
    });
    var status = document.getElementById('site-status');
    if (status) poll(status);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
