"""The register search on SQLite and PostgreSQL: fuzzy names, ranking, narrowing, who keeps whom."""

from __future__ import annotations

from datetime import date

import pytest

from engine.register.query import SearchQuery, search
from engine.register.service import RegisterService
from tests.engine.register.helpers import LUETZOW, NEUBUKOW, RERIK, home


def find(engine, **query):  # type: ignore[no-untyped-def]
    with engine.db.read() as s:
        hits, _ = search(s, SearchQuery(**query), today=date(2026, 11, 15))
    return hits


def names(hits):  # type: ignore[no-untyped-def]
    return [(h["familienname"], h["vornamen"], h["treffer_art"]) for h in hits]


@pytest.fixture
def muellers(engine, add):  # type: ignore[no-untyped-def]
    add("Müller", "Hans", "1970-01-01", wohnungen=[home(RERIK)])
    add("Mueller", "Hans", "1980-02-02", wohnungen=[home(LUETZOW)])
    add("Muller", "Anna", "1985-03-03")
    add("Möller", "Karl", "1960-04-04")
    add("Müller-Lüdenscheidt", "Hans", "1975-05-05")
    add("Schulze", "Hans", "1970-01-01")
    return engine


def test_exact_before_folded_before_name_part_before_phonetic(muellers) -> None:  # type: ignore[no-untyped-def]
    assert names(find(muellers, familienname="Müller")) == [
        ("Müller", "Hans", "exakt"),
        ("Mueller", "Hans", "gefaltet"),
        ("Müller-Lüdenscheidt", "Hans", "namensteil"),
        ("Möller", "Karl", "phonetisch"),
        ("Muller", "Anna", "phonetisch"),
    ]


def test_spelling_without_umlauts_finds_the_umlaut_spelling(muellers) -> None:  # type: ignore[no-untyped-def]
    hits = names(find(muellers, familienname="MUELLER"))
    assert hits[:2] == [("Mueller", "Hans", "exakt"), ("Müller", "Hans", "gefaltet")]
    assert ("Schulze", "Hans", "exakt") not in hits


def test_birth_date_and_first_names_narrow(muellers) -> None:  # type: ignore[no-untyped-def]
    assert names(find(muellers, familienname="Müller", geburtsdatum=date(1980, 2, 2))) == [
        ("Mueller", "Hans", "gefaltet")]
    assert [n for n, _, _ in names(find(muellers, familienname="Müller", vornamen="Hans"))] == [
        "Müller", "Mueller", "Müller-Lüdenscheidt"]
    assert find(muellers, familienname="Müller", geburtsdatum=date(1999, 9, 9)) == []


def test_second_part_of_a_double_name(muellers) -> None:  # type: ignore[no-untyped-def]
    assert names(find(muellers, familienname="Lüdenscheidt")) == [("Müller-Lüdenscheidt", "Hans", "namensteil")]
    assert names(find(muellers, familienname="Luedenscheid")) == [
        ("Müller-Lüdenscheidt", "Hans", "phonetisch_namensteil")]


@pytest.mark.parametrize(
    ("stored", "searched"),
    [("Meier", "Meyer"), ("Maier", "Meier"), ("Weiß", "Weiss"), ("Weiss", "Weiß"), ("Groß", "Gross")],
)
def test_spelling_variants(engine, add, stored, searched) -> None:  # type: ignore[no-untyped-def]
    add(stored, "Petra")
    (hit,) = find(engine, familienname=searched)
    assert hit["familienname"] == stored and hit["treffer_art"] in ("gefaltet", "phonetisch")


def test_first_names_with_accents_and_ligatures(engine, add) -> None:  # type: ignore[no-untyped-def]
    add("Nowak", "Łukasz", "1990-01-01")
    add("Nowak", "Zoë", "1992-01-01")
    assert [h["vornamen"] for h in find(engine, familienname="Nowak", vornamen="Lukasz")] == ["Łukasz"]
    assert [h["vornamen"] for h in find(engine, familienname="Nowak", vornamen="Zoe")] == ["Zoë"]
    assert find(engine, familienname="Nowak", vornamen="Peter") == []


def test_birth_name_is_searched_and_narrows(engine, add) -> None:  # type: ignore[no-untyped-def]
    add("Schmidt", "Erika", "1980-01-01", geburtsname="Krüger")
    add("Schmidt", "Erika", "1981-01-01")
    (hit,) = find(engine, familienname="Krueger")
    assert (hit["familienname"], hit["geburtsname"]) == ("Schmidt", "Krüger")
    assert [h["geburtsdatum"] for h in find(engine, familienname="Schmidt", geburtsname="Krüger")] == [
        date(1980, 1, 1)]


def test_search_covers_all_authorities_and_says_who_keeps_the_person(engine, add) -> None:  # type: ignore[no-untyped-def]
    add("Probehagen", "Anna", wohnungen=[home(RERIK)])
    add("Probehagen", "Bernd", wohnungen=[home(LUETZOW)])
    add("Probehagen", "Clara", wohnungen=[home(NEUBUKOW)])
    add("Probehagen", "Dora", authority="feldberger-seenlandschaft")
    keepers = {h["vornamen"]: h["gefuehrt_von"] for h in find(engine, familienname="Probehagen")}
    assert keepers == {"Anna": "neubukow-salzhaff", "Bernd": "luetzow-luebstorf", "Clara": "neubukow",
                       "Dora": "feldberger-seenlandschaft"}
    anna = find(engine, familienname="Probehagen", vornamen="Anna")[0]
    assert anna["anschrift"] == {**RERIK, "zusatz": None, "art": "alleinige"}
    assert anna["gefuehrt_von_name"] == "Amt Neubukow-Salzhaff" and anna["auskunftssperre"] is False


def test_sandbox_persons_are_invisible_to_real_searches(engine, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    register = RegisterService(engine.db, engine.settings)
    register.add_person({"familienname": "Sandkasten", "vornamen": "Tom", "geburtsdatum": "2000-01-01"},
                        authority="neubukow", sandbox=True)
    assert find(engine, familienname="Sandkasten") == []
    assert [h["vornamen"] for h in register.search(SearchQuery(familienname="Sandkasten"), sandbox=True)] == ["Tom"]


def test_hits_are_limited(engine, add) -> None:  # type: ignore[no-untyped-def]
    for day in range(1, 8):
        add("Vielmann", "Otto", f"1950-01-0{day}")
    with engine.db.read() as s:
        hits, cut = search(s, SearchQuery(familienname="Vielmann"), today=date(2026, 11, 15), limit=5)
    assert len(hits) == 5 and cut is True
