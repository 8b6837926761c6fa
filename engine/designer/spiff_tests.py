"""Running spiff-arena BPMN unit tests (``test_*.json``) on our engine.

A package keeps them as ``tests/spiff/test_<bpmn-basename>.json`` (an imported spiff-arena
model brings them along). One file holds many test cases::

    {"case name": {"tasks": {"<bpmn id>" | "<process id>:<bpmn id>": {"data": [{…}, …]}},
                   "mocks": {"<name>": <value>},
                   "expected_output_json": {…}}}

Semantics (spiff-arena's runner, ``spiff-arena-format.md`` § 4), reproduced exactly:

- ``test_X.json`` runs the *last* executable process of ``X.bpmn``; call activities are found
  among all diagrams of the package, decision tables among its DMN files.
- The workflow starts with empty data (no ``vorgang``/``behoerde``: give them as task data if
  the diagram needs them). The loop takes the first READY task; READY boundary events with an
  error/escalation code go first (other READY boundary events are then cancelled), then other
  boundary events. There is no ``do_engine_steps``: every task is taken one at a time.
- A task key is tried as the bare BPMN id, then as ``<workflow spec name>:<bpmn id>`` (the
  process id, the called process id, or the embedded subprocess's element id). Unknown keys
  are ignored. ``data`` is a list consumed one entry per visit; running out fails the case.
- A task that is given data gets it deep-merged into its data and is *completed without
  running* (whatever its type: a script task given data does not run its script). A manual or
  plain task without data is completed. A user task without data cannot be run and fails the
  case; so does a service task without data (unless its operation is mocked, see below).
  Multi-instance parents take no data (their children do). Everything else runs.
- Timers and messages cannot be simulated: a waiting timer or message catch event ends the
  loop and the case fails with "did not complete".
- Pass: the workflow completed successfully and ``expected_output_json == workflow.data``.
  Our task data keeps Python values where spiff-arena has JSON ones, so the comparison first
  turns dates/datetimes into ISO text and ``Decimal`` into ``float`` (``10.00`` equals ``10``).

``mocks`` (spiff-arena: every name becomes ``lambda value=v: value``, overriding or adding a
script function) map onto our engine like this:

- a name that is the id of one of **our operations** (``authority.competent_for``) makes every
  service task calling that operation return the value (parameters are still evaluated);
- any other name becomes a **script function** returning the value: it overrides one of our
  helpers (``today``) or adds a function the diagram's scripts call (``get_current_user``).
  Like spiff-arena's lambda, a call with one positional argument returns that argument.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import CodeEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.specs.defaults import ServiceTask, UserTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from engine import clock
from engine.catalog.package import PackageFiles
from engine.designer.spiff_arena import UNIT_TEST_PREFIX
from engine.errors import AmtskofferError, find_cause
from engine.operations.registry import OperationRegistry
from engine.runtime import runner
from engine.runtime.bpmn import Parser, xml_parser
from engine.runtime.helpers import HELPERS
from engine.runtime.sandbox import Limits, RestrictedEnvironment
from engine.runtime.script_engine import ScriptEngine
from engine.settings import Settings

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_TASKS = 5000
"""A test case taking more tasks than this is stuck in a loop (spiff-arena would run forever)."""
_TEST_FILE = re.compile(r"^test_(.+)\.json$")
_MISSING = object()


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitTestResult:
    file: str
    """The test file's path in the package (``tests/spiff/test_x.json``)."""
    bpmn_file: str
    case: str
    """The test case identifier (key in the file)."""
    passed: bool
    error: str = ""
    """Why it failed (German)."""
    element_id: str | None = None
    line: int | None = None
    expected: Any = None
    actual: Any = None

    def to_arena(self) -> dict[str, Any]:
        """The result in spiff-arena's API shape (``process-model-tests/run``)."""
        details = None
        if not self.passed:
            details = {"error_messages": [self.error], "task_bpmn_identifier": self.element_id,
                       "task_line_number": self.line, "output_data": self.actual, "expected_data": self.expected}
        return {"passed": self.passed, "bpmn_file": self.bpmn_file, "test_case_identifier": self.case,
                "test_case_error_details": details}


