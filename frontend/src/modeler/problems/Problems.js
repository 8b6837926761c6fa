/**
 * One list of problems for the designer, from four sources:
 *
 *   lint    bpmnlint (bpmnlint:recommended), run in the browser on every change
 *   config  checks against the page configuration (operations, forms, decisions)
 *   server  problems reported by the server (`showProblems`)
 *   import  warnings from reading the XML (e.g. unknown extension elements that would be lost)
 *
 * Lint problems are drawn by bpmn-js-bpmnlint (icon at the top right of an element); config and
 * server problems get our own badge at the top left. All of them appear in the list, which is a
 * plain accessible <ul> of buttons that select and reveal the element.
 *
 * Problem shape: { elementId: string|null, message: string, severity: 'error'|'warning'|'info',
 *                  source: 'lint'|'config'|'server'|'import', rule?: string, location?: 'file:line' }
 * showProblems also accepts the engine's Problem dataclass as a dict
 * ({code, file, line, element_id, message, user_message, severity}); user_message wins over message.
 */
import { getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';
import { checkConfiguration } from './checks.js';

const SEVERITY_DE = { error: 'Fehler', warning: 'Warnung', info: 'Hinweis' };
const SOURCE_DE = { lint: 'Modellierregel', config: 'Konfiguration', server: 'Server', import: 'Import' };
const ORDER = { error: 0, warning: 1, info: 2 };

export function normaliseSeverity(value) {
  const v = String(value || '').toLowerCase();
  if (v === 'warn' || v === 'warning') return 'warning';
  if (v === 'info' || v === 'hint' || v === 'notice') return 'info';
  return 'error';
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([ k, v ]) => {
    if (v === undefined || v === null || v === false) return;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : v);
  });
  children.flat().forEach((c) => {
    if (c === null || c === undefined) return;
    node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  });
  return node;
}

export default class Problems {
  constructor(eventBus, elementRegistry, overlays, canvas, selection, translate, injector, amtskofferConfig) {
    this._eventBus = eventBus;
    this._elementRegistry = elementRegistry;
    this._overlays = overlays;
    this._canvas = canvas;
    this._selection = selection;
    this._translate = translate;
    this._injector = injector;
    this._config = amtskofferConfig;
    this._bySource = { lint: [], config: [], server: [], import: [] };
    this._listParent = null;
    this._checkTimer = null;

    eventBus.on('linting.completed', (event) => {
      this._bySource.lint = flattenLint(event.issues, translate);
      this._changed();
    });
    eventBus.on('import.done', () => {
      this._bySource.server = [];
      this._runChecks();
    });
    eventBus.on('elements.changed', () => this._scheduleChecks());
    eventBus.on('amtskoffer.config.changed', () => this._runChecks());
    eventBus.on('diagram.clear', () => {
      this._bySource = { lint: [], config: [], server: [], import: [] };
      this._changed();
    });
  }

  /** Where to render the list (an element). */
  attachList(parent) {
    this._listParent = parent;
    this._renderList();
  }

  setProblems(source, list) {
    this._bySource[source] = (list || []).map((p) => ({
      elementId: p.elementId || p.element_id || null,
      // German text first: engine Problem objects carry `user_message` (German) and `message` (English)
      message: String(p.user_message || p.message_de || p.message || ''),
      severity: normaliseSeverity(p.severity),
      source,
      rule: p.rule || p.code || undefined,
      location: p.file ? `${p.file}${p.line ? `:${p.line}` : ''}` : undefined
    }));
    this._changed();
  }

  getProblems() {
    const all = [].concat(this._bySource.import, this._bySource.server, this._bySource.config, this._bySource.lint);
    return all.slice().sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  }

  _scheduleChecks() {
    clearTimeout(this._checkTimer);
    this._checkTimer = setTimeout(() => this._runChecks(), 200);
  }

  _runChecks() {
    const list = this._config.checks ? checkConfiguration(this._elementRegistry, this._config) : [];
    this._bySource.config = list.map((p) => ({ ...p, source: 'config' }));
    this._changed();
  }

  _changed() {
    this._renderOverlays();
    this._renderList();
    this._eventBus.fire('amtskoffer.problems.changed', { problems: this.getProblems() });
  }

