"""Reading the register: the fuzzy person search and the full person record.

Search (:func:`search`): candidates are the persons with a word of their family or birth name
whose folded form or Kölner Phonetik code equals one of the searched family name's words (an
indexed lookup in ``register_name_key``); a birth date narrows in SQL. Candidates are then
ranked by :func:`engine.register.names.match`: exact before folded spelling before a part of a
double name before phonetic similarity, then by how well the first names match. Given first
names or a given birth name must match at least phonetically, otherwise the candidate is
dropped. The search covers every authority of the installation; each hit says who keeps it.

Sandbox persons (created by designer test cases) are visible only to sandbox cases.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.register.models import (
    IdentityDocument,
    InformationBlock,
    NameKey,
    Person,
    PersonLink,
    Residence,
    TransferBlock,
)
from engine.register.names import Match, match, word_keys
from engine.register.views import person_data, person_short
from engine.store.models import Authority

MAX_HITS = 50
MATCH_CODES = {
    Match.EXACT: "exakt",
    Match.FOLDED: "gefaltet",
    Match.PART: "namensteil",
    Match.PHONETIC: "phonetisch",
    Match.PHONETIC_PART: "phonetisch_namensteil",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchQuery:
    familienname: str
    vornamen: str | None = None
    geburtsdatum: date | None = None
    geburtsname: str | None = None


def keepers(s: Session) -> dict[uuid.UUID, dict[str, Any]]:
    """Authority id → {key, name} (a handful of rows; read once per operation)."""
    return {a.id: {"key": a.key, "name": a.name, "dvdv_kennung": a.dvdv_kennung}
            for a in s.execute(select(Authority)).scalars()}


def _visible(stmt: Any, sandbox: bool) -> Any:
    return stmt if sandbox else stmt.where(Person.sandbox.is_(False))


def candidates(s: Session, familienname: str, *, geburtsdatum: date | None, sandbox: bool) -> list[Person]:
    """Persons sharing a folded or phonetic word with ``familienname`` in their family or birth name."""
    words = word_keys(familienname)
    folds = sorted({w.fold for w in words})
    codes = sorted({w.phonetik for w in words if w.phonetik})
    if not folds:
        return []
    conditions = [NameKey.fold.in_(folds)] + ([NameKey.phonetik.in_(codes)] if codes else [])
    ids = (select(NameKey.person_id)
           .where(NameKey.field.in_(("familienname", "geburtsname")), or_(*conditions)))
    stmt = select(Person).where(Person.id.in_(ids))
    if geburtsdatum is not None:
        stmt = stmt.where(Person.geburtsdatum == geburtsdatum)
    return list(s.execute(_visible(stmt, sandbox)).scalars())


def _by_person(rows: Iterable[Any]) -> dict[uuid.UUID, list[Any]]:
    out: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        out.setdefault(row.person_id, []).append(row)
    return out


def _chunks(ids: list[uuid.UUID], size: int = 500) -> Iterable[list[uuid.UUID]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _load(s: Session, model: Any, ids: list[uuid.UUID], *extra: Any) -> dict[uuid.UUID, list[Any]]:
    rows: list[Any] = []
    for chunk in _chunks(ids):
        rows.extend(s.execute(select(model).where(model.person_id.in_(chunk), *extra)).scalars())
    return _by_person(rows)


def rank(query: SearchQuery, person: Person) -> tuple[Match, Match | None, bool] | None:
    """(family name match, first names match, matched by birth name) or None if the person is no hit."""
    by_family = match(query.familienname, person.familienname)
    by_birth = match(query.familienname, person.geburtsname)
    name = max(by_family, by_birth)
    if name == Match.NONE:
        return None
    first = None
    if query.vornamen:
        first = match(query.vornamen, person.vornamen)
        if first == Match.NONE:
            return None
    if query.geburtsname and match(query.geburtsname, person.geburtsname or person.familienname) == Match.NONE:
        return None
    return name, first, by_birth > by_family


def search(s: Session, query: SearchQuery, *, today: date, sandbox: bool = False,
           limit: int = MAX_HITS) -> tuple[list[dict[str, Any]], bool]:
    """Ranked ``PersonKurz`` hits (each with ``treffer_art``) and whether the list was cut at ``limit``."""
    ranked = []
    for person in candidates(s, query.familienname, geburtsdatum=query.geburtsdatum, sandbox=sandbox):
        r = rank(query, person)
        if r is not None:
            ranked.append((r, person))
    ranked.sort(key=lambda item: (-item[0][0], -(item[0][1] or 0), item[0][2], item[1].familienname_fold,
                                  item[1].vornamen_fold, item[1].geburtsdatum, str(item[1].id)))
    cut = len(ranked) > limit
    ranked = ranked[:limit]
    ids = [p.id for _, p in ranked]
    residences = _load(s, Residence, ids, Residence.ausgezogen_am.is_(None))
    blocks = _load(s, InformationBlock, ids, InformationBlock.bis >= today)
    auth = keepers(s)
    hits = []
    for (name, _first, _birth), person in ranked:
        hit = person_short(person, residences.get(person.id, []), blocks.get(person.id, []),
                           auth.get(person.authority_id, {}), today)
        hit["treffer_art"] = MATCH_CODES[name]
        hits.append(hit)
    return hits, cut


def get_visible(s: Session, person_id: uuid.UUID, *, sandbox: bool, for_update: bool = False) -> Person | None:
    """The person with this id, if the caller may see it (sandbox rule)."""
    stmt = select(Person).where(Person.id == person_id)
    if for_update:
        stmt = stmt.with_for_update()
    person = s.execute(stmt).scalar_one_or_none()
    if person is None or (person.sandbox and not sandbox):
        return None
    return person


def person_record(s: Session, person: Person, *, today: date,
                  keeper_map: dict[uuid.UUID, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The full ``Person`` data of a loaded person."""
    pid = person.id
    residences = list(s.execute(select(Residence).where(Residence.person_id == pid)).scalars())
    documents = list(s.execute(select(IdentityDocument).where(IdentityDocument.person_id == pid)).scalars())
    blocks = list(s.execute(select(InformationBlock).where(InformationBlock.person_id == pid)).scalars())
    transfer = s.execute(select(TransferBlock.empfaenger).where(TransferBlock.person_id == pid)).scalars()
    reps = list(s.execute(select(Person).join(PersonLink, PersonLink.related_id == Person.id)
                          .where(PersonLink.person_id == pid)).scalars())
    children = list(s.execute(select(Person).join(PersonLink, PersonLink.person_id == Person.id)
                              .where(PersonLink.related_id == pid)).scalars())
    auth = keeper_map if keeper_map is not None else keepers(s)
    return person_data(person, residences=residences, documents=documents, blocks=blocks, representatives=reps,
                       children=children, keeper=auth.get(person.authority_id, {}), today=today,
                       transfer_blocks=transfer)


def residences_of(s: Session, person_id: uuid.UUID) -> list[Residence]:
    return list(s.execute(select(Residence).where(Residence.person_id == person_id)).scalars())


def blocks_of(s: Session, person_id: uuid.UUID) -> list[InformationBlock]:
    return list(s.execute(select(InformationBlock).where(InformationBlock.person_id == person_id)).scalars())
