"""spiff-arena ``test_*.json`` unit tests on our engine, with spiff-arena's semantics."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from engine.catalog.package import PackageFiles
from engine.designer.spiff_arena import import_spiff
from engine.designer.spiff_tests import run_unit_tests, unit_test_files
from engine.operations import default_registry
from engine.settings import Settings
from tests.engine.designer.conftest import spiff_model

TEST_FILE = "tests/spiff/test_meldung-vorpruefung.json"


def imported() -> PackageFiles:
    return import_spiff(spiff_model()).package


def with_cases(package: PackageFiles, cases: dict[str, Any], file: str = TEST_FILE) -> PackageFiles:
    return PackageFiles(package.service_id, {**package.files, file: json.dumps(cases)})


def run(package: PackageFiles, **kw: Any) -> dict[str, Any]:
    results = run_unit_tests(package, registry=default_registry(), settings=Settings(), **kw)
    return {r.case: r for r in results}


def fixture_cases() -> dict[str, Any]:
    return json.loads(imported().files[TEST_FILE])


def test_the_imported_models_unit_tests_pass() -> None:
    package = imported()
    assert unit_test_files(package) == [TEST_FILE]
    results = run(package)
    assert set(results) == {"zwei_personen_ohne_auskunft", "drei_personen_mit_auskunft", "skript_durch_daten_ersetzt"}
    assert all(r.passed for r in results.values()), {k: r.error for k, r in results.items()}
    r = results["drei_personen_mit_auskunft"]
    assert r.actual["personen"] == ["A", "B", "C"] and r.actual["auskunft"]["http_status"] == 200
    assert r.to_arena() == {"passed": True, "bpmn_file": "meldung-vorpruefung.bpmn",
                            "test_case_identifier": "drei_personen_mit_auskunft", "test_case_error_details": None}


def test_a_wrong_expectation_fails_with_the_differences() -> None:
    cases = fixture_cases()
    case = cases["zwei_personen_ohne_auskunft"]
    case["expected_output_json"] = {**case["expected_output_json"], "anzahl": 3}
    del case["expected_output_json"]["vermerk"]
    r = run(with_cases(imported(), {"x": case}))["x"]
    assert not r.passed
    assert "anzahl (erwartet 3, tatsächlich 2)" in r.error and "zusätzlich: vermerk" in r.error
    assert r.to_arena()["test_case_error_details"]["output_data"]["anzahl"] == 2


def test_a_user_task_without_data_cannot_run() -> None:
    case = fixture_cases()["zwei_personen_ohne_auskunft"]
    del case["tasks"]["Activity_pruefung:Activity_vermerk"]
    r = run(with_cases(imported(), {"x": case}))["x"]
    assert not r.passed and r.element_id == "Activity_vermerk"
    assert "„Prüfvermerk“ (Activity_vermerk) braucht im Test Daten" in r.error


def test_data_is_consumed_one_entry_per_visit() -> None:
    case = fixture_cases()["zwei_personen_ohne_auskunft"]
    case["tasks"]["Activity_person"]["data"] = [{"person_name": "A", "weitere": True}]
    r = run(with_cases(imported(), {"x": case}))["x"]
    assert not r.passed
    assert "Für „Activity_person“ sind 1 Datensätze angegeben, die Aufgabe wird aber zum 2. Mal erreicht." in r.error


def test_data_given_to_a_script_task_replaces_running_it() -> None:
    case = fixture_cases()["skript_durch_daten_ersetzt"]
    # Without the data, the script would call the unmocked get_current_user() and fail.
    assert "mocks" not in case
    assert run(with_cases(imported(), {"x": case}))["x"].passed
    del case["tasks"]["Activity_zaehlen"]
    r = run(with_cases(imported(), {"x": case}))["x"]
    assert not r.passed and r.element_id == "Activity_zaehlen" and "get_current_user" in r.error


def test_a_service_task_without_data_cannot_run() -> None:
    case = fixture_cases()["drei_personen_mit_auskunft"]
    del case["tasks"]["Activity_auskunft"]
    r = run(with_cases(imported(), {"x": case}))["x"]
    assert not r.passed and r.element_id == "Activity_auskunft"
    assert "oder eine Testantwort in „mocks“" in r.error


def test_only_one_file_or_case_and_broken_files() -> None:
    package = with_cases(imported(), {"eins": {}}, file="tests/spiff/test_fehlt.json")
    package = PackageFiles(package.service_id, {**package.files, "tests/spiff/test_kaputt.json": "{"})
    results = run_unit_tests(package, registry=default_registry(), settings=Settings())
    by_file = {(r.file, r.case): r for r in results}
    assert "Zur Testdatei gibt es kein Diagramm „fehlt.bpmn“" in by_file[("tests/spiff/test_fehlt.json", "eins")].error
    assert "kein gültiges JSON" in by_file[("tests/spiff/test_kaputt.json", "(Datei)")].error
    only = run(package, only_file="test_meldung-vorpruefung.json", only_case="skript_durch_daten_ersetzt")
    assert list(only) == ["skript_durch_daten_ersetzt"]


SMALL_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="klein" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="rechnen"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>heute = today()
echo = konstante("Argument")
wert = konstante()
alter = age_on("1990-05-01", heute)</bpmn:script></bpmn:scriptTask>
    <bpmn:serviceTask id="pruefen">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="authority.competent_for" resultVariable="zustaendig">
          <spiffworkflow:parameters><spiffworkflow:parameter id="ags" type="str" value="'13072085'" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>
    MIDDLE
    <bpmn:endEvent id="e"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="rechnen" />
    <bpmn:sequenceFlow id="f2" sourceRef="rechnen" targetRef="pruefen" />
    <bpmn:sequenceFlow id="f3" sourceRef="pruefen" targetRef="mitte" />
    <bpmn:sequenceFlow id="f4" sourceRef="mitte" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""
PLAIN_TASK = '<bpmn:task id="mitte"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:task>'
TIMER = """<bpmn:intermediateCatchEvent id="mitte" name="Einen Tag warten">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>"""


def small(wait: bool) -> PackageFiles:
    """A script using mocked functions and a service task with a mocked operation (then a timer)."""
    bpmn = SMALL_BPMN.replace("MIDDLE", TIMER if wait else PLAIN_TASK)
    case = {"mocks": {"konstante": 7, "today": "2026-11-15",
                      "authority.competent_for": {"gefunden": True, "selbst_zustaendig": False}},
            "expected_output_json": {"heute": "2026-11-15", "echo": "Argument", "wert": 7, "alter": 36,
                                     "zustaendig": {"gefunden": True, "selbst_zustaendig": False}}}
    return PackageFiles("klein", {"klein.bpmn": bpmn, "tests/spiff/test_klein.json": json.dumps({"fall": case})})


def test_mocks_map_to_helpers_new_functions_and_operations() -> None:
    r = run(small(wait=False))["fall"]
    assert r.passed, r.error


def test_without_the_operation_mock_the_service_task_needs_data() -> None:
    package = small(wait=False)
    cases = json.loads(package.files["tests/spiff/test_klein.json"])
    del cases["fall"]["mocks"]["authority.competent_for"]
    r = run(with_cases(package, cases, file="tests/spiff/test_klein.json"))["fall"]
    assert not r.passed and r.element_id == "pruefen"


def test_a_waiting_timer_means_the_case_did_not_complete() -> None:
    r = run(small(wait=True))["fall"]
    assert not r.passed
    assert "wartet bei: Einen Tag warten" in r.error and "Timer und Nachrichten" in r.error


@pytest.mark.parametrize("day", [date(2026, 11, 15), date(2030, 1, 1)])
def test_the_clock_can_be_pinned(day: date) -> None:
    package = small(wait=False)
    cases = json.loads(package.files["tests/spiff/test_klein.json"])
    del cases["fall"]["mocks"]["today"]
    cases["fall"]["expected_output_json"].update(heute=day.isoformat(), alter=day.year - 1990 - (day < date(day.year, 5, 1)))
    r = run(with_cases(package, cases, file="tests/spiff/test_klein.json"), today=day)["fall"]
    assert r.passed, r.error
