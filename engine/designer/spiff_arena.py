"""Service packages as spiff-arena process-model folders, and back.

The format is described in ``../shared/spiff-arena-format.md`` (§ 1; the team's material next
to the clone): a flat folder with a ``process_model.json`` of exactly seven keys
(``json.dumps(indent=4, sort_keys=True)``), the BPMN/DMN files, forms named
``<base>-schema.json``/``<base>-uischema.json`` and unit tests
``test_<bpmn-basename>.json``. Only certain file types may lie in such a folder (``.json``,
``.md``, ``.bpmn``, ``.dmn`` …; a ``.toml``, ``.yaml`` or ``.html`` file breaks the listing).

Mapping (package → folder; import is the exact reverse):

============================  ==============================================================
Amtskoffer package            spiff-arena folder
============================  ==============================================================
``service.toml``              ``process_model.json``: ``display_name`` = title, ``description``,
                              ``primary_process_id`` = entry_process, ``primary_file_name`` =
                              the BPMN file defining it; ``fault_or_suspend_on_exception`` =
                              ``"fault"``, ``exception_notification_addresses`` = ``[]``,
                              ``metadata_extraction_paths`` = ``null`` (unless kept, see below).
                              The whole ``service.toml`` text also goes into
                              ``amtskoffer-package.json`` (LeiKa key, authority role, category
                              and case title have no place in spiff-arena).
``*.bpmn``, ``*.dmn``         unchanged, except that form file names in
                              ``formJsonSchemaFilename``/``formUiSchemaFilename`` follow the renaming
``forms/X.schema.json``       ``X-schema.json`` (``forms/X.uischema.json`` → ``X-uischema.json``;
                              other flat form files keep their name)
``tests/spiff/test_X.json``   ``test_X.json`` (spiff-arena unit tests; run by :mod:`.spiff_tests`)
``spiff/<name>``              ``<name>``: spiff-arena files we cannot use but keep (README.md,
                              ``*-exampledata.json``, a ``process_model.json`` with settings
                              of its own …)
everything else               inside ``amtskoffer-package.json`` (``files``): document templates
                              (``.html.j2``), YAML scenarios, nested files. spiff-arena ignores
                              that file; importing it back restores them.
============================  ==============================================================

Round trips: package → folder → package gives the same content hash. Folder → package →
folder gives the same files, except binary files (images, PDF, Office files), which a package
cannot hold; import names them in its notes. What spiff-arena keeps in ``process_model.json``
beyond title, description and primary process survives because import keeps the original
file as ``spiff/process_model.json`` whenever export would not reproduce it.

What does not carry over in meaning (the files do): our service operations
(``serviceTaskOperator id="register.find_person"``) are unknown connectors to spiff-arena and
its connectors (``http/GetRequest``) unknown operations to us; script helpers differ
(``age_on``, ``Decimal`` here; ``get_current_user``, ``decimal`` there); forms are Jinja
templates in spiff-arena and plain JSON Schema (our dialect) here; our DMN evaluation is
strict (UNIQUE enforced, no match fails) where spiff-arena's is lenient.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from engine.catalog.package import (
    AUTHORITY_ROLES,
    FORMS_PREFIX,
    MANIFEST,
    SERVICE_ID,
    TEXT_SUFFIXES,
    PackageFiles,
    parse_manifest,
)
from engine.designer.archive import ImportedPackage
from engine.designer.manifest import render_manifest
from engine.errors import DesignError, InputInvalid
from engine.runtime.bpmn import xml_parser

MODEL_FILE = "process_model.json"
EXTRAS_FILE = "amtskoffer-package.json"
EXTRAS_FORMAT = "amtskoffer-spiff-arena/1"
KEPT_PREFIX = "spiff/"
UNIT_TEST_PREFIX = "tests/spiff/"
MODEL_KEYS = (
    "description", "display_name", "exception_notification_addresses", "fault_or_suspend_on_exception",
    "metadata_extraction_paths", "primary_file_name", "primary_process_id",
)
# spiff-arena's FileType list (BE/models/file.py): anything else in a model folder breaks it.
SPIFF_SUFFIXES = {
    ".bpmn", ".dmn", ".json", ".md", ".txt", ".csv", ".xml", ".pdf", ".png", ".jpg", ".gif", ".svg", ".css",
    ".sql", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".rtf", ".zip",
}
FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
PLACEHOLDER_LEIKA = "99000000000000"
DEFAULT_ROLE = "meldebehoerde"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_TEST_FILE = re.compile(r"^test_.+\.json$")
_PROPERTY_TAG = re.compile(r"<(?:[\w.-]+:)?property\b[^>]*>")
_ATTR = r'\b{}\s*=\s*"([^"]*)"'


@dataclass(frozen=True, slots=True)
class SpiffFolder:
    """A spiff-arena model folder in memory: flat file name → text (or bytes for binaries)."""

    name: str
    """The folder name, i.e. the last part of the process model id."""
    files: Mapping[str, str | bytes]


# -- export ------------------------------------------------------------------------------------------
def export_spiff(package: PackageFiles) -> SpiffFolder:
    """The package as a spiff-arena model folder (see the module docstring for the mapping)."""
    manifest, problems = parse_manifest(package)
    if manifest is None:
        first = problems[0].user_message if problems else "service.toml fehlt."
        raise DesignError(f"{package.service_id}: manifest invalid, cannot export",
                          user_message=f"Das Verfahren lässt sich nicht exportieren: {first}")
    out: dict[str, str | bytes] = {}
    extras: dict[str, str] = {}
    forms: dict[str, str] = {}  # spiff name -> our path
    for path in sorted(package.files):
        if path.startswith(FORMS_PREFIX) and "/" not in path[len(FORMS_PREFIX):]:
            target = _spiff_form_name(path[len(FORMS_PREFIX):])
            if target not in out and _placeable(target):
                forms[target] = path
                out[target] = package.files[path]
                continue
        if path == MANIFEST:
            continue
        target = _spiff_name(path)
        if target is not None and target not in out and target not in (MODEL_FILE, EXTRAS_FILE):
            out[target] = package.files[path]
        elif path != KEPT_PREFIX + MODEL_FILE:
            extras[path] = package.files[path]
    renames = {our[len(FORMS_PREFIX):]: spiff for spiff, our in forms.items()}
    for name in package.bpmn_files():
        out[name] = rename_form_references(package.files[name], renames)
    base: dict[str, Any] = {}
    kept = package.files.get(KEPT_PREFIX + MODEL_FILE)
    if kept is not None:
        try:
            loaded = json.loads(kept)
            base = loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            extras[KEPT_PREFIX + MODEL_FILE] = kept
    model = {
        "description": manifest.description,
        "display_name": manifest.title,
        "exception_notification_addresses": base.get("exception_notification_addresses", []),
        "fault_or_suspend_on_exception": base.get("fault_or_suspend_on_exception", "fault"),
        "metadata_extraction_paths": base.get("metadata_extraction_paths"),
        "primary_file_name": _file_defining(package, manifest.entry_process) or "",
        "primary_process_id": manifest.entry_process,
    }
    out[MODEL_FILE] = model_json(model)
    out[EXTRAS_FILE] = json.dumps({
        "format": EXTRAS_FORMAT,
        "service_id": package.service_id,
        "service_toml": package.files.get(MANIFEST, ""),
        "forms": dict(sorted(forms.items())),
        "files": dict(sorted(extras.items())),
    }, indent=4, sort_keys=True, ensure_ascii=False)
    return SpiffFolder(_folder_name(package.service_id), dict(sorted(out.items())))


def model_json(model: Mapping[str, Any]) -> str:
    """``process_model.json`` text exactly as spiff-arena writes it (7 keys, indent 4, sorted)."""
    return json.dumps({k: model.get(k) for k in MODEL_KEYS}, indent=4, sort_keys=True)


def _folder_name(service_id: str) -> str:
    # spiff-arena's own ids are lower-case kebab; ours use underscores.
    return service_id.replace("_", "-")


def _spiff_form_name(name: str) -> str:
    for ours, theirs in ((".schema.json", "-schema.json"), (".uischema.json", "-uischema.json")):
        if name.endswith(ours):
            return name[: -len(ours)] + theirs
    return name


def _placeable(name: str) -> bool:
    """May a file of this name lie in a spiff-arena model folder without breaking it?"""
    return (not name.startswith(".") and PurePosixPath(name).suffix.lower() in SPIFF_SUFFIXES
            and name not in (MODEL_FILE, EXTRAS_FILE))


def _spiff_name(path: str) -> str | None:
    """Where a package file goes in the folder, or None if it must go into the extras file."""
    if path.endswith((".bpmn", ".dmn")) and "/" not in path:
        return path
    if path.startswith(UNIT_TEST_PREFIX):
        name = path[len(UNIT_TEST_PREFIX):]
        return name if "/" not in name and _TEST_FILE.match(name) else None
    if path.startswith(KEPT_PREFIX):
        name = path[len(KEPT_PREFIX):]
        if "/" not in name and _placeable(name) and not _TEST_FILE.match(name):
            return name
    return None


def _file_defining(package: PackageFiles, process_id: str) -> str | None:
    for name in package.bpmn_files():
        try:
            root = etree.fromstring(package.files[name].encode("utf-8"), xml_parser())
        except etree.XMLSyntaxError:
            continue
        if any(p.get("id") == process_id for p in root.iter(f"{{{BPMN_NS}}}process")):
            return name
    return None


def rename_form_references(bpmn: str, renames: Mapping[str, str]) -> str:
    """``bpmn`` with the form file names in ``formJsonSchemaFilename``/``formUiSchemaFilename``
    properties replaced by ``renames[old]``; nothing else of the text changes (so the rename
    can be undone exactly)."""
    if not renames:
        return bpmn

    def replace(match: re.Match[str]) -> str:
        tag = match.group(0)
        name = re.search(_ATTR.format("name"), tag)
        value = re.search(_ATTR.format("value"), tag)
        if not name or name.group(1) not in FORM_PROPERTIES or not value or value.group(1) not in renames:
            return tag
        return tag[: value.start(1)] + renames[value.group(1)] + tag[value.end(1):]

    return _PROPERTY_TAG.sub(replace, bpmn)


def form_references(bpmn: str) -> set[str]:
    """The form file names a BPMN file's user tasks name."""
    found = set()
    for match in _PROPERTY_TAG.finditer(bpmn):
        tag = match.group(0)
        name = re.search(_ATTR.format("name"), tag)
        value = re.search(_ATTR.format("value"), tag)
        if name and value and name.group(1) in FORM_PROPERTIES and value.group(1):
            found.add(value.group(1))
    return found


