"""Validation of XMeld messages against the official XSD bundle, offline.

Contract:

- :meth:`XMeldValidator.for_bundle` compiles ``xmeld/xinneres.xmeld.xsd`` of a bundle
  directory once per process and returns the cached validator (thread-safe). The bundle
  is any directory with that entry schema and a ``catalog.xml``; a newer XMeld release
  is used by pointing ``Settings.xoev_schema_dir`` at it.
- :meth:`XMeldValidator.iter_errors` is the one place that decides validity;
  :meth:`is_valid` and :meth:`validate` are built on it. Input is parsed defused
  (:func:`engine.xoev.catalog.parse_untrusted` rules); a message with a DOCTYPE or in a
  namespace the bundle does not define is invalid, never an exception.
- :meth:`validate` raises :class:`MessageInvalid` with ``context["issues"]`` (the lxml
  issues) and, computed lazily only for invalid messages, ``context["details"]``: the
  same problems as reported by ``xmlschema``, whose messages name the expected content
  where libxml2's are terse. The ``xmlschema`` schema is built once per bundle (it takes
  seconds) with a ``uri_mapper`` from the same catalog and ``allow="local"``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree

from engine.errors import DesignError, MessageInvalid
from engine.xoev.catalog import (
    BundleResolver,
    OfflineResolutionError,
    is_network_url,
    load_catalog,
    parse_untrusted,
    schema_parser,
)

ENTRY_SCHEMA = Path("xmeld") / "xinneres.xmeld.xsd"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
# The XInneres rejection message (0010) is a global element of the compiled schema too.
XINNERES_RUECKWEISUNG_NS = "http://www.osci.de/xinneres/rueckweisung/6"
_SUMMARY_ISSUES = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaIssue:
    """One reason why a message is not valid."""

    line: int
    """1-based line in the message; 0 if unknown."""
    column: int
    """1-based column as libxml2 reports it; 0 if unknown."""
    path: str
    """XPath-like location of the element (``/xmeld:…/nachrichtenkopf.g2g/leser``); "" if unknown."""
    message: str
    """English message of the validator."""

    def __str__(self) -> str:
        where = f"{self.line}:{self.column}" if self.column else str(self.line)
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def _schema_info(entry: Path) -> tuple[str, str]:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    root = etree.parse(str(entry), parser).getroot()
    return root.get("targetNamespace", ""), root.get("version", "")


class XMeldValidator:
    """A compiled XMeld schema bundle. Obtain instances through :meth:`for_bundle`."""

    _cache: ClassVar[dict[Path, XMeldValidator]] = {}
    _by_argument: ClassVar[dict[Path | str, XMeldValidator]] = {}
    _cache_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, bundle: Path) -> None:
        self.bundle = Path(bundle).resolve()
        self.entry = self.bundle / ENTRY_SCHEMA
        if not self.entry.is_file():
            raise DesignError(f"entry schema {self.entry} not found",
                              user_message="Das XMeld-Schemapaket ist unvollständig.", file=str(self.entry))
        self.catalog = load_catalog(self.bundle)
        self.namespace, self.version = _schema_info(self.entry)
        self._schema = self._compile()
        # libxml2 keeps the error log on the schema object, so one validation at a time.
        self._lock = threading.Lock()
        self._xmlschema: Any = None
        self._xmlschema_lock = threading.Lock()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def for_bundle(cls, bundle: Path | str) -> XMeldValidator:
        """The compiled validator of ``bundle``, compiled on first use."""
        # Looked up by the argument as given first: resolving the path costs more than a
        # whole validation of a small message.
        validator = cls._by_argument.get(bundle)
        if validator is not None:
            return validator
        key = Path(bundle).resolve()
        validator = cls._cache.get(key)
        if validator is None:
            with cls._cache_lock:
                validator = cls._cache.get(key)
                if validator is None:
                    validator = cls(key)
                    cls._cache[key] = validator
        cls._by_argument[bundle] = validator
        return validator

    @classmethod
    def clear_cache(cls) -> None:
        """Forget compiled bundles (benchmarks, tests)."""
        with cls._cache_lock:
            cls._cache.clear()
            cls._by_argument.clear()

    def _compile(self) -> etree.XMLSchema:
        resolver = BundleResolver(self.catalog, self.bundle)
        try:
            doc = etree.parse(str(self.entry), schema_parser(resolver))
            schema = etree.XMLSchema(doc)
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as err:
            if resolver.refused:  # lxml reports a refusal only as "failed to load external entity"
                raise OfflineResolutionError("; ".join(dict.fromkeys(resolver.refused)),
                                             bundle=str(self.bundle)) from err
            raise DesignError(f"cannot compile {self.entry}: {err}",
                              user_message="Das XMeld-Schemapaket lässt sich nicht übersetzen.",
                              bundle=str(self.bundle)) from err
        if resolver.refused:  # libxml2 may skip a failed xs:import and compile anyway
            raise OfflineResolutionError("; ".join(dict.fromkeys(resolver.refused)), bundle=str(self.bundle))
        return schema

    # -- validation ---------------------------------------------------------------------

    def iter_errors(self, xml: bytes) -> Iterator[SchemaIssue]:
        """Every reason why ``xml`` is not a valid message of this bundle (none: valid)."""
        try:
            tree = parse_untrusted(xml)
        except MessageInvalid as err:
            yield SchemaIssue(line=err.context.get("line") or 0, column=0, path="", message=str(err))
            return
        root = tree.getroot()
        namespace = etree.QName(root).namespace
        if namespace not in (self.namespace, XINNERES_RUECKWEISUNG_NS):
            yield SchemaIssue(
                line=root.sourceline or 0,
                column=0,
                path=tree.getpath(root),
                message=f"root element is in namespace {namespace!r}, not the bundle's {self.namespace!r}",
            )
        aborted = None
        # Copy the log while holding the lock and yield only after releasing it: a caller that
        # stops iterating early (is_valid) must not leave the lock taken.
        with self._lock:
            try:
                valid = self._schema.validate(tree)
            except etree.XMLSchemaValidateError as err:  # e.g. a stray entity reference
                valid, aborted = False, f"validation aborted: {err}"
            entries = [] if valid or aborted else list(self._schema.error_log)
        if aborted:
            yield SchemaIssue(line=0, column=0, path="", message=aborted)
        for entry in entries:
            yield SchemaIssue(line=entry.line, column=entry.column, path=entry.path or "", message=entry.message)

    def is_valid(self, xml: bytes) -> bool:
        return next(self.iter_errors(xml), None) is None

    def validate(self, xml: bytes, *, explain: bool = True, **context: Any) -> None:
        """Raise :class:`MessageInvalid` unless ``xml`` is valid.

        ``explain=False`` skips the (slow on first use) ``xmlschema`` second opinion.
        ``context`` is added to the exception (message type, case id …).
        """
        issues = list(self.iter_errors(xml))
        if not issues:
            return
        details = self.explain(xml) if explain else []
        first = "; ".join(
            f"Zeile {i.line}" + (f" ({i.path})" if i.path else "") + f": {i.message.rstrip('.')}"
            for i in issues[:_SUMMARY_ISSUES]
        )
        more = f" und {len(issues) - _SUMMARY_ISSUES} weitere" if len(issues) > _SUMMARY_ISSUES else ""
        raise MessageInvalid(
            f"message does not validate against {self.entry.name} ({len(issues)} issues): "
            + "; ".join(str(i) for i in issues[:_SUMMARY_ISSUES]),
            user_message=f"Die Nachricht entspricht nicht dem XMeld-Schema {self.version} "
            f"({len(issues)} Fehler). {first}{more}.",
            issues=issues,
            details=details,
            **context,
        )

    # -- second opinion -----------------------------------------------------------------

    def explain(self, xml: bytes) -> list[SchemaIssue]:
        """The problems as ``xmlschema`` words them (with the expected content)."""
        try:
            tree = parse_untrusted(xml)
        except MessageInvalid:
            return []
        schema = self._xmlschema_schema()
        issues = []
        for err in schema.iter_errors(tree, use_location_hints=False):
            issues.append(SchemaIssue(
                line=getattr(err, "sourceline", None) or 0,
                column=0,
                path=err.path or "",
                message=err.reason or str(err.message),
            ))
        return issues

    def _xmlschema_schema(self) -> Any:
        if self._xmlschema is None:
            with self._xmlschema_lock:
                if self._xmlschema is None:
                    self._xmlschema = self._build_xmlschema()
        return self._xmlschema

    def _build_xmlschema(self) -> Any:
        import xmlschema  # imported lazily: only needed to explain invalid messages

        refused: list[str] = []
        catalog = self.catalog
        bundle = self.bundle

        def uri_mapper(uri: str) -> str:
            path = catalog.resolve_file(uri)
            if path is not None:
                return str(path)
            if is_network_url(uri):  # allow="local" blocks it; remember it for a clear error
                refused.append(f"refusing network access: {uri} is not mapped by {catalog.path}")
            return uri

        try:
            schema = xmlschema.XMLSchema10(str(self.entry), allow="local", uri_mapper=uri_mapper)
        except xmlschema.XMLSchemaException as err:
            if refused:
                raise OfflineResolutionError("; ".join(dict.fromkeys(refused)), bundle=str(bundle)) from err
            raise DesignError(f"xmlschema cannot build {self.entry}: {err}",
                              user_message="Das XMeld-Schemapaket lässt sich nicht übersetzen.") from err
        if refused:
            raise OfflineResolutionError("; ".join(dict.fromkeys(refused)), bundle=str(bundle))
        return schema
