/**
 * Properties-panel groups for the SpiffWorkflow extensions the Amtskoffer engine reads.
 *
 * Groups (German labels): Formular, Dienstoperation, Entscheidungstabelle, Bedingung, Nachricht,
 * Korrelation, Skript, Skript-Tests, Anweisungen, Weitere Eigenschaften.
 */
import { ListGroup } from '@bpmn-io/properties-panel';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';

import { findOperation } from '../config.js';
import * as M from '../../spiffworkflow/model.js';
import { checkboxEntry, selectEntry, textAreaEntry, textEntry, validateIdentifier, withCurrent } from './entries.js';

const FORM_KEYS = new Set([ M.FORM_SCHEMA_PROPERTY, M.FORM_UI_SCHEMA_PROPERTY ]);
const CONDITIONAL_SOURCES = [ 'bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:ComplexGateway', 'bpmn:Activity' ];

export default class AmtskofferPropertiesProvider {
  constructor(propertiesPanel, injector, amtskofferConfig) {
    this._injector = injector;
    this._config = amtskofferConfig;
    // lower priority than the standard provider (1000): our groups are inserted into its list
    propertiesPanel.registerProvider(500, this);
  }

  getGroups(element) {
    return (groups) => {
      const ours = [
        formGroup(element, this._config),
        operationGroup(element, this._config),
        decisionGroup(element, this._config),
        conditionGroup(element),
        messageGroup(element, this._config, this._injector),
        correlationGroup(element, this._injector),
        scriptGroup(element),
        unitTestGroup(element, this._injector),
        instructionsGroup(element),
        propertiesGroup(element, this._injector)
      ].filter(Boolean);

      // our message group replaces the standard (English-only, name-only) one
      if (ours.some((g) => g.id === 'ak-message')) {
        groups = groups.filter((g) => g.id !== 'message');
      }
      const at = Math.max(0, groups.findIndex((g) => g.id === 'general') + 1);
      return [ ...groups.slice(0, at), ...ours, ...groups.slice(at) ];
    };
  }
}

AmtskofferPropertiesProvider.$inject = [ 'propertiesPanel', 'injector', 'amtskofferConfig' ];

// ------------------------------------------------------------------ Formular

function formGroup(element, config) {
  if (!is(element, 'bpmn:UserTask')) {
    return null;
  }
  const options = (kind) => (el) => withCurrent(
    config.forms.filter((f) => f.kind === kind).map((f) => ({ value: f.name, label: f.title ? `${f.title} (${f.name})` : f.name })),
    M.getProperty(getBusinessObject(el), kind === 'schema' ? M.FORM_SCHEMA_PROPERTY : M.FORM_UI_SCHEMA_PROPERTY)
  );
  return {
    id: 'ak-form',
    label: 'Formular',
    shouldOpen: true,
    entries: [
      selectEntry({
        id: 'ak-form-schema',
        label: 'JSON-Schema-Datei',
        description: 'Felder und Prüfregeln des Formulars (spiffworkflow:property formJsonSchemaFilename).',
        get: (el) => M.getProperty(getBusinessObject(el), M.FORM_SCHEMA_PROPERTY),
        set: (inj, el, v) => M.setProperty(inj, el, M.FORM_SCHEMA_PROPERTY, v),
        options: options('schema')
      }),
      selectEntry({
        id: 'ak-form-uischema',
        label: 'UI-Schema-Datei',
        description: 'Darstellung der Felder (optional).',
        get: (el) => M.getProperty(getBusinessObject(el), M.FORM_UI_SCHEMA_PROPERTY),
        set: (inj, el, v) => M.setProperty(inj, el, M.FORM_UI_SCHEMA_PROPERTY, v),
        options: options('uischema')
      }),
      textEntry({
        id: 'ak-form-variable',
        label: 'Formulardaten ablegen unter',
        description: 'Optional: Variablenname; leer = Felder direkt in die Vorgangsdaten übernehmen.',
        validate: validateIdentifier,
        get: (el) => M.getBody(getBusinessObject(el), 'spiffworkflow:VariableName'),
        set: (inj, el, v) => M.setBody(inj, el, null, 'spiffworkflow:VariableName', v)
      })
    ]
  };
}

// ------------------------------------------------------------------ Dienstoperation

