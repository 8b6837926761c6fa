"""JSON Schemas of the API's request and response bodies (OpenAPI 3.1 = JSON Schema 2020-12)."""

from __future__ import annotations

from typing import Any


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def array(name: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(name)}


_ANY_OBJECT: dict[str, Any] = {"type": "object"}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}

COMPONENTS: dict[str, Any] = {
    "Problem": {
        "type": "object", "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"}, "instance": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                       "description": "Feldpfad (z. B. personen/1/vorname) → deutsche Meldungen"},
        },
    },
    "Me": {"type": "object", "properties": {
        "name": {"type": "string"}, "display_name": {"type": "string"},
        "roles": {"type": "array", "items": {"type": "string"}},
        "authorities": {"type": "array", "items": {"type": "string"}}}},
    "Service": {"type": "object", "properties": {
        "service_id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
        "category": {"type": "string"}, "leika_key": {"type": "string"}, "authority_role": {"type": "string"},
        "version_no": {"type": "integer"}, "authority": {"type": "string"}}},
    "ReadyTask": {"type": "object", "properties": {
        "task_id": {"type": "string"}, "spec": {"type": "string"}, "name": {"type": "string"},
        "lane": {"type": ["string", "null"]}}},
    "CaseSummary": {"type": "object", "required": ["id", "number", "status", "version"], "properties": {
        "id": {"type": "string", "format": "uuid"}, "number": {"type": "string"},
        "service_id": {"type": "string"}, "service_title": {"type": "string"}, "version_no": {"type": "integer"},
        "authority": {"type": "string"}, "status": {"type": "string"}, "title": {"type": "string"},
        "labels": _ANY_OBJECT, "ready_tasks": array("ReadyTask"),
        "waiting_for": {"type": "array", "items": _ANY_OBJECT}, "version": {"type": "integer"},
        "started_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "completed_at": _NULLABLE_TIME}},
    "Task": {"type": "object", "properties": {
        "task_id": {"type": "string"}, "spec": {"type": "string"}, "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["form", "confirm"]}, "instructions": {"type": "string"},
        "form": {"type": ["object", "null"], "properties": {
            "schema_file": {"type": "string"}, "schema": _ANY_OBJECT, "ui_schema": _ANY_OBJECT}},
        "values": _ANY_OBJECT}},
    "Step": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "seq": {"type": "integer"}, "kind": {"type": "string"},
        "task_spec": {"type": ["string", "null"]}, "task_name": {"type": ["string", "null"]},
        "actor": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
        "superseded": {"type": "boolean"}, "irreversible": {"type": "boolean"}, "correctable": {"type": "boolean"}}},
    "Case": {"type": "object", "properties": {
        "case": ref("CaseSummary"), "ready": array("Task"), "steps": array("Step"), "data": _ANY_OBJECT,
        "path": {"type": "array", "items": {"type": "string"}}}},
    "StepOutcome": {"type": "object", "properties": {
        "case": ref("CaseSummary"), "path": {"type": "array", "items": {"type": "string"}}}},
    "Document": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "kind": {"type": "string"}, "title": {"type": "string"},
        "filename": {"type": "string"}, "media_type": {"type": "string"}, "sha256": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}}},
    "Message": {"type": "object", "properties": {
        "id": {"type": "string"}, "message_type": {"type": "string"}, "reader": {"type": "string"},
        "status": {"type": "string"}, "created_at": {"type": "string"}}},
    "Delivery": {"type": "object", "properties": {
        "status": {"type": "string"}, "case_id": {"type": ["string", "null"]}, "reason": {"type": "string"}}},
    "StartCase": {"type": "object", "required": ["service_id", "authority"], "additionalProperties": False,
                  "properties": {"service_id": {"type": "string", "minLength": 1, "maxLength": 64},
                                 "authority": {"type": "string", "minLength": 1, "maxLength": 64,
                                               "description": "Kennung (key) oder UUID der Behörde"}}},
    "Submit": {"type": "object", "required": ["data"], "additionalProperties": False, "properties": {
        "data": {"type": "object", "description": "Formulardaten des Schritts (JSON; Datumswerte als TT.MM.JJJJ "
                                                  "oder JJJJ-MM-TT)"},
        "expected_version": {"type": "integer", "minimum": 0,
                             "description": "Version des Vorgangs, auf der die Eingabe beruht (sonst 409)"}}},
}
