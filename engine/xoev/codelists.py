"""Central registry of the code lists used in XMeld messages (``listURI`` → version, codes).

Contract: every code element the engine writes gets its ``listURI`` and ``listVersionID``
from here, never from a template. Three sources, in this order of authority:

1. The XSD bundle: code types whose ``listVersionID`` is ``fixed`` ("Typ 1"); their codes
   are the ``xs:enumeration`` values. The schema is authoritative – it rejects anything else.
2. Official genericode 1.0 files copied unchanged into ``xoev_schemas/codelists/``
   ("Typ 3": the XSD requires a ``listVersionID`` but does not fix it). Version and codes
   are read from the file (``Identification/Version``, key column of ``ColumnSet/Key``).
3. ``versions.toml`` in the same folder, for lists whose file is too large or not
   available (the AGS list); the version is stated there with a note, codes are unknown.

If a list is in both the XSD and a file with different versions, that is reported in
:attr:`CodeListRegistry.problems` (the XSD wins). The registry is immutable after loading.
"""

from __future__ import annotations

import difflib
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar

from lxml import etree

from engine.errors import DesignError

XSD_NS = "http://www.w3.org/2001/XMLSchema"
_NS = {"xs": XSD_NS}
VERSIONS_FILE = "versions.toml"
# Preferred label columns of the genericode files in use; otherwise the column after the key.
_LABEL_COLUMNS = ("name", "beschreibung", "Beschreibung", "Gebietsbezeichnung-kurz", "Staatsangehoerigkeit",
                  "vergebendestelle")


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeList:
    """One version of one code list."""

    uri: str
    """The ``listURI`` (canonical URI of the list)."""
    version: str
    """The ``listVersionID`` to write."""
    codes: Mapping[str, str] | None
    """Code → German label; None if the codes are not available offline (then any code passes)."""
    source: str
    """Where version and codes come from (file name, ``xsd:<type name>`` or ``versions.toml``)."""
    fixed_by_schema: bool
    """True if the XSD fixes the version (and usually enumerates the codes)."""

    def __contains__(self, code: object) -> bool:
        return self.codes is None or code in self.codes


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _read_genericode(path: Path) -> CodeList:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    if _local(root.tag) != "CodeList":
        raise DesignError(f"{path} is not a genericode CodeList", file=str(path))

    def text(xpath: str) -> str:
        return str(root.xpath(f"string({xpath})")).strip()

    uri = text("*[local-name()='Identification']/*[local-name()='CanonicalUri']")
    version = text("*[local-name()='Identification']/*[local-name()='Version']")
    columns = [str(c) for c in root.xpath("*[local-name()='ColumnSet']/*[local-name()='Column']/@Id")]
    keys = [str(k) for k in root.xpath(
        "*[local-name()='ColumnSet']/*[local-name()='Key']/*[local-name()='ColumnRef']/@Ref")]
    if not (uri and version and keys):
        raise DesignError(f"{path}: genericode without CanonicalUri, Version or Key", file=str(path))
    key = keys[0]
    label_column = next((c for c in _LABEL_COLUMNS if c in columns and c != key), None)
    if label_column is None:
        rest = [c for c in columns if c != key]
        label_column = rest[0] if rest else key
    codes: dict[str, str] = {}
    for row in root.xpath("*[local-name()='SimpleCodeList']/*[local-name()='Row']"):
        values = {
            v.get("ColumnRef"): str(v.xpath("string(*[local-name()='SimpleValue'])")).strip()
            for v in row.xpath("*[local-name()='Value']")
        }
        if values.get(key):
            codes[values[key]] = values.get(label_column, "")
    return CodeList(uri=uri, version=version, codes=MappingProxyType(codes), source=path.name,
                    fixed_by_schema=False)


