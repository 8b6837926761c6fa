/**
 * modeler.js — BPMN designer: bpmn-js Modeler + properties panel + SpiffWorkflow extensions +
 * bpmnlint + problem list. Exposes `Amtskoffer.createModeler(options)` and the markup kind
 * `data-amtskoffer="modeler"` (see README.md).
 */
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';

import bpmnlintConfig from '../../.bpmnlintrc';
import spiffworkflowDescriptor from '../spiffworkflow/spiffworkflow.json';
import { GermanTranslateModule } from '../shared/translate-de.js';
import { guardFormEmbedding, initialXml, readConfig, register, resolveElement } from '../shared/namespace.js';
import { emptyDiagram } from './empty.js';
import { normaliseConfig, updateConfig } from './config.js';
import AmtskofferPropertiesProvider from './props/AmtskofferPropertiesProvider.js';
import Problems from './problems/Problems.js';

import './modeler.css';

const EVENT_ALIASES = {
  change: 'commandStack.changed',
  select: 'selection.changed',
  problems: 'amtskoffer.problems.changed',
  import: 'import.done'
};

/** Fit the diagram into the free part of the canvas (right of the palette), never zooming in beyond 100 %. */
function fitDiagram(bpmnjs) {
  const canvas = bpmnjs.get('canvas');
  canvas.zoom('fit-viewport', 'auto');
  const { inner, outer } = canvas.viewbox();
  if (!inner || !inner.width || !outer.width) return;
  const container = canvas.getContainer();
  const palette = container.querySelector('.djs-palette');
  const left = palette ? palette.getBoundingClientRect().right - container.getBoundingClientRect().left + 16 : 16;
  const margin = 24;
  const scale = Math.min(1, (outer.width - left - margin) / inner.width, (outer.height - 2 * margin) / inner.height);
  if (!(scale > 0)) return;
  const offsetX = left + Math.max(0, (outer.width - left - margin - inner.width * scale) / 2);
  const offsetY = Math.max(margin, (outer.height - inner.height * scale) / 2);
  canvas.viewbox({
    x: inner.x - offsetX / scale,
    y: inner.y - offsetY / scale,
    width: outer.width / scale,
    height: outer.height / scale
  });
}

function buildLayout(container) {
  container.classList.add('ak-modeler');
  const canvas = document.createElement('div');
  canvas.className = 'ak-modeler-canvas';
  const panel = document.createElement('div');
  panel.className = 'ak-modeler-panel';
  const problems = document.createElement('div');
  problems.className = 'ak-modeler-problems';
  container.replaceChildren(canvas, panel, problems);
  return { canvas, panel, problems };
}

/**
 * Create a BPMN modeler.
 *
 * @param {Object} options
 * @param {Element|string} options.container      canvas element; if `propertiesPanel` is omitted the
 *                                                container gets a full layout (canvas | panel, problems below)
 * @param {Element|string} [options.propertiesPanel] parent for the properties panel
 * @param {Element|string} [options.problemsList]    parent for the problem list (default: inside the canvas)
 * @param {Element|string} [options.xmlInput]        <textarea>/<input> kept in sync with the XML (form POST)
 * @param {Array} [options.operations]  [{id, description_de, params: [{name, type, required, description_de}]}]
 * @param {Array} [options.forms]       ["x-schema.json", ...] or [{name, title?, kind?: "schema"|"uischema"}]
 * @param {Array} [options.decisions]   ["decision_id", ...] or [{id, name?}]
 * @param {Array} [options.messages]    ["message_name", ...] or [{name, description_de?}]
 * @param {boolean} [options.checks=true] run configuration checks (config source in the problem list)
 * @param {boolean} [options.lint=true]   show bpmnlint overlays initially
 * @param {string} [options.label]      accessible name of the canvas region
 */
