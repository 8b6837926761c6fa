"""The script engine every workflow runs with: restricted scripts + the operation registry.

SpiffWorkflow does not serialize the script engine; a loaded workflow comes back with an
*unrestricted* default engine. :func:`engine.runtime.runner.attach` sets ours after every load.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from engine.operations.context import OperationContext
from engine.operations.registry import OperationRegistry
from engine.runtime.helpers import HELPERS
from engine.runtime.sandbox import Limits, RestrictedEnvironment

_context: ContextVar[OperationContext | None] = ContextVar("amtskoffer_operation_context", default=None)


@contextmanager
def operation_context(ctx: OperationContext) -> Iterator[OperationContext]:
    """Make ``ctx`` the context for operations called by service tasks in this block."""
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


class ScriptEngine(PythonScriptEngine):
    def __init__(self, registry: OperationRegistry, limits: Limits | None = None) -> None:
        super().__init__(environment=RestrictedEnvironment(helpers=HELPERS, limits=limits or Limits()))
        self.registry = registry

    def call_operation(self, task: Any, operation_id: str, params: dict[str, Any]) -> Any:
        ctx = _context.get()
        if ctx is None:
            raise RuntimeError("service task ran outside a step (no operation context)")
        ctx.task_spec = task.task_spec.bpmn_id
        ctx.task_data = task.data
        return self.registry.invoke(operation_id, params, ctx)

    def call_service(self, task: Any, **kwargs: Any) -> str:  # pragma: no cover - guarded
        raise RuntimeError("stock service tasks are replaced by engine.runtime.bpmn.OperationTask")
