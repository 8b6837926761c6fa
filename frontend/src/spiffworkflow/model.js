/**
 * Read and write `spiffworkflow:*` extension elements on BPMN business objects.
 *
 * Readers are pure functions of the moddle tree. Writers take the diagram-js `injector` and run
 * exactly one command on the command stack, so every change is a single undo step.
 */
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';

export const NS = 'http://spiffworkflow.org/bpmn/schema/1.0/core';
export const FORM_SCHEMA_PROPERTY = 'formJsonSchemaFilename';
export const FORM_UI_SCHEMA_PROPERTY = 'formUiSchemaFilename';

// ---------------------------------------------------------------- readers

export function extensionValues(bo, type) {
  const ext = bo && bo.get('extensionElements');
  const values = (ext && ext.get('values')) || [];
  return type ? values.filter((v) => is(v, type)) : values;
}

export function firstExtension(bo, type) {
  return extensionValues(bo, type)[0];
}

/** Body text of a simple extension element such as `spiffworkflow:preScript`. */
export function getBody(bo, type) {
  const el = firstExtension(bo, type);
  return el ? el.get('value') || '' : '';
}

export function getProperties(bo) {
  const container = firstExtension(bo, 'spiffworkflow:Properties');
  return container ? container.get('values') : [];
}

export function getProperty(bo, name) {
  const prop = getProperties(bo).find((p) => p.get('name') === name);
  return prop ? prop.get('value') || '' : '';
}

export function getOperator(bo) {
  return firstExtension(bo, 'spiffworkflow:ServiceTaskOperator');
}

export function getParameters(bo) {
  const op = getOperator(bo);
  const list = op && op.get('parameterList');
  return list ? list.get('values') : [];
}

/**
 * The moddle element that owns message extensions: the message event definition of an event,
 * or the task itself for receive/send tasks (that is where SpiffWorkflow looks).
 */
export function getMessageOwner(element) {
  const bo = getBusinessObject(element);
  if (isAny(bo, [ 'bpmn:ReceiveTask', 'bpmn:SendTask' ])) {
    return bo;
  }
  if (is(bo, 'bpmn:Event')) {
    return (bo.get('eventDefinitions') || []).find((d) => is(d, 'bpmn:MessageEventDefinition'));
  }
  return undefined;
}

/** True for elements that receive a message (catch side): catch/start/boundary events and receive tasks. */
export function isMessageCatch(element) {
  const bo = getBusinessObject(element);
  return isAny(bo, [ 'bpmn:CatchEvent', 'bpmn:ReceiveTask' ]);
}

// ---------------------------------------------------------------- command helpers

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

function run(injector, commands) {
  if (!commands.length) {
    return;
  }
  injector.get('commandStack').execute('properties-panel.multi-command-executor', commands);
}

/**
 * Commands that make sure `owner` has `bpmn:extensionElements`; returns [commands, extensionElements].
 */
function ensureExtensionElements(injector, element, owner) {
  let ext = owner.get('extensionElements');
  if (ext) {
    return [ [], ext ];
  }
  ext = injector.get('bpmnFactory').create('bpmn:ExtensionElements', { values: [] });
  ext.$parent = owner;
  return [ [ update(element, owner, { extensionElements: ext }) ], ext ];
}

function create(injector, type, attrs, parent) {
  const el = injector.get('moddle').create(type, attrs || {});
  if (parent) {
    el.$parent = parent;
  }
  return el;
}

/** Commands removing `items` from the owner's extension elements (and the container if it gets empty). */
function removeExtensions(element, owner, items) {
  const ext = owner.get('extensionElements');
  const values = ext.get('values').filter((v) => !items.includes(v));
  if (!values.length) {
    return [ update(element, owner, { extensionElements: undefined }) ];
  }
  return [ update(element, ext, { values }) ];
}

function addExtension(injector, element, owner, item) {
  const [ commands, ext ] = ensureExtensionElements(injector, element, owner);
  item.$parent = ext;
  commands.push(update(element, ext, { values: [ ...ext.get('values'), item ] }));
  return commands;
}

// ---------------------------------------------------------------- writers

/** Set (or, for an empty value, remove) a body-text extension like `spiffworkflow:preScript`. */
export function setBody(injector, element, owner, type, value) {
  owner = owner || getBusinessObject(element);
  const existing = firstExtension(owner, type);
  const empty = value === undefined || value === null || String(value).trim() === '';
  if (empty) {
    run(injector, existing ? removeExtensions(element, owner, [ existing ]) : []);
  } else if (existing) {
    run(injector, [ update(element, existing, { value }) ]);
  } else {
    run(injector, addExtension(injector, element, owner, create(injector, type, { value })));
  }
}

