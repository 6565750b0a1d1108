// Heatmap page: choosing another device class or period shows it at once (the form works
// without this script too: its Show button submits it).
(function () {
  'use strict';
  var form = document.querySelector('form.hm-chooser');
  if (!form) return;
  form.querySelectorAll('select').forEach(function (select) {
    select.addEventListener('change', function () { form.submit(); });
  });
})();
