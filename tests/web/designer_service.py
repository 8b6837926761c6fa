"""A small service built from scratch in the designer tests: two user tasks (forms), one DMN table.

``testbescheinigung``: "Angaben erfassen" (name, number of copies) → fee from the table
``gebuehr.dmn`` (1 copy 5,00 €, more 8,00 €) → "Dokument aushändigen" → end. The package
passes the catalog check and bpmnlint and has one scenario (``tests/standard.yaml``).
"""

from __future__ import annotations

import io
import zipfile

SERVICE_ID = "testbescheinigung"

MANIFEST = """id = "testbescheinigung"
title = "Testbescheinigung (Gestaltung)"
leika_key = "99000000000000"
entry_process = "testbescheinigung"
authority_role = "meldebehoerde"
description = "Kleines Verfahren für die Tests der Verfahrensgestaltung."
category = "Test"
case_title = "{{ name | default('') }}"
"""

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="testbescheinigung_defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="testbescheinigung" name="Testbescheinigung" isExecutable="true">
    <bpmn:startEvent id="start" name="Antrag gestellt"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="angaben_erfassen" name="Angaben erfassen">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="angaben.schema.json" />
          <spiffworkflow:property name="formUiSchemaFilename" value="angaben.uischema.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:businessRuleTask id="gebuehr_ermitteln" name="Gebühr ermitteln">
      <bpmn:extensionElements><spiffworkflow:calledDecisionId>gebuehr</spiffworkflow:calledDecisionId></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:userTask id="aushaendigen" name="Dokument aushändigen">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="aushaendigen.schema.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="ende" name="Ausgehändigt"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="angaben_erfassen" />
    <bpmn:sequenceFlow id="f2" sourceRef="angaben_erfassen" targetRef="gebuehr_ermitteln" />
    <bpmn:sequenceFlow id="f3" sourceRef="gebuehr_ermitteln" targetRef="aushaendigen" />
    <bpmn:sequenceFlow id="f4" sourceRef="aushaendigen" targetRef="ende" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagramm">
    <bpmndi:BPMNPlane id="ebene" bpmnElement="testbescheinigung">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="102" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="angaben_erfassen_di" bpmnElement="angaben_erfassen"><dc:Bounds x="190" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="gebuehr_ermitteln_di" bpmnElement="gebuehr_ermitteln"><dc:Bounds x="340" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="aushaendigen_di" bpmnElement="aushaendigen"><dc:Bounds x="490" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="ende_di" bpmnElement="ende"><dc:Bounds x="642" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="138" y="120" /><di:waypoint x="190" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="290" y="120" /><di:waypoint x="340" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="440" y="120" /><di:waypoint x="490" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f4_di" bpmnElement="f4"><di:waypoint x="590" y="120" /><di:waypoint x="642" y="120" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="gebuehr_defs" name="Gebühr"
    namespace="http://amtskoffer.example/dmn">
  <decision id="gebuehr" name="Gebühr nach Anzahl">
    <decisionTable id="gebuehr_tabelle" hitPolicy="UNIQUE">
      <input id="in_anzahl" label="Anzahl">
        <inputExpression id="in_anzahl_expr" typeRef="integer"><text>anzahl</text></inputExpression>
      </input>
      <output id="out_gebuehr" label="Gebühr" name="gebuehr" typeRef="number" />
      <rule id="r1">
        <description>eine Ausfertigung</description>
        <inputEntry id="r1_anzahl"><text>&lt;= 1</text></inputEntry>
        <outputEntry id="r1_out"><text>Decimal("5.00")</text></outputEntry>
      </rule>
      <rule id="r2">
        <description>mehrere Ausfertigungen</description>
        <inputEntry id="r2_anzahl"><text>&gt; 1</text></inputEntry>
        <outputEntry id="r2_out"><text>Decimal("8.00")</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""

ANGABEN = """{
  "title": "Angaben zur Bescheinigung",
  "type": "object",
  "required": ["name", "anzahl"],
  "properties": {
    "name": {"type": "string", "title": "Name der Person", "minLength": 1, "maxLength": 100},
    "anzahl": {"type": "integer", "title": "Anzahl der Ausfertigungen", "minimum": 1, "maximum": 5}
  }
}
"""

ANGABEN_UI = """{"ui:order": ["name", "anzahl"], "name": {"ui:autofocus": true}}
"""

AUSHAENDIGEN = """{
  "title": "Aushändigung",
  "type": "object",
  "required": ["ausgehaendigt"],
  "properties": {"ausgehaendigt": {"type": "boolean", "title": "Bescheinigung ausgehändigt", "const": true}}
}
"""

SCENARIO = """name: "Zwei Ausfertigungen"
authority: neubukow-salzhaff
today: 2026-11-15
steps:
  - task: angaben_erfassen
    data: {name: Erika Probe, anzahl: 2}
  - task: aushaendigen
    data: {ausgehaendigt: true}
expect:
  status: completed
  path_includes: [gebuehr_ermitteln]
  data: {gebuehr: "8.00"}
"""

FILES = {
    "service.toml": MANIFEST,
    "testbescheinigung.bpmn": BPMN,
    "gebuehr.dmn": DMN,
    "forms/angaben.schema.json": ANGABEN,
    "forms/angaben.uischema.json": ANGABEN_UI,
    "forms/aushaendigen.schema.json": AUSHAENDIGEN,
    "tests/standard.yaml": SCENARIO,
}


def service_zip(files: dict[str, str] | None = None) -> bytes:
    """The package as a zip the designer can import (one top folder, like an export)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path, text in sorted((files or FILES).items()):
            zf.writestr(f"{SERVICE_ID}/{path}", text)
    return buffer.getvalue()
