"""Register rows as the plain data that operations return (the shapes of the operation catalogue).

``Person``, ``PersonKurz``, ``Wohnung`` and ``Dokument`` are dicts with German keys, dates as
``datetime.date`` and ids as text, so that scripts and gateway conditions can use them
directly (``person['hauptwohnung']['ags']``). Pure functions over loaded rows; ``today`` decides
which documents count as expired and which blocks are still in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from engine.register.codes import DocumentStatus, ResidenceKind, document_kinds
from engine.register.models import IdentityDocument, InformationBlock, Person, Residence

MAIN_KINDS = (ResidenceKind.hauptwohnung, ResidenceKind.alleinige)


def is_active(res: Residence) -> bool:
    return res.ausgezogen_am is None


def address_data(res: Residence) -> dict[str, Any]:
    return {"strasse": res.strasse, "hausnummer": res.hausnummer, "postleitzahl": res.postleitzahl,
            "ort": res.ort, "ags": res.ags, "zusatz": res.zusatz}


def residence_data(res: Residence) -> dict[str, Any]:
    """A ``Wohnung``."""
    return {
        "wohnung_id": str(res.id),
        "art": res.art,
        **address_data(res),
        "eingezogen_am": res.eingezogen_am,
        "ausgezogen_am": res.ausgezogen_am,
        "aktiv": res.ausgezogen_am is None,
        "wohnungsgeber": dict(res.wohnungsgeber) if res.wohnungsgeber else None,
        "neue_anschrift": dict(res.wegzug_anschrift) if res.wegzug_anschrift else None,
    }


def effective_status(doc: IdentityDocument, today: date) -> str:
    """The status a clerk sees: a valid document past its expiry date is ``abgelaufen``."""
    if doc.status == DocumentStatus.gueltig and doc.gueltig_bis < today:
        return DocumentStatus.abgelaufen
    return doc.status


def document_data(doc: IdentityDocument, today: date) -> dict[str, Any]:
    """A ``Dokument``."""
    return {
        "dokument_id": str(doc.id),
        "art": doc.art,
        "passart": kind.passart if (kind := document_kinds().get(doc.art)) else None,
        "seriennummer": doc.seriennummer,
        "behoerde": doc.behoerde,
        "ausgestellt_am": doc.ausgestellt_am,
        "gueltig_bis": doc.gueltig_bis,
        "status": effective_status(doc, today),
        "status_seit": doc.status_seit,
        "grund": doc.grund,
    }


def block_data(block: InformationBlock) -> dict[str, Any]:
    return {"art": block.art, "grund": block.grund, "bis": block.bis}


def active_blocks(blocks: Iterable[InformationBlock], today: date) -> list[InformationBlock]:
    return [b for b in blocks if b.bis >= today]


def main_residence(residences: Iterable[Residence]) -> Residence | None:
    """The active Haupt- or alleinige Wohnung, if any."""
    return next((r for r in residences if is_active(r) and r.art in MAIN_KINDS), None)


def ordered_residences(residences: Iterable[Residence]) -> list[Residence]:
    """Active first (main before secondary), then ended ones, newest first."""
    def key(r: Residence) -> tuple[int, int, int]:
        rank = 0 if is_active(r) and r.art in MAIN_KINDS else 1 if is_active(r) else 2
        return (rank, -r.eingezogen_am.toordinal(), -(r.ausgezogen_am or date.max).toordinal())

    return sorted(residences, key=key)


def person_short(person: Person, residences: Iterable[Residence], blocks: Iterable[InformationBlock],
                 keeper: Mapping[str, Any], today: date) -> dict[str, Any]:
    """A ``PersonKurz`` (one search hit)."""
    main = main_residence(residences)
    return {
        "person_id": str(person.id),
        "familienname": person.familienname,
        "vornamen": person.vornamen,
        "geburtsname": person.geburtsname,
        "geburtsdatum": person.geburtsdatum,
        "geburtsort": person.geburtsort,
        "anschrift": ({**address_data(main), "art": main.art} if main is not None else None),
        "gefuehrt_von": keeper.get("key"),
        "gefuehrt_von_name": keeper.get("name"),
        "auskunftssperre": bool(active_blocks(blocks, today)),
        "verstorben": person.verstorben_am is not None,
    }


def person_data(person: Person, *, residences: Iterable[Residence], documents: Iterable[IdentityDocument],
                blocks: Iterable[InformationBlock], representatives: Iterable[Person], children: Iterable[Person],
                keeper: Mapping[str, Any], today: date, transfer_blocks: Iterable[str] = ()) -> dict[str, Any]:
    """A ``Person`` with residences, documents, blocks in force and family links."""
    residences = ordered_residences(residences)
    main = main_residence(residences)
    docs = sorted(documents, key=lambda d: (d.ausgestellt_am, d.seriennummer), reverse=True)
    return {
        "person_id": str(person.id),
        "familienname": person.familienname,
        "vornamen": person.vornamen,
        "geburtsname": person.geburtsname,
        "doktorgrad": person.doktorgrad,
        "ordens_kuenstlername": person.ordens_kuenstlername,
        "geschlecht": person.geschlecht,
        "geburtsdatum": person.geburtsdatum,
        "geburtsort": person.geburtsort,
        "geburtsstaat": person.geburtsstaat,
        "staatsangehoerigkeiten": list(person.staatsangehoerigkeiten or []),
        "religion": person.religion,
        "familienstand": person.familienstand,
        "verstorben_am": person.verstorben_am,
        "gefuehrt_von": keeper.get("key"),
        "gefuehrt_von_name": keeper.get("name"),
        "hauptwohnung": residence_data(main) if main is not None else None,
        "wohnungen": [residence_data(r) for r in residences],
        "dokumente": [document_data(d, today) for d in docs],
        "auskunftssperren": [block_data(b) for b in active_blocks(blocks, today)],
        "uebermittlungssperren": sorted(transfer_blocks),
        "gesetzliche_vertreter": [_relative(p) for p in representatives],
        "kinder": [_relative(p) for p in sorted(children, key=lambda c: c.geburtsdatum)],
    }


def _relative(p: Person) -> dict[str, Any]:
    return {"person_id": str(p.id), "familienname": p.familienname, "vornamen": p.vornamen,
            "geburtsdatum": p.geburtsdatum}