function operationGroup(element, config) {
  if (!is(element, 'bpmn:ServiceTask')) {
    return null;
  }
  const bo = getBusinessObject(element);
  const operator = M.getOperator(bo);
  const opId = operator ? operator.get('id') || '' : '';
  const operation = findOperation(config, opId);

  const entries = [
    selectEntry({
      id: 'ak-operation',
      label: 'Operation',
      description: () => (operation ? operation.description_de : (opId ? 'Diese Operation ist nicht im Register der Engine.' : 'Bitte eine Operation wählen.')),
      get: () => opId,
      set: (inj, el, v) => M.setOperation(inj, el, v, findOperation(config, v)),
      options: () => withCurrent(config.operations.map((op) => ({
        value: op.id, label: op.title_de ? `${op.title_de} (${op.id})` : op.id
      })), opId)
    })
  ];

  if (operator) {
    const params = operation ? operation.params.slice() : [];
    // parameters present in the XML but unknown to the registry stay visible and editable
    M.getParameters(bo).forEach((p) => {
      if (!params.some((q) => q.name === p.get('id'))) {
        params.push({ name: p.get('id'), type: p.get('type') || 'any', required: false, unknown: true, description_de: '' });
      }
    });
    params.forEach((param) => {
      const current = () => M.getParameters(getBusinessObject(element)).find((p) => p.get('id') === param.name);
      const parts = [];
      if (param.description_de) parts.push(param.description_de);
      if (param.choices && param.choices.length) parts.push(`Erlaubte Werte: ${param.choices.map((c) => `'${c}'`).join(', ')}.`);
      if (param.unknown) parts.push('Parameter ist der Operation nicht bekannt.');
      parts.push('Python-Ausdruck über die Vorgangsdaten; Text in Anführungszeichen, z. B. \'Schwerin\'.');
      entries.push(textEntry({
        id: `ak-param-${param.name}`,
        label: `${param.name} (${param.type})${param.required ? ' *' : ''}`,
        description: parts.join(' '),
        validate: (v) => (param.required && !v ? 'Pflichtparameter' : undefined),
        get: () => { const p = current(); return p ? p.get('value') || '' : ''; },
        set: (inj, el, v) => M.setParameter(inj, el, param.name, param.type, v)
      }));
    });
    entries.push(textEntry({
      id: 'ak-result-variable',
      label: 'Ergebnisvariable',
      description: operation && operation.result_de
        ? `Name der Variable, die das Ergebnis aufnimmt: ${operation.result_de}`
        : 'Name der Variable, die das Ergebnis aufnimmt.',
      validate: validateIdentifier,
      get: (el) => { const op = M.getOperator(getBusinessObject(el)); return op ? op.get('resultVariable') || '' : ''; },
      set: (inj, el, v) => M.setResultVariable(inj, el, v)
    }));
  }

  return { id: 'ak-operation', label: 'Dienstoperation', shouldOpen: true, entries };
}

// ------------------------------------------------------------------ Entscheidungstabelle

function decisionGroup(element, config) {
  if (!is(element, 'bpmn:BusinessRuleTask')) {
    return null;
  }
  return {
    id: 'ak-decision',
    label: 'Entscheidungstabelle',
    shouldOpen: true,
    entries: [
      selectEntry({
        id: 'ak-decision-id',
        label: 'Entscheidung',
        description: 'DMN-Entscheidung, deren Ergebnis in die Vorgangsdaten übernommen wird.',
        get: (el) => M.getBody(getBusinessObject(el), 'spiffworkflow:CalledDecisionId'),
        set: (inj, el, v) => M.setBody(inj, el, null, 'spiffworkflow:CalledDecisionId', v),
        options: (el) => withCurrent(
          config.decisions.map((d) => ({ value: d.id, label: d.name ? `${d.name} (${d.id})` : d.id })),
          M.getBody(getBusinessObject(el), 'spiffworkflow:CalledDecisionId'))
      })
    ]
  };
}

// ------------------------------------------------------------------ Bedingung

function conditionGroup(element) {
  if (!is(element, 'bpmn:SequenceFlow') || !element.source || !isAny(element.source, CONDITIONAL_SOURCES)) {
    return null;
  }
  const entries = [
    textAreaEntry({
      id: 'ak-condition',
      label: 'Bedingungsausdruck',
      description: 'Python-Ausdruck, z. B. alter >= 18 and not auskunftssperre',
      monospace: true,
      rows: 2,
      get: (el) => M.getCondition(el),
      set: (inj, el, v) => M.setCondition(inj, el, v)
    })
  ];
  if (isAny(element.source, [ 'bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:ComplexGateway', 'bpmn:Activity' ])) {
    entries.push(checkboxEntry({
      id: 'ak-default-flow',
      label: 'Standardfluss (wenn keine Bedingung zutrifft)',
      get: (el) => M.isDefaultFlow(el),
      set: (inj, el, v) => M.setDefaultFlow(inj, el, v)
    }));
  }
  return { id: 'ak-condition', label: 'Bedingung', shouldOpen: true, entries };
}

