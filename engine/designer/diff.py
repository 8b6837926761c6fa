"""What changed between two versions of a service package, element by element.

Contract: :func:`diff_packages` is pure (files in, :class:`PackageDiff` out) and compares

- **BPMN and DMN elements by id** across all diagram files of the package: an id only in the
  new version is *added*, only in the old one *removed*, in both with different content
  *changed*, with every changed field named (:data:`FIELD_LABELS_DE`): type, name, script,
  condition, operator, parameters, properties, pre-/post-script, instructions, event
  definition, connection (source → target of a flow), attributes, file … Children that are
  elements of their own (the tasks inside a process or subprocess, the rules of a table) are
  compared separately, so a changed task does not also mark its process as changed.
  Whitespace around texts and the XML formatting do not count.
- **The layout** (BPMNDI shapes and edges) separately: a diagram whose shapes moved but whose
  elements did not change appears in ``layout_changed`` only.
- **service.toml** field by field (``manifest``), and **every other file** (forms, document
  templates, scenario files …) as a file: added, removed or changed with a unified diff.

Comparing an element's content rather than its XML text means that re-saving a diagram in
another modeler (different attribute order, indentation, DI) shows no element as changed.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.catalog.package import MANIFEST, PackageFiles
from engine.runtime.bpmn import xml_parser

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DI_NAMESPACES = {
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
}
DMN_ELEMENTS = {"decision", "decisionTable", "input", "output", "rule"}
# Children that only repeat what the sequence flows already say.
_BPMN_DERIVED = {"incoming", "outgoing"}
MAX_DIFF_LINES = 400

FIELD_LABELS_DE = {
    "type": "Elementtyp",
    "name": "Name",
    "file": "Datei",
    "documentation": "Dokumentation",
    "script": "Skript",
    "condition": "Bedingung",
    "connection": "Verbindung",
    "operator": "Dienstoperation",
    "parameters": "Parameter",
    "properties": "Eigenschaften",
    "pre_script": "Vorab-Skript",
    "post_script": "Nachher-Skript",
    "instructions": "Anweisungen",
    "decision": "Entscheidungstabelle",
    "event": "Ereignisdefinition",
    "attributes": "Attribute",
    "extensions": "Weitere Erweiterungen",
    "expression": "Ausdruck",
    "conditions": "Bedingungen der Regel",
    "results": "Ergebnisse der Regel",
    "annotation": "Anmerkung",
    "hit_policy": "Trefferrichtlinie",
    "content": "Inhalt",
}
MANIFEST_LABELS_DE = {
    "id": "Kennung",
    "title": "Titel",
    "leika_key": "LeiKa-Schlüssel",
    "entry_process": "Startprozess",
    "authority_role": "Behördenrolle",
    "description": "Beschreibung",
    "category": "Kategorie",
    "case_title": "Vorgangstitel",
}
KIND_DE = {"added": "hinzugefügt", "removed": "entfernt", "changed": "geändert"}


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldChange:
    field: str
    """A key of :data:`FIELD_LABELS_DE` (or a service.toml key for manifest changes)."""
    before: Any
    after: Any

    @property
    def label_de(self) -> str:
        return FIELD_LABELS_DE.get(self.field) or MANIFEST_LABELS_DE.get(self.field, self.field)


@dataclass(frozen=True, slots=True, kw_only=True)
class ElementChange:
    element_id: str
    kind: str
    """``added`` | ``removed`` | ``changed``"""
    file: str
    """The file the element is in (the old file for removed elements)."""
    tag: str
    """Element type, e.g. ``userTask``, ``sequenceFlow``, ``rule``."""
    name: str
    changes: tuple[FieldChange, ...] = ()
    """For ``changed``: every field that differs."""

    def describe_de(self) -> str:
        label = f"{self.tag} „{self.name or self.element_id}“"
        if self.kind != "changed":
            return f"{label} {KIND_DE[self.kind]}"
        return f"{label} geändert: " + ", ".join(c.label_de for c in self.changes)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileChange:
    path: str
    kind: str
    """``added`` | ``removed`` | ``changed``"""
    diff: str = ""
    """Unified diff for changed text files (cut after ``MAX_DIFF_LINES`` lines)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageDiff:
    old_hash: str
    new_hash: str
    elements: tuple[ElementChange, ...] = ()
    manifest: tuple[FieldChange, ...] = ()
    files: tuple[FileChange, ...] = ()
    """Non-diagram files, plus diagram files that were added or removed as a whole."""
    layout_changed: tuple[str, ...] = ()
    """Diagram files whose layout (BPMNDI) changed."""

    @property
    def identical(self) -> bool:
        return self.old_hash == self.new_hash

    def marks(self) -> dict[str, str]:
        """Element id → ``added``/``removed``/``changed``, for colouring the diagrams."""
        return {e.element_id: e.kind for e in self.elements}

    def of_kind(self, kind: str) -> list[ElementChange]:
        return [e for e in self.elements if e.kind == kind]

    def summary_de(self) -> str:
        if self.identical:
            return "Keine Änderungen."
        counts = {k: len(self.of_kind(k)) for k in KIND_DE}
        parts = [f"{n} Elemente {KIND_DE[k]}" for k, n in counts.items() if n]
        if self.manifest:
            parts.append(f"{len(self.manifest)} Angaben in service.toml geändert")
        if self.files:
            parts.append(f"{len(self.files)} Dateien geändert")
        if self.layout_changed and not parts:
            parts.append("nur das Layout geändert")
        return "; ".join(parts) + "." if parts else "Keine inhaltlichen Änderungen."


