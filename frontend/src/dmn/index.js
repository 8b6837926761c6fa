/**
 * dmn.js — DMN decision table editor (dmn-js Modeler) and read-only viewer.
 * Exposes `Amtskoffer.createDmnModeler`, `Amtskoffer.createDmnViewer` and the markup kinds
 * `data-amtskoffer="dmn-modeler"` / `"dmn-viewer"`.
 *
 * Note: SpiffWorkflow evaluates every cell as a *Python* expression (not FEEL); see README.
 */
import DmnModeler from 'dmn-js/lib/Modeler';
import DmnViewer from 'dmn-js/lib/Viewer';

import { translateDe } from '../shared/translate-de.js';
import { guardFormEmbedding, initialXml, readConfig, register, resolveElement } from '../shared/namespace.js';

import './dmn.css';

const DMN_DE = {
  'Hit policy': 'Trefferrichtlinie',
  'Hit policy:': 'Trefferrichtlinie:',
  'When': 'Wenn',
  'And': 'Und',
  'Then': 'Dann',
  'Annotation': 'Anmerkung',
  'Annotations': 'Anmerkungen',
  'Input': 'Eingabe',
  'Output': 'Ausgabe',
  'Input label': 'Bezeichnung der Eingabe',
  'Input expression': 'Eingabeausdruck',
  'Input type': 'Eingabetyp',
  'Input values': 'Eingabewerte',
  'Output label': 'Bezeichnung der Ausgabe',
  'Output name': 'Ausgabename',
  'Output type': 'Ausgabetyp',
  'Output values': 'Ausgabewerte',
  'Expression': 'Ausdruck',
  'Expression language': 'Ausdruckssprache',
  'Add rule': 'Regel hinzufügen',
  'Add rule above': 'Regel darüber einfügen',
  'Add rule below': 'Regel darunter einfügen',
  'Remove rule': 'Regel entfernen',
  'Copy rule': 'Regel kopieren',
  'Cut rule': 'Regel ausschneiden',
  'Paste rule above': 'Regel darüber einfügen (Zwischenablage)',
  'Paste rule below': 'Regel darunter einfügen (Zwischenablage)',
  'Add input': 'Eingabe hinzufügen',
  'Add output': 'Ausgabe hinzufügen',
  'Add input column left': 'Eingabespalte links einfügen',
  'Add input column right': 'Eingabespalte rechts einfügen',
  'Add output column left': 'Ausgabespalte links einfügen',
  'Add output column right': 'Ausgabespalte rechts einfügen',
  'Remove input column': 'Eingabespalte entfernen',
  'Remove output column': 'Ausgabespalte entfernen',
  'Add cell description': 'Zellbeschreibung hinzufügen',
  'Remove cell description': 'Zellbeschreibung entfernen',
  'Decision name': 'Name der Entscheidung',
  'View DRD': 'Entscheidungsdiagramm anzeigen',
  'Type': 'Typ',
  'Value': 'Wert',
  'Values': 'Werte',
  'Yes': 'Ja',
  'No': 'Nein',
  'Edit': 'Bearbeiten',
  'Enter expression': 'Ausdruck eingeben',
  'Strings must be in double quotes': 'Texte in doppelten Anführungszeichen angeben',

  // hit policies: SpiffWorkflow returns the first matching rule for everything except COLLECT,
  // and ignores COLLECT aggregations (DMNEngine.result)
  'Unique': 'Eindeutig (UNIQUE)',
  'First': 'Erste (FIRST)',
  'Priority': 'Priorität – Engine nimmt erste Treffer-Regel',
  'Any': 'Beliebig (ANY) – Engine nimmt erste Treffer-Regel',
  'Collect': 'Sammeln (COLLECT)',
  'Collect (Sum)': 'Sammeln (Summe) – Summe wird ignoriert',
  'Collect (Min)': 'Sammeln (Minimum) – wird ignoriert',
  'Collect (Max)': 'Sammeln (Maximum) – wird ignoriert',
  'Collect (Count)': 'Sammeln (Anzahl) – wird ignoriert',
  'Rule order': 'Regelreihenfolge – Engine nimmt erste Treffer-Regel',
  'Output order': 'Ausgabereihenfolge – Engine nimmt erste Treffer-Regel',
  'No overlap is possible and all rules are disjoint. Only a single rule can be matched':
    'Regeln dürfen sich nicht überschneiden. Die Engine verwendet die erste passende Regel.',
  'Collects the values of all matching rules': 'Liefert die Werte aller passenden Regeln als Liste.'
};

const translate = (template, replacements) => (DMN_DE[template] !== undefined
  ? translateDe(DMN_DE[template], replacements)
  : translateDe(template, replacements));

// dmn-js ignores `common.additionalModules`; modules must be given per view type
const translateModule = { translate: [ 'value', translate ] };
const viewOptions = Object.fromEntries([ 'drd', 'decisionTable', 'literalExpression', 'boxedExpression' ]
  .map((view) => [ view, { additionalModules: [ translateModule ] } ]));

