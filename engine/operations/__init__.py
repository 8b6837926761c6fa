"""Generic service operations for BPMN service tasks.

Contract: an operation is registered in an :class:`~engine.operations.registry.OperationRegistry`
with typed parameters and German descriptions, receives an
:class:`~engine.operations.context.OperationContext` (the step's transaction, case, authority,
actor, clock) and returns plain data (dicts, lists, str, int, bool, date, Decimal) that the
service task stores in its result variable. Operations never name a service.

Built-in operations live in modules named ``*_ops.py`` anywhere below ``engine/`` that register
into :data:`~engine.operations.registry.REGISTRY`; :func:`default_registry` imports them all.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from engine.operations.registry import REGISTRY, OperationRegistry

_ENGINE = Path(__file__).resolve().parent.parent
_loaded = False


def _operation_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(_ENGINE)], prefix="engine."):
        if info.name.rsplit(".", 1)[-1].endswith("_ops"):
            names.append(info.name)
    return sorted(names)


def default_registry() -> OperationRegistry:
    """The registry with all built-in operations (imported once)."""
    global _loaded
    if not _loaded:
        for name in _operation_modules():
            importlib.import_module(name)
        _loaded = True
    return REGISTRY
