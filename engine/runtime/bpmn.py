"""How diagrams are parsed and which task-spec classes run them.

We parse with SpiffWorkflow's ``SpiffBpmnParser`` (BPMN/DMN XSD validation, ``spiffworkflow:``
extensions) and replace three behaviours that are unsafe in stock 3.2.0:

- **Service tasks** call our operation registry directly and keep Python values (dates,
  Decimals) in the task data; stock Spiff round-trips results through JSON text and masks
  exceptions raised in ``call_service`` as ``NameError``.
- **Business rule tasks** fail loudly when no rule matches (stock: silently sets nothing),
  enforce UNIQUE (stock: behaves like FIRST), support FIRST and COLLECT with the DMN
  ``aggregation`` SUM/COUNT/MIN/MAX (stock: ignored), and remember the matched rules (row and
  annotation = legal basis) for the audit trail.
- **Timers** compare against the step's clock (``engine.clock``) instead of the wall clock, and
  naive dates are read as Europe/Berlin (stock: a fixed UTC offset computed at import, wrong
  across daylight-saving changes).

Specs are never serialized (instances reference their package version), so subclassing spec
classes is safe.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from lxml import etree
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.dmn.specs.model import HitPolicy
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffStartEventParser,
)
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import BusinessRuleTaskParser, ServiceTaskParser
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask, ServiceTask
from SpiffWorkflow.util.deep_merge import DeepMerge

from engine import clock
from engine.clock import BERLIN
from engine.errors import AmtskofferError, DesignError

SUPPORTED_HIT_POLICIES = {"UNIQUE", "FIRST", "COLLECT"}
AGGREGATIONS = {"SUM", "COUNT", "MIN", "MAX"}


class DecisionFailed(AmtskofferError):
    """A decision table had no matching rule (or several under UNIQUE)."""

    user_message = "Die Entscheidungstabelle hat für diese Angaben kein eindeutiges Ergebnis."


class OperationTask(ServiceTask):
    """A service task calling a registered operation (see engine.operations)."""

    def _execute(self, task):  # type: ignore[no-untyped-def]
        engine = task.workflow.script_engine
        params = {name: engine.evaluate(task, p["value"]) for name, p in self.operation_params.items()}
        result = engine.call_operation(task, self.operation_name, params)
        # The result may share structure with register objects; the task owns a copy.
        task.data[self.result_variable] = copy.deepcopy(result)
        return True


class DecisionTask(BusinessRuleTask):
    """A business rule task with strict hit policies and recorded rule matches."""

    aggregation: str | None = None

    def _run_hook(self, my_task):  # type: ignore[no-untyped-def]
        dmn = self.dmnEngine
        table = dmn.decision_table
        policy = table.hit_policy
        matched = [rule for rule in table.rules if dmn._DMNEngine__check_rule(rule, my_task)]
        if policy == "FIRST":
            matched = matched[:1]
        label = table.name or table.id
        if not matched and policy != HitPolicy.COLLECT.value:
            inputs = {i.label or i.expression: _safe_eval(my_task, i.expression) for i in table.inputs}
            raise DecisionFailed(
                f"decision {table.id}: no rule matches {inputs}",
                user_message=f"Die Entscheidungstabelle „{label}“ hat für diese Angaben keine passende Regel "
                f"({', '.join(f'{k} = {v!r}' for k, v in inputs.items())}).",
                decision=table.id,
                element_id=self.bpmn_id,
            )
        if policy == HitPolicy.UNIQUE.value and len(matched) > 1:
            raise DecisionFailed(
                f"decision {table.id}: rules {[r.row_number for r in matched]} all match (UNIQUE)",
                user_message=f"In der Entscheidungstabelle „{label}“ passen mehrere Regeln "
                f"({', '.join(str(r.row_number) for r in matched)}); die Tabelle ist nicht eindeutig.",
                decision=table.id,
                element_id=self.bpmn_id,
            )
        if policy == HitPolicy.COLLECT.value:
            result: dict[str, Any] = {}
            for rule in matched:
                for key, value in rule.output_as_dict(my_task).items():
                    result.setdefault(key, []).append(value)
            # Every output is set even when no rule matched: [] (or the aggregate of nothing),
            # so later scripts never meet an undefined name.
            for out in table.outputs:
                result.setdefault(out.name or out.label, [])
            if self.aggregation:
                result = {k: _aggregate(self.aggregation, v) for k, v in result.items()}
        else:
            result = dict(matched[0].output_as_dict(my_task))
        my_task.data = DeepMerge.merge(my_task.data, result)
        my_task.internal_data["decision"] = {
            "table": table.id,
            "name": label,
            "rules": [{"row": r.row_number, "annotation": r.description or ""} for r in matched],
            "result": result,
        }
        return True


def _aggregate(kind: str, values: list[Any]) -> Any:
    if kind == "COUNT":
        return len(values)
    if kind == "SUM":
        return sum(values, Decimal(0) if any(isinstance(v, Decimal) for v in values) else 0)
    if not values:
        return None
    return min(values) if kind == "MIN" else max(values)


def _safe_eval(task: Any, expression: str) -> Any:
    try:
        return task.workflow.script_engine.evaluate(task, expression)
    except Exception:  # only used to describe a failure; the cause is reported separately
        return "?"


def _as_instant(value: Any) -> datetime:
    """A timer value (datetime, date, ISO text) as an aware instant; naive means Berlin time."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        dt = datetime.fromisoformat(str(value))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BERLIN)
    return dt.astimezone(UTC)


