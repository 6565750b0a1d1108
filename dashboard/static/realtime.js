// Realtime: refreshes the page's numbers and tables from its JSON endpoint every few seconds.
// Values come formatted by the server; they are put into the page as text only (textContent),
// never as HTML. Links are followed only when they are paths on this site.
(function () {
  'use strict';
  var root = document.getElementById('realtime');
  if (!root) return;
  var source = root.getAttribute('data-source');
  var every = (parseInt(root.getAttribute('data-refresh'), 10) || 10) * 1000;
  var timer = null;
  var busy = false;

  function sitePath(url) {
    return typeof url === 'string' && url.charAt(0) === '/' && url.charAt(1) !== '/' && url.charAt(1) !== '\\';
  }

  function cell(text, className) {
    var td = document.createElement('td');
    if (className) td.className = className;
    td.textContent = text == null ? '' : String(text);
    return td;
  }

  function pageRow(row) {
    var tr = document.createElement('tr');
    var label = cell('', 'label');
    if (sitePath(row.url)) {
      var link = document.createElement('a');
      link.href = row.url;
      link.textContent = String(row.page);
      label.appendChild(link);
    } else {
      label.textContent = String(row.page);
    }
    tr.appendChild(label);
    tr.appendChild(cell(row.visitors, 'num'));
    return tr;
  }

  function eventRow(row) {
    var tr = document.createElement('tr');
    tr.appendChild(cell(row.time, 'when'));
    tr.appendChild(cell(row.event));
    tr.appendChild(cell(row.page, 'label'));
    tr.appendChild(cell(row.country));
    tr.appendChild(cell(row.device));
    return tr;
  }

  function fill(name, rows, build) {
    var body = root.querySelector('[data-list="' + name + '"]');
    var empty = root.querySelector('[data-empty="' + name + '"]');
    var list = Array.isArray(rows) ? rows : [];
    var fresh = document.createDocumentFragment();
    list.forEach(function (row) { fresh.appendChild(build(row)); });
    body.replaceChildren(fresh);
    if (empty) empty.hidden = list.length > 0;
  }

  function show(data) {
    ['visitors_5m', 'visitors_30m', 'updated'].forEach(function (field) {
      var target = root.querySelector('[data-field="' + field + '"]');
      if (target) target.textContent = String(data[field]);
    });
    fill('pages', data.pages, pageRow);
    fill('events', data.events, eventRow);
  }

  // `message`: false when fresh, true when stale for no stated reason, or the server's reason.
  function stale(message) {
    root.querySelector('[data-live-dot]').classList.toggle('stale', message !== false);
    root.querySelector('[data-stale-message]').hidden = message === false;
    var error = root.querySelector('[data-error]');
    error.hidden = typeof message !== 'string';
    error.textContent = typeof message === 'string' ? message : '';
  }

  function refresh() {
    timer = null;
    busy = true;
    fetch(source, { credentials: 'same-origin', headers: { Accept: 'application/json' }, redirect: 'error' })
      .then(function (response) {
        if ((response.headers.get('content-type') || '').indexOf('application/json') !== 0) throw {};
        return response.json().then(function (data) {
          if (!response.ok) throw { shown: data && data.error };
          return data;
        });
      })
      .then(function (data) { show(data); stale(false); })
      .catch(function (error) { stale(error && typeof error.shown === 'string' ? error.shown : true); })
      .then(function () { busy = false; schedule(); });
  }

  function schedule() {
    if (timer === null && !busy && document.visibilityState === 'visible') timer = window.setTimeout(refresh, every);
  }

  // A hidden tab does not poll; it refreshes at once when shown again.
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && timer === null && !busy) refresh();
    else if (document.visibilityState !== 'visible' && timer !== null) { window.clearTimeout(timer); timer = null; }
  });
  schedule();
})();