/** Set (or, for an empty value, remove) `spiffworkflow:properties/property[@name]`. */
export function setProperty(injector, element, name, value) {
  const bo = getBusinessObject(element);
  const container = firstExtension(bo, 'spiffworkflow:Properties');
  const props = container ? container.get('values') : [];
  const existing = props.find((p) => p.get('name') === name);
  const empty = value === undefined || value === null || value === '';
  if (empty) {
    if (!existing) {
      return;
    }
    const rest = props.filter((p) => p !== existing);
    run(injector, rest.length ? [ update(element, container, { values: rest }) ] : removeExtensions(element, bo, [ container ]));
    return;
  }
  if (existing) {
    run(injector, [ update(element, existing, { value }) ]);
  } else if (container) {
    const prop = create(injector, 'spiffworkflow:Property', { name, value }, container);
    run(injector, [ update(element, container, { values: [ ...props, prop ] }) ]);
  } else {
    const newContainer = create(injector, 'spiffworkflow:Properties');
    newContainer.set('values', [ create(injector, 'spiffworkflow:Property', { name, value }, newContainer) ]);
    run(injector, addExtension(injector, element, bo, newContainer));
  }
}

/** Update attributes of an existing `spiffworkflow:property` (generic property list). */
export function updateItem(injector, element, item, properties) {
  run(injector, [ update(element, item, properties) ]);
}

export function addProperty(injector, element, name) {
  const bo = getBusinessObject(element);
  const container = firstExtension(bo, 'spiffworkflow:Properties');
  if (container) {
    const prop = create(injector, 'spiffworkflow:Property', { name, value: '' }, container);
    run(injector, [ update(element, container, { values: [ ...container.get('values'), prop ] }) ]);
  } else {
    const newContainer = create(injector, 'spiffworkflow:Properties');
    newContainer.set('values', [ create(injector, 'spiffworkflow:Property', { name, value: '' }, newContainer) ]);
    run(injector, addExtension(injector, element, bo, newContainer));
  }
}

export function removeProperty(injector, element, prop) {
  const bo = getBusinessObject(element);
  const container = firstExtension(bo, 'spiffworkflow:Properties');
  const rest = container.get('values').filter((p) => p !== prop);
  run(injector, rest.length ? [ update(element, container, { values: rest }) ] : removeExtensions(element, bo, [ container ]));
}

/**
 * Choose the service operation. Parameters whose id is not part of the new operation are dropped;
 * values of parameters that exist in both are kept. `operation` is a registry entry or undefined.
 */
export function setOperation(injector, element, operationId, operation) {
  const bo = getBusinessObject(element);
  const existing = getOperator(bo);
  if (!operationId) {
    run(injector, existing ? removeExtensions(element, bo, [ existing ]) : []);
    return;
  }
  if (!existing) {
    const op = create(injector, 'spiffworkflow:ServiceTaskOperator', { id: operationId });
    const list = create(injector, 'spiffworkflow:Parameters', {}, op);
    list.set('values', []);
    op.set('parameterList', list);
    run(injector, addExtension(injector, element, bo, op));
    return;
  }
  const commands = [ update(element, existing, { id: operationId }) ];
  const list = existing.get('parameterList');
  if (list && operation) {
    const allowed = new Set((operation.params || []).map((p) => p.name));
    const kept = list.get('values').filter((p) => allowed.has(p.get('id')));
    const types = Object.fromEntries((operation.params || []).map((p) => [ p.name, p.type ]));
    kept.forEach((p) => {
      if (types[p.get('id')] && p.get('type') !== types[p.get('id')]) {
        commands.push(update(element, p, { type: types[p.get('id')] }));
      }
    });
    commands.unshift(update(element, list, { values: kept }));
  }
  run(injector, commands);
}

export function setResultVariable(injector, element, value) {
  const op = getOperator(getBusinessObject(element));
  if (op) {
    run(injector, [ update(element, op, { resultVariable: value || undefined }) ]);
  }
}

/** Set a parameter expression; an empty value removes the parameter (SpiffWorkflow drops it anyway). */
export function setParameter(injector, element, id, type, value) {
  const op = getOperator(getBusinessObject(element));
  if (!op) {
    return;
  }
  const commands = [];
  let list = op.get('parameterList');
  if (!list) {
    list = create(injector, 'spiffworkflow:Parameters', {}, op);
    list.set('values', []);
    commands.push(update(element, op, { parameterList: list }));
  }
  const params = list.get('values');
  const existing = params.find((p) => p.get('id') === id);
  const empty = value === undefined || value === null || value === '';
  if (empty) {
    if (existing) {
      commands.push(update(element, list, { values: params.filter((p) => p !== existing) }));
    }
  } else if (existing) {
    commands.push(update(element, existing, type ? { value, type } : { value }));
  } else {
    const param = create(injector, 'spiffworkflow:Parameter', { id, type: type || 'any', value }, list);
    commands.push(update(element, list, { values: [ ...params, param ] }));
  }
  run(injector, commands);
}

