/**
 * Checks of the diagram against the page configuration (what the engine can actually run).
 * Membership checks (operation / form / decision known?) only run when the page passed a
 * non-empty list, because an empty list means "unknown", not "nothing exists".
 */
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import * as M from '../../spiffworkflow/model.js';
import { findOperation } from '../config.js';

export function checkConfiguration(elementRegistry, config) {
  const problems = [];
  const add = (element, severity, message) => problems.push({ elementId: element.id, severity, message });
  const formNames = new Set(config.forms.map((f) => f.name));
  const decisionIds = new Set(config.decisions.map((d) => d.id));

  elementRegistry.getAll().forEach((element) => {
    if (element.labelTarget || element.type === 'label') return;
    const bo = getBusinessObject(element);
    if (!bo) return;

    if (is(bo, 'bpmn:UserTask')) {
      const schema = M.getProperty(bo, M.FORM_SCHEMA_PROPERTY);
      const ui = M.getProperty(bo, M.FORM_UI_SCHEMA_PROPERTY);
      if (!schema) {
        add(element, 'error', 'Benutzeraufgabe ohne Formular: JSON-Schema-Datei fehlt.');
      } else if (formNames.size && !formNames.has(schema)) {
        add(element, 'error', `Formulardatei „${schema}“ ist nicht vorhanden.`);
      }
      if (ui && formNames.size && !formNames.has(ui)) {
        add(element, 'warning', `UI-Schema-Datei „${ui}“ ist nicht vorhanden.`);
      }
    }

    if (is(bo, 'bpmn:ServiceTask')) {
      const operator = M.getOperator(bo);
      const opId = operator && operator.get('id');
      if (!opId) {
        add(element, 'error', 'Dienstaufgabe ohne Operation.');
      } else if (config.operations.length) {
        const operation = findOperation(config, opId);
        if (!operation) {
          add(element, 'error', `Operation „${opId}“ ist nicht im Register.`);
        } else {
          const given = new Set(M.getParameters(bo).filter((p) => p.get('value')).map((p) => p.get('id')));
          operation.params.filter((p) => p.required && !given.has(p.name)).forEach((p) => {
            add(element, 'error', `Pflichtparameter „${p.name}“ fehlt.`);
          });
          const known = new Set(operation.params.map((p) => p.name));
          [ ...given ].filter((name) => !known.has(name)).forEach((name) => {
            add(element, 'warning', `Parameter „${name}“ ist der Operation nicht bekannt.`);
          });
        }
      }
    }

    if (is(bo, 'bpmn:BusinessRuleTask')) {
      const decision = M.getBody(bo, 'spiffworkflow:CalledDecisionId');
      if (!decision) {
        add(element, 'error', 'Geschäftsregelaufgabe ohne Entscheidungstabelle.');
      } else if (decisionIds.size && !decisionIds.has(decision)) {
        add(element, 'error', `Entscheidung „${decision}“ ist nicht vorhanden.`);
      }
    }

    if (is(bo, 'bpmn:ScriptTask') && !(bo.get('script') || '').trim()) {
      add(element, 'warning', 'Skriptaufgabe ohne Skript.');
    }

    const owner = M.getMessageOwner(element);
    if (owner && !owner.get('messageRef')) {
      add(element, 'error', 'Nachrichtenereignis ohne Nachrichtenname.');
    }
  });
  return problems;
}
