"""Offline resolution of schema documents, and defused parsing of incoming XML.

Contract:

- :class:`XmlCatalog` reads the part of OASIS XML Catalogs 1.1 that the bundle's
  ``catalog.xml`` uses: ``system``, ``uri``, ``rewriteSystem``, ``rewriteURI``,
  ``systemSuffix``, ``uriSuffix``, nested ``group`` and ``xml:base``. ``public`` entries
  are skipped (schemas are looked up by system id). ``nextCatalog`` and ``delegate*`` are
  refused, so resolution can never depend on a file outside the bundle.
- :class:`BundleResolver` (an lxml resolver) answers every catalogued URL with the local
  file, refuses every other network URL with :class:`OfflineResolutionError` and refuses
  local files outside the bundle directory. :func:`schema_parser` returns a parser that
  uses it, with ``no_network=True`` and ``resolve_entities=False``.
- :func:`parse_untrusted` parses a message from outside: no DTD loading, no entity
  expansion, no network, no huge trees; a document with a DOCTYPE is refused.

Nothing here downloads anything; the absence of network access is a property of the
code, not of the machine it runs on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from engine.errors import DesignError, MessageInvalid

CATALOG_FILE = "catalog.xml"
CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_NETWORK_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp"})
_REFUSED_ENTRIES = frozenset({"nextCatalog", "delegatePublic", "delegateSystem", "delegateURI"})


class OfflineResolutionError(DesignError):
    """A schema document was requested that the bundle cannot supply locally."""

    user_message = (
        "Das XMeld-Schemapaket ist unvollständig: ein benötigtes Schema ist nicht lokal "
        "vorhanden (ein Download aus dem Netz findet nicht statt)."
    )


def is_network_url(url: str) -> bool:
    return urlsplit(url).scheme.lower() in _NETWORK_SCHEMES


def _local_path(url: str) -> Path | None:
    """The file a ``file:`` URL or a plain path denotes; None for other schemes."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if parts.scheme == "" or (len(parts.scheme) == 1 and url[1:2] == ":"):  # plain path (or C:\…)
        return Path(url)
    return None


@dataclass(slots=True)
class _Rules:
    exact: dict[str, str] = field(default_factory=dict)
    prefixes: list[tuple[str, str]] = field(default_factory=list)
    suffixes: list[tuple[str, str]] = field(default_factory=list)

    def lookup(self, ident: str) -> str | None:
        # Precedence per OASIS catalogs: exact match, then the longest matching rewrite
        # prefix, then the longest matching suffix.
        if ident in self.exact:
            return self.exact[ident]
        prefix = max((p for p in self.prefixes if ident.startswith(p[0])), key=lambda p: len(p[0]), default=None)
        if prefix is not None:
            return prefix[1] + ident[len(prefix[0]):]
        suffix = max((s for s in self.suffixes if ident.endswith(s[0])), key=lambda s: len(s[0]), default=None)
        return suffix[1] if suffix is not None else None


