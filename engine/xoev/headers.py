"""Header families of XMeld messages: which header a type gets, and the non-G2G header.

Contract: a message type names its family in ``message.toml`` (``header``, default ``g2g``);
:func:`header_family` turns the name into a :class:`HeaderFamily` (:class:`DesignError` with a
suggestion otherwise). The engine writes every header centrally, never a type's template:

- ``g2g`` – ``nachrichtenkopf.g2g`` with ``leser``/``autor`` and ``anschrift.*`` (XInneres
  ``Nachricht.G2G``; all messages except 0600–0604 and 0900). Rendered by
  :mod:`engine.xoev.generate` exactly as before this module existed.
- the ``basisnachricht`` families (``xmeld:type.basisnachricht``): root attributes ``fassung``
  (the value the XSD fixes), ``version``, ``produkt``, ``produkthersteller``; first child
  ``xmeld:nachrichtenkopf`` with ``xmeld:identifikation.nachricht`` (``nachrichtennummer``,
  ``erstellungszeitpunkt``, ``tagesvorgangszaehler``) and the two parties of the family
  (:data:`FAMILIES`): an authority as ``type.Erreichbare.Behoerde``/``type.Behoerde``, a
  customer as ``type.Kunde`` (:class:`engine.xoev.kunde.KundeRef`), or a ``dienstleister`` text.
  :data:`BASIS_ENVELOPE` is that header as a template.

:func:`schema_headers` reads from the XSD bundle which family each message element derives
from, so a type that declares the wrong one is refused when it is loaded (with the right
value in the message). The party formats below (postcode, house number, e-mail, DVDV key) are
the ones both families check.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from uuid import UUID

from lxml import etree

from engine.errors import DesignError

G2G = "g2g"
"""The default family (``nachrichtenkopf.g2g``)."""
BEHOERDE = "behoerde"
KUNDE = "kunde"

DVDV_KENNUNG = re.compile(r"^([a-z]+):([0-9A-Za-z]+)$")
PLZ = re.compile(r"^[0-9]{5}$")
HAUSNUMMER = re.compile(r"^[0-9]{1,4}\s*[A-Za-z]{0,2}(\s*-\s*[0-9]{1,4}\s*[A-Za-z]{0,2})?$")
HAUSNUMMER_RANGE = re.compile(
    r"^\s*(?P<start>[0-9]{1,4}\s*[A-Za-z]{0,2})\s*-\s*(?P<end>[0-9]{1,4})\s*(?P<end_suffix>[A-Za-z]{0,2})\s*$"
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_XS = "http://www.w3.org/2001/XMLSchema"
_BASISNACHRICHT = "type.basisnachricht"
_MILLISECOND = timedelta(milliseconds=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Party:
    """One party element of a header."""

    element: str
    """Element name in ``xmeld:nachrichtenkopf`` (``absender``, ``empfaenger``, ``kunde``, ``dienstleister``)."""
    role: str
    """``author`` or ``reader``: which argument of :func:`~engine.xoev.generate.build_message` it is."""
    form: str
    """``erreichbar`` (``type.Erreichbare.Behoerde``: address and e-mail required), ``behoerde``
    (``type.Behoerde``), ``kunde`` (``type.Kunde``) or ``dienstleister`` (the authority's name as text)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HeaderFamily:
    """A header family: its XSD base type and who writes to whom."""

    name: str
    """Value of ``header`` in ``message.toml``."""
    base_type: str
    """The XMeld complex type the message elements of this family derive from."""
    title_de: str
    parties: tuple[Party, ...]
    """The party elements in header order (empty for ``g2g``, whose header has its own layout)."""
    author: str
    """``behoerde`` or ``kunde``: what ``author`` must be."""
    reader: str
    """``behoerde`` or ``kunde``: what ``reader`` must be."""

    @property
    def is_g2g(self) -> bool:
        return self.name == G2G


def _family(name: str, base_type: str, title_de: str, *parties: tuple[str, str, str]) -> HeaderFamily:
    items = tuple(Party(element=e, role=r, form=f) for e, r, f in parties)
    kinds = {p.role: (KUNDE if p.form == KUNDE else BEHOERDE) for p in items}
    return HeaderFamily(name=name, base_type=base_type, title_de=title_de, parties=items,
                        author=kinds.get("author", BEHOERDE), reader=kinds.get("reader", BEHOERDE))


FAMILIES: Mapping[str, HeaderFamily] = MappingProxyType({f.name: f for f in (
    _family(G2G, "type.Nachricht.G2G", "Behörde an Behörde (nachrichtenkopf.g2g)"),
    _family("b2b", "type.datenuebermittlung.b2b", "Behörde an Behörde (basisnachricht, z. B. 0900)",
            ("absender", "author", "erreichbar"), ("empfaenger", "reader", BEHOERDE)),
    _family("b2privat", "type.datenuebermittlung.b2privat", "Behörde an Person oder Stelle (z. B. 0601)",
            ("absender", "author", "erreichbar"), ("empfaenger", "reader", KUNDE)),
    _family("privat2b", "type.datenuebermittlung.privat2b", "Person oder Stelle an Behörde (z. B. 0600)",
            ("absender", "author", KUNDE), ("empfaenger", "reader", BEHOERDE)),
    _family("kunde2dienstleister", "type.melderegisterauskunfteinfach.kunde2dienstleister",
            "Kunde an Dienstleister (z. B. 0602)",
            ("kunde", "author", KUNDE), ("dienstleister", "reader", "dienstleister")),
    _family("dienstleister2kunde", "type.melderegisterauskunfteinfach.dienstleister2kunde",
            "Dienstleister an Kunde (z. B. 0603, 0604)",
            ("dienstleister", "author", "dienstleister"), ("kunde", "reader", KUNDE)),
)})
"""Every family by its ``message.toml`` name."""


def header_family(name: str, **context: object) -> HeaderFamily:
    """The family called ``name``; :class:`DesignError` (with a suggestion) if there is none."""
    family = FAMILIES.get(name)
    if family is None:
        close = difflib.get_close_matches(name, list(FAMILIES), n=1)
        hint = f" Meinten Sie „{close[0]}“?" if close else ""
        raise DesignError(f"unknown header family {name!r} (known: {sorted(FAMILIES)})",
                          user_message=f"Den Nachrichtenkopf „{name}“ gibt es nicht (möglich: "
                          f"{', '.join(FAMILIES)}).{hint}", **context)
    return family


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaHeaders:
    """What the XSD bundle says about headers (:func:`schema_headers`)."""

    families: Mapping[str, str]
    """Message element name → family name, for every element that derives from a known family."""
    fassung: str | None
    """The ``fassung`` the bundle fixes on ``type.basisnachricht``; None if it has no such type."""


_by_argument: dict[Path | str, SchemaHeaders] = {}


def schema_headers(bundle: Path | str) -> SchemaHeaders:
    """What ``bundle`` says about headers; read once per bundle (about 0.15 s), then remembered."""
    # Looked up by the argument as given first: resolving a path costs more than a message's header.
    found = _by_argument.get(bundle)
    if found is None:
        found = _by_argument[bundle] = _read_schema_headers(Path(bundle).resolve())
    return found


@functools.lru_cache(maxsize=8)
def _read_schema_headers(bundle: Path) -> SchemaHeaders:
    """Follow each global element's ``complexContent`` base through the named complex types of
    the XMeld schemas until it reaches a family's base type."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, remove_comments=True)
    bases: dict[str, str] = {}
    elements: dict[str, str] = {}
    fassung: str | None = None
    for path in sorted((Path(bundle) / "xmeld").glob("*.xsd")):
        root = etree.parse(str(path), parser).getroot()
        for complex_type in root.iterfind(f"{{{_XS}}}complexType"):
            name = complex_type.get("name", "")
            derivation = complex_type.find(f"{{{_XS}}}complexContent/*")
            if derivation is not None:
                bases[name] = _local(derivation.get("base", ""))
            if name == _BASISNACHRICHT:
                attribute = complex_type.find(f"{{{_XS}}}attribute[@name='fassung']")
                fassung = attribute.get("fixed") if attribute is not None else None
        for element in root.iterfind(f"{{{_XS}}}element"):
            derivation = element.find(f"{{{_XS}}}complexType/{{{_XS}}}complexContent/*")
            if derivation is not None:
                elements[element.get("name", "")] = _local(derivation.get("base", ""))
    by_base = {f.base_type: f.name for f in FAMILIES.values()}
    families: dict[str, str] = {}
    for element_name, base in elements.items():
        seen: set[str] = set()
        while base not in by_base and base in bases and base not in seen:
            seen.add(base)
            base = bases[base]
        if base in by_base:
            families[element_name] = by_base[base]
    return SchemaHeaders(families=MappingProxyType(families), fassung=fassung)


def _local(qname: str) -> str:
    return qname.rpartition(":")[2]


def tagesvorgangszaehler(created_at: datetime, message_id: UUID) -> int:
    """The ``tagesvorgangszaehler`` of a basisnachricht header, without a stored counter.

    XMeld asks that, on one day, a later message has a larger counter, and that counters need
    not be gapless. Milliseconds since midnight (in the zone of ``created_at``, the day of the
    ``erstellungszeitpunkt``, counted in real time) times 10⁶, plus six digits of the message
    id so that two messages of the same millisecond (one step sending twice) still differ.
    Below 9·10¹³ (a day has at most 25 hours).
    """
    midnight = created_at.replace(hour=0, minute=0, second=0, microsecond=0, fold=0)
    # Elapsed time in UTC: on the day the clocks go back, wall-clock time repeats an hour.
    milliseconds = (created_at.astimezone(UTC) - midnight.astimezone(UTC)) // _MILLISECOND
    return milliseconds * 1_000_000 + message_id.int % 1_000_000


# The basisnachricht header. Rendered in the message types' environment (so ``code`` and
# ``hausnummer`` are the checked helpers and every value passes the DIN SPEC 91379 guard).
# Unlike the G2G header, the XMeld schemas qualify these elements (``xmeld:``); the children of
# XInneres and XÖV types inside them (``kanal``, ``kennung``, the address parts, ``name``) are
# unqualified.
BASIS_ENVELOPE = """\
{%- macro erreichbarkeit(email) -%}
<xmeld:erreichbarkeit>{{ code("kanal", erreichbarkeit_list, kanal_email) }}<kennung>{{ email }}</kennung>\
</xmeld:erreichbarkeit>
{%- endmacro -%}
{%- macro anschrift(element, a) -%}
<xmeld:{{ element }}>{{ hausnummer(a.hausnummer) }}<postleitzahl>{{ a.postleitzahl }}</postleitzahl>\
<strasse>{{ a.strasse }}</strasse><wohnort>{{ a.ort }}</wohnort></xmeld:{{ element }}>
{%- endmacro -%}
{%- macro behoerde(a) -%}
<xmeld:behoerdenkennung>{{ a.dvdv_kennung }}</xmeld:behoerdenkennung>\
<xmeld:ORGANISATIONSEINHEIT><xmeld:bezeichnung>{{ a.name }}</xmeld:bezeichnung>\
<xmeld:hierarchieebene>1</xmeld:hierarchieebene></xmeld:ORGANISATIONSEINHEIT>\
{% if a.email %}{{ erreichbarkeit(a.email) }}{% endif %}{{ anschrift("ANSCHRIFT", a.anschrift) }}
{%- endmacro -%}
{%- macro kunde(k) -%}
<xmeld:kunde.bezeichnung>\
{% if k.familienname %}<xmeld:NAMENATUERLICHEPERSON><xmeld:familienname.unstrukturiert>\
{{ allgemeiner_name("xmeld:nachname", k.familienname) }}</xmeld:familienname.unstrukturiert>\
{% if k.vornamen %}<xmeld:vornamen>{{ allgemeiner_name("xmeld:vornamen", k.vornamen) }}</xmeld:vornamen>{% endif %}\
</xmeld:NAMENATUERLICHEPERSON>\
{% else %}<xmeld:NAMEJURISTISCHEPERSON><xmeld:name>{{ k.name }}</xmeld:name></xmeld:NAMEJURISTISCHEPERSON>{% endif %}\
</xmeld:kunde.bezeichnung>\
{% if k.kundennummer %}<xmeld:kundennummer>{{ k.kundennummer }}</xmeld:kundennummer>{% endif %}\
{% if k.email %}{{ erreichbarkeit(k.email) }}{% endif %}\
{% if k.anschrift %}{{ anschrift("kundenanschrift", k.anschrift) }}{% endif %}
{%- endmacro -%}
<?xml version="1.0" encoding="UTF-8"?>
<xmeld:{{ root }} xmlns:xmeld="{{ namespace }}" fassung="{{ fassung }}" version="{{ version }}" \
produkt="{{ product }}" produkthersteller="{{ vendor }}"\
{% if product_version %} produktversion="{{ product_version }}"{% endif %}\
{% if test %} test="{{ test }}"{% endif %}>
  <xmeld:nachrichtenkopf>
    <xmeld:identifikation.nachricht>
      {{ code("xmeld:nachrichtennummer", nachrichten_list, message_code) }}
      <xmeld:erstellungszeitpunkt>{{ created_at }}</xmeld:erstellungszeitpunkt>
      <xmeld:tagesvorgangszaehler>{{ counter }}</xmeld:tagesvorgangszaehler>
    </xmeld:identifikation.nachricht>
{% for party in parties %}
    <xmeld:{{ party.element }}>\
{% if party.form == "kunde" %}{{ kunde(party.value) }}\
{% elif party.form == "dienstleister" %}{{ party.value.name }}\
{% else %}{{ behoerde(party.value) }}{% endif %}</xmeld:{{ party.element }}>
{% endfor %}
  </xmeld:nachrichtenkopf>
{{ payload }}
</xmeld:{{ root }}>
"""
