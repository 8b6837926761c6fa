"""Message types as data: one folder per type under ``Settings.message_types_dir``.

Contract: a folder ``<message_type>/`` holds

- ``message.toml``: ``message_type`` (= folder name = XMeld root element, e.g.
  ``rueckmeldung.anmeldunginland.0201``), ``code`` (the four digits the name ends in),
  ``title_de``, ``description_de``, ``rechtsgrundlage``, ``author_role``, ``default_reader_role``,
  optionally ``header`` (the header family, :mod:`engine.xoev.headers`; default ``g2g``; must be
  the family the XSD derives the root element from);
- ``input.schema.json``: JSON Schema 2020-12 of the ``data`` mapping (see
  :mod:`engine.xoev.input_schema` for the extra keywords);
- ``template.xml.j2``: the payload after the message header (see :mod:`engine.xoev.templating`);
- ``example.json``: ``{"author": {…}, "reader": {…}, "data": {…}}`` – fictitious; a customer
  party is written ``{"kunde": {…}}`` (:mod:`engine.xoev.kunde`).

Folders whose name starts with ``_`` (shared macros) or ``.`` are not message types.
:func:`load_message_types` raises :class:`DesignError` naming the file of the first broken
type; it is cached per folder and reloads when a file in the folder changes.
"""

from __future__ import annotations

import json
import os
import threading
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from jinja2 import Template, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from engine.errors import DesignError
from engine.xoev.codelists import CodeListRegistry
from engine.xoev.headers import G2G, header_family, schema_headers
from engine.xoev.input_schema import FORMATS, input_errors, make_validator, unchecked_strings
from engine.xoev.quickcheck import Undecided, compile_quick_check
from engine.xoev.templating import build_environment

