// Overview: a click on a country of the map filters the page by it, as a click on its row does.
// Each country's URL was built by the server (customdata); only same-site paths are followed.
(function () {
  'use strict';
  function follow(event) {
    var point = event && event.points && event.points[0];
    var url = point && point.customdata;
    if (typeof url === 'string' && url.charAt(0) === '/' && url.charAt(1) !== '/' && url.charAt(1) !== '\\') {
      window.location.assign(url);
    }
  }
  document.addEventListener('footfall:figure', function (event) {
    var target = event.target;
    if (target && target.classList.contains('map') && typeof target.on === 'function') {
      target.on('plotly_click', follow);
    }
  });
})();
