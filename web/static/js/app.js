/* Amtskoffer page enhancements (no framework, no inline script; pages work without it).
 * 1. Conditional form fields: elements with data-show-when='[[{name, values, negate, absent}, …], …]'
 *    are shown while any group holds completely (OR of ANDs), mirroring engine/forms. Without
 *    this script the server shows a field after the next submit, and always ignores hidden fields.
 * 2. After a rejected submit the error summary gets the focus, so screen readers announce it. */
(function () {
  'use strict';

  function currentValues(form, name) {
    var safe = name.replace(/"/g, '');
    var inputs = form.querySelectorAll('[name="' + safe + '"]');
    if (inputs.length === 0) {
      // A display-only field (its value comes from the case, it is never posted).
      var shown = form.querySelector('[data-name="' + safe + '"]');
      if (!shown) { return null; }
      var text = shown.getAttribute('data-value') || '';
      return text === '' ? [] : [text];
    }
    var values = [];
    var sawCheckbox = false;
    inputs.forEach(function (el) {
      if (el.type === 'checkbox') {
        sawCheckbox = true;
        if (el.checked) { values.push(el.value); }
      } else if (el.type === 'radio') {
        if (el.checked) { values.push(el.value); }
      } else if (el.value.trim() !== '') {
        values.push(el.value.trim());
      }
    });
    // A single checkbox posts "false" when unticked (see engine/forms/posted.py).
    if (sawCheckbox && inputs.length === 1 && values.length === 0) { values.push('false'); }
    return values;
  }

  function holds(form, test) {
    var values = currentValues(form, test.name);
    var result;
    if (values === null) { return null; }
    if (values.length === 0) {
      result = test.absent;
    } else if (!test.values.length) {
      result = true;
    } else {
      result = values.some(function (v) { return test.values.indexOf(v) !== -1; });
    }
    return test.negate ? !result : result;
  }

  function update(form) {
    form.querySelectorAll('[data-show-when]').forEach(function (el) {
      var groups;
      try { groups = JSON.parse(el.getAttribute('data-show-when')); } catch (e) { return; }
      var unknown = false;
      var show = groups.some(function (group) {
        return group.every(function (test) {
          var result = holds(form, test);
          if (result === null) { unknown = true; }
          return result === true;
        });
      });
      // A controlling field the page does not show: keep what the server decided.
      if (!unknown) { el.hidden = !show; }
    });
  }

  function init() {
    document.querySelectorAll('form').forEach(function (form) {
      if (!form.querySelector('[data-show-when]')) { return; }
      form.addEventListener('change', function () { update(form); });
      form.addEventListener('input', function () { update(form); });
      update(form);
    });
    var summary = document.getElementById('fehlerliste');
    if (summary) { summary.focus(); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
