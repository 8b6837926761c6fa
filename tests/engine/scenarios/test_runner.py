"""The scenario runner on real fixture packages: passing scenarios pass, and every kind of
deliberately wrong scenario fails with its own German reason. Each scenario runs on a fresh
temporary SQLite database; the configured database is never touched."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.catalog.package import PackageFiles, read_from_disk
from engine.operations import default_registry
from engine.operations.context import OperationContext
from engine.operations.registry import OperationRegistry, Param
from engine.scenarios.report import format_result, summary
from engine.scenarios.runner import ScenarioResult, run_package, run_services
from engine.settings import Settings
from engine.store.models import Authority, Document, OutboxMessage
from tests.conftest import FIXTURES, make_settings

HERE = Path(__file__).resolve().parent

UMZUG: dict[str, Any] = {
    "name": "Umzug",
    "authority": "neubukow-salzhaff",
    "today": "2026-11-15",
    "register": [{"ref": "antragsteller", "familienname": "Testmann", "vornamen": "Max", "geburtsdatum": "1996-03-10",
                  "wohnungen": [{"art": "hauptwohnung", "strasse": "Dorfstraße", "hausnummer": "4",
                                 "postleitzahl": "19209", "ort": "Lützow", "ags": "13074050",
                                 "eingezogen_am": "2001-01-01"}]}],
    "steps": [
        {"task": "antragsteller_suchen", "data": {"familienname": "Testmann"}},
        {"task": "person_waehlen", "data": {"person_id": "${antragsteller}"}},
        {"task": "umzug_erfassen", "data": {"strasse": "Am Markt", "hausnummer": "1", "postleitzahl": "18230",
                                            "ort": "Rerik", "ags": "13072085", "einzugsdatum": "2026-11-10",
                                            "wohnungsart": "alleinige"}},
        {"task": "dokument_erfassen", "data": {"art": "reisepass", "seriennummer": "T0000009",
                                               "ausgestellt_am": "2026-11-15", "gueltig_bis": "2036-11-14"}},
    ],
    "expect": {"status": "completed"},
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, f"sqlite:///{tmp_path / 'nicht-anfassen.db'}")


def run(settings: Settings, scenario: dict[str, Any] | str, *, service: str = "register_test",
        registry: OperationRegistry | None = None, package: PackageFiles | None = None) -> ScenarioResult:
    text = scenario if isinstance(scenario, str) else yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
    files = package or read_from_disk(service, settings)
    kept = {p: t for p, t in files.files.items() if not p.startswith("tests/")}
    (result,) = run_package(PackageFiles(files.service_id, {**kept, "tests/fall.yaml": text}), settings=settings,
                            registry=registry)
    assert not Path(settings.database_url.removeprefix("sqlite:///")).exists(), "the real database was touched"
    return result


def changed(**parts: Any) -> dict[str, Any]:
    scenario = copy.deepcopy(UMZUG)
    for key, value in parts.items():
        scenario[key] = value
    return scenario


def test_the_fixture_scenario_passes(settings: Settings) -> None:
    (result,) = run_services(["register_test"], settings=settings)
    assert result.passed, result.failures
    assert result.name == "Umzug von Lützow nach Rerik mit neuem Personalausweis"
    assert result.file == "register_test/tests/umzug_mit_ausweis.yaml" and result.service_id == "register_test"
    assert "umzug_eintragen" in result.path and result.duration_ms > 0
    assert result.rule_refs == ("rules.md §3 M1", "BMG § 17 Abs. 1")
    lines = format_result(result, verbose=True)
    assert lines[0].startswith("OK     Umzug von Lützow") and any("Pfad: start → " in line for line in lines)
    assert summary([result]).startswith("1 Testfälle, alle bestanden")


@pytest.mark.parametrize(
    ("expect", "failure"),
    [
        ({"status": "active"}, "Status: erwartet „active“, tatsächlich „completed“."),
        ({"path_includes": ["altes_dokument_entwerten"]},
         "Pfad: „altes_dokument_entwerten“ wurde nicht durchlaufen (Pfad: start → antragsteller_suchen"),
        ({"path_excludes": ["umzug_eintragen"]}, "Pfad: „umzug_eintragen“ wurde durchlaufen, sollte aber nicht"),
        ({"data": {"suche.anzahl": 2}}, "Daten „suche.anzahl“: erwartet 2, tatsächlich 1."),
        ({"data": {"gebuehr": "70.00"}}, "Daten „gebuehr“: fehlt in den Vorgangsdaten (erwartet \"70.00\")."),
        ({"data": {"umzug": {"gefuehrt_von": "neubukow"}}},
         "Daten „umzug“: erwartet {\"gefuehrt_von\": \"neubukow\"}, tatsächlich {"),
        ({"register": [{"ref": "antragsteller", "gefuehrt_von": "luetzow-luebstorf"}]},
         "Register „antragsteller“: „gefuehrt_von“ erwartet \"luetzow-luebstorf\", tatsächlich \"neubukow-salzhaff\"."),
        ({"register": [{"ref": "antragsteller", "dokumente_gueltig": 2}]},
         "Register „antragsteller“: „dokumente_gueltig“ erwartet 2, tatsächlich 1."),
        ({"register": [{"suche": {"familienname": "Niemand"}, "gefuehrt_von": "x"}]},
         "Register (Suche {\"familienname\": \"Niemand\"}): erwartet genau eine Person, gefunden 0."),
    ],
)
def test_each_expectation_reports_what_differs(settings: Settings, expect: dict[str, Any], failure: str) -> None:
    result = run(settings, changed(expect=expect))
    assert not result.passed
    assert len(result.failures) == 1 and result.failures[0].startswith(failure), result.failures


def test_values_are_compared_as_designers_write_them(settings: Settings) -> None:
    result = run(settings, changed(expect={
        "status": "completed",
        "data": {"umzug.neue_wohnungen.0.wohnung.eingezogen_am": "2026-11-10", "suche.anzahl": "1",
                 "suche.abgeschnitten": False, "labels": {"person_id": "${antragsteller}"}},
        "register": [{"ref": "antragsteller", "hauptwohnung": {"ort": "Rerik", "postleitzahl": 18230},
                      "wohnungen_aktiv": 1, "auskunftssperre": False},
                     {"suche": {"familienname": "Testmann", "geburtsdatum": "1996-03-10"}, "dokumente": 1}],
    }))
    assert result.passed, result.failures


def test_residents_may_name_earlier_residents(settings: Settings) -> None:
    mother = {"ref": "mutter", "familienname": "Testmann", "vornamen": "Mia", "geburtsdatum": "1970-01-01"}
    child = {**UMZUG["register"][0], "gesetzliche_vertreter": ["${mutter}"]}
    expect = {"register": [{"ref": "antragsteller", "person": {"gesetzliche_vertreter": [{"vornamen": "Mia"}]}},
                           {"ref": "mutter", "person": {"kinder": [{"person_id": "${antragsteller}"}]}}]}
    steps = [{"task": "antragsteller_suchen", "data": {"familienname": "Testmann", "vornamen": "Max"}},
             *UMZUG["steps"][1:]]
    result = run(settings, changed(register=[mother, child], steps=steps, expect=expect))
    assert result.passed, result.failures


def test_a_task_that_is_not_ready_stops_the_scenario(settings: Settings) -> None:
    steps = copy.deepcopy(UMZUG["steps"])
    steps.insert(1, steps.pop(2))  # the move before the person is chosen
    result = run(settings, changed(steps=steps))
    assert result.failures[0].startswith("Schritt 2 (Aufgabe „umzug_erfassen“, Zeile ")
    assert result.failures[0].endswith("Die Aufgabe „umzug_erfassen“ ist nicht bereit. Bereit: person_waehlen; "
                                       "Status: active.")
    assert result.notes == ("Weitere Schritte und die Erwartungen wurden nicht geprüft.",)
    assert result.path[-1] == "person_suchen"


def test_an_expected_error_must_happen_with_that_field(settings: Settings) -> None:
    future = {**UMZUG["steps"][2]["data"], "einzugsdatum": "2026-11-20"}
    steps = copy.deepcopy(UMZUG["steps"])
    steps.insert(2, {"task": "umzug_erfassen", "data": future,
                     "expect_error": {"field": "eingezogen_am", "contains": "IN DER ZUKUNFT"}})
    assert run(settings, changed(steps=steps)).passed

    steps[2]["expect_error"] = {"field": "ags"}
    result = run(settings, changed(steps=steps))
    assert "erwartet war ein Fehler bei „ags“, gemeldet wurde: Das Einzugsdatum 20.11.2026 liegt in der Zukunft" \
        in result.failures[0]

    steps[2] = {"task": "umzug_erfassen", "data": UMZUG["steps"][2]["data"], "expect_error": {"field": "ags"}}
    result = run(settings, changed(steps=steps))
    assert result.failures[0].endswith("der erwartete Fehler bei „ags“ trat nicht auf; der Schritt wurde gespeichert.")


def test_form_errors_can_be_expected_by_field(settings: Settings) -> None:
    steps = copy.deepcopy(UMZUG["steps"])
    steps.insert(2, {"task": "umzug_erfassen", "data": {**steps[2]["data"], "postleitzahl": "1823"},
                     "expect_error": {"field": "postleitzahl"}})
    assert run(settings, changed(steps=steps)).passed


def test_an_unexpected_error_is_reported_with_the_step(settings: Settings) -> None:
    steps = copy.deepcopy(UMZUG["steps"])
    steps[2]["data"]["einzugsdatum"] = "2026-11-20"
    result = run(settings, changed(steps=steps))
    assert result.failures[0].startswith("Schritt 3 (Aufgabe „umzug_erfassen“, Zeile ")
    assert "Das Einzugsdatum 20.11.2026 liegt in der Zukunft" in result.failures[0]
    assert "(eingezogen_am: " in result.failures[0]


def test_problems_before_the_first_step(settings: Settings) -> None:
    bad_resident = changed(register=[{**UMZUG["register"][0], "familienname": "Test😀mann"}])
    result = run(settings, bad_resident)
    assert result.failures[0].startswith("Einwohner „antragsteller“ (Zeile ")
    assert "DIN SPEC 91379" in result.failures[0]

    result = run(settings, changed(mocks={"gibts.nicht": {}}))
    assert result.failures == ("Testantwort („mocks“) für die unbekannte Operation „gibts.nicht“.",)

    result = run(settings, changed(authority="nirgendwo", register=[], steps=UMZUG["steps"][:1]))
    assert result.failures == ("Start des Vorgangs: Die Behörde „nirgendwo“ ist nicht bekannt.",)

    package = read_from_disk("register_test", settings)
    broken = {**package.files, "register_test.bpmn": package.files["register_test.bpmn"].replace(
        'id="register.get_person"', 'id="register.gibts_nicht"')}
    result = run(settings, UMZUG, package=PackageFiles("register_test", broken))
    assert result.failures[0].startswith("Das Verfahren „register_test“ lässt sich nicht veröffentlichen: "
                                         "register_test.bpmn:")
    assert "register.gibts_nicht" in result.failures[0]


def test_a_malformed_file_fails_with_its_problems(settings: Settings) -> None:
    result = run(settings, "name: x\nauthority: neubukow\ntoday: 2026-11-15\nsteps: [{taks: a}]\n")
    assert not result.passed and result.file == "register_test/tests/fall.yaml"
    assert any("Unbekannter Eintrag „taks“. Meinten Sie „task“?" in f for f in result.failures)


def test_mocked_operations_answer_instead(settings: Settings) -> None:
    scripted = {"anzahl": 5, "treffer": [], "abgeschnitten": False}
    result = run(settings, changed(mocks={"register.find_person": scripted},
                                   expect={"data": {"suche.anzahl": 5}, "messages": [], "documents": []}))
    assert result.passed, result.failures


# -- messages, documents, message events, timers ------------------------------------------------
def _send(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    reader = ctx.session.query(Authority).filter_by(key=params["empfaenger"]).one()
    row = OutboxMessage(id=uuid.uuid4(), case_id=ctx.case_id, message_type=params["nachrichtentyp"], code="0006",
                        author=ctx.authority.dvdv_kennung, reader=reader.dvdv_kennung, reader_name=reader.name,
                        xml=b"<test/>", valid=True, validation={}, status="pending", created_at=ctx.now)
    ctx.session.add(row)
    return {"nachricht_id": str(row.id), "nachrichtentyp": row.message_type}


def _render(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    doc = Document(id=uuid.uuid4(), case_id=ctx.case_id, kind=params["art"], title=params["titel"],
                   filename="quittung.pdf", media_type="application/pdf", content=b"%PDF", sha256="0" * 64,
                   created_at=ctx.now)
    ctx.session.add(doc)
    return {"dokument_id": str(doc.id), "dateiname": doc.filename}


def registry_with_test_outputs() -> OperationRegistry:
    """The engine's operations, but message.send and document.render write plain test rows."""
    registry = OperationRegistry()
    for op in default_registry():
        if op.id not in ("message.send", "document.render"):
            registry.register(op)
    registry.operation("message.send", title_de="Testnachricht", description_de="Schreibt eine Testzeile.",
                       params=[Param(name="nachrichtentyp", type="str", description_de="Typ"),
                               Param(name="empfaenger", type="str", description_de="Behörde"),
                               Param(name="daten", type="dict", description_de="Daten")], effect="external")(_send)
    registry.operation("document.render", title_de="Testdokument", description_de="Schreibt ein Testdokument.",
                       params=[Param(name=n, type="dict" if n == "daten" else "str", description_de=n)
                               for n in ("vorlage", "titel", "daten", "art")], effect="case")(_render)
    return registry


