"""Scenario files: the documented format is read into typed steps; malformed files get every
problem reported in German with its line."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from engine.clock import BERLIN
from engine.scenarios.loader import ScenarioInvalid, load_scenario, parse_duration
from engine.scenarios.model import AdvanceStep, MessageStep, TaskStep

GOOD = """\
name: "Fall 1: 30 Jahre, Reisepass 32 Seiten, Abholung"
rule_refs: ["rules.md §6 Nr. 1"]
authority: neubukow-salzhaff
today: 2026-11-15
register:
  - ref: antragsteller
    familienname: Testmann
    vornamen: Max
    geburtsdatum: 1996-03-10
mocks:
  order.send: {auftrag_id: "A-0001"}
steps:
  - task: antragsteller_suchen
    data: {familienname: Testmann}
  - task: person_waehlen
    data: {person_id: "${antragsteller}"}
    expect_error: {field: direktversand, contains: "Expressverfahren"}
  - message: dokument_eingetroffen
    payload: {auftrag_id: "A-0001", vorgang: "${vorgang.nummer}"}
  - advance: P15D
expect:
  status: completed
  path_includes: [gebuehr_ermitteln]
  data: {gebuehr_gesamt: "70.00"}
  messages: [{type: fortschreibung.dokument.0006, reader: neubukow-salzhaff}]
  documents: [{art: quittung}]
  register: [{ref: antragsteller, dokumente_gueltig: 1}]
