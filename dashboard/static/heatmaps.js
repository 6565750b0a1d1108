// Heatmap page. Choosing another device class or period shows it at once (without this script
// the form's Show button does it). The click map keeps the page's proportions: its height is
// set from the width it really gets (layout.meta.page_aspect, see dashboard/heatmap_charts.py),
// so a screenshot under it is not squeezed on a phone. Loaded before charts.js draws.
(function () {
  'use strict';
  var MIN = 420, MAX = 4000, AXES = 70;
  document.addEventListener('footfall:figure', function (event) {
    var meta = event.detail.layout && event.detail.layout.meta;
    if (!meta || !meta.page_aspect || !window.Plotly) return;
    var target = event.target;
    var height = Math.round((target.clientWidth - AXES) * meta.page_aspect) + AXES;
    window.Plotly.relayout(target, { height: Math.max(MIN, Math.min(MAX, height)) });
  });
  function autoSubmit() {
    var form = document.querySelector('form.hm-chooser');
    if (!form) return;
    form.querySelectorAll('select').forEach(function (select) {
      select.addEventListener('change', function () { form.submit(); });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', autoSubmit);
  else autoSubmit();
})();
