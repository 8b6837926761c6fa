"""Einfache Melderegisterauskunft (§ 44 BMG): identification, and the neutral answer for a block (§ 51 BMG)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from engine.errors import InputInvalid
from engine.store.models import AuditEvent, CaseStep
from tests.engine.register.helpers import LUETZOW, RERIK, home


def ask(engine, clerk, anfrage: dict[str, Any], zweck: str = "Forderungsangelegenheit") -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
    view = engine.cases.start("register_aufruf", "neubukow-salzhaff", clerk,
                              {"aufruf": "auskunft", "eingabe": {"anfrage": anfrage, "zweck": zweck}})
    with engine.db.read() as s:
        types = [(e.type, json.loads(e.payload)) for e in s.execute(
            select(AuditEvent).where(AuditEvent.case_id == view.case.id).order_by(AuditEvent.case_seq)).scalars()]
        irreversible = s.execute(select(CaseStep.irreversible).where(CaseStep.case_id == view.case.id)).scalar_one()
    return view.data["ergebnis"], {"events": types, "irreversible": irreversible}


@pytest.fixture
def residents(add):  # type: ignore[no-untyped-def]
    return {
        "erika": add("Schulz", "Erika Maria", "1975-05-05", wohnungen=[home(LUETZOW)], doktorgrad="Dr."),
        "gesperrt": add("Müller", "Max", "1980-01-01", wohnungen=[home(RERIK)],
                        auskunftssperren=[{"grund": "Bedrohung durch Dritte", "bis": "2027-06-30"}]),
        "meier": add("Meier", "Paul", "1960-06-06", wohnungen=[home(RERIK)]),
        "senior": add("Vater", "Volker", "1950-02-02", wohnungen=[home(RERIK)]),
        "junior": add("Vater", "Volker", "1980-03-03", wohnungen=[home(RERIK)]),
        "tot": add("Verstorben", "Vera", "1930-01-01", verstorben_am="2026-01-01", wohnungen=[home(LUETZOW)]),
    }


def test_a_name_alone_does_not_identify_anybody(engine, clerk, fixed_clock, residents) -> None:  # type: ignore[no-untyped-def]
    answer, trace = ask(engine, clerk, {"familienname": "Müller", "vornamen": "Max"})
    assert answer == {"ergebnis": "nicht_eindeutig"}  # rules.md test case 25
    assert not [t for t, _ in trace["events"] if t.startswith("register_")] and trace["irreversible"] is False


def test_an_identified_person_gets_the_simple_data_set(engine, clerk, fixed_clock, residents) -> None:  # type: ignore[no-untyped-def]
    answer, trace = ask(engine, clerk, {"familienname": "Schulz", "vornamen": "Erika",
                                        "geburtsdatum": date(1975, 5, 5)})
    assert answer == {"ergebnis": "eindeutig", "daten": {
        "familienname": "Schulz", "vornamen": "Erika Maria", "doktorgrad": "Dr.",
        "anschriften": [{**LUETZOW, "zusatz": None}], "verstorben": False}}
    (given,) = [p for t, p in trace["events"] if t == "register_auskunft_given"]
    assert given["person_id"] == str(residents["erika"]) and given["zweck"] == "Forderungsangelegenheit"
    assert trace["irreversible"] is True  # disclosed data cannot be taken back by a correction


def test_a_block_looks_exactly_like_nobody_found(engine, clerk, fixed_clock, residents) -> None:  # type: ignore[no-untyped-def]
    blocked, blocked_trace = ask(engine, clerk, {"familienname": "Müller", "vornamen": "Max",
                                                 "geburtsdatum": date(1980, 1, 1)})
    unknown, unknown_trace = ask(engine, clerk, {"familienname": "Niemand", "vornamen": "Nora",
                                                 "geburtsdatum": date(1980, 1, 1)})
    assert blocked == unknown == {"ergebnis": "keine_auskunft"}
    (notice,) = [p for t, p in blocked_trace["events"] if t == "register_auskunft_blocked"]
    assert notice["person_id"] == str(residents["gesperrt"]) and notice["betroffene_person_unterrichten"] is True
    assert "§ 51 Abs. 3 BMG" in notice["hinweis"] and notice["sperren"] == ["3"]
    assert not [t for t, _ in unknown_trace["events"] if t.startswith("register_")]


def test_the_block_ends_with_its_date(engine, clerk, fixed_clock, residents) -> None:  # type: ignore[no-untyped-def]
    fixed_clock.instant = fixed_clock.instant.replace(year=2027, month=7, day=1)
    answer, _ = ask(engine, clerk, {"familienname": "Mueller", "vornamen": "Max", "geburtsdatum": date(1980, 1, 1)})
    assert answer["ergebnis"] == "eindeutig" and answer["daten"]["familienname"] == "Müller"


def test_phonetic_similarity_is_not_identification(engine, clerk, fixed_clock, residents) -> None:  # type: ignore[no-untyped-def]
    answer, _ = ask(engine, clerk, {"familienname": "Meyer", "vornamen": "Paul", "geburtsdatum": date(1960, 6, 6)})
    assert answer == {"ergebnis": "keine_auskunft"}


def test_identification_by_address(engine, clerk, fixed_clock, residents) -> None:  # type: ignore[no-untyped-def]
    answer, _ = ask(engine, clerk, {"familienname": "Meier", "vornamen": "Paul",
                                    "anschrift": {"strasse": "testweg", "hausnummer": "1", "ort": "Rerik"}})
    assert answer["ergebnis"] == "eindeutig"
    answer, _ = ask(engine, clerk, {"familienname": "Meier", "vornamen": "Paul",
                                    "anschrift": {"strasse": "Anderer Weg", "ort": "Rerik"}})
    assert answer == {"ergebnis": "keine_auskunft"}
    # Father and son of the same name at one address: not unambiguous.
    answer, _ = ask(engine, clerk, {"familienname": "Vater", "vornamen": "Volker", "anschrift": RERIK})
    assert answer == {"ergebnis": "nicht_eindeutig"}


def test_the_fact_of_death_is_disclosed(engine, clerk, fixed_clock, residents) -> None:  # type: ignore[no-untyped-def]
    answer, _ = ask(engine, clerk, {"familienname": "Verstorben", "vornamen": "Vera",
                                    "geburtsdatum": date(1930, 1, 1)})
    assert answer["daten"]["verstorben"] is True


def test_the_purpose_is_required(engine, clerk, fixed_clock, residents) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputInvalid) as err:
        ask(engine, clerk, {"familienname": "Schulz", "vornamen": "Erika", "geburtsdatum": date(1975, 5, 5)}, " ")
    assert err.value.errors == {"zweck": ["Bitte den Zweck der Auskunft angeben."]}
    with pytest.raises(InputInvalid) as err:
        ask(engine, clerk, {"familienname": "Schulz", "telefon": "123"})
    assert "unbekannt" in err.value.errors["anfrage/telefon"][0]
