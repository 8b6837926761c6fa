"""A package version ready to run: parsed specs, loaded forms, an element index.

Compiled once per version and cached by content hash (specs are shared read-only by every
case of that version; SpiffWorkflow keeps no per-instance state in specs).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.catalog.package import FORMS_PREFIX, Manifest, PackageFiles, parse_manifest
from engine.errors import DesignError
from engine.forms.definition import FormDefinition, load_form
from engine.runtime.bpmn import Parser, xml_parser

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True, slots=True)
class ElementInfo:
    file: str
    line: int | None
    tag: str
    name: str
    process_id: str | None


@dataclass
class CompiledPackage:
    version_id: uuid.UUID | None
    files: PackageFiles
    manifest: Manifest
    spec: Any
    subprocess_specs: dict[str, Any]
    elements: dict[str, ElementInfo]
    version_no: int | None = None
    _forms: dict[str, FormDefinition] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def service_id(self) -> str:
        return self.files.service_id

    @property
    def content_hash(self) -> str:
        return self.files.content_hash

    def form(self, schema_file: str, ui_file: str | None = None) -> FormDefinition:
        key = f"{schema_file}|{ui_file or ''}"
        with self._lock:
            cached = self._forms.get(key)
        if cached is not None:
            return cached
        schema_text = self.files.files.get(FORMS_PREFIX + schema_file)
        if schema_text is None:
            raise DesignError(
                f"form {schema_file} missing in {self.service_id}",
                user_message=f"Das Formular „{schema_file}“ fehlt im Verfahren.",
                file=FORMS_PREFIX + schema_file,
            )
        ui_text = self.files.files.get(FORMS_PREFIX + ui_file) if ui_file else None
        form = load_form(
            schema_text, ui_text, schema_file=FORMS_PREFIX + schema_file,
            ui_file=(FORMS_PREFIX + ui_file) if ui_file else None,
        )
        with self._lock:
            self._forms[key] = form
        return form

    def element(self, element_id: str) -> ElementInfo | None:
        return self.elements.get(element_id)

    def for_version(self, version_id: uuid.UUID, version_no: int) -> CompiledPackage:
        """This package as the stored version ``version_id`` (specs and forms are shared)."""
        if self.version_id == version_id and self.version_no == version_no:
            return self
        return CompiledPackage(version_id, self.files, self.manifest, self.spec, self.subprocess_specs,
                               self.elements, version_no, self._forms, self._lock)


def index_elements(files: PackageFiles) -> dict[str, ElementInfo]:
    """Every element with an id in the package's BPMN files: file, line, tag, name, process."""
    index: dict[str, ElementInfo] = {}
    for name in files.bpmn_files():
        try:
            root = etree.fromstring(files.files[name].encode("utf-8"), xml_parser())
        except etree.XMLSyntaxError:
            continue
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            el_id = el.get("id")
            if not el_id:
                continue
            proc = next((a.get("id") for a in el.iterancestors(f"{{{BPMN_NS}}}process")), None)
            index.setdefault(el_id, ElementInfo(name, el.sourceline, etree.QName(el).localname,
                                                el.get("name") or "", proc))
    return index


def parse_specs(files: PackageFiles, entry_process: str) -> tuple[Any, dict[str, Any]]:
    parser = Parser()
    for name in files.bpmn_files():
        parser.add_bpmn_str(files.files[name].encode("utf-8"), filename=name)
    for name in files.dmn_files():
        parser.add_dmn_str(files.files[name].encode("utf-8"), filename=name)
    return parser.get_spec(entry_process), parser.get_subprocess_specs(entry_process)


def compile_package(files: PackageFiles, version_id: uuid.UUID | None = None) -> CompiledPackage:
    """Parse a package that passed the catalog check; raises DesignError otherwise."""
    manifest, problems = parse_manifest(files)
    if manifest is None:
        raise DesignError(
            f"package {files.service_id}: invalid manifest: {problems[0].message}",
            user_message=problems[0].user_message, file="service.toml",
        )
    try:
        spec, subs = parse_specs(files, manifest.entry_process)
    except Exception as err:
        raise DesignError(
            f"package {files.service_id} does not parse: {err}",
            user_message=f"Das Verfahren „{manifest.title}“ lässt sich nicht laden: {err}",
        ) from err
    return CompiledPackage(version_id, files, manifest, spec, subs, index_elements(files))


class PackageCache:
    """Compiled packages by content hash (LRU); thread-safe."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[str, CompiledPackage] = OrderedDict()
        self._versions: dict[uuid.UUID, CompiledPackage] = {}
        self._size = size
        self._lock = threading.Lock()

    def by_version(self, version_id: uuid.UUID) -> CompiledPackage | None:
        with self._lock:
            return self._versions.get(version_id)

    def remember(self, compiled: CompiledPackage) -> None:
        if compiled.version_id is None:
            return
        with self._lock:
            self._versions[compiled.version_id] = compiled
            if len(self._versions) > 4 * self._size:
                self._versions.pop(next(iter(self._versions)))

    def get(self, files: PackageFiles, version_id: uuid.UUID | None) -> CompiledPackage:
        key = f"{files.service_id}:{files.content_hash}"
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        compiled = compile_package(files, version_id)
        with self._lock:
            self._items[key] = compiled
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return compiled