MESSAGE_FILE = "message.toml"
INPUT_SCHEMA_FILE = "input.schema.json"
TEMPLATE_FILE = "template.xml.j2"
EXAMPLE_FILE = "example.json"
_REQUIRED_KEYS = ("message_type", "code", "title_de", "description_de", "rechtsgrundlage",
                  "author_role", "default_reader_role")


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageExample:
    """The fictitious input shipped with a message type (``example.json``)."""

    author: Mapping[str, Any]
    """Fields of an :class:`~engine.xoev.generate.AuthorityRef` for the author, or ``{"kunde": {…}}``."""
    reader: Mapping[str, Any]
    """Fields of an :class:`~engine.xoev.generate.AuthorityRef` for the reader, or ``{"kunde": {…}}``."""
    data: Mapping[str, Any]
    """The ``data`` mapping; valid against the input schema."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageType:
    """One message type, loaded from its folder."""

    name: str
    """XMeld root element name, e.g. ``rueckmeldung.anmeldunginland.0201``."""
    code: str
    """Code in ``urn:de:xmeld:schluesseltabelle:xmeld.nachrichten``, e.g. ``0201``."""
    title_de: str
    description_de: str
    rechtsgrundlage: str
    author_role: str
    """Role of the sending authority (``meldebehoerde``)."""
    default_reader_role: str
    """Role of the usual reader (``meldebehoerde``, ``statistisches_landesamt`` …)."""
    directory: Path
    input_schema: Mapping[str, Any]
    example: MessageExample
    template: Template = field(repr=False)
    validator: Draft202012Validator = field(repr=False)
    """Input validator with the DIN SPEC 91379 and code list keywords bound."""
    quick_check: Callable[[Any], bool] | None = field(default=None, repr=False)
    """Fast exact yes/no for valid input (:mod:`engine.xoev.quickcheck`); None: always use ``validator``."""
    header: str = G2G
    """Header family (``g2g``, ``b2b``, ``b2privat``, ``privat2b``, ``kunde2dienstleister``,
    ``dienstleister2kunde``): which header the engine writes and who author and reader are."""

    def input_errors(self, data: Any) -> dict[str, list[str]]:
        """German messages per field for ``data`` (already normalised); empty if valid."""
        if self.quick_check is not None:
            try:
                if self.quick_check(data):
                    return {}
            except Undecided:
                pass
        return input_errors(self.validator, data)

    @property
    def root_element(self) -> str:
        return self.name


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise DesignError(f"{path}: {err}", user_message=f"Die Datei {path.name} ist nicht lesbar oder kein "
                          "gültiges JSON.", file=str(path)) from err


def load_one(directory: Path, env: SandboxedEnvironment, registry: CodeListRegistry, bundle: Path) -> MessageType:
    """Load and check one message-type folder (not the example's rendering: see the catalog check)."""
    toml_path = directory / MESSAGE_FILE
    try:
        with toml_path.open("rb") as fh:
            meta = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise DesignError(f"{toml_path}: {err}", user_message=f"{toml_path.name} ist nicht lesbar oder kein "
                          "gültiges TOML.", file=str(toml_path)) from err
    missing = [k for k in _REQUIRED_KEYS if not meta.get(k)]
    if missing:
        raise DesignError(f"{toml_path}: missing keys {missing}",
                          user_message=f"In {toml_path.name} fehlen die Angaben: {', '.join(missing)}.",
                          file=str(toml_path))
    name = str(meta["message_type"])
    if name != directory.name:
        raise DesignError(f"{toml_path}: message_type {name!r} differs from the folder name",
                          user_message=f"message_type „{name}“ muss dem Ordnernamen „{directory.name}“ entsprechen.",
                          file=str(toml_path))
    code = str(meta["code"])
    if not (len(code) == 4 and code.isdigit() and name.endswith("." + code)):
        raise DesignError(f"{toml_path}: code {code!r} is not the four digits {name!r} ends in",
                          user_message=f"Der Code {code} passt nicht zum Nachrichtentyp {name}.",
                          file=str(toml_path))
    if code not in registry.get("urn:de:xmeld:schluesseltabelle:xmeld.nachrichten"):
        raise DesignError(f"{toml_path}: {code} is not an XMeld message code of this bundle",
                          user_message=f"{code} ist kein Nachrichtencode des XMeld-Schemapakets.",
                          file=str(toml_path))
    header = _header(meta, name, toml_path, bundle)

    schema_path = directory / INPUT_SCHEMA_FILE
    schema = _read_json(schema_path)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        raise DesignError(f"{schema_path}: {err.message}",
                          user_message=f"{schema_path.name} ist kein gültiges JSON-Schema: {err.message}",
                          file=str(schema_path)) from err
    unchecked = unchecked_strings(schema)
    if unchecked:
        raise DesignError(
            f"{schema_path}: string fields without x-din91379/x-codelist/enum/format/pattern: {unchecked}",
            user_message=f"{schema_path.name}: Textfelder ohne Zeichenprüfung (x-din91379 oder x-codelist "
            f"angeben): {', '.join(unchecked)}",
            file=str(schema_path),
        )
    for uri in _codelists_in(schema):
        registry.get(uri)  # an unknown list is a design error now, not at the first message

    example_path = directory / EXAMPLE_FILE
    example_raw = _read_json(example_path)
    if not (isinstance(example_raw, dict) and {"author", "reader", "data"} <= example_raw.keys()):
        raise DesignError(f"{example_path}: needs the keys author, reader and data",
                          user_message=f"{example_path.name} braucht die Schlüssel author, reader und data.",
                          file=str(example_path))

    template_name = f"{directory.name}/{TEMPLATE_FILE}"
    try:
        template = env.get_template(template_name)
    except TemplateSyntaxError as err:
        raise DesignError(f"{directory / TEMPLATE_FILE}:{err.lineno}: {err.message}",
                          user_message=f"{TEMPLATE_FILE}, Zeile {err.lineno}: {err.message}",
                          file=str(directory / TEMPLATE_FILE), line=err.lineno) from err
    except OSError as err:
        raise DesignError(f"{directory / TEMPLATE_FILE}: {err}", user_message=f"{TEMPLATE_FILE} fehlt.",
                          file=str(directory / TEMPLATE_FILE)) from err

    return MessageType(
        name=name,
        code=code,
        title_de=str(meta["title_de"]),
        description_de=str(meta["description_de"]).strip(),
        rechtsgrundlage=str(meta["rechtsgrundlage"]),
        author_role=str(meta["author_role"]),
        default_reader_role=str(meta["default_reader_role"]),
        directory=directory,
        input_schema=MappingProxyType(schema),
        example=MessageExample(author=example_raw["author"], reader=example_raw["reader"],
                               data=example_raw["data"]),
        template=template,
        validator=make_validator(schema, registry, bundle),
        quick_check=compile_quick_check(schema, registry, bundle, FORMATS),
        header=header,
    )


def _header(meta: Mapping[str, Any], name: str, toml_path: Path, bundle: Path) -> str:
    """The declared header family, which must be the one the XSD derives ``name`` from."""
    declared = meta.get("header", G2G)
    if not isinstance(declared, str):
        raise DesignError(f"{toml_path}: header must be a string", file=str(toml_path),
                          user_message=f"In {toml_path.name} muss header ein Text sein, z. B. header = \"b2privat\".")
    family = header_family(declared, file=str(toml_path))
    expected = schema_headers(bundle).families.get(name)
    if expected is not None and expected != family.name:
        raise DesignError(
            f"{toml_path}: {name} derives from the {expected} header in the XSD, not {family.name}",
            user_message=f"Laut XSD hat {name} den Nachrichtenkopf „{expected}“: in {toml_path.name} "
            + (f"header = \"{expected}\" angeben." if expected != G2G else "die Angabe header weglassen.")
            + f" (angegeben: „{family.name}“)",
            file=str(toml_path),
        )
    return family.name


def _codelists_in(schema: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, Mapping):
        if isinstance(schema.get("x-codelist"), str):
            found.add(schema["x-codelist"])
        for sub in schema.values():
            found |= _codelists_in(sub)
    elif isinstance(schema, list):
        for sub in schema:
            found |= _codelists_in(sub)
    return found


def type_directories(root: Path) -> list[Path]:
    if not root.is_dir():
        raise DesignError(f"message types folder {root} does not exist",
                          user_message="Der Ordner der Nachrichtentypen fehlt.", file=str(root))
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap fingerprint of the folder, so a designer's edit is picked up without a restart.

    Taken before every message, so it uses ``os.scandir`` (one ``stat`` per file, no
    ``Path`` objects): about 0.15 ms for the shipped types on the 2-core development machine.
    """
    entries: list[tuple[str, int, int]] = []
    pending = [os.fspath(root)]
    while pending:
        with os.scandir(pending.pop()) as it:
            for entry in it:
                if entry.is_dir():
                    pending.append(entry.path)
                elif entry.is_file():
                    stat = entry.stat()
                    entries.append((entry.path, stat.st_mtime_ns, stat.st_size))
    entries.sort()
    return tuple(entries)


@dataclass(slots=True)
class LoadedTypes:
    env: SandboxedEnvironment
    types: dict[str, MessageType]


_cache: dict[tuple[Path, Path, Path], tuple[tuple[tuple[str, int, int], ...], LoadedTypes]] = {}
_cache_lock = threading.Lock()


_resolved: dict[tuple[Path, Path, Path], tuple[Path, Path, Path]] = {}


def load_message_types(root: Path, registry: CodeListRegistry, bundle: Path) -> LoadedTypes:
    """All message types under ``root`` (cached; reloaded when a file changes)."""
    given = (root, registry.codelists_dir, bundle)
    key = _resolved.get(given)
    if key is None:  # resolving paths costs more than the fingerprint; done once per argument
        key = _resolved[given] = (Path(root).resolve(), registry.codelists_dir.resolve(), Path(bundle).resolve())
    signature = _signature(key[0])
    cached = _cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        env = build_environment(key[0], registry, key[2])
        types = {d.name: load_one(d, env, registry, key[2]) for d in type_directories(key[0])}
        loaded = LoadedTypes(env=env, types=types)
        _cache[key] = (signature, loaded)
        return loaded


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