@dataclass
class _Element:
    file: str
    tag: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)


def diff_packages(old: PackageFiles, new: PackageFiles) -> PackageDiff:
    """Every difference between ``old`` and ``new`` (see the module docstring)."""
    if old.content_hash == new.content_hash:
        return PackageDiff(old_hash=old.content_hash, new_hash=new.content_hash)
    old_elements, old_layout = _index(old)
    new_elements, new_layout = _index(new)
    changes: list[ElementChange] = []
    for el_id in sorted(set(old_elements) | set(new_elements)):
        before, after = old_elements.get(el_id), new_elements.get(el_id)
        if before is None and after is not None:
            changes.append(ElementChange(element_id=el_id, kind="added", file=after.file, tag=after.tag,
                                         name=after.name))
        elif after is None and before is not None:
            changes.append(ElementChange(element_id=el_id, kind="removed", file=before.file, tag=before.tag,
                                         name=before.name))
        elif before is not None and after is not None:
            fields = _field_changes(before, after)
            if fields:
                changes.append(ElementChange(element_id=el_id, kind="changed", file=after.file, tag=after.tag,
                                             name=after.name or before.name, changes=tuple(fields)))
    layout = tuple(sorted(f for f in set(old_layout) & set(new_layout) if old_layout[f] != new_layout[f]))
    return PackageDiff(old_hash=old.content_hash, new_hash=new.content_hash, elements=tuple(changes),
                       manifest=tuple(_manifest_changes(old.files.get(MANIFEST), new.files.get(MANIFEST))),
                       files=tuple(_file_changes(old, new)), layout_changed=layout)


def _diagram_files(files: PackageFiles) -> list[str]:
    return files.bpmn_files() + files.dmn_files()


def _field_changes(before: _Element, after: _Element) -> list[FieldChange]:
    out = []
    a = {**before.fields, "type": before.tag, "name": before.name, "file": before.file}
    b = {**after.fields, "type": after.tag, "name": after.name, "file": after.file}
    order = list(FIELD_LABELS_DE)
    for key in sorted(set(a) | set(b), key=lambda k: (order.index(k) if k in order else len(order), k)):
        if a.get(key) != b.get(key):
            out.append(FieldChange(field=key, before=a.get(key), after=b.get(key)))
    return out


def _manifest_changes(old_text: str | None, new_text: str | None) -> list[FieldChange]:
    def load(text: str | None) -> dict[str, Any]:
        if not text:
            return {}
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return {"(Datei)": text}

    a, b = load(old_text), load(new_text)
    return [FieldChange(field=k, before=a.get(k), after=b.get(k)) for k in sorted(set(a) | set(b))
            if a.get(k) != b.get(k)]