def registry_without_outputs() -> OperationRegistry:
    registry = OperationRegistry()
    for op in default_registry():
        if op.id not in ("message.send", "document.render"):
            registry.register(op)
    return registry


ZUSTAENDIG = {"gefunden": True, "selbst_zustaendig": True, "behoerde": {"key": "erste"}}
ABLAUF: dict[str, Any] = {
    "name": "Nachricht, Dokument, Bescheid, Timer",
    "authority": "neubukow-salzhaff",
    "today": "2026-11-15",
    "mocks": {"authority.competent_for": [ZUSTAENDIG, {**ZUSTAENDIG, "behoerde": {"key": "zweite"}}]},
    "steps": [
        {"task": "erfassen", "data": {"name": "Erika Testfrau"}},
        {"message": "bescheid_eingegangen", "payload": {"antrag_nr": "${vorgang.nummer}", "text": "ok"}},
        {"advance": "P31D"},
    ],
    "expect": {
        "status": "completed",
        "path_includes": ["nachricht_senden", "quittung_erstellen", "bescheid_abwarten", "verfall_vermerken"],
        "path_excludes": ["ende_abgeholt"],
        "data": {"z1.behoerde.key": "erste", "z2.behoerde.key": "zweite", "bescheid.text": "ok", "verfallen": True},
        "messages": [{"type": "fortschreibung.dokument.0006", "reader": "luetzow-luebstorf"}],
        "documents": [{"art": "quittung"}],
    },
}


