"""The catalog check finds each kind of broken package and says where (file, line, element)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.catalog.check import check_package
from engine.catalog.package import PackageFiles, read_from_disk
from engine.operations import default_registry
from engine.settings import PROJECT_ROOT, Settings
from tests.conftest import FIXTURES

SETTINGS = Settings(root=PROJECT_ROOT, processes_dir=FIXTURES / "packages", forms_dir=FIXTURES / "forms")
BPMN = "beispiel.bpmn"
DMN = "gebuehr.dmn"


def sample() -> dict[str, str]:
    return dict(read_from_disk("beispiel", SETTINGS).files)


def check(files: dict[str, str]):  # type: ignore[no-untyped-def]
    return check_package(PackageFiles("beispiel", files), default_registry(), SETTINGS)


def test_sample_package_is_clean() -> None:
    assert [str(p) for p in check(sample())] == []


def edit(path: str, old: str, new: str) -> Callable[[dict[str, str]], None]:
    def apply(files: dict[str, str]) -> None:
        assert old in files[path], f"fixture changed: {old!r} not in {path}"
        files[path] = files[path].replace(old, new, 1)

    return apply


def drop(path: str) -> Callable[[dict[str, str]], None]:
    return lambda files: files.pop(path)


CASES = [
    # (id, mutation, expected code, file, element id or None)
    ("xml-syntax", edit(BPMN, "</bpmn:process>", "</bpmn:proces>"), "xml-syntax", BPMN, None),
    ("bpmn-schema", edit(BPMN, '<bpmn:endEvent id="ende_verfallen"', '<bpmn:fooEvent id="x"/><bpmn:endEvent id="ende_verfallen"'),
     "bpmn-schema", BPMN, None),
    ("no-start-event", edit(BPMN, '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>', ""),
     "bpmn-semantic", BPMN, None),
    ("flow-to-nowhere", edit(BPMN, 'targetRef="alter_berechnen"', 'targetRef="gibt_es_nicht"'),
     "bpmn-semantic", BPMN, None),
    ("form-file-missing", drop("forms/antrag.schema.json"), "form-missing", BPMN, "antrag_erfassen"),
    ("form-not-referenced", edit(BPMN, '<spiffworkflow:property name="formJsonSchemaFilename" value="abholung.schema.json" />', ""),
     "form-missing", BPMN, "abholung"),
    ("form-invalid-json", edit("forms/antrag.schema.json", '"type": "object",', '"type": "object"'),
     "form-invalid", "forms/antrag.schema.json", None),
    ("form-invalid-schema", edit("forms/antrag.schema.json", '"minLength": 1', '"minLength": "eins"'),
     "form-invalid", "forms/antrag.schema.json", None),
    ("decision-missing", edit(BPMN, "<spiffworkflow:calledDecisionId>gebuehr<", "<spiffworkflow:calledDecisionId>gebuer<"),
     "decision-missing", BPMN, "gebuehr_ermitteln"),
    ("unknown-operation", edit(BPMN, 'id="authority.competent_for"', 'id="authority.competent_fur"'),
     "unknown-operation", BPMN, "zustaendigkeit_pruefen"),
    ("unknown-parameter", edit(BPMN, '<spiffworkflow:parameter id="ags"', '<spiffworkflow:parameter id="agz"'),
     "operation-parameter", BPMN, "zustaendigkeit_pruefen"),
    ("wrong-literal-type", edit(BPMN, "value=\"'13072085'\"", 'value="13072085"'),
     "operation-parameter", BPMN, "zustaendigkeit_pruefen"),
    ("script-import", edit(BPMN, "alter = age_on(geburtsdatum, today())", "import os\nalter = 1"),
     "script-compile", BPMN, "alter_berechnen"),
    ("script-syntax", edit(BPMN, "alter = age_on(geburtsdatum, today())", "alter = age_on(geburtsdatum, today()"),
     "script-compile", BPMN, "alter_berechnen"),
    ("condition-dunder", edit(BPMN, "dringend == True", "dringend.__class__"),
     "script-compile", BPMN, "f_dringend"),
    ("condition-missing", edit(BPMN, "<bpmn:conditionExpression>dringend == True</bpmn:conditionExpression>", ""),
     "condition-missing", BPMN, "f_dringend"),
    ("timer-unquoted", edit(BPMN, '"P30D"', "P30D"), "timer-invalid", BPMN, "nicht_abgeholt_def"),
    ("timer-not-iso", edit(BPMN, '"P30D"', '"30 Tage"'), "timer-invalid", BPMN, "nicht_abgeholt_def"),
    ("message-uncorrelated", edit(BPMN, """          <spiffworkflow:processVariableCorrelation>
            <spiffworkflow:propertyId>antrag_nr</spiffworkflow:propertyId>
            <spiffworkflow:expression>vorgang['nummer']</spiffworkflow:expression>
          </spiffworkflow:processVariableCorrelation>
