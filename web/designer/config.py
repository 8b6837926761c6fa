"""What the modeler's properties panel offers for a draft: operations, forms, decisions, messages.

The lists follow the option shapes of ``Amtskoffer.createModeler`` (frontend/README.md):

- operations: every operation of the engine's registry with its German title, description,
  result and parameters; a ``nachrichtentyp`` parameter without choices gets the XMeld message
  types as its allowed values, so the designer sees them next to the field;
- forms: the draft's files under ``forms/`` (schema or UI schema, with the form's title);
- decisions: the decision ids (and names) of the draft's DMN files;
- messages: the business-message names of the draft's diagrams and of the newest published
  version of every service (message events correlate by name across services).

Nothing here changes data; unreadable files are skipped (the catalog check reports them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from lxml import etree

from engine.catalog.package import FORMS_PREFIX, PackageFiles
from engine.catalog.problems import Problem
from engine.designer.validation import problem_to_dict
from engine.operations.registry import OperationRegistry
from engine.runtime.bpmn import xml_parser
from engine.settings import Settings
from engine.xoev import message_types

SCHEMA_SUFFIX = ".schema.json"
UI_SUFFIX = ".uischema.json"
MESSAGE_TYPE_PARAM = "nachrichtentyp"


def operations(registry: OperationRegistry, message_types: Iterable[str] = ()) -> list[dict[str, Any]]:
    types = sorted(message_types)
    out = []
    for op in sorted(registry, key=lambda o: o.id):
        params = []
        for p in op.params:
            choices = list(p.choices) or (types if p.name == MESSAGE_TYPE_PARAM else [])
            params.append({"name": p.name, "type": p.type, "required": p.required,
                           "description_de": f"{p.description_de} ({p.type_de})", "choices": choices})
        out.append({"id": op.id, "title_de": op.title_de, "description_de": op.description_de,
                    "result_de": op.result_de, "effect": op.effect, "params": params})
    return out


def message_type_names(settings: Settings) -> list[str]:
    """The XMeld message types the engine can build (empty if the bundle cannot be read)."""
    try:
        return sorted(message_types(settings))
    except (OSError, ValueError):
        return []


def forms(package: PackageFiles) -> list[dict[str, Any]]:
    out = []
    for path in sorted(package.files):
        if not path.startswith(FORMS_PREFIX) or "/" in path[len(FORMS_PREFIX):]:
            continue
        name = path[len(FORMS_PREFIX):]
        if name.endswith(UI_SUFFIX):
            out.append({"name": name, "kind": "uischema", "title": ""})
        elif name.endswith(SCHEMA_SUFFIX):
            out.append({"name": name, "kind": "schema", "title": _form_title(package.files[path])})
    return out


def form_names(package: PackageFiles) -> list[str]:
    """Base names of the draft's forms (``antrag`` for ``forms/antrag.schema.json``)."""
    return [f["name"][: -len(SCHEMA_SUFFIX)] for f in forms(package) if f["kind"] == "schema"]


def _form_title(text: str) -> str:
    try:
        schema = json.loads(text)
    except ValueError:
        return ""
    title = schema.get("title") if isinstance(schema, dict) else None
    return title if isinstance(title, str) else ""


def decisions(package: PackageFiles) -> list[dict[str, str]]:
    out = []
    for name in package.dmn_files():
        root = _parse(package.files[name])
        if root is None:
            continue
        for el in root.iter("{*}decision"):
            if el.get("id"):
                out.append({"id": el.get("id") or "", "name": el.get("name") or ""})
    return out


def message_names(texts: Iterable[str]) -> list[dict[str, str]]:
    names: set[str] = set()
    for text in texts:
        names.update(_message_names(text))
    return [{"name": n} for n in sorted(names)]


@lru_cache(maxsize=128)
def _message_names(text: str) -> frozenset[str]:
    root = _parse(text)
    if root is None:
        return frozenset()
    return frozenset(m.get("name") or m.get("id") or "" for m in root.iter("{*}message")) - {""}


def _parse(text: str) -> Any:
    try:
        return etree.fromstring(text.encode("utf-8"), xml_parser())
    except etree.XMLSyntaxError:
        return None


def server_problems(problems: Iterable[Problem], file: str) -> list[dict[str, Any]]:
    """Problems of ``file`` for ``showProblems``, without bpmnlint's (the modeler lints live)."""
    return [problem_to_dict(p) for p in problems if p.file == file and not p.code.startswith("bpmnlint/")]


def modeler_config(*, registry: OperationRegistry, settings: Settings, package: PackageFiles,
                   published: Mapping[str, str], problems: Iterable[Problem], file: str) -> dict[str, Any]:
    """The JSON block of a ``data-amtskoffer="modeler"`` element for ``file`` of the draft.

    ``published``: BPMN texts of the newest published versions (for message names).
    """
    bpmn_texts = [package.files[n] for n in package.bpmn_files()] + list(published.values())
    return {
        "operations": operations(registry, message_type_names(settings)),
        "forms": forms(package),
        "decisions": decisions(package),
        "messages": message_names(bpmn_texts),
        "problems": server_problems(problems, file),
    }