class ClockTimeDate(TimeDateEventDefinition):
    def has_fired(self, my_task):  # type: ignore[no-untyped-def]
        value = my_task._get_internal_data("event_value")
        if value is None:
            raw = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            value = _as_instant(raw).isoformat()
            my_task._set_internal_data(event_value=value)
        if _as_instant(value) <= clock.now():
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class ClockDuration(DurationTimerEventDefinition):
    def has_fired(self, my_task):  # type: ignore[no-untyped-def]
        value = my_task._get_internal_data("event_value")
        if value is None:
            raw = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            if isinstance(raw, timedelta):
                delta = raw
            else:
                parsed = TimerEventDefinition.parse_iso_duration(str(raw))
                delta = TimerEventDefinition.get_timedelta_from_start(parsed, clock.now())
            value = (clock.now() + delta).astimezone(UTC).isoformat()
            my_task._set_internal_data(event_value=value)
        if _as_instant(value) <= clock.now():
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


_TIMER_CLASSES = {TimeDateEventDefinition: ClockTimeDate, DurationTimerEventDefinition: ClockDuration}


class _ClockTimerMixin:
    def parse_timer_event(self, event):  # type: ignore[no-untyped-def]
        definition = super().parse_timer_event(event)  # type: ignore[misc]
        replacement = _TIMER_CLASSES.get(type(definition))
        if replacement is not None:
            definition.__class__ = replacement
        return definition


class _StartEventParser(_ClockTimerMixin, SpiffStartEventParser):
    pass


class _IntermediateCatchEventParser(_ClockTimerMixin, SpiffIntermediateCatchEventParser):
    pass


class _BoundaryEventParser(_ClockTimerMixin, SpiffBoundaryEventParser):
    pass


class _DecisionTaskParser(BusinessRuleTaskParser):
    def create_task(self):  # type: ignore[no-untyped-def]
        decision_ref = self.get_decision_ref(self.node)
        extensions = self.parse_extensions()
        if not decision_ref:
            self.raise_validation_exception("A business rule task needs spiffworkflow:calledDecisionId")
        task = DecisionTask(
            self.spec,
            self.bpmn_id,
            dmnEngine=self.process_parser.parser.get_engine(decision_ref, self.node),
            prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"),
            **self.bpmn_attributes,
        )
        task.aggregation = self.process_parser.parser.aggregations.get(decision_ref)
        return task


class Parser(SpiffBpmnParser):
    """SpiffBpmnParser with our task specs; one instance per package version."""

    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, Any]] = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (ServiceTaskParser, OperationTask),
        full_tag("businessRuleTask"): (_DecisionTaskParser, DecisionTask),
        full_tag("startEvent"): (_StartEventParser, StartEvent),
        full_tag("intermediateCatchEvent"): (_IntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("boundaryEvent"): (_BoundaryEventParser, BoundaryEvent),
    }

    def __init__(self) -> None:
        super().__init__(validator=VALIDATOR)
        self.aggregations: dict[str, str] = {}
        """decision id → aggregation of its COLLECT table (read from the DMN XML)."""

    def add_bpmn_str(self, bpmn_str: bytes, filename: str | None = None) -> None:
        self.add_bpmn_xml(etree.fromstring(bpmn_str, xml_parser()), filename)

    def add_dmn_str(self, dmn_str: bytes, filename: str | None = None) -> None:
        doc = etree.fromstring(dmn_str, xml_parser())
        self.add_dmn_xml(doc, filename)
        for decision in doc.iter("{*}decision"):
            for table in decision.iter("{*}decisionTable"):
                agg = table.get("aggregation")
                if agg:
                    self.aggregations[decision.get("id")] = agg.upper()


def xml_parser() -> etree.XMLParser:
    """A defused parser for diagrams and tables: no network, no entity expansion, line numbers."""
    return etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)


def design_error_from(err: Exception, *, file: str | None = None) -> DesignError:
    return DesignError(str(err), user_message=f"Das Verfahren ist fehlerhaft: {err}", file=file)
