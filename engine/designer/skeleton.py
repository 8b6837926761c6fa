"""The files of a new, empty service: what a designer starts from.

A start event and an end event connected by one flow, with diagram layout, and a
``service.toml`` whose LeiKa key and authority role are placeholders the designer replaces.
It passes the catalog check, so the draft starts without errors.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from engine.catalog.package import PackageFiles
from engine.designer.manifest import render_manifest
from engine.designer.spiff_arena import PLACEHOLDER_LEIKA

_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="{service_id}_defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{service_id}" name={title} isExecutable="true">
    <bpmn:startEvent id="start" name="Vorgang begonnen">
      <bpmn:outgoing>flow_start</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:endEvent id="ende" name="Vorgang abgeschlossen">
      <bpmn:incoming>flow_start</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="ende" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_{service_id}">
    <bpmndi:BPMNPlane id="BPMNPlane_{service_id}" bpmnElement="{service_id}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="57" y="52" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="ende_di" bpmnElement="ende">
        <dc:Bounds x="207" y="52" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_start_di" bpmnElement="flow_start">
        <di:waypoint x="93" y="70" />
        <di:waypoint x="207" y="70" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def skeleton_package(service_id: str, title: str = "") -> PackageFiles:
    """A minimal valid package for ``service_id`` (entry process = service id)."""
    title = title or service_id.replace("_", " ").capitalize()
    manifest = render_manifest({
        "id": service_id, "title": title, "leika_key": PLACEHOLDER_LEIKA, "entry_process": service_id,
        "authority_role": "meldebehoerde",
        "description": "Neues Verfahren: LeiKa-Schlüssel und Behördenrolle bitte anpassen.",
    })
    bpmn = _BPMN.format(service_id=service_id, title=quoteattr(title))
    return PackageFiles(service_id, {"service.toml": manifest, f"{service_id}.bpmn": bpmn})
