/* Readable diagrams in the viewers of the designer, auditor and insight pages (no inline script).
 * Fitting a long procedure (fifty steps in a row) into the page makes its labels unreadable. An
 * element with data-min-zoom="0.55" is zoomed to at least that scale after the viewer's own fit,
 * centred on data-focus (an element id: where the case stands, the first change …) or else on
 * the start of the diagram. The viewer's "⤢" button still shows the whole diagram. */
(function () {
  'use strict';

  // Start of a window of `size` around `centre`, kept on the diagram (centred if the diagram is smaller).
  function place(centre, size, start, extent) {
    if (size >= extent) { return start + extent / 2 - size / 2; }
    return Math.max(start - 20, Math.min(centre - size / 2, start + extent - size + 20));
  }

  function apply(el) {
    var min = parseFloat(el.getAttribute('data-min-zoom'));
    if (!min || !window.Amtskoffer || !window.Amtskoffer.whenReady) { return; }
    window.Amtskoffer.whenReady(el).then(function (viewer) {
      if (!viewer || !viewer.bpmnjs) { return; }
      var canvas = viewer.bpmnjs.get('canvas');
      if (canvas.zoom() >= min) { return; }
      var box = canvas.viewbox();
      var inner = box.inner;
      var width = box.outer.width / min;
      var height = box.outer.height / min;
      var focus = viewer.bpmnjs.get('elementRegistry').get(el.getAttribute('data-focus') || '');
      var cx = focus && !focus.waypoints ? focus.x + focus.width / 2 : inner.x + width / 2;
      var cy = focus && !focus.waypoints ? focus.y + focus.height / 2 : inner.y + inner.height / 2;
      canvas.viewbox({ x: place(cx, width, inner.x, inner.width), y: place(cy, height, inner.y, inner.height),
                       width: width, height: height });
    }).catch(function () {});
  }

  function init() {
    document.querySelectorAll('[data-amtskoffer="viewer"][data-min-zoom]').forEach(apply);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