// ------------------------------------------------------------------ Nachricht

function messageGroup(element, config, injector) {
  const owner = M.getMessageOwner(element);
  if (!owner) {
    return null;
  }
  const catching = M.isMessageCatch(element);
  const entries = [
    selectEntry({
      id: 'ak-message-name',
      label: 'Nachrichtenname',
      description: catching ? 'Nachricht, auf die hier gewartet wird.' : 'Nachricht, die hier gesendet wird.',
      get: (el) => M.getMessageName(el),
      set: (inj, el, v) => M.setMessageName(inj, el, v),
      options: (el) => {
        const names = new Set(config.messages.map((m) => m.name));
        M.listMessageNames(injector.get('bpmnjs').getDefinitions()).forEach((n) => names.add(n));
        return withCurrent([ ...names ].sort().map((n) => ({ value: n, label: n })), M.getMessageName(el));
      }
    })
  ];
  if (catching) {
    entries.push(textEntry({
      id: 'ak-message-variable',
      label: 'Nachrichtenvariable',
      description: 'Variable, die den Inhalt der empfangenen Nachricht aufnimmt.',
      validate: validateIdentifier,
      get: (el) => M.getBody(M.getMessageOwner(el), 'spiffworkflow:MessageVariable'),
      set: (inj, el, v) => M.setBody(inj, el, M.getMessageOwner(el), 'spiffworkflow:MessageVariable', v)
    }));
  } else {
    entries.push(textAreaEntry({
      id: 'ak-message-payload',
      label: 'Nachrichteninhalt (Ausdruck)',
      description: 'Python-Ausdruck, z. B. {"aktenzeichen": aktenzeichen}',
      monospace: true,
      rows: 2,
      get: (el) => M.getBody(M.getMessageOwner(el), 'spiffworkflow:MessagePayload'),
      set: (inj, el, v) => M.setBody(inj, el, M.getMessageOwner(el), 'spiffworkflow:MessagePayload', v)
    }));
  }
  return { id: 'ak-message', label: 'Nachricht', shouldOpen: true, entries };
}

function correlationGroup(element, injector) {
  const owner = M.getMessageOwner(element);
  if (!owner || !M.isMessageCatch(element)) {
    return null;
  }
  const items = M.getCorrelations(element).map((corr, index) => {
    const id = `${element.id}-ak-correlation-${index}`;
    return {
      id,
      label: corr.get('propertyId') || '<leer>',
      autoFocusEntry: `${id}-property`,
      remove: (event) => {
        event && event.stopPropagation();
        M.removeExtensionItem(injector, element, M.getMessageOwner(element), corr);
      },
      entries: [
        textEntry({
          id: `${id}-property`,
          target: corr,
          label: 'Korrelationseigenschaft',
          description: 'Name der Eigenschaft, über die die Nachricht dem Vorgang zugeordnet wird.',
          get: () => corr.get('propertyId') || '',
          set: (inj, el, v) => M.updateItem(inj, el, corr, { propertyId: v })
        }),
        textEntry({
          id: `${id}-expression`,
          target: corr,
          label: 'Korrelationsausdruck',
          description: 'Python-Ausdruck über die Vorgangsdaten, z. B. aktenzeichen',
          get: () => corr.get('expression') || '',
          set: (inj, el, v) => M.updateItem(inj, el, corr, { expression: v })
        })
      ]
    };
  });
  return {
    id: 'ak-correlation',
    label: 'Korrelation',
    shouldOpen: true,
    component: ListGroup,
    items,
    add: (event) => {
      event && event.stopPropagation();
      M.addCorrelation(injector, element);
    }
  };
}

// ------------------------------------------------------------------ Skript

function scriptGroup(element) {
  if (!is(element, 'bpmn:Activity')) {
    return null;
  }
  const entries = [];
  if (is(element, 'bpmn:ScriptTask')) {
    entries.push(textAreaEntry({
      id: 'ak-script',
      label: 'Skript (Python)',
      monospace: true,
      rows: 6,
      description: 'Läuft eingeschränkt: keine Importe, keine Dateien; Hilfsfunktionen wie today(), age_on().',
      get: (el) => getBusinessObject(el).get('script') || '',
      set: (inj, el, v) => M.setScript(inj, el, v)
    }));
  }
  entries.push(
    textAreaEntry({
      id: 'ak-prescript',
      label: 'Vorab-Skript',
      monospace: true,
      rows: 2,
      description: 'Läuft, wenn der Schritt bereit wird.',
      get: (el) => M.getBody(getBusinessObject(el), 'spiffworkflow:PreScript'),
      set: (inj, el, v) => M.setBody(inj, el, null, 'spiffworkflow:PreScript', v)
    }),
    textAreaEntry({
      id: 'ak-postscript',
      label: 'Abschluss-Skript',
      monospace: true,
      rows: 2,
      description: 'Läuft, wenn der Schritt abgeschlossen wird.',
      get: (el) => M.getBody(getBusinessObject(el), 'spiffworkflow:PostScript'),
      set: (inj, el, v) => M.setBody(inj, el, null, 'spiffworkflow:PostScript', v)
    })
  );
  return { id: 'ak-script', label: 'Skript', shouldOpen: is(element, 'bpmn:ScriptTask'), entries };
}