class _CaseFailed(Exception):
    def __init__(self, message: str, *, element_id: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.element_id = element_id
        self.line = line


class _Constant:
    """A mocked script function: returns its value (or, like spiff-arena's lambda, its one argument)."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def __call__(self, value: Any = _MISSING) -> Any:
        return copy.deepcopy(self._value if value is _MISSING else value)


class _TestScriptEngine(ScriptEngine):
    """Our restricted engine with mocked script functions and mocked operation results."""

    def __init__(self, registry: OperationRegistry, limits: Limits, functions: Mapping[str, Any],
                 operations: Mapping[str, Any]) -> None:
        super().__init__(registry, limits)
        self.environment = RestrictedEnvironment(helpers={**HELPERS, **functions}, limits=limits)
        self.operations = dict(operations)

    def call_operation(self, task: Any, operation_id: str, params: dict[str, Any]) -> Any:
        if operation_id not in self.operations:
            raise _CaseFailed(_needs_data(task, "Serviceaufgabe"), element_id=task.task_spec.bpmn_id)
        return copy.deepcopy(self.operations[operation_id])


def _needs_data(task: Task, kind: str) -> str:
    spec = task.task_spec
    return (f"Die {kind} „{spec.bpmn_name or spec.bpmn_id}“ ({spec.bpmn_id}) braucht im Test Daten "
            f"(„tasks“ → „{spec.bpmn_id}“ → „data“)" + (" oder eine Testantwort in „mocks“" if kind ==
                                                          "Serviceaufgabe" else "") + ".")


def unit_test_files(package: PackageFiles) -> list[str]:
    """Paths of the spiff-arena unit test files in a package, sorted."""
    return sorted(p for p in package.files if p.startswith(UNIT_TEST_PREFIX)
                  and _TEST_FILE.match(p[len(UNIT_TEST_PREFIX):]))


def run_unit_tests(package: PackageFiles, *, registry: OperationRegistry, settings: Settings,
                   only_file: str | None = None, only_case: str | None = None,
                   today: date | None = None) -> list[UnitTestResult]:
    """Run every test case of the package's ``tests/spiff/test_*.json`` files (or the chosen ones)."""
    results: list[UnitTestResult] = []
    limits = Limits(time_s=settings.script_time_limit_s, memory_mb=settings.script_memory_limit_mb)
    for path in unit_test_files(package):
        name = path[len(UNIT_TEST_PREFIX):]
        if only_file is not None and only_file not in (path, name):
            continue
        bpmn_file = f"{_TEST_FILE.match(name).group(1)}.bpmn"  # type: ignore[union-attr]
        try:
            cases = json.loads(package.files[path])
        except json.JSONDecodeError as err:
            error = f"Die Testdatei ist kein gültiges JSON: {err.msg} (Zeile {err.lineno})."
            results.append(UnitTestResult(file=path, bpmn_file=bpmn_file, case="(Datei)", passed=False, error=error))
            continue
        if not isinstance(cases, dict):
            results.append(UnitTestResult(file=path, bpmn_file=bpmn_file, case="(Datei)", passed=False,
                                          error="Die Testdatei muss ein JSON-Objekt „Testfall → Inhalt“ sein."))
            continue
        for case, content in cases.items():
            if only_case is not None and case != only_case:
                continue
            try:
                with clock.using(clock.FixedClock.on(today)) if today else nullcontext():
                    actual = _run_case(package, bpmn_file, content, registry, limits)
            except _CaseFailed as err:
                results.append(UnitTestResult(file=path, bpmn_file=bpmn_file, case=case, passed=False,
                                              error=str(err), element_id=err.element_id, line=err.line,
                                              expected=_expected(content)))
                continue
            expected = _expected(content)
            passed = isinstance(expected, dict) and expected == actual
            results.append(UnitTestResult(
                file=path, bpmn_file=bpmn_file, case=case, passed=passed, expected=expected, actual=actual,
                error="" if passed else _mismatch(expected, actual)))
    return results


def _expected(content: Any) -> Any:
    return content.get("expected_output_json") if isinstance(content, dict) else None


def _mismatch(expected: Any, actual: dict[str, Any]) -> str:
    if not isinstance(expected, dict):
        return "Der Testfall nennt kein erwartetes Ergebnis („expected_output_json“ als Objekt)."
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    differ = sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k])
    parts = []
    if differ:
        parts.append("abweichend: " + ", ".join(f"{k} (erwartet {expected[k]!r}, tatsächlich {actual[k]!r})"
                                                for k in differ[:5]))
    if missing:
        parts.append("fehlt: " + ", ".join(missing[:10]))
    if extra:
        parts.append("zusätzlich: " + ", ".join(extra[:10]))
    return "Das Ergebnis entspricht nicht der Erwartung (" + "; ".join(parts) + ")."