def _file_changes(old: PackageFiles, new: PackageFiles) -> list[FileChange]:
    diagrams_old, diagrams_new = set(_diagram_files(old)), set(_diagram_files(new))
    out = []
    for path in sorted(set(old.files) | set(new.files)):
        if path == MANIFEST:
            continue
        a, b = old.files.get(path), new.files.get(path)
        if a == b:
            continue
        if a is None:
            out.append(FileChange(path=path, kind="added"))
        elif b is None:
            out.append(FileChange(path=path, kind="removed"))
        elif path not in diagrams_old or path not in diagrams_new:
            lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), f"alt/{path}", f"neu/{path}",
                                              lineterm="", n=2))
            if len(lines) > MAX_DIFF_LINES:
                lines = [*lines[:MAX_DIFF_LINES], f"… ({len(lines) - MAX_DIFF_LINES} weitere Zeilen)"]
            out.append(FileChange(path=path, kind="changed", diff="\n".join(lines)))
    return out


# -- reading elements ------------------------------------------------------------------------------
def _local(el: Any) -> str:
    return etree.QName(el).localname


def _ns(el: Any) -> str:
    return etree.QName(el).namespace or ""


def _text(el: Any | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _canon(el: Any) -> Any:
    """A whitespace-insensitive, order-preserving structure of an element (for comparing)."""
    attrs = {k: v for k, v in sorted(el.attrib.items()) if k != "id"}
    children = [_canon(c) for c in el if isinstance(c.tag, str)]
    return [_local(el), attrs, (el.text or "").strip(), children]


def _index(files: PackageFiles) -> tuple[dict[str, _Element], dict[str, str]]:
    elements: dict[str, _Element] = {}
    layout: dict[str, str] = {}
    for name in _diagram_files(files):
        try:
            root = etree.fromstring(files.files[name].encode("utf-8"), xml_parser())
        except etree.XMLSyntaxError:
            continue  # an unparsable file shows up as a file change; the check reports the syntax
        is_bpmn = name.endswith(".bpmn")
        di = [_canon(el) for el in root.iter() if isinstance(el.tag, str) and _ns(el) in DI_NAMESPACES
              and el.getparent() is not None and _ns(el.getparent()) not in DI_NAMESPACES]
        layout[name] = json.dumps(di, sort_keys=True, ensure_ascii=False)
        for el in root.iter():
            if not isinstance(el.tag, str) or not el.get("id"):
                continue
            if is_bpmn and _is_bpmn_element(el):
                elements.setdefault(el.get("id"), _bpmn_element(name, el))
            elif not is_bpmn and _local(el) in DMN_ELEMENTS:
                elements.setdefault(el.get("id"), _dmn_element(name, el))
    return elements, layout


def _is_bpmn_element(el: Any) -> bool:
    if _ns(el) != BPMN_NS:
        return False
    local = _local(el)
    if local == "definitions" or local.endswith("EventDefinition"):
        return False  # event definitions are part of their event
    parent = el.getparent()
    # Ids inside another element's own content (e.g. a timer expression) belong to that element.
    return not ((parent is not None and _local(parent) in ("extensionElements",)) or _owner_is_content(el))


def _owner_is_content(el: Any) -> bool:
    parent = el.getparent()
    return parent is not None and _ns(parent) == BPMN_NS and _local(parent).endswith("EventDefinition")


def _is_tracked_child(child: Any) -> bool:
    return isinstance(child.tag, str) and bool(child.get("id")) and _is_bpmn_element(child)


def _bpmn_element(file: str, el: Any) -> _Element:
    fields: dict[str, Any] = {}
    attrs = {k: v for k, v in el.attrib.items() if k not in ("id", "name", "sourceRef", "targetRef")}
    if attrs:
        fields["attributes"] = dict(sorted(attrs.items()))
    if el.get("sourceRef") or el.get("targetRef"):
        fields["connection"] = f"{el.get('sourceRef')} → {el.get('targetRef')}"
    rest = []
    for child in el:
        if not isinstance(child.tag, str) or _is_tracked_child(child):
            continue
        local = _local(child)
        if _ns(child) != BPMN_NS:
            rest.append(_canon(child))
        elif local in _BPMN_DERIVED:
            continue
        elif local == "documentation":
            fields["documentation"] = _text(child)
        elif local == "script":
            fields["script"] = _text(child)
        elif local == "conditionExpression":
            fields["condition"] = _text(child)
        elif local == "extensionElements":
            fields.update(_extensions(child))
        elif local.endswith("EventDefinition"):
            fields["event"] = json.dumps(_canon(child), ensure_ascii=False, sort_keys=True)
        else:
            rest.append(_canon(child))
    if rest:
        fields["content"] = json.dumps(rest, ensure_ascii=False, sort_keys=True)
    return _Element(file=file, tag=_local(el), name=el.get("name") or "", fields=fields)


def _extensions(ext: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    other = []
    for item in ext:
        if not isinstance(item.tag, str):
            continue
        local = _local(item)
        if _ns(item) != SPIFF_NS:
            other.append(_canon(item))
        elif local == "serviceTaskOperator":
            operator = item.get("id") or ""
            if item.get("resultVariable"):
                operator += f" → {item.get('resultVariable')}"
            fields["operator"] = operator
            fields["parameters"] = {p.get("id") or "": (p.get("value") or "")
                                    for p in item.iter(f"{{{SPIFF_NS}}}parameter")}
        elif local == "properties":
            fields["properties"] = {p.get("name") or "": (p.get("value") or "")
                                    for p in item.iter(f"{{{SPIFF_NS}}}property")}
        elif local == "preScript":
            fields["pre_script"] = _text(item)
        elif local == "postScript":
            fields["post_script"] = _text(item)
        elif local == "instructionsForEndUser":
            fields["instructions"] = _text(item)
        elif local == "calledDecisionId":
            fields["decision"] = _text(item)
        else:
            other.append(_canon(item))
    if other:
        fields["extensions"] = json.dumps(other, ensure_ascii=False, sort_keys=True)
    return fields


def _dmn_element(file: str, el: Any) -> _Element:
    local = _local(el)
    fields: dict[str, Any] = {}
    name = el.get("name") or el.get("label") or (_text(el.find("{*}description")) if local == "rule" else "")
    if local == "decisionTable":
        fields["hit_policy"] = (el.get("hitPolicy") or "UNIQUE").upper() + (
            f" {el.get('aggregation').upper()}" if el.get("aggregation") else "")
    elif local == "input":
        expr = el.find("{*}inputExpression")
        fields["expression"] = _text(expr.find("{*}text")) if expr is not None else ""
        fields["attributes"] = {"label": el.get("label") or "",
                                "typeRef": expr.get("typeRef") if expr is not None else ""}
    elif local == "output":
        fields["attributes"] = {k: el.get(k) or "" for k in ("name", "label", "typeRef")}
    elif local == "rule":
        fields["annotation"] = _text(el.find("{*}description"))
        fields["conditions"] = [_text(e.find("{*}text")) for e in el.iterfind("{*}inputEntry")]
        fields["results"] = [_text(e.find("{*}text")) for e in el.iterfind("{*}outputEntry")]
    elif local == "decision":
        rest = [_canon(c) for c in el if isinstance(c.tag, str) and _local(c) not in DMN_ELEMENTS]
        if rest:
            fields["content"] = json.dumps(rest, ensure_ascii=False, sort_keys=True)
    return _Element(file=file, tag=local, name=name, fields=fields)


def as_dict(diff: PackageDiff) -> dict[str, Any]:
    """The diff as JSON-ready data (for the web page and ``amtskoffer service diff --json``)."""

    def change(c: FieldChange) -> dict[str, Any]:
        return {"field": c.field, "label": c.label_de, "before": c.before, "after": c.after}

    return {
        "old_hash": diff.old_hash, "new_hash": diff.new_hash, "identical": diff.identical,
        "summary": diff.summary_de(),
        "elements": [{"id": e.element_id, "kind": e.kind, "file": e.file, "tag": e.tag, "name": e.name,
                      "changes": [change(c) for c in e.changes]} for e in diff.elements],
        "manifest": [change(c) for c in diff.manifest],
        "files": [{"path": f.path, "kind": f.kind, "diff": f.diff} for f in diff.files],
        "layout_changed": list(diff.layout_changed),
    }


def changed_elements_by_file(diff: PackageDiff) -> Mapping[str, dict[str, str]]:
    """{diagram file: {element id: kind}}: what each diagram of the viewer must colour."""
    out: dict[str, dict[str, str]] = {}
    for e in diff.elements:
        out.setdefault(e.file, {})[e.element_id] = e.kind
    return out
