"""Demo residents: deterministic, obviously fictitious, plausible, valid, loaded once."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import din91379
from engine.errors import InputInvalid
from engine.forms.dates import Period, shift
from engine.register.codes import document_kinds, register_codes
from engine.register.demo import DemoAuthority, DemoParts, GeneratedRegister, generate
from engine.register.models import Person
from engine.register.service import RegisterService
from engine.register.validation import parse_person
from engine.settings import PROJECT_ROOT, Settings
from engine.store.models import AuditEvent

TODAY = date(2026, 11, 15)
NOW = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
PARTS = DemoParts.from_file(PROJECT_ROOT / "demo" / "residents.toml")
AMT = DemoAuthority(
    id=uuid.UUID(int=1), key="neubukow-salzhaff", name="Amt Neubukow-Salzhaff",
    municipalities=({"name": "Rerik", "ags": "13072085", "postleitzahl": "18230"},
                    {"name": "Bastorf", "ags": "13072008", "postleitzahl": "18230"},
                    {"name": "Alt Bukow", "ags": "13072002", "postleitzahl": "18233"}),
)


@pytest.fixture(scope="module")
def register() -> GeneratedRegister:
    return generate(AMT, PARTS, count=400, seed=7, today=TODAY, now=NOW)


def test_same_inputs_same_residents() -> None:
    a = generate(AMT, PARTS, count=120, seed=7, today=TODAY, now=NOW)
    b = generate(AMT, PARTS, count=120, seed=7, today=TODAY, now=NOW)
    assert a == b
    c = generate(AMT, PARTS, count=120, seed=8, today=TODAY, now=NOW)
    assert [p["familienname"] for p in a.persons] != [p["familienname"] for p in c.persons]
    other = generate(DemoAuthority(id=uuid.UUID(int=2), key="neubukow", name="Stadt Neubukow",
                                   municipalities=AMT.municipalities), PARTS, count=120, seed=7, today=TODAY, now=NOW)
    assert not {p["id"] for p in a.persons} & {p["id"] for p in other.persons}


def test_obviously_fictitious(register: GeneratedRegister) -> None:
    assert len(register.persons) >= 400
    for p in register.persons:
        for part in p["familienname"].split("-"):
            assert part.startswith(PARTS.family_prefixes), part
    assert {r["strasse"] for r in register.residences} <= set(PARTS.streets)
    assert all(d["seriennummer"].startswith("T") for d in register.documents)


def test_everybody_is_valid_register_input(register: GeneratedRegister) -> None:
    """Each generated person, with dwellings, documents and blocks, passes the validation of create_person."""
    codes = register_codes(Settings())
    by_person: dict[uuid.UUID, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for kind, rows in (("wohnungen", register.residences), ("dokumente", register.documents),
                       ("auskunftssperren", register.blocks)):
        for row in rows:
            by_person[row["person_id"]][kind].append(row)
    for p in register.persons:
        extra = by_person[p["id"]]
        data = {k: p[k] for k in ("familienname", "vornamen", "geburtsname", "doktorgrad", "geschlecht",
                                  "geburtsdatum", "geburtsort", "geburtsstaat", "staatsangehoerigkeiten",
                                  "religion", "familienstand")}
        data["wohnungen"] = [{k: w[k] for k in ("art", "strasse", "hausnummer", "postleitzahl", "ort", "ags",
                                                "eingezogen_am")} for w in extra["wohnungen"]]
        data["dokumente"] = [{k: d[k] for k in ("art", "seriennummer", "ausgestellt_am", "gueltig_bis", "status")}
                             for d in extra["dokumente"]]
        data["auskunftssperren"] = [{k: b[k] for k in ("art", "grund", "bis")} for b in extra["auskunftssperren"]]
        try:
            parse_person(data, today=TODAY, codes=codes)
        except InputInvalid as err:  # pragma: no cover - shows which resident is wrong
            pytest.fail(f"{p['familienname']}, {p['vornamen']}: {err.errors}")
        assert din91379.is_valid(p["familienname"], "A") and din91379.is_valid(p["vornamen"], "A")


def test_plausible_households(register: GeneratedRegister) -> None:
    persons = {p["id"]: p for p in register.persons}
    homes = {r["person_id"]: r for r in register.residences if r["art"] in ("alleinige", "hauptwohnung")}
    kinds = defaultdict(list)
    for r in register.residences:
        kinds[r["person_id"]].append(r["art"])
        assert persons[r["person_id"]]["geburtsdatum"] <= r["eingezogen_am"] < TODAY
    for arts in kinds.values():
        main = [a for a in arts if a != "nebenwohnung"]
        assert main == (["hauptwohnung"] if "nebenwohnung" in arts else ["alleinige"]), arts
    assert all(p["geburtsdatum"] < TODAY for p in register.persons)
    ages = [(TODAY - p["geburtsdatum"]).days // 365 for p in register.persons]
    assert min(ages) == 0 and max(ages) > 80  # all ages, from babies to the very old
    assert any("nebenwohnung" in a for a in kinds.values()) and register.blocks
    assert register.links
    for link in register.links:
        child, parent = persons[link["person_id"]], persons[link["related_id"]]
        assert shift(child["geburtsdatum"], Period(years=18)) > TODAY, "representatives are for minors"
        assert shift(parent["geburtsdatum"], Period(years=18)) <= child["geburtsdatum"]
        a, b = homes[child["id"]], homes[parent["id"]]
        assert (a["strasse"], a["hausnummer"], a["ags"]) == (b["strasse"], b["hausnummer"], b["ags"])
    for d in register.documents:
        assert persons[d["person_id"]]["geburtsdatum"] < d["ausgestellt_am"] < TODAY
        assert d["gueltig_bis"] <= shift(d["ausgestellt_am"], Period(months=document_kinds()[d["art"]].max_validity_months))
    assert len({d["seriennummer"] for d in register.documents}) == len(register.documents)


def test_loading_twice_adds_nobody_twice(engine, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    service = RegisterService(engine.db, engine.settings)
    first = service.load_demo(PROJECT_ROOT / "demo" / "residents.toml", count=40)
    assert set(first.added) == {"feldberger-seenlandschaft", "luetzow-luebstorf", "neubukow", "neubukow-salzhaff"}
    assert all(n >= 40 for n in first.added.values())
    total = service.count()
    second = service.load_demo(PROJECT_ROOT / "demo" / "residents.toml", count=40)
    assert set(second.added.values()) == {0} and service.count() == total
    with engine.db.read() as s:
        assert s.execute(select(func.count(AuditEvent.id)).where(AuditEvent.type == "register_demo_loaded")
                         ).scalar_one() == 4
        # Each demo authority keeps its own residents.
        assert s.execute(select(func.count(func.distinct(Person.authority_id)))).scalar_one() == 4
    assert engine.audit.verify().ok
