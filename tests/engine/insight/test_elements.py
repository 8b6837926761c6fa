"""Per-element statistics (pure): passed, visits, waiting now, median time spent, heat."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from engine.catalog.package import PackageFiles
from engine.insight.elements import CaseFacts, StepFacts, element_statistics
from engine.insight.graph import diagram_graph
from tests.engine.designer.conftest import fixture_package

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
AFTER_FORM = ("antrag_erfassen", "alter_berechnen", "gebuehr_ermitteln", "zustaendigkeit_pruefen", "dringend_pruefen")


def steps(*items: tuple[float, tuple[str, ...]] | tuple[float, tuple[str, ...], bool]) -> tuple[StepFacts, ...]:
    return tuple(StepFacts(seq=i + 1, at=T0 + item[0] * H, path=item[1], superseded=len(item) > 2 and item[2])
                 for i, item in enumerate(items))


def test_times_spent_passes_and_waits_on_the_sample_diagram() -> None:
    graph = diagram_graph(fixture_package("beispiel"))
    waiting_urgent = CaseFacts(
        case_id=uuid.uuid4(), status="active",
        steps=steps((0, ("start",)), (2, AFTER_FORM), (26, ("bescheid_abwarten", "zusammenfuehren"))),
        ready_specs=("abholung",), timer_elements=("nicht_abgeholt",))
    corrected = CaseFacts(
        case_id=uuid.uuid4(), status="completed",
        steps=steps((0, ("start",)), (1, (*AFTER_FORM, "zusammenfuehren"), True),
                    (5, (*AFTER_FORM, "zusammenfuehren")), (6, ("abholung", "ende_ausgehaendigt"))))
    waiting_message = CaseFacts(case_id=uuid.uuid4(), status="waiting",
                                steps=steps((0, ("start",)), (4, AFTER_FORM)), messages=("bescheid_eingegangen",))
    stats = element_statistics(graph, [waiting_urgent, corrected, waiting_message], now=T0 + 30 * H)

    form = stats["antrag_erfassen"]
    assert (form.passed, form.visits, form.waiting) == (3, 3, 0)
    assert form.median_s == 4 * 3600  # 2 h, 5 h (the correction counts from the start), 4 h
    assert stats["alter_berechnen"].median_s == 0.0 and stats["alter_berechnen"].passed == 3
    assert stats["bescheid_abwarten"].median_s == 24 * 3600 and stats["bescheid_abwarten"].passed == 1
    assert stats["bescheid_abwarten"].waiting == 1
    assert stats["bescheid_abwarten"].waiting_median_s == 26 * 3600  # ready since the 4 h step, now 30 h
    pickup = stats["abholung"]
    assert (pickup.passed, pickup.waiting, pickup.median_s) == (1, 1, 3600.0)
    assert pickup.waiting_median_s == 4 * 3600  # ready since the 26 h step
    assert stats["nicht_abgeholt"].waiting == 1 and stats["nicht_abgeholt"].passed == 0
    assert stats["bescheid_abwarten"].heat == 1.0 and stats["antrag_erfassen"].heat == round(4 / 24, 3)
    assert stats["verfall_vermerken"].passed == 0 and stats["verfall_vermerken"].median_s is None
    assert "f1" not in stats and "beispiel" not in stats  # flows and the process are not statistics elements
    assert stats["antrag_erfassen"].name == "Antrag erfassen" and stats["antrag_erfassen"].kind == "userTask"


def test_loops_count_visits_and_each_round_its_own_time() -> None:
    graph = diagram_graph(fixture_package("schleife"))
    loop = ("person_erfassen", "split", "merge")
    case = CaseFacts(case_id=uuid.uuid4(), status="completed",
                     steps=steps((0, ("start", "vorbereiten", "merge")), (1, loop), (3, loop),
                                 (6, ("person_erfassen", "split", "ende"))))
    stats = element_statistics(graph, [case], now=T0 + 10 * H)
    person = stats["person_erfassen"]
    assert (person.passed, person.visits) == (1, 3)
    assert person.median_s == 2 * 3600  # rounds of 1 h, 2 h and 3 h


def test_a_message_waited_for_by_two_events_counts_where_the_case_stands() -> None:
    bpmn = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
      <bpmn:message id="m" name="antwort" />
      <bpmn:process id="p" isExecutable="true">
        <bpmn:startEvent id="s" /><bpmn:task id="a" /><bpmn:task id="b" />
        <bpmn:intermediateCatchEvent id="warten_a"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
        <bpmn:intermediateCatchEvent id="warten_b"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a" /><bpmn:sequenceFlow id="f2" sourceRef="s" targetRef="b" />
        <bpmn:sequenceFlow id="f3" sourceRef="a" targetRef="warten_a" />
        <bpmn:sequenceFlow id="f4" sourceRef="b" targetRef="warten_b" />
      </bpmn:process></bpmn:definitions>"""
    graph = diagram_graph(PackageFiles("p", {"p.bpmn": bpmn}))
    assert graph.message_catchers == {"antwort": ["warten_a", "warten_b"]}
    case = CaseFacts(case_id=uuid.uuid4(), status="waiting", steps=steps((0, ("s", "b"))), messages=("antwort",))
    stats = element_statistics(graph, [case], now=T0 + H)
    assert (stats["warten_a"].waiting, stats["warten_b"].waiting) == (0, 1)


def test_taken_flows_follow_the_branch_that_was_used() -> None:
    graph = diagram_graph(fixture_package("beispiel"))
    path = ["start", *AFTER_FORM, "bescheid_abwarten", "zusammenfuehren"]
    assert graph.taken_flows(path, ["abholung", "nicht_abgeholt"]) == ["f1", "f2", "f3", "f4", "f5", "f_dringend",
                                                                       "f6", "f7"]
    normal = ["start", *AFTER_FORM, "zusammenfuehren"]
    assert "f_normal" in graph.taken_flows(normal, ["abholung"])
    assert "f_dringend" not in graph.taken_flows(normal, ["abholung"])
    assert graph.process_files == {"beispiel": "beispiel.bpmn"}