# -- import ------------------------------------------------------------------------------------------
def _invalid(log: str, user: str) -> InputInvalid:
    return InputInvalid(log, user_message=user, errors={"": [user]})


def service_id_from_folder(name: str) -> str:
    """A valid service id from a spiff-arena folder name (``1-2-forms`` → ``m_1_2_forms``)."""
    sid = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    if not sid or not sid[0].isalpha():
        sid = f"m_{sid}"
    return sid[:63]


def import_spiff(folder: SpiffFolder, *, service_id: str | None = None, leika_key: str | None = None,
                 authority_role: str | None = None) -> ImportedPackage:
    """A package from a spiff-arena model folder; raises :class:`InputInvalid` if it is none."""
    if leika_key is not None and not re.fullmatch(r"\d{14}", leika_key):
        raise InputInvalid(f"bad leika key {leika_key!r}", errors={"leika_key": [
            "Der LeiKa-Schlüssel muss aus 14 Ziffern bestehen."]})
    if authority_role is not None and authority_role not in AUTHORITY_ROLES:
        raise InputInvalid(f"bad authority role {authority_role!r}", errors={"authority_role": [
            "Unbekannte Behördenrolle; erlaubt: " + ", ".join(AUTHORITY_ROLES) + "."]})
    texts: dict[str, str] = {}
    notes: list[str] = []
    for name, content in sorted(folder.files.items()):
        if "/" in name or name.startswith("."):
            notes.append(f"„{name}“ wurde übersprungen (Unterordner oder versteckte Datei).")
            continue
        if isinstance(content, bytes):
            try:
                content = content.decode("utf-8")
            except UnicodeDecodeError:
                notes.append(f"„{name}“ wurde übersprungen: Binärdateien kann ein Verfahrenspaket nicht aufnehmen.")
                continue
        if PurePosixPath(name).suffix.lower() not in TEXT_SUFFIXES:
            notes.append(f"„{name}“ wurde übersprungen: dieser Dateityp gehört nicht in ein Verfahrenspaket.")
            continue
        texts[name] = content.replace("\r\n", "\n")
    if MODEL_FILE not in texts:
        raise _invalid("no process_model.json", f"Im Ordner „{folder.name}“ fehlt process_model.json; "
                                                "er ist kein spiff-arena-Prozessmodell.")
    try:
        model = json.loads(texts[MODEL_FILE])
    except json.JSONDecodeError as err:
        raise _invalid(f"process_model.json: {err}", f"process_model.json ist kein gültiges JSON: {err.msg} "
                                                     f"(Zeile {err.lineno}).") from err
    if not isinstance(model, dict):
        raise _invalid("process_model.json is no object", "process_model.json muss ein JSON-Objekt sein.")
    extras = _read_extras(texts.pop(EXTRAS_FILE, None), notes)
    bpmn_names = sorted(n for n in texts if n.endswith(".bpmn"))
    if not bpmn_names:
        raise _invalid("no BPMN file", f"Im Ordner „{folder.name}“ gibt es kein BPMN-Diagramm.")

    files: dict[str, str] = {}
    forms = _form_names(texts, bpmn_names, extras)
    renames = {spiff: our[len(FORMS_PREFIX):] for spiff, our in forms.items()}
    for name, text in texts.items():
        if name == MODEL_FILE:
            continue
        if name in forms:
            files[forms[name]] = text
        elif name.endswith(".bpmn"):
            files[name] = rename_form_references(text, renames)
        elif name.endswith(".dmn"):
            files[name] = text
        elif _TEST_FILE.match(name):
            files[UNIT_TEST_PREFIX + name] = text
        else:
            files[KEPT_PREFIX + name] = text
    for path, text in extras.get("files", {}).items():
        if isinstance(path, str) and isinstance(text, str) and _safe(path):
            files[path] = text

    sid = service_id or (extras.get("service_id") if isinstance(extras.get("service_id"), str) else None) \
        or service_id_from_folder(folder.name)
    if not SERVICE_ID.match(sid):
        raise _invalid(f"bad service id {sid!r}", f"„{sid}“ ist keine gültige Verfahrenskennung (Kleinbuchstaben, "
                                                  "Ziffern und Unterstrich, beginnend mit einem Buchstaben).")
    entry = str(model.get("primary_process_id") or "") or _first_executable(texts, model, bpmn_names) or ""
    files[MANIFEST] = _manifest_text(sid, model, entry, extras, notes, leika_key, authority_role)
    package = PackageFiles(sid, dict(sorted(files.items())))
    # Keep spiff-arena's own model settings when export would not reproduce them.
    try:
        reproduced = export_spiff(package).files[MODEL_FILE]
    except DesignError:
        reproduced = None  # the manifest is incomplete: the draft's validation will say so
    if model_json(model) != reproduced:
        unknown = sorted(set(model) - set(MODEL_KEYS) - {"files", "display_order", "id", "is_executable"})
        if unknown:
            notes.append("process_model.json enthält unbekannte Einträge, die unverändert mitgeführt werden: "
                         + ", ".join(unknown) + ".")
        package = PackageFiles(sid, dict(sorted({**files, KEPT_PREFIX + MODEL_FILE: texts[MODEL_FILE]}.items())))
    return ImportedPackage(package, tuple(notes))


