"""Generated demo residents: a few hundred obviously fictitious people per demo authority.

Contract:

- :func:`generate` is pure and deterministic: the same authority, seed, count and ``today``
  give the same rows (ids are UUIDv5 of authority, seed and position). Residents live in
  households at invented streets ("Testweg", "Musterstraße") of the authority's real member
  municipalities; family names are built from an invented first part and a regional ending
  ("Musterhagen", "Prüfmeyer"), so nobody can be mistaken for a real person. Children live with
  their parents, who are their gesetzliche Vertreter; nobody is born in the future; some adults
  have a Nebenwohnung, passports and ID cards (serial numbers start with ``T``), a few an
  Auskunftssperre.
- :func:`load` inserts what is missing with bulk inserts in one transaction and is idempotent:
  persons whose id already exists are skipped, so loading twice does not duplicate anyone (and
  a demo person changed by a case keeps its changes). Instead of one audit event per person it
  appends one ``register_demo_loaded`` event per authority: this is a bulk load of test data,
  not a change made by a procedure.
"""

from __future__ import annotations

import random
import tomllib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.audit.log import NewEvent, append
from engine.forms.dates import Period, shift
from engine.register.changes import name_key_rows
from engine.register.codes import AUSKUNFTSSPERRE_51, GERMANY, DocumentKind, ResidenceKind, document_kinds
from engine.register.models import IdentityDocument, InformationBlock, NameKey, Person, PersonLink, Residence
from engine.runtime.helpers import fold_name
from engine.store.models import Authority

NAMESPACE = uuid.UUID("5d1c0e7a-3f9b-4e2a-9c61-0d2b7a4e8f10")
DEFAULT_COUNT = 300
DEFAULT_SEED = 2026
_SERIAL_ALPHABET = "0123456789CFGHJKLMNPRTVWXYZ"  # the characters German document numbers use


@dataclass(frozen=True, slots=True)
class DemoParts:
    """The building blocks read from ``demo/residents.toml``."""

    family_prefixes: tuple[str, ...]
    family_suffixes: tuple[str, ...]
    first_names_female: tuple[str, ...]
    first_names_male: tuple[str, ...]
    first_names_neutral: tuple[str, ...]
    streets: tuple[str, ...]
    birth_places: tuple[str, ...]

    @classmethod
    def from_file(cls, path: Path) -> DemoParts:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(**{f.name: tuple(data[f.name]) for f in fields(cls)})


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoAuthority:
    id: uuid.UUID
    key: str
    name: str
    municipalities: tuple[Mapping[str, Any], ...]
    """[{name, ags, postleitzahl}]"""


@dataclass
class GeneratedRegister:
    """Rows ready for bulk insert (dicts keyed by column name)."""

    persons: list[dict[str, Any]] = field(default_factory=list)
    name_keys: list[dict[str, Any]] = field(default_factory=list)
    residences: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Household:
    municipality: Mapping[str, Any]
    street: str
    number: str
    moved_in: date


