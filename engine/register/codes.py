"""The vocabularies of the register: residence kinds, document states, the document kinds (data,
``processes/register/dokumentarten.toml``), and the official code lists (sex, states,
nationalities, religion, marital status, blocks).

Code list values are read from the genericode files and XSDs of the XMeld bundle through
:class:`engine.xoev.codelists.CodeListRegistry`, so the register accepts exactly the codes an
XMeld message may carry.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum, auto
from pathlib import Path

from engine.settings import PROJECT_ROOT, Settings
from engine.xoev.codelists import CodeListRegistry


class ResidenceKind(StrEnum):
    """Wohnungsart (§§ 21, 22 BMG); values are the lower-case member names."""

    hauptwohnung = auto()
    nebenwohnung = auto()
    alleinige = auto()
    """The only dwelling of the person (DSMeld Wohnungsstatus 0)."""


class DocumentStatus(StrEnum):
    gueltig = auto()
    ungueltig = auto()
    verloren = auto()
    gestohlen = auto()
    abgelaufen = auto()
    """Derived when reading: stored as ``gueltig`` with ``gueltig_bis`` in the past."""


SETTABLE_DOCUMENT_STATUS = (DocumentStatus.ungueltig, DocumentStatus.verloren, DocumentStatus.gestohlen)

DOCUMENT_KINDS_FILE = PROJECT_ROOT / "processes" / "register" / "dokumentarten.toml"
"""The document kinds are data: key, German name, DSMeld ``passart``, longest validity, statute."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoDocuments:
    """How often generated demo residents hold a document of this kind."""

    adults: float
    minors: float
    min_age: int
    serial_prefix: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentKind:
    key: str
    label: str
    passart: str
    """DSMeld key ``pass.und.ausweisdokumente`` (what XMeld messages carry as ``passart``)."""
    max_validity_months: int
    max_validity_under_24_months: int | None
    legal_basis: str
    demo: DemoDocuments | None


@functools.cache
def document_kinds(path: Path = DOCUMENT_KINDS_FILE) -> dict[str, DocumentKind]:
    """The document kinds of ``processes/register/dokumentarten.toml``, in file order."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    kinds = {}
    for key, spec in raw.items():
        demo = spec.get("demo")
        kinds[key] = DocumentKind(
            key=key, label=spec["bezeichnung"], passart=spec["passart"],
            max_validity_months=int(spec["hoechstgueltigkeit_monate"]),
            max_validity_under_24_months=spec.get("hoechstgueltigkeit_unter_24_monate"),
            legal_basis=spec["rechtsgrundlage"],
            demo=DemoDocuments(adults=demo["anteil_erwachsene"], minors=demo["anteil_minderjaehrige"],
                               min_age=demo["ab_alter"], serial_prefix=demo["seriennummer_anfang"])
            if demo else None,
        )
    return kinds


GERMANY = "000"
"""Destatis key of Germany (Staatsgebiet) and of German nationality."""

AUSKUNFTSSPERRE_51 = "3"
"""DSMeld Auskunftssperre key: § 51 Abs. 1 BMG on application or ex officio."""

UEBERMITTLUNGSSPERREN: dict[str, str] = {
    "bundeswehr": "Bundesamt für das Personalmanagement der Bundeswehr (§ 36 Abs. 2 BMG)",
    "religion": "öffentlich-rechtliche Religionsgesellschaft, Daten von Familienangehörigen (§ 42 Abs. 3 BMG)",
    "parteien": "Parteien und Wählergruppen vor Wahlen (§ 50 Abs. 1 und 5 BMG)",
    "jubilaeen": "Mandatsträger, Presse und Rundfunk: Alters- und Ehejubiläen (§ 50 Abs. 2 und 5 BMG)",
    "adressbuch": "Adressbuchverlage (§ 50 Abs. 3 und 5 BMG)",
}
"""Recipients a person may object to (each objection is a free Übermittlungssperre), with the
statute. No DSMeld code list for them is in the bundle, so the keys are Amtskoffer's own."""

_URIS = {
    "geschlecht": "urn:xoev-de:xinneres:codeliste:geschlecht",
    "staaten": "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staatsgebiete",
    "staatsangehoerigkeiten": "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staatsangehoerigkeit",
    "religion_steuer": "urn:de:dsmeld:schluesseltabelle:religion.steuererhebend",
    "religion_andere": "urn:de:dsmeld:schluesseltabelle:religion.nicht.steuererhebend",
    "familienstand": "urn:de:dsmeld:schluesseltabelle:familienstand",
    "sperren": "urn:de:dsmeld:schluesseltabelle:auskunftssperre",
}


@dataclass(frozen=True, slots=True)
class RegisterCodes:
    """Code → German label for each code list the register checks."""

    geschlecht: Mapping[str, str]
    staaten: Mapping[str, str]
    staatsangehoerigkeiten: Mapping[str, str]
    religion: Mapping[str, str]
    familienstand: Mapping[str, str]
    sperren: Mapping[str, str]


_cache: dict[tuple[Path, Path], RegisterCodes] = {}


def _codelists_dir(settings: Settings) -> Path:
    # Same rule as the message generator: the folder sits next to the message types.
    configured = getattr(settings, "codelists_dir", None)
    return Path(configured) if configured else settings.message_types_dir.parent / "codelists"


def register_codes(settings: Settings) -> RegisterCodes:
    """The code lists of the XMeld bundle configured in ``settings`` (loaded once)."""
    key = (_codelists_dir(settings), settings.xoev_schema_dir)
    codes = _cache.get(key)
    if codes is None:
        registry = CodeListRegistry.load(*key)

        def table(name: str) -> dict[str, str]:
            return dict(registry.get(_URIS[name]).codes or {})

        codes = _cache[key] = RegisterCodes(
            geschlecht=table("geschlecht"),
            staaten=table("staaten"),
            staatsangehoerigkeiten=table("staatsangehoerigkeiten"),
            religion={**table("religion_steuer"), **table("religion_andere")},
            familienstand=table("familienstand"),
            sperren=table("sperren"),
        )
    return codes