def _executable_process(text: str) -> str | None:
    root = etree.fromstring(text.encode("utf-8"), xml_parser())
    ids = [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true"]
    return ids[-1] if ids else None


def _workflow(package: PackageFiles, bpmn_file: str, engine: ScriptEngine) -> BpmnWorkflow:
    if bpmn_file not in package.files:
        raise _CaseFailed(f"Zur Testdatei gibt es kein Diagramm „{bpmn_file}“ im Verfahren.")
    try:
        process_id = _executable_process(package.files[bpmn_file])
    except etree.XMLSyntaxError as err:
        raise _CaseFailed(f"„{bpmn_file}“ ist kein wohlgeformtes XML: {err.msg}", line=err.lineno) from err
    if process_id is None:
        raise _CaseFailed(f"„{bpmn_file}“ enthält keinen ausführbaren Prozess (isExecutable=\"true\").")
    parser = Parser()
    try:
        for name in package.bpmn_files():
            parser.add_bpmn_str(package.files[name].encode("utf-8"), filename=name)
        for name in package.dmn_files():
            parser.add_dmn_str(package.files[name].encode("utf-8"), filename=name)
        spec = parser.get_spec(process_id)
        subs = parser.get_subprocess_specs(process_id)
    except Exception as err:  # SpiffWorkflow raises assorted errors for broken diagrams
        raise _CaseFailed(f"Das Diagramm lässt sich nicht laden: {err}",
                          element_id=getattr(err, "id", None) or None) from err
    return BpmnWorkflow(spec, subs, script_engine=engine)


def _next_task(wf: BpmnWorkflow) -> Task | None:
    ready = list(wf.get_tasks(state=TaskState.READY))
    boundary = [t for t in ready if isinstance(t.task_spec, BoundaryEvent)]
    coded = [t for t in boundary if isinstance(t.task_spec.event_definition, CodeEventDefinition)
             and t.task_spec.event_definition.code is not None]
    if coded:
        for t in boundary:
            if t not in coded:
                t.cancel()
        return coded[0]
    if boundary:
        return boundary[0]
    return ready[0] if ready else None


def _lookup(tasks: Mapping[str, Any], task: Task) -> tuple[str, Any]:
    key = task.task_spec.bpmn_id
    if key not in tasks:
        key = f"{task.workflow.spec.name}:{task.task_spec.bpmn_id}"
    return key, tasks.get(key)


def _split_mocks(mocks: Any, registry: OperationRegistry) -> tuple[dict[str, Any], dict[str, Any]]:
    functions: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    if not isinstance(mocks, dict):
        return functions, operations
    for name, value in mocks.items():
        if name in registry:
            operations[name] = value
        elif isinstance(name, str) and name.isidentifier() and not name.startswith("_"):
            functions[name] = _Constant(value)
    return functions, operations


def _run_case(package: PackageFiles, bpmn_file: str, content: Any, registry: OperationRegistry,
              limits: Limits) -> dict[str, Any]:
    if not isinstance(content, dict):
        raise _CaseFailed("Ein Testfall muss ein JSON-Objekt sein.")
    tasks = content.get("tasks") or {}
    if not isinstance(tasks, dict):
        raise _CaseFailed("„tasks“ muss ein Objekt „Aufgabe → {data: [...]}“ sein.")
    functions, operations = _split_mocks(content.get("mocks"), registry)
    engine = _TestScriptEngine(registry, limits, functions, operations)
    wf = _workflow(package, bpmn_file, engine)
    visits: dict[str, int] = {}
    for _ in range(MAX_TASKS):
        task = _next_task(wf)
        if task is None:
            break
        _take(task, tasks, visits)
    else:
        raise _CaseFailed(f"Der Test bricht nach {MAX_TASKS} Aufgaben ab (Endlosschleife?).")
    if not wf.is_completed():
        waiting = sorted({t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.WAITING)
                          if getattr(t.task_spec, "bpmn_id", None)})
        last = wf.last_task.task_spec.bpmn_id if wf.last_task is not None else None
        raise _CaseFailed("Der Vorgang wurde nicht abgeschlossen" + (f"; er wartet bei: {', '.join(waiting)}"
                                                                     if waiting else "")
                          + ". Timer und Nachrichten lassen sich in diesen Tests nicht simulieren.", element_id=last)
    if not wf.success:
        raise _CaseFailed("Der Vorgang endete nicht erfolgreich.")
    return plain(dict(wf.data))


def _take(task: Task, tasks: Mapping[str, Any], visits: dict[str, int]) -> None:
    spec = task.task_spec
    key, props = _lookup(tasks, task)
    has_data = isinstance(props, dict) and "data" in props
    if isinstance(spec, UserTask | ServiceTask) and not has_data:
        engine = task.workflow.script_engine
        if isinstance(spec, UserTask) or spec.operation_name not in getattr(engine, "operations", {}):
            raise _CaseFailed(_needs_data(task, "Benutzeraufgabe" if isinstance(spec, UserTask) else "Serviceaufgabe"),
                              element_id=spec.bpmn_id)
    try:
        if has_data and not isinstance(spec, LoopTask):
            entries = props["data"]
            n = visits.get(key, 0)
            if not isinstance(entries, list) or n >= len(entries):
                given = len(entries) if isinstance(entries, list) else 0
                raise _CaseFailed(f"Für „{key}“ sind {given} Datensätze angegeben, die Aufgabe wird aber zum "
                                  f"{n + 1}. Mal erreicht.", element_id=spec.bpmn_id)
            visits[key] = n + 1
            entry = entries[n]
            if not isinstance(entry, dict):
                raise _CaseFailed(f"Der {n + 1}. Datensatz für „{key}“ ist kein Objekt.", element_id=spec.bpmn_id)
            DeepMerge.merge(task.data, copy.deepcopy(entry))
            task.complete()
        elif spec.manual:
            task.complete()
        else:
            task.run()
    except _CaseFailed:
        raise
    except Exception as err:
        failure = err if isinstance(err, AmtskofferError) else runner.translate(err)
        cause = find_cause(err, _CaseFailed)
        if cause is not None:
            raise cause from err
        raise _CaseFailed(failure.user_message, element_id=failure.context.get("element_id") or spec.bpmn_id,
                          line=failure.context.get("line")) from err


def plain(value: Any) -> Any:
    """Task data as spiff-arena would hold it (JSON values) for comparing with expectations."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, UUID):
        return str(value)
    return value
