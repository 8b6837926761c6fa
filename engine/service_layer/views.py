"""What the service layer returns: plain, frozen views (no ORM objects leave it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.forms.definition import FormDefinition


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskView:
    task_id: str
    spec: str
    """BPMN element id."""
    name: str
    kind: str
    """``form`` (user task with a form) or ``confirm`` (manual task: instructions + continue)."""
    form: FormDefinition | None
    values: dict[str, Any]
    """Values to pre-fill: task data, else what was entered before a correction."""
    instructions: str = ""
    instructions_error: str = ""
    """Why the instructions could not be shown (a template error in the diagram), else empty."""
    documentation: str = ""
    lane: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StepView:
    id: uuid.UUID
    seq: int
    kind: str
    task_spec: str | None
    task_name: str | None
    actor: str
    at: datetime
    submitted: dict[str, Any] | None
    irreversible: bool
    superseded: bool
    correctable: bool
    path: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseSummary:
    id: uuid.UUID
    number: str
    service_id: str
    service_title: str
    authority_key: str
    authority_name: str
    status: str
    title: str
    labels: dict[str, Any]
    ready_tasks: list[dict[str, Any]]
    waiting_for: list[dict[str, Any]]
    next_timer_at: datetime | None
    started_at: datetime
    started_by: str
    updated_at: datetime
    completed_at: datetime | None
    version: int
    version_no: int
    package_version_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseView:
    case: CaseSummary
    ready: list[TaskView]
    steps: list[StepView]
    data: dict[str, Any]
    """Current task data (the most recent state), for summaries and documents."""
    path: list[str] = field(default_factory=list)
    """BPMN element ids completed so far, in order (superseded steps excluded)."""
    current: list[str] = field(default_factory=list)
    """BPMN element ids where the case stands now (ready tasks, waiting events)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StepOutcome:
    """The result of one step: where the case stands now (cheap; no history, no forms)."""

    case: CaseSummary
    path: list[str] = field(default_factory=list)
    """BPMN element ids completed by this step."""

    @property
    def ready(self) -> list[dict[str, Any]]:
        return self.case.ready_tasks
