/* Amtskoffer designer pages (no inline script; every page also works without this file).
 * 1. Editors (modeler, DMN): "Ungespeicherte Änderungen" in the status line, a warning before
 *    leaving with unsaved changes, and ?element=ID selects that element in the modeler.
 * 2. Diff viewers: the config block's "diff" ({elementId: added|changed|removed}) becomes a
 *    marker class (ak-diff-<kind>) and a text badge on each element.
 * 3. Form editor: the preview is refreshed while typing (POST to data-preview-url, which answers
 *    with the same fragment the page renders); "Vorschau aktualisieren" then needs no reload. */
(function () {
  'use strict';

  var KIND_DE = { added: 'neu', changed: 'geändert', removed: 'entfernt' };

  function whenReady(el) {
    return window.Amtskoffer && window.Amtskoffer.whenReady ? window.Amtskoffer.whenReady(el) : Promise.reject();
  }

  function editors() {
    document.querySelectorAll('[data-amtskoffer="modeler"], [data-amtskoffer="dmn-modeler"]').forEach(function (el) {
      var form = el.closest('form');
      var status = document.getElementById('bearbeitungsstand');
      var dirty = false;
      var submitting = false;
      whenReady(el).then(function (editor) {
        if (!editor) { return; }
        var select = el.getAttribute('data-select');
        if (select && editor.select) { editor.select(select); }
        editor.on('change', function (e) {
          dirty = !!e.dirty;
          if (status && dirty) { status.textContent = el.getAttribute('data-unsaved-text') || ''; }
        });
      }).catch(function () {});
      if (form) { form.addEventListener('submit', function () { submitting = true; }); }
      window.addEventListener('beforeunload', function (event) {
        if (dirty && !submitting) { event.preventDefault(); event.returnValue = ''; }
      });
    });
  }

  function badge(kind) {
    var node = document.createElement('div');
    node.className = 'ak-diff-badge ak-diff-badge--' + kind;
    node.textContent = KIND_DE[kind] || kind;
    return node;
  }

  function diffViewers() {
    document.querySelectorAll('[data-amtskoffer="viewer"][data-config]').forEach(function (el) {
      var block = document.getElementById(el.getAttribute('data-config'));
      var marks;
      try { marks = JSON.parse(block.textContent).diff; } catch (e) { return; }
      if (!marks) { return; }
      whenReady(el).then(function (viewer) {
        var canvas = viewer.bpmnjs.get('canvas');
        var overlays = viewer.bpmnjs.get('overlays');
        var registry = viewer.bpmnjs.get('elementRegistry');
        Object.keys(marks).forEach(function (id) {
          var element = registry.get(id);
          if (!element) { return; }
          canvas.addMarker(id, 'ak-diff-' + marks[id]);
          if (!element.waypoints) {
            overlays.add(id, 'ak-diff', { position: { top: -22, left: 0 }, html: badge(marks[id]) });
          }
        });
      }).catch(function () {});
    });
  }

  function formPreview() {
    var form = document.getElementById('formular-editor');
    var target = document.getElementById('vorschau-inhalt');
    if (!form || !target || !window.fetch || !window.FormData) { return; }
    var status = document.getElementById('vorschau-status');
    var timer = null;
    var running = null;

    function refresh() {
      clearTimeout(timer);
      timer = null;
      var body = new FormData(form);
      body.set('_action', 'preview');
      running = fetch(form.getAttribute('data-preview-url'), {
        method: 'POST', body: body, credentials: 'same-origin', headers: { 'X-Requested-With': 'fetch' }
      }).then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.text();
      }).then(function (html) {
        target.innerHTML = html;
        if (status) { status.textContent = form.getAttribute('data-updated-text') || ''; }
      }).catch(function () {
        // keep the last preview; the "Vorschau aktualisieren" button still works as a plain submit
      }).then(function () { running = null; });
      return running;
    }

    form.querySelectorAll('#schema-text, #ui-text').forEach(function (area) {
      area.addEventListener('input', function () {
        clearTimeout(timer);
        timer = setTimeout(refresh, 600);
      });
    });
    var button = document.getElementById('vorschau-aktualisieren');
    if (button) {
      button.addEventListener('click', function (event) {
        event.preventDefault();
        refresh();
      });
    }
  }

  function init() {
    editors();
    diffViewers();
    formPreview();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