function unitTestGroup(element, injector) {
  if (!is(element, 'bpmn:ScriptTask')) {
    return null;
  }
  const validateJson = (v) => {
    try { JSON.parse(v || ''); } catch (e) { return 'Kein gültiges JSON.'; }
  };
  const items = M.getUnitTests(getBusinessObject(element)).map((t, index) => {
    const id = `${element.id}-ak-unittest-${index}`;
    return {
      id,
      label: t.get('id') || '<leer>',
      autoFocusEntry: `${id}-id`,
      remove: (event) => { event && event.stopPropagation(); M.removeUnitTest(injector, element, t); },
      entries: [
        textEntry({
          id: `${id}-id`, target: t, label: 'Name',
          get: () => t.get('id') || '',
          set: (inj, el, v) => M.updateItem(inj, el, t, { id: v })
        }),
        textAreaEntry({
          id: `${id}-input`, target: t, label: 'Eingabe (JSON)', monospace: true, rows: 2, validate: validateJson,
          get: () => t.get('inputJson') || '',
          set: (inj, el, v) => M.updateItem(inj, el, t, { inputJson: v })
        }),
        textAreaEntry({
          id: `${id}-expected`, target: t, label: 'Erwartetes Ergebnis (JSON)', monospace: true, rows: 2, validate: validateJson,
          get: () => t.get('expectedOutputJson') || '',
          set: (inj, el, v) => M.updateItem(inj, el, t, { expectedOutputJson: v })
        })
      ]
    };
  });
  return {
    id: 'ak-unittests',
    label: 'Skript-Tests',
    component: ListGroup,
    items,
    add: (event) => {
      event && event.stopPropagation();
      M.addUnitTest(injector, element, `test_${items.length + 1}`);
    }
  };
}

// ------------------------------------------------------------------ Anweisungen

function instructionsGroup(element) {
  if (!isAny(element, [ 'bpmn:Task', 'bpmn:CallActivity' ])) {
    return null;
  }
  return {
    id: 'ak-instructions',
    label: 'Anweisungen',
    entries: [
      textAreaEntry({
        id: 'ak-instructions-text',
        label: 'Anweisungen für Bearbeitende',
        description: 'Markdown; Platzhalter aus den Vorgangsdaten mit {{ name }}.',
        rows: 4,
        get: (el) => M.getBody(getBusinessObject(el), 'spiffworkflow:InstructionsForEndUser'),
        set: (inj, el, v) => M.setBody(inj, el, null, 'spiffworkflow:InstructionsForEndUser', v)
      })
    ]
  };
}

// ------------------------------------------------------------------ Weitere Eigenschaften

function propertiesGroup(element, injector) {
  if (!is(element, 'bpmn:Activity')) {
    return null;
  }
  const items = M.getProperties(getBusinessObject(element))
    .map((prop, index) => ({ prop, index }))
    .filter(({ prop }) => !(is(element, 'bpmn:UserTask') && FORM_KEYS.has(prop.get('name'))))
    .map(({ prop, index }) => {
      const id = `${element.id}-ak-property-${index}`;
      return {
        id,
        label: prop.get('name') || '<leer>',
        autoFocusEntry: `${id}-name`,
        remove: (event) => { event && event.stopPropagation(); M.removeProperty(injector, element, prop); },
        entries: [
          textEntry({
            id: `${id}-name`, target: prop, label: 'Name',
            get: () => prop.get('name') || '',
            set: (inj, el, v) => M.updateItem(inj, el, prop, { name: v })
          }),
          textEntry({
            id: `${id}-value`, target: prop, label: 'Wert',
            get: () => prop.get('value') || '',
            set: (inj, el, v) => M.updateItem(inj, el, prop, { value: v })
          })
        ]
      };
    });
  return {
    id: 'ak-properties',
    label: 'Weitere Eigenschaften',
    component: ListGroup,
    items,
    add: (event) => {
      event && event.stopPropagation();
      M.addProperty(injector, element, `eigenschaft_${items.length + 1}`);
    }
  };
}