class XmlCatalog:
    """The mappings of one ``catalog.xml``; targets are absolute URLs."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).resolve()
        self._system = _Rules()
        self._uri = _Rules()
        parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
        try:
            root = etree.parse(str(self.path), parser).getroot()
        except (OSError, etree.XMLSyntaxError) as err:
            raise DesignError(f"cannot read XML catalog {self.path}: {err}",
                              user_message="Der XML-Katalog des XMeld-Schemapakets ist nicht lesbar.",
                              file=str(self.path)) from err
        if root.tag != f"{{{CATALOG_NS}}}catalog":
            raise DesignError(f"{self.path} is not an OASIS XML catalog (root element {root.tag})",
                              user_message="Der XML-Katalog des XMeld-Schemapakets ist ungültig.",
                              file=str(self.path))
        self._read(root, self.path.as_uri())

    def _read(self, element: etree._Element, base: str) -> None:
        for child in element:
            if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{CATALOG_NS}}}"):
                continue  # comments and foreign elements carry no mappings
            kind = etree.QName(child).localname
            here = urljoin(base, child.get(_XML_BASE)) if child.get(_XML_BASE) else base
            if kind == "group":
                self._read(child, here)
            elif kind == "system":
                self._system.exact.setdefault(child.get("systemId", ""), urljoin(here, child.get("uri", "")))
            elif kind == "uri":
                self._uri.exact.setdefault(child.get("name", ""), urljoin(here, child.get("uri", "")))
            elif kind == "rewriteSystem":
                self._system.prefixes.append(
                    (child.get("systemIdStartString", ""), urljoin(here, child.get("rewritePrefix", "")))
                )
            elif kind == "rewriteURI":
                self._uri.prefixes.append(
                    (child.get("uriStartString", ""), urljoin(here, child.get("rewritePrefix", "")))
                )
            elif kind == "systemSuffix":
                self._system.suffixes.append((child.get("systemIdSuffix", ""), urljoin(here, child.get("uri", ""))))
            elif kind == "uriSuffix":
                self._uri.suffixes.append((child.get("uriSuffix", ""), urljoin(here, child.get("uri", ""))))
            elif kind in _REFUSED_ENTRIES:
                raise DesignError(
                    f"{self.path}: catalog entry <{kind}> is not supported (it could reach outside the bundle)",
                    user_message="Der XML-Katalog des XMeld-Schemapakets verweist auf weitere Kataloge; "
                    "das ist nicht zulässig.",
                    file=str(self.path),
                )

    def resolve(self, ident: str) -> str | None:
        """The catalogued target URL for a system id or URI, or None if not catalogued."""
        return self._system.lookup(ident) or self._uri.lookup(ident)

    def resolve_file(self, ident: str) -> Path | None:
        """Like :meth:`resolve`, but the target must be an existing local file."""
        target = self.resolve(ident)
        if target is None:
            return None
        path = _local_path(target)
        if path is None or not path.is_file():
            raise OfflineResolutionError(f"catalog {self.path} maps {ident} to {target}, which is not a local file")
        return path


def load_catalog(bundle: Path) -> XmlCatalog:
    path = Path(bundle) / CATALOG_FILE
    if not path.is_file():
        raise OfflineResolutionError(f"no {CATALOG_FILE} in schema bundle {bundle}")
    return XmlCatalog(path)


class BundleResolver(etree.Resolver):
    """Serves schema documents from the bundle only.

    lxml swallows exceptions raised here into a generic "failed to load" parse error, so
    every refusal is also recorded in :attr:`refused` for the caller to report.
    """

    def __init__(self, catalog: XmlCatalog, bundle: Path) -> None:
        super().__init__()
        self.catalog = catalog
        self.bundle = Path(bundle).resolve()
        self.refused: list[str] = []

    def _refuse(self, reason: str) -> NoReturn:
        self.refused.append(reason)
        raise OfflineResolutionError(reason)

    def resolve(self, system_url, public_id, context):  # type: ignore[override]
        if not system_url:
            return None
        try:
            path = self.catalog.resolve_file(system_url)
        except OfflineResolutionError as err:
            self._refuse(str(err))
        if path is None:
            if is_network_url(system_url):
                self._refuse(f"refusing network access: {system_url} is not mapped by {self.catalog.path}")
            local = _local_path(system_url)
            if local is None:
                self._refuse(f"refusing to load {system_url}: only catalogued URLs and bundle files are allowed")
            path = local
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(self.bundle):
            self._refuse(f"refusing to load {resolved}: outside the schema bundle {self.bundle}")
        return self.resolve_filename(str(resolved), context)


def schema_parser(resolver: etree.Resolver) -> etree.XMLParser:
    """Parser for the bundle's own schema documents (trusted, but still offline)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(resolver)
    return parser


class _RefuseAll(etree.Resolver):
    def resolve(self, system_url, public_id, context):  # type: ignore[override]
        raise MessageInvalid(f"an incoming message tried to load {system_url!r}")


def untrusted_parser() -> etree.XMLParser:
    """Parser for messages from outside (defused; one per call, lxml parsers are not thread-safe)."""
    parser = etree.XMLParser(
        no_network=True,
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )
    parser.resolvers.add(_RefuseAll())
    return parser


_local = threading.local()


def _thread_parser() -> etree.XMLParser:
    # Building a parser costs about as much as parsing a small message; one per thread.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = untrusted_parser()
    return parser


def parse_untrusted(xml: bytes) -> etree._ElementTree:
    """Parse an incoming message; raises :class:`MessageInvalid` if it is not well-formed
    or carries a DOCTYPE (entities are never expanded, so a DTD can only do harm)."""
    try:
        tree = etree.ElementTree(etree.fromstring(xml, _thread_parser()))
    except etree.XMLSyntaxError as err:
        raise MessageInvalid(
            f"message is not well-formed XML: {err}",
            user_message="Die Nachricht ist kein wohlgeformtes XML.",
            line=err.lineno,
        ) from err
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise MessageInvalid(
            "message carries a DOCTYPE; refused",
            user_message="Die Nachricht enthält eine DOCTYPE-Deklaration; das ist nicht zulässig.",
            line=1,
        )
    return tree
