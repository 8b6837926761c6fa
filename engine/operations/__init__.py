"""Generic service operations for BPMN service tasks.

Contract: an operation is registered in an :class:`~engine.operations.registry.OperationRegistry`
with typed parameters and German descriptions, receives an
:class:`~engine.operations.context.OperationContext` (the step's transaction, case, authority,
actor, clock) and returns plain data (dicts, lists, str, int, bool, date, Decimal) that the
service task stores in its result variable. Operations never name a service.
Other packages import :func:`default_registry`, ``registry.Param`` and ``registry.Operation``.
"""

from __future__ import annotations

from engine.operations.registry import REGISTRY, OperationRegistry

_BUILTIN_MODULES = ("engine.operations.case_ops",)


def default_registry() -> OperationRegistry:
    """The registry with all built-in operations (imported once)."""
    import importlib

    for name in _BUILTIN_MODULES:
        importlib.import_module(name)
    return REGISTRY