export function createModeler(options = {}) {
  const container = resolveElement(options.container);
  if (!container) throw new Error('Amtskoffer.createModeler: container fehlt');

  let canvasEl = container;
  let panelEl = resolveElement(options.propertiesPanel, 'propertiesPanel');
  let problemsEl = resolveElement(options.problemsList, 'problemsList');
  if (!panelEl) {
    const layout = buildLayout(container);
    canvasEl = layout.canvas;
    panelEl = layout.panel;
    problemsEl = problemsEl || layout.problems;
  }
  if (!problemsEl) {
    problemsEl = document.createElement('div');
    problemsEl.className = 'ak-problems-floating';
    canvasEl.appendChild(problemsEl);
  }
  canvasEl.classList.add('ak-canvas');
  canvasEl.setAttribute('role', 'region');
  canvasEl.setAttribute('aria-label', options.label || 'Prozessdiagramm bearbeiten');
  panelEl.classList.add('ak-properties');
  panelEl.setAttribute('role', 'region');
  panelEl.setAttribute('aria-label', 'Eigenschaften des ausgewählten Elements');
  problemsEl.classList.add('ak-problems');
  problemsEl.setAttribute('role', 'region');
  problemsEl.setAttribute('aria-label', 'Befunde');

  [ container, panelEl, problemsEl ].forEach(guardFormEmbedding);

  const config = normaliseConfig(options);
  const bpmnjs = new BpmnModeler({
    container: canvasEl,
    propertiesPanel: { parent: panelEl },
    linting: { bpmnlint: bpmnlintConfig, active: options.lint !== false },
    moddleExtensions: { spiffworkflow: spiffworkflowDescriptor },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      lintModule,
      GermanTranslateModule,
      {
        __init__: [ 'amtskofferPropertiesProvider', 'amtskofferProblems' ],
        amtskofferConfig: [ 'value', config ],
        amtskofferPropertiesProvider: [ 'type', AmtskofferPropertiesProvider ],
        amtskofferProblems: [ 'type', Problems ]
      }
    ]
  });

  const eventBus = bpmnjs.get('eventBus');
  const commandStack = bpmnjs.get('commandStack');
  const problems = bpmnjs.get('amtskofferProblems');
  problems.attachList(problemsEl);

  // --- dirty tracking: compare the command on top of the stack with the one at the last save
  let savedTop = null;
  const top = () => (commandStack._stack || [])[commandStack._stackIdx] || null;
  const isDirty = () => top() !== savedTop;

  // --- optional <textarea>/<input> kept in sync for plain form submits
  const xmlInput = resolveElement(options.xmlInput, 'xmlInput');
  let syncTimer = null;
  let syncing = null;
  const syncInput = () => {
    if (!xmlInput) return Promise.resolve();
    clearTimeout(syncTimer);
    syncing = bpmnjs.saveXML({ format: true }).then(({ xml }) => { xmlInput.value = xml; syncing = null; syncTimer = null; });
    return syncing;
  };
  if (xmlInput) {
    eventBus.on('commandStack.changed', () => {
      clearTimeout(syncTimer);
      syncTimer = setTimeout(syncInput, 250);
    });
    const form = xmlInput.form;
    if (form) {
      form.addEventListener('submit', (event) => {
        if (syncTimer || syncing) {
          event.preventDefault();
          const submitter = event.submitter;
          // re-submit in a new task: the save may finish in a microtask while the first submit
          // event is still being dispatched, and requestSubmit() is ignored during that dispatch
          syncInput().then(() => setTimeout(() => { syncTimer = null; form.requestSubmit(submitter || undefined); }, 0));
        }
      });
    }
  }

  const api = {
    /** The underlying bpmn-js Modeler (escape hatch). */
    bpmnjs,

    /** Import BPMN 2.0 XML; resolves {warnings: string[]}. Import warnings also go to the problem list. */
    async importXML(xml) {
      const result = await bpmnjs.importXML(xml);
      const warnings = (result.warnings || []).map((w) => String(w.message || w).split('\n')[0]);
      problems.setProblems('import', warnings.map((message) => ({
        elementId: null,
        severity: 'warning',
        message: `${message} – dieser Teil geht beim Speichern verloren.`
      })));
      fitDiagram(bpmnjs);
      savedTop = top();
      if (xmlInput) syncInput();
      return { warnings };
    },

    /** Start a new, empty process (start event only). */
    createDiagram({ processId = 'Process_1', name = 'Neuer Prozess' } = {}) {
      return api.importXML(emptyDiagram(processId, name));
    },

    /** Current diagram as BPMN 2.0 XML (formatted). */
    async saveXML({ format = true } = {}) {
      const { xml } = await bpmnjs.saveXML({ format });
      return xml;
    },

    async saveSVG() {
      const { svg } = await bpmnjs.saveSVG();
      return svg;
    },

    /** Show server-side problems: [{elementId, message, severity: 'error'|'warning'|'info'}]. Replaces the previous ones. */
    showProblems(list) {
      problems.setProblems('server', list);
    },

    clearProblems() {
      problems.setProblems('server', []);
    },

    /** All problems (lint, config, server, import), errors first. */
    getProblems() {
      return problems.getProblems();
    },

    /** Update the lists given at creation (operations, forms, decisions, messages, checks). */
    setConfig(newOptions) {
      updateConfig(config, newOptions || {});
      eventBus.fire('amtskoffer.config.changed', { config });
      eventBus.fire('propertiesPanel.providersChanged');
    },

    /** Select an element and reveal it; false if it does not exist. */
    select(elementId) {
      return problems.reveal(elementId);
    },

    fit() {
      fitDiagram(bpmnjs);
    },

    isDirty,

    /** Call after a successful save so isDirty() becomes false. */
    markSaved() {
      savedTop = top();
    },

    toggleLint(active) {
      return bpmnjs.get('linting').toggle(active);
    },

    /**
     * Subscribe; returns an unsubscribe function. Events:
     *   'change'   {dirty}                 after every edit, undo, redo
     *   'select'   {elementIds}            selection changed
     *   'problems' {problems}              problem list changed
     *   'import'   {warnings, error}       after importXML
     * Any other name is passed to the diagram-js event bus unchanged.
     */
    on(event, fn) {
      const busEvent = EVENT_ALIASES[event] || event;
      const handler = (e) => {
        if (event === 'change') return fn({ dirty: isDirty() });
        if (event === 'select') return fn({ elementIds: (e.newSelection || []).map((s) => s.id) });
        if (event === 'problems') return fn({ problems: e.problems });
        if (event === 'import') return fn({ warnings: (e.warnings || []).map((w) => String(w.message || w)), error: e.error || null });
        return fn(e);
      };
      eventBus.on(busEvent, handler);
      return () => eventBus.off(busEvent, handler);
    },

    destroy() {
      clearTimeout(syncTimer);
      bpmnjs.destroy();
    }
  };
  return api;
}

/**
 * Markup kind "modeler":
 *   data-config="ID"         JSON block: {operations, forms, decisions, messages, problems, xml, xmlUrl, checks}
 *   data-xml-url="/url"      load the diagram from this URL (same origin)
 *   data-xml-input="#sel"    textarea/input: initial XML (if no other source) and kept in sync for form POST
 *   data-properties-panel / data-problems-list   selectors for separate panel/list containers
 */
async function initModelerElement(el) {
  const config = readConfig(el);
  const modeler = createModeler({
    ...config,
    container: el,
    propertiesPanel: el.dataset.propertiesPanel || undefined,
    problemsList: el.dataset.problemsList || undefined,
    xmlInput: el.dataset.xmlInput || undefined,
    label: el.getAttribute('aria-label') || config.label
  });
  el.removeAttribute('aria-label'); // moved to the canvas region
  const xml = await initialXml(el, config);
  const { warnings } = xml ? await modeler.importXML(xml) : await modeler.createDiagram(config.newDiagram || {});
  if (Array.isArray(config.problems)) modeler.showProblems(config.problems);
  return { instance: modeler, warnings };
}

register(
  { createModeler, emptyDiagram, version: __AMTSKOFFER_VERSION__ },
  { modeler: initModelerElement }
);
