"""Per-element statistics of one published version: passed, waiting now, median time spent (pure).

Definitions (for one version; sandbox cases never count):

- A case's **path** is the concatenation of the ``path`` lists (BPMN element ids completed in
  that step, in order) of its steps in ``seq`` order, leaving out steps a later correction
  superseded. Each occurrence of an element in the path is one **completion**.
- **passed**: the number of cases with at least one completion of the element; **visits**:
  the number of completions (loops and corrections count again).
- **waiting**: the number of open cases (status active, waiting or error) standing at the
  element now: a ready user task, a waiting timer, a message catch event (cases record the
  message name; if several catch events wait for that name, the ones whose predecessor the
  case has completed are counted).
- **time spent** by one completion of element ``x`` in step ``k`` (time ``at_k``): ``at_k - at_j``,
  where step ``j`` is *the step that made x ready*: the latest step, up to ``k``, in which a
  predecessor of ``x`` (see :mod:`engine.insight.graph`) was completed before this completion
  of ``x``. If none was (a start event, a called process's first element), ``j`` is the step of
  the element completed just before ``x`` in the path, or ``k`` itself for the first element.
  Elements the engine runs within one step (scripts, gateways, decisions) thus spend 0 s;
  a user task spends the time from the step that reached it to the clerk's submission; a
  timer or message event the time until it fired or the message arrived. A correction counts
  from the step before the corrected one to the correction.
- **median_s**: the median of the time spent over all completions; **waiting_median_s** the
  median age (``now - at_j``) of the current waits, where ``j`` is found the same way.
- **heat**: ``median_s`` divided by the largest median of the version (0 … 1), for the overlay.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engine.insight.graph import DiagramGraph

OPEN_STATUSES = ("active", "waiting", "error")


@dataclass(frozen=True, slots=True, kw_only=True)
class StepFacts:
    seq: int
    at: datetime
    path: tuple[str, ...]
    superseded: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseFacts:
    """What the statistics need of one case."""

    case_id: uuid.UUID
    status: str
    steps: tuple[StepFacts, ...]
    ready_specs: tuple[str, ...] = ()
    """BPMN ids of the ready user tasks (``cases.ready_tasks``)."""
    timer_elements: tuple[str, ...] = ()
    """BPMN ids of the waiting timer events (``cases.waiting_for`` kind timer)."""
    messages: tuple[str, ...] = ()
    """Names of the business messages the case waits for (``cases.waiting_for`` kind message)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ElementStat:
    element_id: str
    name: str
    kind: str
    passed: int
    visits: int
    waiting: int
    median_s: float | None
    waiting_median_s: float | None
    heat: float


@dataclass
class _Acc:
    cases: set[uuid.UUID] = field(default_factory=set)
    visits: int = 0
    spent: list[float] = field(default_factory=list)
    waiting_ages: list[float] = field(default_factory=list)


def _path(case: CaseFacts) -> list[tuple[str, int]]:
    """(element, index into ``steps``) for every completion, in order."""
    out = []
    for k, step in enumerate(case.steps):
        if not step.superseded:
            out.extend((el, k) for el in step.path)
    return out


def _current(case: CaseFacts, graph: DiagramGraph, completed: set[str]) -> list[str]:
    current = list(case.ready_specs) + list(case.timer_elements)
    for name in case.messages:
        catchers = graph.message_catchers.get(name, [])
        likely = [c for c in catchers if graph.predecessors.get(c, set()) & completed]
        current.extend(likely or catchers)
    return list(dict.fromkeys(current))


def element_statistics(graph: DiagramGraph, cases: Iterable[CaseFacts], now: datetime) -> dict[str, ElementStat]:
    """Statistics per element id (every element of the graph, plus any id found in a path)."""
    acc: dict[str, _Acc] = {}
    for case in cases:
        steps = sorted(case.steps, key=lambda s: s.seq)
        case = CaseFacts(case_id=case.case_id, status=case.status, steps=tuple(steps), ready_specs=case.ready_specs,
                         timer_elements=case.timer_elements, messages=case.messages)
        last_done: dict[str, int] = {}
        previous_step: int | None = None
        for el, k in _path(case):
            ready = max((last_done[p] for p in graph.predecessors.get(el, ()) if p in last_done), default=None)
            if ready is None:
                ready = previous_step if previous_step is not None else k
            a = acc.setdefault(el, _Acc())
            a.cases.add(case.case_id)
            a.visits += 1
            a.spent.append(max((steps[k].at - steps[ready].at).total_seconds(), 0.0))
            last_done[el] = k
            previous_step = k
        if case.status in OPEN_STATUSES and steps:
            for el in _current(case, graph, set(last_done)):
                ready = max((last_done[p] for p in graph.predecessors.get(el, ()) if p in last_done),
                            default=len(steps) - 1)
                acc.setdefault(el, _Acc()).waiting_ages.append(max((now - steps[ready].at).total_seconds(), 0.0))
    medians = {el: _median(a.spent) for el, a in acc.items()}
    top = max((m for m in medians.values() if m), default=0.0)
    out = {}
    for el in sorted(set(graph.kinds) | set(acc)):
        kind = graph.kinds.get(el, "")
        if el not in acc and kind in ("sequenceFlow", "process", "participant", "collaboration", "message",
                                      "correlationProperty", "laneSet", "lane", "correlationKey"):
            continue
        a = acc.get(el, _Acc())
        median = medians.get(el)
        out[el] = ElementStat(element_id=el, name=graph.names.get(el, el), kind=kind, passed=len(a.cases),
                              visits=a.visits, waiting=len(a.waiting_ages), median_s=median,
                              waiting_median_s=_median(a.waiting_ages),
                              heat=round(median / top, 3) if median and top else 0.0)
    return out


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None