""", ""), "message-uncorrelated", BPMN, "bescheid_abwarten"),
    ("dmn-feel", edit(DMN, "<text>&lt; 24</text>", "<text>[0..23]</text>"), "dmn-feel", DMN, "r1"),
    ("dmn-comma-list", edit(DMN, "<text>&lt; 24</text>", "<text>16,17</text>"), "dmn-feel", DMN, "r1"),
    ("dmn-output-python", edit(DMN, '<text>Decimal("10.00")</text>', "<text>zehn Euro</text>"),
     "script-compile", DMN, "r1"),
    ("dmn-two-decisions", edit(DMN, "</definitions>", '<decision id="zweite" name="z"/></definitions>'),
     "dmn-decisions", DMN, None),
    ("dmn-hit-policy", edit(DMN, 'hitPolicy="UNIQUE"', 'hitPolicy="ANY"'), "dmn-hit-policy", DMN, "gebuehr"),
    ("manifest-missing-field", edit("service.toml", 'leika_key = "99000000000000"\n', ""),
     "manifest-field", "service.toml", None),
    ("manifest-entry-process", edit("service.toml", 'entry_process = "beispiel"', 'entry_process = "bspl"'),
     "entry-process", "service.toml", None),
    ("instructions-template", edit(BPMN, "{{ vorgang.nummer }}", "{{ vorgang.nummer }"),
     "template-syntax", BPMN, "antrag_erfassen"),
    ("form-options-from-malformed", edit("forms/antrag.schema.json", '"dringend": {', '"wahl": {"type": "string", "x-options-from": {"list": "treffer"}}, "dringend": {'),
     "form-invalid", "forms/antrag.schema.json", "/properties/wahl"),
    ("form-field-shadows-helper", edit("forms/antrag.schema.json", '"dringend": {', '"today": {"type": "string"}, "dringend": {'),
     "form-invalid", "forms/antrag.schema.json", None),
]


@pytest.mark.parametrize(("mutation", "code", "file", "element"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_package_is_reported(mutation, code, file, element) -> None:  # type: ignore[no-untyped-def]
    files = sample()
    mutation(files)
    problems = [p for p in check(files) if p.severity == "error"]
    matching = [p for p in problems if p.code == code and p.file == file]
    assert matching, f"expected {code} in {file}, got: {[str(p) for p in problems]}"
    p = matching[0]
    if element is not None:
        assert p.element_id == element, str(p)
    if file.endswith((".bpmn", ".dmn")) and code not in ("dmn-decisions",):
        assert p.line, f"no line for {p}"
    assert p.user_message and p.user_message[0].isupper()


def test_all_problems_are_reported_not_only_the_first() -> None:
    files = sample()
    for _, mutation, *_ in [CASES[9], CASES[12], CASES[16], CASES[19]]:
        mutation(files)
    codes = {p.code for p in check(files)}
    assert {"unknown-operation", "script-compile", "timer-invalid", "dmn-feel"} <= codes