def _read_schema_lists(bundle: Path) -> dict[str, CodeList]:
    """Code types in the XSDs whose ``listURI`` is fixed: version (if fixed) and enumerated codes."""
    found: dict[str, CodeList] = {}
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    for xsd in sorted(bundle.rglob("*.xsd")):
        tree = etree.parse(str(xsd), parser)
        for ctype in tree.xpath("//xs:complexType[.//xs:attribute[@name='listURI'][@fixed]]", namespaces=_NS):
            uri = ctype.xpath("string(.//xs:attribute[@name='listURI']/@fixed)", namespaces=_NS)
            version = ctype.xpath("string(.//xs:attribute[@name='listVersionID']/@fixed)", namespaces=_NS)
            enums = ctype.xpath(".//xs:element[@name='code']//xs:enumeration", namespaces=_NS)
            codes = {
                e.get("value"): str(e.xpath("string(xs:annotation/xs:appinfo/*[local-name()='name'])",
                                            namespaces=_NS)).strip()
                for e in enums
            }
            if uri in found and found[uri].fixed_by_schema:
                continue  # the same list restricted in another module: first fixed one wins
            found[uri] = CodeList(
                uri=uri,
                version=version,
                codes=MappingProxyType(codes) if codes else None,
                source=f"xsd:{ctype.get('name')}",
                fixed_by_schema=bool(version),
            )
    return found


class CodeListRegistry:
    """All code lists known to the engine. Use :meth:`load` (cached per folder pair)."""

    _cache: ClassVar[dict[tuple[Path, Path], CodeListRegistry]] = {}
    _by_argument: ClassVar[dict[tuple[Path, Path], CodeListRegistry]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, codelists_dir: Path, bundle: Path) -> None:
        self.codelists_dir = Path(codelists_dir)
        self.bundle = Path(bundle)
        self.problems: list[str] = []
        lists: dict[str, CodeList] = {}
        schema_lists = _read_schema_lists(self.bundle)
        for path in sorted(self.codelists_dir.glob("*.xml")):
            code_list = _read_genericode(path)
            if code_list.uri in lists:
                self.problems.append(f"{path.name}: second file for {code_list.uri}; ignored")
                continue
            lists[code_list.uri] = code_list
        for uri, from_schema in schema_lists.items():
            from_file = lists.get(uri)
            if from_schema.fixed_by_schema:
                if from_file is not None and from_file.version != from_schema.version:
                    self.problems.append(
                        f"{from_file.source}: version {from_file.version} but the XSD fixes "
                        f"{from_schema.version} for {uri}; the XSD's version is used"
                    )
                if from_file is not None and from_schema.codes is None:
                    from_schema = CodeList(uri=uri, version=from_schema.version, codes=from_file.codes,
                                           source=from_file.source, fixed_by_schema=True)
                lists[uri] = from_schema
            elif from_file is None:
                lists.setdefault(uri, from_schema)  # version still unknown; versions.toml may supply it
        versions_file = self.codelists_dir / VERSIONS_FILE
        if versions_file.is_file():
            with versions_file.open("rb") as fh:
                declared = tomllib.load(fh)
            for uri, entry in declared.items():
                current = lists.get(uri)
                if current is not None and current.version:
                    self.problems.append(f"{VERSIONS_FILE}: {uri} already has version {current.version}")
                    continue
                lists[uri] = CodeList(uri=uri, version=str(entry["version"]), codes=None,
                                      source=VERSIONS_FILE, fixed_by_schema=False)
        self._lists = lists

    @classmethod
    def load(cls, codelists_dir: Path, bundle: Path) -> CodeListRegistry:
        registry = cls._by_argument.get((codelists_dir, bundle))  # no path resolution per message
        if registry is not None:
            return registry
        key = (Path(codelists_dir).resolve(), Path(bundle).resolve())
        with cls._lock:
            registry = cls._cache.get(key)
            if registry is None:
                registry = cls._cache[key] = cls(*key)
            cls._by_argument[(codelists_dir, bundle)] = registry
            return registry

    @classmethod
    def clear_cache(cls) -> None:
        with cls._lock:
            cls._cache.clear()
            cls._by_argument.clear()

    def __contains__(self, uri: object) -> bool:
        return uri in self._lists and bool(self._lists[uri].version)  # type: ignore[index]

    def get(self, uri: str) -> CodeList:
        """The list with this ``listURI``; :class:`DesignError` if it is unknown or has no version."""
        code_list = self._lists.get(uri)
        if code_list is None or not code_list.version:
            close = difflib.get_close_matches(uri, [u for u in self._lists if u != uri], n=1)
            hint = f" Meinten Sie {close[0]}?" if close and code_list is None else ""
            raise DesignError(
                f"code list {uri} is unknown or has no version (add its genericode file or a "
                f"{VERSIONS_FILE} entry in {self.codelists_dir})",
                user_message=f"Die Codeliste {uri} ist nicht hinterlegt.{hint}",
                code_list=uri,
            )
        return code_list

    def uris(self) -> list[str]:
        return sorted(uri for uri in self._lists if uri in self)