def _safe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not path.startswith("/") and ".." not in parts and path != MANIFEST


def _read_extras(text: str | None, notes: list[str]) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        notes.append(f"{EXTRAS_FILE} ist kein gültiges JSON und wurde ignoriert.")
        return {}
    if not isinstance(data, dict) or data.get("format") != EXTRAS_FORMAT:
        notes.append(f"{EXTRAS_FILE} hat ein unbekanntes Format und wurde ignoriert.")
        return {}
    return data


def _form_names(texts: Mapping[str, str], bpmn_names: list[str], extras: Mapping[str, Any]) -> dict[str, str]:
    """spiff file name → our package path for every form file of the folder."""
    known = extras.get("forms")
    if isinstance(known, dict):
        return {k: v for k, v in known.items() if k in texts and isinstance(v, str) and v.startswith(FORMS_PREFIX)}
    referenced = set().union(*(form_references(texts[n]) for n in bpmn_names))
    out = {}
    for name in texts:
        if name.endswith("-exampledata.json"):
            continue  # the form builder's preview data: kept under spiff/, not a form
        if name.endswith("-schema.json"):
            out[name] = FORMS_PREFIX + name[: -len("-schema.json")] + ".schema.json"
        elif name.endswith("-uischema.json"):
            out[name] = FORMS_PREFIX + name[: -len("-uischema.json")] + ".uischema.json"
        elif name in referenced:
            out[name] = FORMS_PREFIX + name
    return out


