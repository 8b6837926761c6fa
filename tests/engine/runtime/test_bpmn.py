"""Our task specs: strict decision tables, operations that fail loudly, timers on the step clock."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.errors import OperationFailed
from engine.operations import default_registry
from engine.operations.registry import Param
from engine.runtime.bpmn import DecisionFailed, _as_instant
from engine.service_layer.actors import Actor
from engine.settings import PROJECT_ROOT
from engine.store.models import AuditEvent, Case
from tests.conftest import make_settings

ACTOR = Actor.system("test")
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://x">
<bpmn:process id="{pid}" isExecutable="true">
"""


def chain(pid: str, *elements: str) -> str:
    """A linear process start → elements… → end; each element is (id, xml-with-{inc}{out})."""
    ids = ["start"] + [e.split('id="', 1)[1].split('"', 1)[0] for e in elements] + ["ende"]
    body = ['<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>']
    for i, el in enumerate(elements):
        body.append(el.replace("{io}", f"<bpmn:incoming>f{i}</bpmn:incoming><bpmn:outgoing>f{i + 1}</bpmn:outgoing>"))
    body.append(f'<bpmn:endEvent id="ende"><bpmn:incoming>f{len(elements)}</bpmn:incoming></bpmn:endEvent>')
    body += [f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />' for i, (a, b) in
             enumerate(itertools.pairwise(ids))]
    return HEAD.format(pid=pid) + "\n".join(body) + "\n</bpmn:process></bpmn:definitions>\n"


