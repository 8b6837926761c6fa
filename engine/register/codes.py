"""The fixed vocabularies of the register: residence kinds, document kinds and states, and the
official code lists (sex, states, nationalities, religion, marital status, blocks).

Code list values are read from the genericode files and XSDs of the XMeld bundle through
:class:`engine.xoev.codelists.CodeListRegistry`, so the register accepts exactly the codes an
XMeld message may carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum, auto
from pathlib import Path

from engine.settings import Settings
from engine.xoev.codelists import CodeListRegistry


class ResidenceKind(StrEnum):
    """Wohnungsart (§§ 21, 22 BMG); values are the lower-case member names."""

    hauptwohnung = auto()
    nebenwohnung = auto()
    alleinige = auto()
    """The only dwelling of the person (DSMeld Wohnungsstatus 0)."""


class DocumentKind(StrEnum):
    reisepass = auto()
    personalausweis = auto()
    vorl_reisepass = auto()
    vorl_personalausweis = auto()


class DocumentStatus(StrEnum):
    gueltig = auto()
    ungueltig = auto()
    verloren = auto()
    gestohlen = auto()
    abgelaufen = auto()
    """Derived when reading: stored as ``gueltig`` with ``gueltig_bis`` in the past."""


SETTABLE_DOCUMENT_STATUS = (DocumentStatus.ungueltig, DocumentStatus.verloren, DocumentStatus.gestohlen)

DOCUMENT_LABELS = {
    DocumentKind.reisepass: "Reisepass",
    DocumentKind.personalausweis: "Personalausweis",
    DocumentKind.vorl_reisepass: "vorläufiger Reisepass",
    DocumentKind.vorl_personalausweis: "vorläufiger Personalausweis",
}

PASSART = {
    DocumentKind.reisepass: "01",
    DocumentKind.personalausweis: "09",
    DocumentKind.vorl_personalausweis: "10",
    DocumentKind.vorl_reisepass: "11",
}
"""DSMeld key ``pass.und.ausweisdokumente`` of each kind (what XMeld messages carry as ``passart``)."""

MAX_VALIDITY_MONTHS = {
    DocumentKind.reisepass: 120,  # PassG § 5 Abs. 1
    DocumentKind.personalausweis: 120,  # PAuswG § 6 Abs. 1
    DocumentKind.vorl_reisepass: 12,  # PassG § 5 Abs. 3
    DocumentKind.vorl_personalausweis: 3,  # PAuswG § 6 Abs. 4
}

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
