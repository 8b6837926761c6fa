/**
 * viewer.js — read-only BPMN viewer for the auditor and insight pages (bpmn-js NavigatedViewer):
 * taken path, current position, heat map with counts, text legend and a text summary for
 * screen readers. Exposes `Amtskoffer.createViewer(options)` and the markup kind `data-amtskoffer="viewer"`.
 */
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import spiffworkflowDescriptor from '../spiffworkflow/spiffworkflow.json';
import { GermanTranslateModule } from '../shared/translate-de.js';
import { initialXml, readConfig, register, resolveElement } from '../shared/namespace.js';

import './viewer.css';

const HEAT_LEVELS = 5;
let uid = 0;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([ k, v ]) => {
    if (v === undefined || v === null || v === false) return;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : v);
  });
  children.flat().forEach((c) => {
    if (c !== null && c !== undefined) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  });
  return node;
}

/** German duration for a number of seconds: "45 s", "12 Min.", "2 Std. 5 Min.", "3 Tage 4 Std.". */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || isNaN(seconds)) return '';
  const s = Math.max(0, Math.round(Number(seconds)));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} Min.`;
  const h = Math.floor(s / 3600);
  if (h < 24) {
    const rest = Math.round((s - h * 3600) / 60);
    return rest ? `${h} Std. ${rest} Min.` : `${h} Std.`;
  }
  const d = Math.floor(s / 86400);
  const rh = Math.round((s - d * 86400) / 3600);
  return `${d} ${d === 1 ? 'Tag' : 'Tage'}${rh ? ` ${rh} Std.` : ''}`;
}

const fmtInt = (n) => Number(n || 0).toLocaleString('de-DE');

/**
 * Create a read-only viewer.
 *
 * @param {Object} options
 * @param {Element|string} options.container
 * @param {string} [options.label]         accessible name, default "Prozessdiagramm"
 * @param {boolean} [options.controls=true] zoom buttons (keyboard accessible)
 * @param {Element|string} [options.legend] where to render the legend (default: below the canvas)
 */
export function createViewer(options = {}) {
  const container = resolveElement(options.container);
  if (!container) throw new Error('Amtskoffer.createViewer: container fehlt');
  const n = ++uid;

  container.classList.add('ak-viewer');
  const summaryId = `ak-viewer-summary-${n}`;
  const legendId = `ak-viewer-legend-${n}`;
  const canvasEl = el('div', {
    class: 'ak-viewer-canvas ak-canvas',
    role: 'figure',
    'aria-label': options.label || 'Prozessdiagramm',
    'aria-describedby': `${legendId} ${summaryId}`
  });
  const summaryEl = el('p', { id: summaryId, class: 'ak-visually-hidden', 'aria-live': 'polite' });
  const legendEl = resolveElement(options.legend, 'legend') || el('div', {});
  legendEl.id = legendEl.id || legendId;
  if (legendEl.id !== legendId) canvasEl.setAttribute('aria-describedby', `${legendEl.id} ${summaryId}`);
  legendEl.classList.add('ak-legend');
  const children = [ canvasEl, summaryEl ];
  if (!options.legend) children.push(legendEl);
  container.replaceChildren(...children);

  const bpmnjs = new NavigatedViewer({
    container: canvasEl,
    moddleExtensions: { spiffworkflow: spiffworkflowDescriptor },
    additionalModules: [ GermanTranslateModule ]
  });
  const canvas = bpmnjs.get('canvas');
  const elementRegistry = bpmnjs.get('elementRegistry');
  const overlays = bpmnjs.get('overlays');
  const eventBus = bpmnjs.get('eventBus');

  if (options.controls !== false) {
    const zoom = (factor) => canvas.zoom(canvas.zoom() * factor);
    const button = (label, text, fn) => {
      const b = el('button', { type: 'button', class: 'ak-zoom-button', title: label, 'aria-label': label }, text);
      b.addEventListener('click', fn);
      return b;
    };
    canvasEl.appendChild(el('div', { class: 'ak-zoom', role: 'group', 'aria-label': 'Ansicht' },
      button('Vergrößern', '+', () => zoom(1.25)),
      button('Verkleinern', '−', () => zoom(0.8)),
      button('Ganzes Diagramm anzeigen', '⤢', () => canvas.zoom('fit-viewport', 'auto'))));
  }

  const state = { path: null, heat: null };
  const marked = new Map(); // elementId -> Set(markers)

  const mark = (id, marker) => {
    canvas.addMarker(id, marker);
    if (!marked.has(id)) marked.set(id, new Set());
    marked.get(id).add(marker);
  };
  const unmark = (prefix) => {
    marked.forEach((markers, id) => {
      [ ...markers ].filter((m) => m.startsWith(prefix)).forEach((m) => {
        if (elementRegistry.get(id)) canvas.removeMarker(id, m);
        markers.delete(m);
      });
    });
  };
  const nameOf = (id) => {
    const element = elementRegistry.get(id);
    const name = element && getBusinessObject(element).get('name');
    return name ? name.replace(/\s+/g, ' ') : id;
  };
  const isFlow = (element) => is(element, 'bpmn:SequenceFlow');

  function renderLegend() {
    const items = [];
    if (state.path) {
      items.push(el('span', { class: 'ak-legend-item' }, el('span', { class: 'ak-swatch ak-swatch-visited', 'aria-hidden': 'true' }), 'Durchlaufen'));
      if (state.path.current.length) {
        items.push(el('span', { class: 'ak-legend-item' }, el('span', { class: 'ak-swatch ak-swatch-current', 'aria-hidden': 'true' }), 'Aktuelle Position (Markierung „aktuell“)'));
      }
    }
    if (state.heat) {
      const { max } = state.heat;
      items.push(el('span', { class: 'ak-legend-item' }, 'Häufigkeit (Anzahl Durchläufe):'));
      for (let level = 1; level <= HEAT_LEVELS; level++) {
        const from = Math.floor(((level - 1) / HEAT_LEVELS) * max) + 1;
        const to = Math.floor((level / HEAT_LEVELS) * max);
        if (to < from) continue;
        items.push(el('span', { class: 'ak-legend-item' },
          el('span', { class: `ak-swatch ak-swatch-heat-${level}`, 'aria-hidden': 'true' }),
          from === to ? fmtInt(from) : `${fmtInt(from)}–${fmtInt(to)}`));
      }
      items.push(el('span', { class: 'ak-legend-item ak-legend-note' }, 'Plakette: Durchläufe · wartend · Median der Dauer'));
    }
    legendEl.replaceChildren(...(items.length ? [ el('span', { class: 'ak-legend-title' }, 'Legende:'), ...items ] : []));
    legendEl.hidden = !items.length;
  }

  function renderSummary() {
    const parts = [];
    if (state.path) {
      const steps = state.path.visited.filter((id) => !isFlow(elementRegistry.get(id)));
      parts.push(`Durchlaufene Schritte: ${steps.map(nameOf).join(', ') || 'keine'}.`);
      if (state.path.current.length) parts.push(`Aktuelle Position: ${state.path.current.map(nameOf).join(', ')}.`);
    }
    if (state.heat) {
      const lines = Object.entries(state.heat.data)
        .filter(([ id ]) => elementRegistry.get(id))
        .map(([ id, d ]) => `${nameOf(id)}: ${fmtInt(d.passed)} Durchläufe${d.waiting ? `, ${fmtInt(d.waiting)} wartend` : ''}${d.median_seconds != null ? `, Median ${formatDuration(d.median_seconds)}` : ''}`);
      parts.push(`Häufigkeit je Schritt: ${lines.join('; ')}.`);
    }
    summaryEl.textContent = parts.join(' ');
  }

  const api = {
    bpmnjs,

    /** Import BPMN XML; resolves {warnings}. Re-applies path and heat. */
    async importXML(xml) {
      const result = await bpmnjs.importXML(xml);
      marked.clear();
      const root = canvas.getRootElement();
      const processName = root && getBusinessObject(root).get('name');
      if (processName && !options.label) canvasEl.setAttribute('aria-label', `Prozessdiagramm: ${processName}`);
      canvas.zoom('fit-viewport', 'auto');
      if (state.path) api.highlightPath(state.path.input, { current: state.path.current });
      if (state.heat) api.showHeat(state.heat.data);
      return { warnings: (result.warnings || []).map((w) => String(w.message || w)) };
    },

    /**
     * Highlight the taken path. `elementIds`: visited elements (flow nodes and/or sequence flows).
     * Sequence flows: if the list contains none, every flow whose source and target were both
     * visited is highlighted; if it contains some, exactly those are used.
     * `current`: ids where the case waits now (marked with a distinct colour and the text "aktuell").
     */
    highlightPath(elementIds = [], { current = [] } = {}) {
      api.clearPath();
      const ids = (elementIds || []).filter((id) => elementRegistry.get(id));
      const currentIds = (current || []).filter((id) => elementRegistry.get(id));
      const visited = new Set(ids);
      const explicitFlows = ids.some((id) => isFlow(elementRegistry.get(id)));
      ids.forEach((id) => mark(id, 'ak-visited'));
      if (!explicitFlows) {
        const nodes = new Set([ ...ids, ...currentIds ]);
        elementRegistry.filter(isFlow).forEach((flow) => {
          if (flow.source && flow.target && nodes.has(flow.source.id) && nodes.has(flow.target.id) && visited.has(flow.source.id)) {
            mark(flow.id, 'ak-visited');
          }
        });
      }
      currentIds.forEach((id) => {
        mark(id, 'ak-current');
        const element = elementRegistry.get(id);
        overlays.add(element, 'ak-current', {
          position: { top: -26, left: 0 },
          html: el('div', { class: 'ak-current-badge' }, 'aktuell')
        });
      });
      state.path = { input: elementIds || [], visited: ids, current: currentIds };
      renderLegend();
      renderSummary();
    },

    clearPath() {
      unmark('ak-visited');
      unmark('ak-current');
      overlays.remove({ type: 'ak-current' });
      state.path = null;
      renderLegend();
      renderSummary();
    },

    /**
     * Heat map: `{elementId: {passed, waiting, median_seconds}}`. Colour = passed relative to the
     * maximum (5 levels); each element gets a small badge "N× · M wartend · ⌀ duration".
     */
    showHeat(data = {}) {
      api.clearHeat();
      const entries = Object.entries(data || {}).filter(([ id ]) => elementRegistry.get(id));
      const max = Math.max(0, ...entries.map(([ , d ]) => Number(d && d.passed) || 0));
      entries.forEach(([ id, d ]) => {
        d = d || {};
        const passed = Number(d.passed) || 0;
        const element = elementRegistry.get(id);
        if (passed > 0 && max > 0) {
          const level = Math.min(HEAT_LEVELS, Math.max(1, Math.ceil((passed / max) * HEAT_LEVELS)));
          mark(id, `ak-heat-${level}`);
        }
        if (isFlow(element)) return;
        const label = [ `${fmtInt(passed)} Durchläufe` ];
        const parts = [ el('span', { class: 'ak-heat-passed' }, `${fmtInt(passed)}×`) ];
        if (d.median_seconds !== undefined && d.median_seconds !== null) {
          parts.push(el('span', { class: 'ak-heat-median' }, `⌀ ${formatDuration(d.median_seconds)}`));
          label.push(`Median ${formatDuration(d.median_seconds)}`);
        }
        if (d.waiting) {
          parts.push(el('span', { class: 'ak-heat-waiting' }, `${fmtInt(d.waiting)} wartend`));
          label.push(`${fmtInt(d.waiting)} wartend`);
        }
        // activities: above the shape; events and gateways (labels below/above): above, to the right
        const activity = is(element, 'bpmn:Activity');
        overlays.add(element, 'ak-heat', {
          position: activity ? { top: -3, left: 0 } : { top: 0, left: element.width - 6 },
          html: el('div', { class: 'ak-heat-anchor' },
            el('div', { class: 'ak-heat-badge', title: label.join(', ') }, parts))
        });
      });
      state.heat = { data: data || {}, max };
      renderLegend();
      renderSummary();
    },

    clearHeat() {
      unmark('ak-heat-');
      overlays.remove({ type: 'ak-heat' });
      state.heat = null;
      renderLegend();
      renderSummary();
    },

    fit() {
      canvas.zoom('fit-viewport', 'auto');
    },

    /** 'select' → fn({elementId, name}) on click; other names go to the diagram-js event bus. */
    on(event, fn) {
      const busEvent = event === 'select' ? 'element.click' : event;
      const handler = (e) => {
        if (event !== 'select') return fn(e);
        const element = e.element;
        if (!element || element === canvas.getRootElement()) return undefined;
        return fn({ elementId: element.id, name: nameOf(element.id) });
      };
      eventBus.on(busEvent, handler);
      return () => eventBus.off(busEvent, handler);
    },

    destroy() {
      bpmnjs.destroy();
    }
  };
  renderLegend();
  return api;
}

/**
 * Markup kind "viewer": data-config JSON {xml | xmlUrl, path: {visited: [], current: []}, heat: {...}, label}
 * (or data-xml-url).
 */
async function initViewerElement(el) {
  const config = readConfig(el);
  const viewer = createViewer({ container: el, label: el.getAttribute('aria-label') || config.label, controls: config.controls });
  el.removeAttribute('aria-label');
  const xml = await initialXml(el, config);
  const { warnings } = xml ? await viewer.importXML(xml) : { warnings: [] };
  if (config.path) viewer.highlightPath(config.path.visited || [], { current: config.path.current || [] });
  if (config.heat) viewer.showHeat(config.heat);
  return { instance: viewer, warnings };
}

register(
  { createViewer, formatDuration, version: __AMTSKOFFER_VERSION__ },
  { viewer: initViewerElement }
);