def dmn(policy: str, rules: list[tuple[str, str, str]], aggregation: str = "") -> str:
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    rows = "\n".join(
        f'<rule id="r{i}"><description>{note}</description><inputEntry id="r{i}i"><text>{cond}</text></inputEntry>'
        f'<outputEntry id="r{i}o"><text>{out}</text></outputEntry></rule>'
        for i, (cond, out, note) in enumerate(rules, 1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="t" namespace="http://x">
<decision id="tabelle" name="Testtabelle"><decisionTable id="dt" hitPolicy="{policy}"{agg}>
<input id="in1" label="Alter"><inputExpression id="ie1" typeRef="integer"><text>alter</text></inputExpression></input>
<output id="out1" label="Betrag" name="betrag" typeRef="number" />
{rows}
</decisionTable></decision></definitions>"""


def make_engine(tmp_path: Path, db_url: str, service: str, files: dict[str, str], registry=None,  # type: ignore[no-untyped-def]
                forms: dict[str, str] | None = None):
    from engine.service_layer.core import Engine

    pkg = tmp_path / "packages" / service
    pkg.mkdir(parents=True)
    (tmp_path / "forms" / service).mkdir(parents=True)
    (pkg / "service.toml").write_text(
        f'id = "{service}"\ntitle = "Test"\nleika_key = "99000000000099"\nentry_process = "{service}"\n'
        'authority_role = "meldebehoerde"\n', encoding="utf-8")
    for name, text in files.items():
        (pkg / name).write_text(text, encoding="utf-8")
    for name, text in (forms or {}).items():
        (tmp_path / "forms" / service / name).write_text(text, encoding="utf-8")
    settings = make_settings(tmp_path, db_url, processes_dir=tmp_path / "packages", forms_dir=tmp_path / "forms")
    engine = Engine(settings, registry=registry)
    engine.authorities.load_file(PROJECT_ROOT / "demo" / "authorities.toml")
    results = engine.catalog.sync_from_disk()
    assert [r.action for r in results] == ["published"], [str(p) for r in results for p in r.problems]
    return engine


DECIDE = '<bpmn:businessRuleTask id="entscheiden"><bpmn:extensionElements><spiffworkflow:calledDecisionId>tabelle</spiffworkflow:calledDecisionId></bpmn:extensionElements>{io}</bpmn:businessRuleTask>'


def run_decision(tmp_path, db_url, table: str, alter: int):  # type: ignore[no-untyped-def]
    setter = f'<bpmn:scriptTask id="setzen">{{io}}<bpmn:script>alter = {alter}</bpmn:script></bpmn:scriptTask>'
    engine = make_engine(tmp_path, db_url, "entscheidung", {"p.bpmn": chain("entscheidung", setter, DECIDE),
                                                            "t.dmn": table})
    try:
        return engine, engine.cases.start("entscheidung", "neubukow", ACTOR)
    except Exception:
        engine.close()
        raise


RULES = [("&lt; 24", 'Decimal("37.50")', "PassV § 15 Abs. 1 Nr. 1b"), ("&gt;= 24", 'Decimal("70.00")', "Nr. 1a"),
         ("&gt;= 0", 'Decimal("1.00")', "Zuschlag")]


@pytest.mark.parametrize(("policy", "alter", "expected"), [("FIRST", 30, Decimal("70.00")),
                                                             ("FIRST", 20, Decimal("37.50"))])
def test_first_takes_the_first_matching_rule(tmp_path, db_url, policy, alter, expected) -> None:  # type: ignore[no-untyped-def]
    engine, view = run_decision(tmp_path, db_url, dmn(policy, RULES), alter)
    assert view.data["betrag"] == expected
    with engine.db.read() as s:
        payload = s.execute(select(AuditEvent.payload).where(AuditEvent.type == "decision_evaluated")).scalar_one()
    assert "PassV § 15 Abs. 1 Nr. 1b" in payload if alter < 24 else '"annotation":"Nr. 1a"' in payload
    engine.close()


def test_unique_with_two_matching_rules_fails_and_saves_nothing(tmp_path, db_url) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DecisionFailed) as err:
        run_decision(tmp_path, db_url, dmn("UNIQUE", RULES), 30)
    assert "mehrere Regeln" in err.value.user_message and "2, 3" in err.value.user_message


def test_no_matching_rule_fails_loudly(tmp_path, db_url) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DecisionFailed) as err:
        run_decision(tmp_path, db_url, dmn("UNIQUE", RULES[1:2]), 20)
    assert "keine passende Regel" in err.value.user_message and "Alter = 20" in err.value.user_message


def test_collect_with_sum_adds_up_the_matching_rules(tmp_path, db_url) -> None:  # type: ignore[no-untyped-def]
    engine, view = run_decision(tmp_path, db_url, dmn("COLLECT", RULES, "SUM"), 30)
    assert view.data["betrag"] == Decimal("71.00")
    engine.close()


def test_collect_without_aggregation_gives_lists(tmp_path, db_url) -> None:  # type: ignore[no-untyped-def]
    engine, view = run_decision(tmp_path, db_url, dmn("COLLECT", RULES), 10)
    assert view.data["betrag"] == [Decimal("37.50"), Decimal("1.00")]
    engine.close()


def test_a_failing_operation_fails_the_step_with_its_element_and_saves_nothing(tmp_path, db_url) -> None:  # type: ignore[no-untyped-def]
    registry = default_registry().copy()

    @registry.operation("demo.fehlschlag", title_de="Absichtlicher Fehler", description_de="Schlägt immer fehl.",
                        params=[Param(name="grund", type="str", description_de="Grund")])
    def fail(ctx, params):  # type: ignore[no-untyped-def]
        raise RuntimeError(params["grund"])

    task = ('<bpmn:serviceTask id="aufrufen" name="Fremdsystem aufrufen"><bpmn:extensionElements>'
            '<spiffworkflow:serviceTaskOperator id="demo.fehlschlag" resultVariable="r"><spiffworkflow:parameters>'
            "<spiffworkflow:parameter id=\"grund\" type=\"str\" value=\"'kaputt'\" />"
            "</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>{io}</bpmn:serviceTask>")
    engine = make_engine(tmp_path, db_url, "fehler", {"p.bpmn": chain("fehler", task)}, registry=registry)
    with pytest.raises(OperationFailed) as err:
        engine.cases.start("fehler", "neubukow", ACTOR)
    assert err.value.user_message == "Der Verarbeitungsschritt „Absichtlicher Fehler“ ist fehlgeschlagen."
    assert err.value.context["element_id"] == "aufrufen"
    assert "RuntimeError: kaputt" in str(err.value)
    with engine.db.read() as s:
        assert s.execute(select(func.count(Case.id))).scalar() == 0
    engine.close()


@pytest.mark.parametrize(("text", "offset"), [("2026-03-28T12:00:00", 1), ("2026-03-30T12:00:00", 2),
                                              ("2026-10-24T12:00:00", 2), ("2026-10-26T12:00:00", 1)])
def test_naive_timer_dates_are_german_local_time_across_daylight_saving(text: str, offset: int) -> None:
    instant = _as_instant(text)
    assert instant.utcoffset() == timedelta(0)
    assert instant == datetime.fromisoformat(text).replace(tzinfo=clock.BERLIN)
    assert datetime.fromisoformat(text) - instant.replace(tzinfo=None) == timedelta(hours=offset)


def test_a_date_timer_fires_by_the_step_clock(tmp_path, db_url) -> None:  # type: ignore[no-untyped-def]
    wait = ('<bpmn:intermediateCatchEvent id="warten">{io}<bpmn:timerEventDefinition id="td">'
            "<bpmn:timeDate>frist</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")
    setter = '<bpmn:scriptTask id="setzen">{io}<bpmn:script>frist = date(2026, 11, 20)</bpmn:script></bpmn:scriptTask>'
    engine = make_engine(tmp_path, db_url, "termin", {"p.bpmn": chain("termin", setter, wait)})
    c = clock.FixedClock.on(date(2026, 11, 15))
    with clock.using(c):
        view = engine.cases.start("termin", "neubukow", ACTOR)
        assert view.case.waiting_for[0]["due"] == "2026-11-19T23:00:00+00:00"  # midnight in Berlin
        c.advance(timedelta(days=4, hours=12))  # 19 Nov 22:00 Berlin
        assert engine.cases.fire_due_timers() == []
        c.advance(timedelta(hours=3))
        assert engine.cases.fire_due_timers() == [view.case.id]
        assert engine.cases.view(view.case.id, ACTOR, log_read=False).case.status == "completed"
    engine.close()


def test_the_element_limit_is_enforced_at_publish_time_and_the_edge_runs(tmp_path, db_url) -> None:  # type: ignore[no-untyped-def]
    from engine.catalog.check import check_package
    from engine.catalog.package import read_from_disk

    steps = [f'<bpmn:scriptTask id="s{i}">{{io}}<bpmn:script>n = {i}</bpmn:script></bpmn:scriptTask>' for i in range(398)]
    engine = make_engine(tmp_path, db_url, "lang", {"p.bpmn": chain("lang", *steps)})  # 400 elements: allowed
    view = engine.cases.start("lang", "neubukow", ACTOR)
    assert view.case.status == "completed" and view.data["n"] == 397
    too_long = chain("lang", *steps, '<bpmn:scriptTask id="zuviel">{io}<bpmn:script>n = 0</bpmn:script></bpmn:scriptTask>')
    (tmp_path / "packages" / "lang" / "p.bpmn").write_text(too_long, encoding="utf-8")
    problems = check_package(read_from_disk("lang", engine.settings), engine.registry, engine.settings)
    assert [p.code for p in problems] == ["too-large"]
    assert "401 Elemente" in problems[0].user_message
    engine.close()


def test_a_script_can_reject_the_input_at_a_field(tmp_path, db_url) -> None:  # type: ignore[no-untyped-def]
    form = '{"type": "object", "properties": {"name": {"type": "string", "title": "Name"}}}'
    ask = ('<bpmn:userTask id="erfassen"><bpmn:extensionElements><spiffworkflow:properties>'
           '<spiffworkflow:property name="formJsonSchemaFilename" value="f.schema.json" />'
           "</spiffworkflow:properties></bpmn:extensionElements>{io}</bpmn:userTask>")
    check = ('<bpmn:scriptTask id="pruefen">{io}<bpmn:script>if name == "Doppelt":\n'
             '    ablehnen("name", "Für diese Person läuft bereits ein Antrag.")</bpmn:script></bpmn:scriptTask>')
    engine = make_engine(tmp_path, db_url, "ablehnung", {"p.bpmn": chain("ablehnung", ask, check)},
                         forms={"f.schema.json": form})
    from engine.errors import InputInvalid

    view = engine.cases.start("ablehnung", "neubukow", ACTOR)
    with pytest.raises(InputInvalid) as err:
        engine.cases.submit(view.case.id, view.ready[0].task_id, {"name": "Doppelt"}, ACTOR)
    assert err.value.errors == {"name": ["Für diese Person läuft bereits ein Antrag."]}
    again = engine.cases.view(view.case.id, ACTOR, log_read=False)
    assert again.case.version == view.case.version and [t.spec for t in again.ready] == ["erfassen"]
    assert engine.cases.submit(view.case.id, view.ready[0].task_id, {"name": "Einmalig"}, ACTOR).case.status == "completed"
    engine.close()


@pytest.mark.parametrize(("effect", "expected"), [("none", [True, True]), ("external", [False, False])])
def test_steps_before_and_at_an_irreversible_effect_cannot_be_corrected(tmp_path, db_url, effect, expected) -> None:  # type: ignore[no-untyped-def]
    registry = default_registry().copy()

    @registry.operation("demo.wirkung", title_de="Wirkung", description_de="Test.", effect=effect)
    def act(ctx, params):  # type: ignore[no-untyped-def]
        return {"ok": True}

    form = '{"type": "object", "properties": {"wert": {"type": "string", "title": "Wert"}}}'

    def ask(task_id: str) -> str:
        return (f'<bpmn:userTask id="{task_id}"><bpmn:extensionElements><spiffworkflow:properties>'
                '<spiffworkflow:property name="formJsonSchemaFilename" value="f.schema.json" />'
                "</spiffworkflow:properties></bpmn:extensionElements>{io}</bpmn:userTask>")

    call = ('<bpmn:serviceTask id="wirken"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator '
            'id="demo.wirkung" resultVariable="r"><spiffworkflow:parameters /></spiffworkflow:serviceTaskOperator>'
            '</bpmn:extensionElements>{io}</bpmn:serviceTask>')
    engine = make_engine(tmp_path, db_url, "wirkung", {"p.bpmn": chain("wirkung", ask("a"), ask("b"), call, ask("c"))},
                         registry=registry, forms={"f.schema.json": form})
    view = engine.cases.start("wirkung", "neubukow", ACTOR)
    for _ in range(2):
        view = engine.cases.view(view.case.id, ACTOR, log_read=False)
        engine.cases.submit(view.case.id, view.ready[0].task_id, {"wert": "x"}, ACTOR)
    view = engine.cases.view(view.case.id, ACTOR, log_read=False)
    assert [t.spec for t in view.ready] == ["c"]
    assert [s.correctable for s in view.steps if s.kind == "submit"] == expected
    engine.close()


def test_collect_without_a_match_sets_empty_outputs(tmp_path, db_url) -> None:  # type: ignore[no-untyped-def]
    engine, view = run_decision(tmp_path / "leer", db_url, dmn("COLLECT", [("&gt; 100", 'Decimal("1")', "x")]), 30)
    assert view.data["betrag"] == []
    engine.close()


def test_instructions_may_test_missing_values_but_not_print_them(tmp_path, db_url) -> None:  # type: ignore[no-untyped-def]
    form = '{"type": "object", "properties": {"wert": {"type": "string", "title": "Wert"}}}'

    def ask(task_id: str, text: str) -> str:
        return (f'<bpmn:userTask id="{task_id}" name="{task_id}"><bpmn:extensionElements><spiffworkflow:properties>'
                '<spiffworkflow:property name="formJsonSchemaFilename" value="f.schema.json" />'
                f"</spiffworkflow:properties><spiffworkflow:instructionsForEndUser>{text}"
                "</spiffworkflow:instructionsForEndUser></bpmn:extensionElements>{io}</bpmn:userTask>")

    flow = chain("anweisung", ask("gut", "{% if person.doktorgrad %}Dr. {% endif %}Vorgang {{ vorgang.nummer }}"),
                 ask("kaputt", "Geboren am {{ person.geburtsdatum | datum }}"))
    engine = make_engine(tmp_path, db_url, "anweisung", {"p.bpmn": flow}, forms={"f.schema.json": form})
    view = engine.cases.start("anweisung", "neubukow", ACTOR, {"person": {}})
    (good,) = view.ready
    assert good.instructions == f"Vorgang {view.case.number}" and good.instructions_error == ""
    engine.cases.submit(view.case.id, good.task_id, {"wert": "x"}, ACTOR)
    (bad,) = engine.cases.view(view.case.id, ACTOR, log_read=False).ready
    assert "geburtsdatum" in bad.instructions_error
    assert bad.instructions.startswith("(Anweisungen konnten nicht angezeigt werden")
    engine.close()