@pytest.fixture
def ablauf_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, f"sqlite:///{tmp_path / 'nicht-anfassen.db'}",
                         processes_dir=HERE / "packages", forms_dir=HERE / "forms")


def test_messages_documents_message_events_timers_and_mock_lists(ablauf_settings: Settings) -> None:
    result = run(ablauf_settings, ABLAUF, service="szenario_test", registry=registry_with_test_outputs())
    assert result.passed, result.failures
    assert result.notes == ()
    assert result.path[-1] == "ende_verfallen"


@pytest.mark.parametrize(
    ("expect", "failure"),
    [
        ({"messages": [{"type": "fortschreibung.dokument.0006", "reader": "neubukow"}]},
         "Nachricht 1: „reader“ erwartet \"neubukow\", tatsächlich \"luetzow-luebstorf\"."),
        ({"messages": [{"type": "fortschreibung.dokument.0006", "reader": "ags:130745455"},
                       {"type": "rueckmeldung.anmeldunginland.0201"}]},
         "Nachrichten: erwartet 2 (fortschreibung.dokument.0006 an ags:130745455, "
         "rueckmeldung.anmeldunginland.0201 an None), tatsächlich 1 (fortschreibung.dokument.0006 an "
         "luetzow-luebstorf)."),
        ({"documents": [{"art": "bescheid"}]}, "Dokumente: keines passt zu {\"art\": \"bescheid\"} (vorhanden: quittung)."),
        ({"documents": []}, "Dokumente: erwartet 0 (keine), tatsächlich 1 (quittung)."),
    ],
)
def test_message_and_document_expectations(ablauf_settings: Settings, expect: dict[str, Any], failure: str) -> None:
    scenario = {**ABLAUF, "expect": expect}
    result = run(ablauf_settings, scenario, service="szenario_test", registry=registry_with_test_outputs())
    assert result.failures == (failure,)


