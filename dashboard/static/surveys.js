// Survey editor: show only the fields the chosen option uses (the trigger's value, the path
// pattern, the days between asks). Without this script every field shows and the form still works.
(function () {
  'use strict';
  function sync(select) {
    var group = select.getAttribute('data-toggles');
    document.querySelectorAll('[data-show="' + group + '"]').forEach(function (field) {
      field.hidden = field.getAttribute('data-when').split(' ').indexOf(select.value) < 0;
    });
  }
  document.querySelectorAll('select[data-toggles]').forEach(function (select) {
    sync(select);
    select.addEventListener('change', function () { sync(select); });
  });
})();
