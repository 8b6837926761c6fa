// Round-trip of the spiffworkflow extension elements through bpmn-moddle (the model layer of bpmn-js).
// Run: npm test   (node --test, no browser needed)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as bpmnModdle from 'bpmn-moddle';

const BpmnModdle = bpmnModdle.default || bpmnModdle.BpmnModdle;

const spiff = JSON.parse(readFileSync(new URL('../src/spiffworkflow/spiffworkflow.json', import.meta.url)));
const fixture = readFileSync(new URL('../demo/fixtures/meldung.bpmn', import.meta.url), 'utf8');

/** Plain tree of every spiffworkflow:* element below `root`, keyed by the owning BPMN element id. */
function spiffTree(definitions) {
  const out = {};
  const plain = (el) => {
    const d = el.$descriptor;
    const node = { type: el.$type };
    for (const p of d.properties) {
      const v = el.get(p.name);
      if (v === undefined || v === null) continue;
      if (p.isMany) node[p.name] = v.map(plain);
      else if (typeof v === 'object' && v.$type) node[p.name] = plain(v);
      else node[p.name] = typeof v === 'string' ? v.trim() : v;
    }
    return node;
  };
  const visit = (el, ownerId) => {
    if (!el || typeof el !== 'object' || !el.$type) return;
    const id = el.id || ownerId;
    const ext = el.extensionElements;
    if (ext && ext.values) {
      const list = ext.values.filter((v) => v.$type.startsWith('spiffworkflow:')).map(plain);
      if (list.length) out[id] = list;
    }
    for (const p of el.$descriptor.properties) {
      if (p.isReference || p.name === 'extensionElements' || p.name === '$parent') continue;
      const v = el.get(p.name);
      if (Array.isArray(v)) v.forEach((c) => visit(c, id));
      else if (v && typeof v === 'object' && v.$type) visit(v, id);
    }
  };
  visit(definitions, definitions.id);
  return out;
}

test('spiffworkflow extensions survive import/export unchanged', async () => {
  const moddle = new BpmnModdle({ spiffworkflow: spiff });
  const first = await moddle.fromXML(fixture, 'bpmn:Definitions');
  assert.deepEqual(first.warnings, []);
  const before = spiffTree(first.rootElement);
  assert.deepEqual(Object.keys(before).sort(), [
    'End_Rueckmeldung', 'Event_Bestaetigung', 'Task_Aushaendigen', 'Task_Erfassen', 'Task_Frist', 'Task_Gebuehr', 'Task_Register'
  ].sort().map((k) => k).map((k) => (k === 'End_Rueckmeldung' ? 'MessageDef_Rueckmeldung' : k === 'Event_Bestaetigung' ? 'MessageDef_Bestaetigung' : k)).sort());

  const { xml } = await moddle.toXML(first.rootElement, { format: true });
  const second = await new BpmnModdle({ spiffworkflow: spiff }).fromXML(xml, 'bpmn:Definitions');
  assert.deepEqual(second.warnings, []);
  assert.deepEqual(spiffTree(second.rootElement), before);

  // the XML uses the element names SpiffWorkflow's parser looks for
  for (const tag of ['properties', 'property', 'serviceTaskOperator', 'parameters', 'parameter', 'retry', 'preScript',
    'postScript', 'instructionsForEndUser', 'calledDecisionId', 'messageVariable', 'processVariableCorrelation',
    'propertyId', 'expression', 'messagePayload', 'unitTests', 'unitTest', 'inputJson', 'expectedOutputJson',
    'taskMetadataValues', 'taskMetadataValue']) {
    assert.match(xml, new RegExp(`<spiffworkflow:${tag}[ >/]`), tag);
  }
  assert.match(xml, /<spiffworkflow:parameter id="familienname" type="str" value="familienname" \/>/);
  assert.match(xml, /xmlns:spiffworkflow="http:\/\/spiffworkflow.org\/bpmn\/schema\/1.0\/core"/);
});
