"""Operations on a live workflow within one step (no database here).

The service layer loads a workflow, calls these functions inside a transaction, and persists
the result. Everything that can go wrong is translated into the engine's error hierarchy with
the BPMN element and, for scripts, the line.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.specs.defaults import ManualTask, NoneTask, UserTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.audit.chain import canonical
from engine.errors import AmtskofferError, CaseCorrupted, DesignError, ScriptError, find_cause
from engine.runtime import fastpath
from engine.runtime.bpmn import _as_instant

fastpath.install()


def attach(wf: BpmnWorkflow, script_engine: Any) -> BpmnWorkflow:
    """Set our restricted engine on a workflow and all its subprocesses (never serialized)."""
    wf.script_engine = script_engine
    for sp in wf.subprocesses.values():
        sp.script_engine = script_engine
    return wf


def new_workflow(spec: Any, subprocess_specs: dict[str, Any], script_engine: Any,
                 data: Mapping[str, Any]) -> BpmnWorkflow:
    wf = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
    # The start event inherits the root's data, so everything the case starts with is visible
    # to the first script.
    wf.task_tree.data.update(copy.deepcopy(dict(data)))
    for child in wf.task_tree.children:
        child._inherit_data()
    return wf


def is_user_task(task: Task) -> bool:
    return isinstance(task.task_spec, UserTask | ManualTask | NoneTask)


def ready_user_tasks(wf: BpmnWorkflow) -> list[Task]:
    return [t for t in wf.get_tasks(state=TaskState.READY) if is_user_task(t)]


@dataclass
class StepTrace:
    """What a step did to the workflow: completed elements, decisions, in order."""

    path: list[str] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    current: Task | None = None
    """The task being run right now (errors raised outside SpiffWorkflow's wrappers lack it)."""
    touched: bool = False
    """Set before the workflow is first changed: a failure after this point leaves it half-done."""

    def starting(self, task: Task) -> None:
        self.current = task

    def completed(self, task: Task) -> None:
        self.current = None
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id:
            self.path.append(bpmn_id)
        decision = task.internal_data.get("decision")
        if decision and bpmn_id:
            self.decisions.append({"element": bpmn_id, **decision})


def _run(trace: StepTrace, action: Callable[[], Any], wf: BpmnWorkflow) -> None:
    trace.touched = True
    try:
        action()
    except Exception as err:
        raise translate(err, trace.current) from err
    check_consistent(wf)


def run_engine(wf: BpmnWorkflow, trace: StepTrace) -> None:
    """Run scripts, gateways, decisions, service tasks and due timers until people are needed."""
    _run(trace, lambda: wf.do_engine_steps(will_complete_task=trace.starting, did_complete_task=trace.completed), wf)


def complete_user_task(wf: BpmnWorkflow, task: Task, data: Mapping[str, Any], trace: StepTrace) -> None:
    """Put the (validated) form data into the task and complete it, then run the engine."""
    values = copy.deepcopy(dict(data))  # never share nested form data with other tasks
    trace.touched = True
    variable = getattr(task.task_spec, "variable", None)
    if variable:
        task.data[variable] = values
    else:
        task.data.update(values)

    def act() -> None:
        trace.starting(task)
        task.run()
        trace.completed(task)
        wf.do_engine_steps(will_complete_task=trace.starting, did_complete_task=trace.completed)

    _run(trace, act, wf)


def fire_timers(wf: BpmnWorkflow, trace: StepTrace) -> None:
    """Let due timers fire (against the step's clock) and continue."""

    def act() -> None:
        wf.refresh_timers()
        wf.do_engine_steps(will_complete_task=trace.starting, did_complete_task=trace.completed)

    _run(trace, act, wf)


def check_consistent(wf: BpmnWorkflow) -> None:
    """SpiffWorkflow's task iterator stops at depth 1,000 and then reports a workflow with READY
    tasks as completed; treat that (and any READY task in a completed workflow) as corruption."""
    if wf.is_completed() and any(t.state == TaskState.READY for t in wf.tasks.values()):
        raise CaseCorrupted("workflow reports completion with READY tasks left (task tree too deep?)")


@dataclass(frozen=True, slots=True)
class Subscription:
    message_name: str
    correlation: str
    expressions: dict[str, dict[str, str]]
    task_id: str


@dataclass(frozen=True, slots=True)
class WaitingTimer:
    name: str
    due: datetime
    task_id: str
    element: str


def waiting(wf: BpmnWorkflow) -> tuple[list[WaitingTimer], list[Subscription]]:
    """Timers and message subscriptions the workflow waits for right now."""
    timers: list[WaitingTimer] = []
    subs: list[Subscription] = []
    for task in list(wf.event_manager.tasks.values()):
        if not task.has_state(TaskState.WAITING):
            continue
        definition = task.task_spec.event_definition
        if isinstance(definition, TimerEventDefinition):
            value = task.internal_data.get("event_value")
            if isinstance(value, str):
                timers.append(WaitingTimer(definition.name, _as_instant(value), str(task.id), task.task_spec.bpmn_id))
        elif isinstance(definition, MessageEventDefinition):
            workflow = task.workflow
            expressions: dict[str, dict[str, str]] = {}
            for prop in definition.correlation_properties:
                for key in prop.correlation_keys:
                    expressions.setdefault(key, {})[prop.name] = prop.retrieval_expression
            expected = {k: workflow.correlations.get(k, {}) for k in expressions}
            subs.append(Subscription(definition.name, canonical(expected), expressions, str(task.id)))
    return timers, subs


def correlate(script_engine: Any, expressions: Mapping[str, Mapping[str, str]], payload: Mapping[str, Any]) -> str:
    """The canonical correlation values an incoming payload carries (to compare with a subscription)."""
    values: dict[str, dict[str, Any]] = {}
    for key, props in expressions.items():
        for prop, expression in props.items():
            try:
                values.setdefault(key, {})[prop] = script_engine.environment.evaluate(expression, dict(payload))
            except Exception:
                values.setdefault(key, {})[prop] = None
    return canonical(values)


def deliver_message(wf: BpmnWorkflow, task_id: str, payload: Mapping[str, Any], trace: StepTrace) -> None:
    """Deliver a business message to the waiting catch event ``task_id`` and continue."""
    task = next((t for t in wf.event_manager.tasks.values() if str(t.id) == task_id), None)
    if task is None:
        raise CaseCorrupted(f"subscription points at task {task_id}, which is not waiting")
    definition = task.task_spec.event_definition
    correlations = definition.calculate_correlations(
        wf.script_engine, definition.correlation_properties, dict(payload)
    )

    def act() -> None:
        wf.send_event(BpmnEvent(definition, copy.deepcopy(dict(payload)), correlations))
        wf.do_engine_steps(will_complete_task=trace.starting, did_complete_task=trace.completed)

    _run(trace, act, wf)


def status(wf: BpmnWorkflow) -> str:
    if wf.is_completed():
        return "completed"
    if ready_user_tasks(wf):
        return "active"
    return "waiting"


def translate(err: Exception, running: Task | None = None) -> AmtskofferError:
    """Turn whatever SpiffWorkflow raised into our hierarchy, keeping element and line."""
    task = getattr(err, "task", None) or running
    spec = task.task_spec if task is not None else getattr(err, "task_spec", None)
    element = getattr(spec, "bpmn_id", None) if spec is not None else None
    label = (getattr(spec, "bpmn_name", None) or element or "?") if spec is not None else "?"
    cause = find_cause(err, AmtskofferError)
    if cause is not None:
        if not cause.context.get("element_id"):
            cause.context["element_id"] = element
        return cause  # type: ignore[return-value]
    line = getattr(err, "line_number", None) or None
    text = str(err)
    if isinstance(err, WorkflowException) and "No conditions satisfied" in text:
        return DesignError(text, user_message=f"Keine Bedingung des Gateways „{label}“ trifft zu und es gibt "
                           "keinen Standardfluss.", element_id=element)
    if isinstance(err, SpiffWorkflowException):
        where = f" (Zeile {line})" if line else ""
        return ScriptError(text, user_message=f"Fehler in „{label}“{where}: {getattr(err, 'error_type', '')} "
                           f"{text.split('. ')[0]}".strip(), element_id=element, line=line)
    return ScriptError(f"{err.__class__.__name__}: {err}", user_message=f"Fehler in „{label}“: {err}",
                       element_id=element)


def task_data_json(task: Task) -> str:
    """Task data as JSON text (debugging aid for designers)."""
    return json.dumps(task.data, default=str, ensure_ascii=False, sort_keys=True)