function openPreferred(dmnjs, prefer) {
  const views = dmnjs.getViews();
  const view = views.find((v) => v.type === prefer) || views.find((v) => v.type === 'decisionTable');
  if (view && dmnjs.getActiveView() !== view) {
    return dmnjs.open(view);
  }
  return Promise.resolve();
}

function prepareContainer(container, label) {
  container.classList.add('ak-dmn');
  container.setAttribute('role', 'region');
  container.setAttribute('aria-label', label);
}

/**
 * DMN editor.
 * @param {Object} options
 * @param {Element|string} options.container
 * @param {'decisionTable'|'drd'|'literalExpression'} [options.open='decisionTable'] view shown after import
 * @param {Element|string} [options.xmlInput] textarea/input kept in sync with the XML (form POST)
 * @param {string} [options.label]
 */
export function createDmnModeler(options = {}) {
  const container = resolveElement(options.container);
  if (!container) throw new Error('Amtskoffer.createDmnModeler: container fehlt');
  prepareContainer(container, options.label || 'Entscheidungstabelle bearbeiten');
  guardFormEmbedding(container);
  const dmnjs = new DmnModeler({ container, ...viewOptions });
  const listeners = [];
  const hooked = new WeakSet();
  let changeCount = 0;
  let savedCount = 0;

  const xmlInput = resolveElement(options.xmlInput, 'xmlInput');
  let syncTimer = null;
  const syncInput = () => {
    clearTimeout(syncTimer);
    return dmnjs.saveXML({ format: true }).then(({ xml }) => { if (xmlInput) xmlInput.value = xml; syncTimer = null; });
  };

  const hookActiveViewer = () => {
    const viewer = dmnjs.getActiveViewer();
    if (!viewer || hooked.has(viewer)) return;
    hooked.add(viewer);
    viewer.get('eventBus').on('commandStack.changed', () => {
      changeCount++;
      listeners.forEach((fn) => fn({ dirty: changeCount !== savedCount }));
      if (xmlInput) {
        clearTimeout(syncTimer);
        syncTimer = setTimeout(syncInput, 250);
      }
    });
  };
  dmnjs.on('views.changed', hookActiveViewer);

  if (xmlInput && xmlInput.form) {
    xmlInput.form.addEventListener('submit', (event) => {
      if (syncTimer) {
        event.preventDefault();
        const submitter = event.submitter;
        // new task: requestSubmit() is ignored while the first submit event is still dispatched
        syncInput().then(() => setTimeout(() => xmlInput.form.requestSubmit(submitter || undefined), 0));
      }
    });
  }

  return {
    dmnjs,
    async importXML(xml) {
      const result = await dmnjs.importXML(xml);
      await openPreferred(dmnjs, options.open || 'decisionTable');
      hookActiveViewer();
      changeCount = 0;
      savedCount = 0;
      if (xmlInput) await syncInput();
      return { warnings: (result.warnings || []).map((w) => String(w.message || w)) };
    },
    async saveXML({ format = true } = {}) {
      const { xml } = await dmnjs.saveXML({ format });
      return xml;
    },
    /** Switch the view: 'decisionTable' | 'drd' | 'literalExpression'. */
    open(type) {
      return openPreferred(dmnjs, type);
    },
    isDirty: () => changeCount !== savedCount,
    markSaved() { savedCount = changeCount; },
    /** 'change' → fn({dirty}) after each edit; other names go to dmn-js (`views.changed`, ...). */
    on(event, fn) {
      if (event === 'change') {
        listeners.push(fn);
        return () => listeners.splice(listeners.indexOf(fn), 1);
      }
      dmnjs.on(event, fn);
      return () => dmnjs.off(event, fn);
    },
    destroy() { dmnjs.destroy(); }
  };
}

/** Read-only DMN viewer (decision table shown as a table). */
export function createDmnViewer(options = {}) {
  const container = resolveElement(options.container);
  if (!container) throw new Error('Amtskoffer.createDmnViewer: container fehlt');
  prepareContainer(container, options.label || 'Entscheidungstabelle');
  const dmnjs = new DmnViewer({ container, ...viewOptions });
  return {
    dmnjs,
    async importXML(xml) {
      const result = await dmnjs.importXML(xml);
      await openPreferred(dmnjs, options.open || 'decisionTable');
      return { warnings: (result.warnings || []).map((w) => String(w.message || w)) };
    },
    open(type) { return openPreferred(dmnjs, type); },
    destroy() { dmnjs.destroy(); }
  };
}

async function initElement(el, factory) {
  const config = readConfig(el);
  const instance = factory({
    ...config,
    container: el,
    xmlInput: el.dataset.xmlInput || undefined,
    label: el.getAttribute('aria-label') || config.label
  });
  const xml = await initialXml(el, config);
  const { warnings } = xml ? await instance.importXML(xml) : { warnings: [] };
  return { instance, warnings };
}

register(
  { createDmnModeler, createDmnViewer, version: __AMTSKOFFER_VERSION__ },
  {
    'dmn-modeler': (el) => initElement(el, createDmnModeler),
    'dmn-viewer': (el) => initElement(el, createDmnViewer)
  }
);
