"""Service packages: the files that make up one service, and their content hash.

On disk a service is ``processes/bpmn/<service_id>/`` (``service.toml``, ``*.bpmn``, ``*.dmn``,
``documents/``, ``tests/``) plus ``forms/<service_id>/`` (``<name>.schema.json`` and
``<name>.uischema.json``). In a package the form files appear under ``forms/``. A version is
identified by a SHA-256 over all paths and contents, so the same files always give the same
version, wherever they come from (disk, designer draft, zip import).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from engine.catalog.problems import Problem
from engine.errors import DesignError
from engine.settings import Settings

SERVICE_ID = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
MANIFEST = "service.toml"
FORMS_PREFIX = "forms/"
TEXT_SUFFIXES = {".bpmn", ".dmn", ".toml", ".json", ".yaml", ".yml", ".j2", ".html", ".css", ".md", ".txt"}
AUTHORITY_ROLES = {
    "meldebehoerde": "Meldebehörde",
    "passbehoerde": "Passbehörde",
    "personalausweisbehoerde": "Personalausweisbehörde",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    id: str
    title: str
    leika_key: str
    entry_process: str
    authority_role: str
    description: str = ""
    category: str = ""
    case_title: str = ""
    """Jinja2 template over task data for the case title in lists, e.g. ``{{ antragsteller_name }}``."""


@dataclass(frozen=True)
class PackageFiles:
    service_id: str
    files: Mapping[str, str] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        for path in sorted(self.files):
            data = self.files[path].encode("utf-8")
            h.update(path.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
        return h.hexdigest()

    def bpmn_files(self) -> list[str]:
        return sorted(p for p in self.files if p.endswith(".bpmn") and "/" not in p)

    def dmn_files(self) -> list[str]:
        return sorted(p for p in self.files if p.endswith(".dmn") and "/" not in p)

    def form_path(self, filename: str) -> str:
        return FORMS_PREFIX + filename


def _collect(folder: Path, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(part.startswith((".", "__")) for part in rel.parts):
            continue
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        out[prefix + rel.as_posix()] = path.read_text(encoding="utf-8")
    return out


def discover(settings: Settings) -> list[str]:
    """Service ids of the package folders on disk (folders with a service.toml)."""
    root = settings.processes_dir
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / MANIFEST).is_file())


def read_from_disk(service_id: str, settings: Settings) -> PackageFiles:
    folder = settings.processes_dir / service_id
    if not (folder / MANIFEST).is_file():
        raise DesignError(
            f"no package folder {folder}",
            user_message=f"Für das Verfahren „{service_id}“ gibt es keinen Ordner mit service.toml.",
        )
    files = _collect(folder)
    files.update(_collect(settings.forms_dir / service_id, FORMS_PREFIX))
    return PackageFiles(service_id, files)


def write_to_disk(package: PackageFiles, settings: Settings) -> None:
    """Write a package back into the two folders (used by import and by the designer's export)."""
    for rel, text in package.files.items():
        if rel.startswith(FORMS_PREFIX):
            target = settings.forms_dir / package.service_id / rel[len(FORMS_PREFIX):]
        else:
            target = settings.processes_dir / package.service_id / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def parse_manifest(package: PackageFiles) -> tuple[Manifest | None, list[Problem]]:
    text = package.files.get(MANIFEST)
    if text is None:
        return None, [
            Problem(code="manifest-missing", file=MANIFEST, message="service.toml missing",
                    user_message="Die Datei service.toml fehlt.")
        ]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(err))) else None
        return None, [
            Problem(code="manifest-syntax", file=MANIFEST, line=line, message=str(err),
                    user_message=f"Die Datei service.toml ist kein gültiges TOML: {err}")
        ]
    problems: list[Problem] = []
    required = {
        "id": "die Kennung",
        "title": "den Titel",
        "leika_key": "den LeiKa-Schlüssel",
        "entry_process": "den Startprozess",
        "authority_role": "die zuständige Behördenrolle",
    }
    for key, what in required.items():
        if not isinstance(data.get(key), str) or not data.get(key):
            problems.append(Problem(code="manifest-field", file=MANIFEST, message=f"missing key {key}",
                                    user_message=f"Die Datei service.toml muss {what} („{key}“) angeben."))
    unknown = sorted(set(data) - set(required) - {"description", "category", "case_title"})
    for key in unknown:
        problems.append(Problem(code="manifest-field", file=MANIFEST, message=f"unknown key {key}",
                                user_message=f"Die Datei service.toml enthält den unbekannten Eintrag „{key}“."))
    if problems:
        return None, problems
    if data["id"] != package.service_id or not SERVICE_ID.match(data["id"]):
        problems.append(Problem(
            code="manifest-field", file=MANIFEST, message=f"id {data['id']!r} must equal folder {package.service_id!r}",
            user_message=f"Die Kennung „{data['id']}“ muss dem Ordnernamen „{package.service_id}“ entsprechen "
                         "(Kleinbuchstaben, Ziffern, Unterstrich)."))
    if not re.fullmatch(r"\d{14}", data["leika_key"]):
        problems.append(Problem(code="manifest-field", file=MANIFEST, message="leika_key must have 14 digits",
                                user_message="Der LeiKa-Schlüssel muss aus 14 Ziffern bestehen."))
    if data["authority_role"] not in AUTHORITY_ROLES:
        problems.append(Problem(
            code="manifest-field", file=MANIFEST, message=f"unknown authority role {data['authority_role']}",
            user_message=f"Unbekannte Behördenrolle „{data['authority_role']}“; erlaubt: "
                         + ", ".join(AUTHORITY_ROLES) + "."))
    manifest = Manifest(**{k: v for k, v in data.items() if isinstance(v, str)})
    return (None if problems else manifest), problems