  _renderOverlays() {
    this._overlays.remove({ type: 'ak-problems' });
    const byElement = new Map();
    [ ...this._bySource.server, ...this._bySource.config ].forEach((p) => {
      if (!p.elementId || !this._elementRegistry.get(p.elementId)) return;
      if (!byElement.has(p.elementId)) byElement.set(p.elementId, []);
      byElement.get(p.elementId).push(p);
    });
    byElement.forEach((problems, elementId) => {
      const element = this._elementRegistry.get(elementId);
      const worst = problems.map((p) => p.severity).sort((a, b) => ORDER[a] - ORDER[b])[0];
      const text = problems.map((p) => `${SEVERITY_DE[p.severity]}: ${p.message}`).join('\n');
      const html = el('div', { class: `ak-badge ak-badge-${worst}` },
        el('span', { class: 'ak-badge-count', 'aria-hidden': 'true' }, String(problems.length)),
        el('span', { class: 'ak-visually-hidden' }, `${problems.length} Befund(e): ${text}`),
        el('ul', { class: 'ak-badge-details' },
          problems.map((p) => el('li', { class: `ak-${p.severity}` },
            el('strong', {}, `${SEVERITY_DE[p.severity]}: `), p.message,
            el('span', { class: 'ak-source' }, ` (${SOURCE_DE[p.source]})`)))));
      // shapes: top right (bpmnlint draws its icon at the top left); flows: middle of the middle segment
      const position = element.waypoints ? flowBadgePosition(element) : { top: -10, right: 10 };
      this._overlays.add(element, 'ak-problems', { position, html, scale: { min: 0.7 } });
    });
  }

  _renderList() {
    const parent = this._listParent;
    if (!parent) return;
    const problems = this.getProblems();
    const counts = { error: 0, warning: 0, info: 0 };
    problems.forEach((p) => { counts[p.severity]++; });

    const heading = el('h2', { class: 'ak-problems-title' },
      problems.length
        ? `Befunde: ${counts.error} Fehler, ${counts.warning} Warnungen${counts.info ? `, ${counts.info} Hinweise` : ''}`
        : 'Befunde: keine');
    const list = el('ul', { class: 'ak-problems-list' }, problems.map((p) => {
      const element = p.elementId ? this._elementRegistry.get(p.elementId) : null;
      const name = element ? labelOf(element) : (p.elementId || 'Gesamtes Diagramm');
      const content = [
        el('span', { class: `ak-severity ak-${p.severity}` }, SEVERITY_DE[p.severity]),
        el('span', { class: 'ak-problem-element' }, name),
        el('span', { class: 'ak-problem-message' }, p.message),
        el('span', { class: 'ak-source' },
          SOURCE_DE[p.source] + (p.rule ? ` · ${p.rule}` : '') + (p.location ? ` · ${p.location}` : ''))
      ];
      const item = element
        ? el('button', { type: 'button', class: 'ak-problem-button', 'data-element-id': p.elementId }, content)
        : el('div', { class: 'ak-problem-button ak-problem-static' }, content);
      if (element) {
        item.addEventListener('click', () => this.reveal(p.elementId));
      }
      return el('li', { class: `ak-problem ak-${p.severity}` }, item);
    }));
    parent.replaceChildren(heading, list);
  }

  /** Select an element, scroll it into view and open its properties. */
  reveal(elementId) {
    const element = this._elementRegistry.get(elementId);
    if (!element) return false;
    try {
      this._canvas.scrollToElement(element, { top: 80, bottom: 80, left: 80, right: 80 });
    } catch (e) {
      // elements on other planes (collapsed sub-processes) cannot be scrolled to
    }
    this._selection.select(element);
    return true;
  }
}

Problems.$inject = [
  'eventBus', 'elementRegistry', 'overlays', 'canvas', 'selection', 'translate', 'injector', 'amtskofferConfig'
];

function flowBadgePosition(connection) {
  const wp = connection.waypoints;
  const i = Math.max(0, Math.floor((wp.length - 1) / 2));
  const a = wp[i], b = wp[Math.min(i + 1, wp.length - 1)];
  // overlays are positioned relative to the waypoints' bounding box (connections have no x/y)
  const minX = Math.min(...wp.map((p) => p.x)), minY = Math.min(...wp.map((p) => p.y));
  return { top: (a.y + b.y) / 2 - minY - 10, left: (a.x + b.x) / 2 - minX - 10 };
}

function labelOf(element) {
  const bo = getBusinessObject(element);
  const name = bo && bo.get && bo.get('name');
  return name ? `${name.replace(/\s+/g, ' ')} (${element.id})` : element.id;
}

function flattenLint(issues, translate) {
  const out = [];
  Object.values(issues || {}).forEach((reports) => {
    reports.forEach((r) => {
      out.push({
        elementId: r.actualElementId || r.id,
        message: translate(r.message),
        severity: normaliseSeverity(r.category),
        source: 'lint',
        rule: r.rule
      });
    });
  });
  return out;
}