class _Generator:
    def __init__(self, authority: DemoAuthority, parts: DemoParts, *, seed: int, today: date, now: datetime) -> None:
        self.a, self.parts, self.seed, self.today, self.now = authority, parts, seed, today, now
        self.rng = random.Random(f"{seed}:{authority.key}")
        self.out = GeneratedRegister()
        self.n = 0
        self.identities: set[tuple[str, str, date]] = set()

    # -- ids and names ---------------------------------------------------------------------
    def _id(self, *parts: object) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, "/".join([self.a.key, str(self.seed), *map(str, parts)]))

    def _serial(self, kind: DocumentKind, *parts: object) -> str:
        value = self._id("serial", *parts).int
        chars = []
        for _ in range(8):
            value, rest = divmod(value, len(_SERIAL_ALPHABET))
            chars.append(_SERIAL_ALPHABET[rest])
        assert kind.demo is not None
        return kind.demo.serial_prefix + "".join(chars)

    def family_name(self) -> str:
        def one() -> str:
            return self.rng.choice(self.parts.family_prefixes) + self.rng.choice(self.parts.family_suffixes)

        return f"{one()}-{one()}" if self.rng.random() < 0.08 else one()

    def first_names(self, sex: str) -> str:
        pool = {"w": self.parts.first_names_female, "m": self.parts.first_names_male}.get(
            sex, self.parts.first_names_neutral + self.parts.first_names_female + self.parts.first_names_male)
        names = [self.rng.choice(pool)]
        if self.rng.random() < 0.3:
            second = self.rng.choice(pool)
            if second != names[0]:
                names.append(second)
        return " ".join(names)

    def sex(self) -> str:
        r = self.rng.random()
        return "d" if r < 0.01 else "x" if r < 0.015 else "w" if r < 0.51 else "m"

    def born(self, age: int) -> date:
        born = shift(self.today, Period(years=age), -1) - timedelta(days=self.rng.randint(1, 364))
        return min(born, self.today - timedelta(days=1))

    # -- persons -----------------------------------------------------------------------------
    def person(self, *, familienname: str, sex: str, born: date, household: _Household, familienstand: str,
               geburtsname: str | None = None, adult: bool = True) -> dict[str, Any]:
        vornamen = self.first_names(sex)
        while (fold_name(familienname), fold_name(vornamen), born) in self.identities:
            vornamen = self.first_names(sex)
        self.identities.add((fold_name(familienname), fold_name(vornamen), born))
        pid = self._id("person", self.n)
        index = self.n
        self.n += 1
        r = self.rng.random()
        nationalities = (["000"] if r < 0.92 else ["000", "152"] if r < 0.95 else ["152"] if r < 0.97
                         else ["163"] if r < 0.98 else ["129"] if r < 0.99 else ["000", "163"])
        religion = self.rng.choices(["ev", "rk", "--"], weights=[15, 4, 81])[0]
        row = {
            "id": pid, "authority_id": self.a.id, "familienname": familienname, "vornamen": vornamen,
            "geburtsname": geburtsname, "doktorgrad": "Dr." if adult and self.rng.random() < 0.03 else None,
            "ordens_kuenstlername": None, "geschlecht": sex, "geburtsdatum": born,
            "geburtsort": self.rng.choice(self.parts.birth_places),
            "geburtsstaat": nationalities[0] if GERMANY not in nationalities else GERMANY,
            "staatsangehoerigkeiten": nationalities, "religion": religion, "familienstand": familienstand,
            "verstorben_am": None, "familienname_fold": fold_name(familienname)[:120],
            "vornamen_fold": fold_name(vornamen)[:120], "sandbox": False, "created_at": self.now,
            "updated_at": self.now,
        }
        self.out.persons.append(row)
        self.out.name_keys.extend(name_key_rows(pid, familienname, geburtsname, vornamen))
        moved_in = max(household.moved_in, born)
        main = self._residence(pid, index, 0, household.municipality, household.street, household.number,
                               moved_in, ResidenceKind.alleinige)
        self._documents(pid, index, born, adult)
        if adult and self.rng.random() < 0.015:
            self.out.blocks.append({
                "id": self._id("block", index), "person_id": pid, "art": AUSKUNFTSSPERRE_51,
                "grund": "Gefährdung nach § 51 Abs. 1 BMG (Demodaten)",
                "bis": self.today + timedelta(days=self.rng.randint(30, 700)), "created_at": self.now,
                "updated_at": self.now,
            })
        if adult and self.rng.random() < 0.05:
            self._secondary(pid, index, household, born)
            main["art"] = ResidenceKind.hauptwohnung
        return row

    def _residence(self, pid: uuid.UUID, index: int, j: int, municipality: Mapping[str, Any], street: str,
                   number: str, moved_in: date, kind: ResidenceKind) -> dict[str, Any]:
        row = {
            "id": self._id("wohnung", index, j), "person_id": pid, "art": kind, "strasse": street,
            "hausnummer": number, "postleitzahl": municipality["postleitzahl"], "ort": municipality["name"],
            "ags": municipality["ags"], "zusatz": None, "eingezogen_am": moved_in, "ausgezogen_am": None,
            "wohnungsgeber": {"name": "Demo-Wohnungsbau Muster eG"}, "wegzug_anschrift": None,
            "created_at": self.now,
        }
        self.out.residences.append(row)
        return row

    def _secondary(self, pid: uuid.UUID, index: int, household: _Household, born: date) -> None:
        others = [m for m in self.a.municipalities if m["ags"] != household.municipality["ags"]]
        municipality = self.rng.choice(others or list(self.a.municipalities))
        street = self.rng.choice([s for s in self.parts.streets if s != household.street])
        earliest = max(shift(born, Period(years=18)), household.moved_in)
        moved_in = self._day_between(earliest, self.today - timedelta(days=1))
        self._residence(pid, index, 1, municipality, street, str(self.rng.randint(1, 40)), moved_in,
                        ResidenceKind.nebenwohnung)

    def _documents(self, pid: uuid.UUID, index: int, born: date, adult: bool) -> None:
        wanted = []
        for kind in document_kinds().values():
            if kind.demo is None:
                continue
            old_enough = adult or shift(born, Period(years=kind.demo.min_age)) <= self.today
            if old_enough and self.rng.random() < (kind.demo.adults if adult else kind.demo.minors):
                wanted.append(kind)
        for j, kind in enumerate(wanted):
            earliest = max(born + timedelta(days=30), shift(self.today, Period(years=12), -1))
            if earliest >= self.today:
                continue  # a newborn has no document yet
            issued = self._day_between(earliest, self.today - timedelta(days=1))
            under_24 = shift(born, Period(years=24)) > issued
            months = (kind.max_validity_under_24_months if under_24 else None) or kind.max_validity_months
            until = shift(issued, Period(months=months)) - timedelta(days=1)
            lost = self.rng.random() < 0.02
            self.out.documents.append({
                "id": self._id("dokument", index, j), "person_id": pid, "art": kind.key,
                "seriennummer": self._serial(kind, index, j), "behoerde": self.a.name, "ausgestellt_am": issued,
                "gueltig_bis": until, "status": "verloren" if lost else "gueltig",
                "status_seit": self._day_between(issued, self.today) if lost else issued,
                "grund": "Verlustanzeige (Demodaten)" if lost else None, "created_at": self.now,
            })

    def _day_between(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    # -- households --------------------------------------------------------------------------
    def household(self) -> None:
        kind = self.rng.choices(["single", "couple", "family", "single_parent", "seniors"],
                                weights=[30, 20, 33, 10, 7])[0]
        municipality = self.rng.choice(self.a.municipalities)
        number = str(self.rng.randint(1, 60)) + self.rng.choice(["", "", "", "", "a", "b"])
        street = self.rng.choice(self.parts.streets)
        age = {"single": (18, 92), "couple": (22, 70), "family": (24, 52), "single_parent": (21, 50),
               "seniors": (66, 95)}[kind]
        first_age = self.rng.randint(*age)
        ages = [first_age]
        if kind in ("couple", "family", "seniors"):
            ages.append(max(18, first_age + self.rng.randint(-6, 6)))
        births = [self.born(a) for a in ages]
        adult_since = max(shift(b, Period(years=18)) for b in births)
        moved_in = self._day_between(adult_since, self.today - timedelta(days=1))
        home = _Household(municipality, street, number, moved_in)
        family = self.family_name()
        parents: list[dict[str, Any]] = []
        if len(ages) == 1:
            status = "LD" if kind != "single" or first_age < 40 else self.rng.choice(["LD", "GS", "VW"])
            sex = self.sex()
            parents.append(self.person(familienname=family, sex=sex, born=births[0], household=home,
                                       familienstand=status))
        else:
            married = self.rng.random() < 0.7
            sexes = ["w", "m"] if self.rng.random() < 0.9 else [self.sex(), self.sex()]
            shared = married and self.rng.random() < 0.8
            for i, (sex, born) in enumerate(zip(sexes, births, strict=True)):
                own = family if shared or i == 0 else self.family_name()
                birth_name = self.family_name() if shared and i == 1 else None
                parents.append(self.person(familienname=own, sex=sex, born=born, household=home,
                                           familienstand="VH" if married else "LD", geburtsname=birth_name))
        if kind in ("family", "single_parent"):
            youngest_parent = max(births)
            oldest_child_age = min(17, (self.today - shift(youngest_parent, Period(years=18))).days // 366)
            parent_adult = shift(youngest_parent, Period(years=18))
            for _ in range(self.rng.randint(1, 3)):
                child_born = max(self.born(self.rng.randint(0, max(0, oldest_child_age))), parent_adult)
                child = self.person(familienname=parents[0]["familienname"], sex=self.sex(), born=child_born,
                                    household=home, familienstand="LD", adult=False)
                for parent in parents:
                    self.out.links.append({"person_id": child["id"], "related_id": parent["id"],
                                           "art": "gesetzlicher_vertreter"})

    def run(self, count: int) -> GeneratedRegister:
        while self.n < count:
            self.household()
        return self.out


def generate(authority: DemoAuthority, parts: DemoParts, *, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED,
             today: date, now: datetime) -> GeneratedRegister:
    """The demo residents of one authority (at least ``count``; the last household is kept whole)."""
    if not authority.municipalities:
        return GeneratedRegister()
    return _Generator(authority, parts, seed=seed, today=today, now=now).run(count)


def demo_authorities(s: Session) -> list[DemoAuthority]:
    """The authorities that get demo residents: Meldebehörden of the installation (not external ones)."""
    rows = s.execute(select(Authority).where(Authority.kind != "extern").order_by(Authority.key)).scalars()
    return [DemoAuthority(id=a.id, key=a.key, name=a.name, municipalities=tuple(a.municipalities or ()))
            for a in rows if "meldebehoerde" in (a.roles or [])]


def _existing(s: Session, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for i in range(0, len(ids), 500):
        found.update(s.execute(select(Person.id).where(Person.id.in_(ids[i:i + 500]))).scalars())
    return found


def _rows_of(rows: Iterable[dict[str, Any]], keep: set[uuid.UUID], key: str = "person_id") -> list[dict[str, Any]]:
    return [r for r in rows if r[key] in keep]


def load(s: Session, parts: DemoParts, *, today: date, now: datetime, actor: str = "demo",
         count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Insert the missing demo residents of every demo authority; returns {authority key: persons added}."""
    added: dict[str, int] = {}
    events = []
    for authority in demo_authorities(s):
        generated = generate(authority, parts, count=count, seed=seed, today=today, now=now)
        ids = [p["id"] for p in generated.persons]
        new = set(ids) - _existing(s, ids)
        added[authority.key] = len(new)
        if not new:
            continue
        links = [r for r in generated.links if r["person_id"] in new and r["related_id"] in new]
        for model, rows in ((Person, _rows_of(generated.persons, new, "id")),
                            (NameKey, _rows_of(generated.name_keys, new)),
                            (Residence, _rows_of(generated.residences, new)),
                            (IdentityDocument, _rows_of(generated.documents, new)),
                            (InformationBlock, _rows_of(generated.blocks, new)),
                            (PersonLink, links)):
            if rows:
                s.execute(insert(model), rows)
        events.append(NewEvent(type="register_demo_loaded", actor=actor,
                               payload={"authority": authority.key, "persons": len(new), "seed": seed}))
    append(s, events, at=now)
    return added