// --- correlations (spiffworkflow:processVariableCorrelation) on the message owner

export function getCorrelations(element) {
  const owner = getMessageOwner(element);
  return owner ? extensionValues(owner, 'spiffworkflow:ProcessVariableCorrelation') : [];
}

export function addCorrelation(injector, element) {
  const owner = getMessageOwner(element);
  if (owner) {
    run(injector, addExtension(injector, element, owner,
      create(injector, 'spiffworkflow:ProcessVariableCorrelation', { propertyId: '', expression: '' })));
  }
}

export function removeExtensionItem(injector, element, owner, item) {
  run(injector, removeExtensions(element, owner, [ item ]));
}

// --- script unit tests (spiffworkflow:unitTests/unitTest)

export function getUnitTests(bo) {
  const container = firstExtension(bo, 'spiffworkflow:UnitTests');
  return container ? container.get('values') : [];
}

export function addUnitTest(injector, element, id) {
  const bo = getBusinessObject(element);
  const container = firstExtension(bo, 'spiffworkflow:UnitTests');
  const test = create(injector, 'spiffworkflow:UnitTest', { id, inputJson: '{}', expectedOutputJson: '{}' });
  if (container) {
    test.$parent = container;
    run(injector, [ update(element, container, { values: [ ...container.get('values'), test ] }) ]);
  } else {
    const c = create(injector, 'spiffworkflow:UnitTests');
    test.$parent = c;
    c.set('values', [ test ]);
    run(injector, addExtension(injector, element, bo, c));
  }
}

export function removeUnitTest(injector, element, test) {
  const bo = getBusinessObject(element);
  const container = firstExtension(bo, 'spiffworkflow:UnitTests');
  const rest = container.get('values').filter((t) => t !== test);
  run(injector, rest.length ? [ update(element, container, { values: rest }) ] : removeExtensions(element, bo, [ container ]));
}

// --- standard BPMN bits edited by our groups

/** Script body of a bpmn:ScriptTask; sets scriptFormat="python" when missing. */
export function setScript(injector, element, value) {
  const bo = getBusinessObject(element);
  const props = { script: value || undefined };
  if (!bo.get('scriptFormat')) {
    props.scriptFormat = 'python';
  }
  run(injector, [ update(element, bo, props) ]);
}

export function getCondition(element) {
  const expr = getBusinessObject(element).get('conditionExpression');
  return expr ? expr.get('body') || '' : '';
}

export function setCondition(injector, element, value) {
  const bo = getBusinessObject(element);
  let expr;
  if (value !== undefined && value !== null && String(value).trim() !== '') {
    expr = injector.get('bpmnFactory').create('bpmn:FormalExpression', { body: value });
    expr.$parent = bo;
  }
  // element.updateProperties also refreshes the conditional-flow marker
  injector.get('commandStack').execute('element.updateProperties', { element, properties: { conditionExpression: expr } });
}

export function isDefaultFlow(element) {
  const bo = getBusinessObject(element);
  const source = bo.get('sourceRef');
  return !!source && source.get('default') === bo;
}

export function setDefaultFlow(injector, element, on) {
  const bo = getBusinessObject(element);
  const sourceShape = element.source;
  injector.get('commandStack').execute('element.updateProperties', {
    element: sourceShape,
    properties: { default: on ? bo : undefined }
  });
}

/** Point the message owner at a bpmn:Message with `name`, creating the message if needed. */
export function setMessageName(injector, element, name) {
  const owner = getMessageOwner(element);
  if (!owner) {
    return;
  }
  const commands = [];
  let message;
  if (name) {
    const definitions = injector.get('canvas').getRootElement().businessObject.$parent
      || injector.get('bpmnjs').getDefinitions();
    const roots = definitions.get('rootElements');
    message = roots.find((r) => is(r, 'bpmn:Message') && r.get('name') === name);
    if (!message) {
      message = injector.get('bpmnFactory').create('bpmn:Message', { name });
      message.$parent = definitions;
      commands.push(update(element, definitions, { rootElements: [ ...roots, message ] }));
    }
  }
  commands.push(update(element, owner, { messageRef: message }));
  run(injector, commands);
}

export function getMessageName(element) {
  const owner = getMessageOwner(element);
  const ref = owner && owner.get('messageRef');
  return ref ? ref.get('name') || ref.get('id') : '';
}

export function listMessageNames(definitions) {
  return ((definitions && definitions.get('rootElements')) || [])
    .filter((r) => is(r, 'bpmn:Message'))
    .map((r) => r.get('name') || r.get('id'));
}