def test_a_message_nobody_waits_for(ablauf_settings: Settings) -> None:
    steps = [ABLAUF["steps"][0], {"message": "bescheid_eingegangen", "payload": {"antrag_nr": "V-0000-FALSCH"}}]
    result = run(ablauf_settings, {**ABLAUF, "steps": steps}, service="szenario_test",
                 registry=registry_with_test_outputs())
    assert result.failures[0].startswith("Schritt 2 (Nachricht „bescheid_eingegangen“, Zeile ")
    assert result.failures[0].endswith("Kein Vorgang wartet auf die Nachricht „bescheid_eingegangen“ mit diesen "
                                       "Korrelationswerten.")


def test_too_few_scripted_answers(ablauf_settings: Settings) -> None:
    scenario = {**ABLAUF, "mocks": {"authority.competent_for": [ZUSTAENDIG]}}
    result = run(ablauf_settings, scenario, service="szenario_test", registry=registry_with_test_outputs())
    assert "Für „authority.competent_for“ sind nur 1 Testantworten hinterlegt, der 2. Aufruf braucht eine weitere." \
        in result.failures[0]


def test_checks_of_missing_or_mocked_operations_are_skipped_with_a_note(settings: Settings) -> None:
    result = run(settings, changed(expect={"messages": [{"type": "x.y.0001"}], "documents": [{"art": "quittung"}]}),
                 registry=registry_without_outputs())
    assert result.passed
    assert result.notes == (
        "Erwartete Nachrichten nicht geprüft: die Operation message.send gibt es noch nicht.",
        "Erwartete Dokumente nicht geprüft: die Operation document.render gibt es noch nicht.",
    )
    result = run(settings, changed(mocks={"message.send": {"nachricht_id": "1"}},
                                   expect={"messages": [{"type": "x.y.0001"}]}),
                 registry=registry_with_test_outputs())
    assert result.notes == ("Erwartete Nachrichten nicht geprüft: message.send ist in „mocks“ durch Testantworten "
                            "ersetzt.",)


def test_fixture_settings_point_at_the_fixture_packages(settings: Settings) -> None:
    assert settings.processes_dir == FIXTURES / "packages"
