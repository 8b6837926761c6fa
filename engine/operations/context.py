"""What an operation sees while it runs inside a step."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.audit.log import NewEvent
from engine.errors import DesignError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.settings import Settings
    from engine.store.models import Authority


@dataclass
class OperationContext:
    """The step an operation runs in: its transaction, case, authority, actor and clock.

    Everything an operation writes through ``session`` commits or rolls back with the step.
    Audit events go through :meth:`record`; they are appended to the chain at the end of the
    step, in order, together with the step's own events.
    """

    session: Session
    settings: Settings
    case_id: uuid.UUID
    case_number: str
    service_id: str
    authority: Authority
    actor: str
    now: datetime
    task_spec: str = ""
    task_data: Mapping[str, Any] = field(default_factory=dict)
    sandbox: bool = False
    mocks: Mapping[str, Any] | None = None
    """Scenario tests: operation id → answer (or list of answers, one per call)."""
    events: list[NewEvent] = field(default_factory=list)
    irreversible: bool = False
    _mock_calls: dict[str, int] = field(default_factory=dict)

    def record(self, type: str, payload: Mapping[str, Any]) -> None:
        """Add an audit event for this case (``type`` like ``register_person_moved``)."""
        self.events.append(NewEvent(type=type, actor=self.actor, payload=dict(payload), case_id=self.case_id))

    def note_effect(self, effect: str) -> None:
        if effect == "external":
            self.irreversible = True

    def mocked(self, op_id: str, params: Mapping[str, Any]) -> Any:
        """The scripted answer for ``op_id``; a list gives one answer per call, in order."""
        answer = self.mocks[op_id] if self.mocks is not None else None
        if isinstance(answer, list):
            n = self._mock_calls.get(op_id, 0)
            if n >= len(answer):
                raise DesignError(
                    f"mock for {op_id} has {len(answer)} answers, call {n + 1} needs another",
                    user_message=f"Für „{op_id}“ sind nicht genug Testantworten hinterlegt.",
                )
            self._mock_calls[op_id] = n + 1
            answer = answer[n]
        self.record("operation_mocked", {"operation": op_id, "params": dict(params)})
        return copy.deepcopy(answer)