"""


def problems(text: str, file: str = "tests/fall.yaml") -> list[str]:
    with pytest.raises(ScenarioInvalid) as err:
        load_scenario(text, file)
    assert err.value.user_message.startswith(f"Die Testfall-Datei {file} ist fehlerhaft")
    return err.value.problems


def test_the_documented_example_is_read() -> None:
    s = load_scenario(GOOD, "anmeldung/tests/fall1.yaml")
    assert (s.name, s.authority, s.today) == ("Fall 1: 30 Jahre, Reisepass 32 Seiten, Abholung",
                                              "neubukow-salzhaff", date(2026, 11, 15))
    assert s.register[0].ref == "antragsteller" and "ref" not in s.register[0].data
    assert s.mocks == {"order.send": {"auftrag_id": "A-0001"}}
    task, task2, message, advance = s.steps
    assert isinstance(task, TaskStep) and task.task == "antragsteller_suchen" and task.line == 13
    assert isinstance(task2, TaskStep) and task2.expect_error is not None
    assert (task2.expect_error.field, task2.expect_error.contains) == ("direktversand", "Expressverfahren")
    assert isinstance(message, MessageStep) and message.payload["auftrag_id"] == "A-0001"
    assert isinstance(advance, AdvanceStep) and advance.advance.period.days == 15
    assert s.expect.status == "completed" and s.expect.messages == (
        {"type": "fortschreibung.dokument.0006", "reader": "neubukow-salzhaff"},)
    assert s.expect.register == ({"ref": "antragsteller", "dokumente_gueltig": 1},)


def test_json_files_are_read_too() -> None:
    text = ('{"name": "J", "authority": "neubukow", "today": "2026-11-15",\n'
            ' "steps": [{"task": "a", "data": {"x": 1}}], "expect": {"status": "active"}}')
    s = load_scenario(text, "tests/j.json")
    assert s.today == date(2026, 11, 15) and s.steps[0].line == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [unclosed\n", "Zeile 2: kein gültiges YAML"),
        ("- just\n- a list\n", "Ein Testfall ist ein Objekt"),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nstepz: []\n", "Zeile 4 (stepz): Unbekannter Eintrag „stepz“. "
                                                                  "Meinten Sie „steps“?"),
        ("authority: a\ntoday: 2026-11-15\nsteps: [{advance: P1D}]\n", "Der Name des Testfalls („name“) fehlt."),
        ("name: x\nauthority: a\ntoday: 15.11.2026\nsteps: [{advance: P1D}]\n",
         "Zeile 3 (today): „today“ fehlt oder ist kein Datum"),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nsteps: []\n", "Es ist kein Schritt angegeben"),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nsteps:\n  - {task: a, message: b}\n",
         "Zeile 5 (steps[0]): Ein Schritt braucht genau einen der Einträge „task“, „message“ oder „advance“ "
         "(angegeben: task, message)."),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nsteps:\n  - advance: 15 Tage\n",
         "Zeile 5 (steps[0].advance): „15 Tage“ ist keine Dauer nach ISO 8601"),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nsteps:\n  - task: a\n    data: {person_id: '${antragstelller}'}\n"
         "register:\n  - {ref: antragsteller, familienname: T, vornamen: M, geburtsdatum: 1990-01-01}\n",
         "Zeile 6 (steps[0].data.person_id): „${antragstelller}“ verweist auf keinen Einwohner aus „register“. "
         "Meinten Sie „${antragsteller}“?"),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nsteps: [{task: a}]\nregister:\n"
         "  - {ref: p, familienname: T, vornamen: M, geburtsdatum: 1990-01-01}\n"
         "  - {ref: p, familienname: T, vornamen: N}\n",
         "Zeile 7 (register[1].ref): Der Verweisname „p“ ist doppelt vergeben."),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nsteps: [{task: a}]\nregister:\n"
         "  - {ref: p, familienname: T, vornamen: M}\n",
         "Zeile 6 (register[0].geburtsdatum): Das Geburtsdatum fehlt"),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nsteps: [{task: a, expect_error: {}}]\n",
         "„expect_error“ braucht „field“ und/oder „contains“."),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nsteps: [{task: a}]\nexpect:\n  status: fertig\n",
         "Zeile 6 (expect.status): „fertig“ ist kein Status; erlaubt: active, waiting, completed."),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nsteps: [{task: a}]\nexpect:\n  register: [{dokumente: 1}]\n",
         "Ein Registereintrag braucht genau einen der Einträge „ref“"),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nsteps: [{task: a}]\nexpect:\n  messages: [{typ: x}]\n",
         "Unbekannter Eintrag „typ“. Meinten Sie „type“?"),
        ("name: 42\nauthority: a\ntoday: 2026-11-15\nsteps: [{task: a}]\n", "muss ein Text sein"),
        ("name: x\nauthority: a\ntoday: 2026-11-15\nsteps: [{task: a}]\nregister:\n"
         "  - {ref: kind, familienname: T, vornamen: K, geburtsdatum: 2020-01-01, gesetzliche_vertreter: ['${mutter}']}\n"
         "  - {ref: mutter, familienname: T, vornamen: M, geburtsdatum: 1990-01-01}\n",
         "Zeile 6 (register[0].gesetzliche_vertreter[0]): „${mutter}“ verweist auf keinen Einwohner aus „register“."),
    ],
)
def test_malformed_files_are_explained(text: str, expected: str) -> None:
    found = problems(text)
    assert any(expected in p for p in found), found


def test_every_problem_is_reported_at_once() -> None:
    found = problems("nme: x\ntoday: gestern\nsteps: [{}]\n")
    assert len(found) >= 4
    assert any("„nme“" in p for p in found) and any("authority" in p for p in found)


def test_durations() -> None:
    start = datetime(2026, 11, 15, 10, 0, tzinfo=BERLIN)
    assert parse_duration("P15D").after(start) == datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN)
    # Calendar months and the change back from summer time keep the wall-clock time.
    assert parse_duration("P1M").after(datetime(2026, 1, 31, 10, tzinfo=BERLIN)) == datetime(
        2026, 2, 28, 10, tzinfo=BERLIN)
    assert parse_duration("P1W").after(datetime(2026, 10, 22, 10, tzinfo=BERLIN)).hour == 10
    assert parse_duration("PT2H30M").clock == timedelta(hours=2, minutes=30)
    for bad in ("P", "15D", "PT", "P1.5D", "P1DT"):
        assert parse_duration(bad) is None, bad