def _first_executable(texts: Mapping[str, str], model: Mapping[str, Any], bpmn_names: list[str]) -> str | None:
    primary = model.get("primary_file_name")
    for name in ([primary] if primary in texts else []) + bpmn_names:
        try:
            root = etree.fromstring(texts[name].encode("utf-8"), xml_parser())
        except etree.XMLSyntaxError:
            continue
        for p in root.iter(f"{{{BPMN_NS}}}process"):
            if p.get("isExecutable") == "true" and p.get("id"):
                return str(p.get("id"))
    return None


def _manifest_text(sid: str, model: Mapping[str, Any], entry: str, extras: Mapping[str, Any], notes: list[str],
                   leika_key: str | None, authority_role: str | None) -> str:
    wanted = {"title": str(model.get("display_name") or sid), "description": str(model.get("description") or ""),
              "entry_process": entry}
    stored = extras.get("service_toml")
    if isinstance(stored, str) and stored:
        try:
            data = tomllib.loads(stored)
        except tomllib.TOMLDecodeError:
            data = None
        if data is not None:
            changed = {k: v for k, v in wanted.items() if data.get(k, "") != v}
            if data.get("id") != sid:
                changed["id"] = sid
            if not changed:
                return stored
            notes.append("In spiff-arena geänderte Angaben wurden in service.toml übernommen: "
                         + ", ".join(sorted(changed)) + ".")
            return render_manifest({**data, **changed})
    notes.append("service.toml wurde aus process_model.json erzeugt. "
                 + ("" if leika_key else f"Der LeiKa-Schlüssel ({PLACEHOLDER_LEIKA}) ist ein Platzhalter. ")
                 + ("" if authority_role else f"Die Behördenrolle „{DEFAULT_ROLE}“ ist angenommen. ")
                 + "Bitte vor dem Veröffentlichen prüfen.")
    return render_manifest({"id": sid, "title": wanted["title"], "leika_key": leika_key or PLACEHOLDER_LEIKA,
                            "entry_process": entry, "authority_role": authority_role or DEFAULT_ROLE,
                            "description": wanted["description"]})


# -- folders on disk ---------------------------------------------------------------------------------
def read_spiff_folder(path: Path) -> SpiffFolder:
    """The files of a model folder on disk (flat; subfolders are other models and are ignored)."""
    if not (path / MODEL_FILE).is_file():
        raise _invalid(f"{path}: no {MODEL_FILE}", f"Im Ordner „{path}“ fehlt process_model.json; er ist kein "
                                                   "spiff-arena-Prozessmodell.")
    files: dict[str, str | bytes] = {}
    for child in sorted(path.iterdir()):
        if child.is_file() and not child.name.startswith("."):
            files[child.name] = child.read_bytes()
    return SpiffFolder(path.name, files)


def write_spiff_folder(folder: SpiffFolder, path: Path, *, overwrite: bool = False) -> list[Path]:
    """Write ``folder`` into ``path`` (created if missing); refuses a non-empty folder unless ``overwrite``."""
    if path.exists() and any(path.iterdir()) and not overwrite:
        raise _invalid(f"{path} is not empty", f"Der Zielordner „{path}“ ist nicht leer.")
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in folder.files.items():
        target = path / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            # No newline translation: process_model.json must stay byte-identical to spiff-arena's.
            target.write_bytes(content.encode("utf-8"))
        written.append(target)
    return written
