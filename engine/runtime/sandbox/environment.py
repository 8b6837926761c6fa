"""The SpiffWorkflow script environment (``RestrictedEnvironment``) and ``evaluate``/``execute`` without Spiff."""

from __future__ import annotations

import types
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

from engine.errors import DesignError, ScriptError
from engine.runtime.helpers import HELPERS
from engine.runtime.sandbox.compile import _compiled
from engine.runtime.sandbox.hooks import _GUARD_NAMES, _GUARDS
from engine.runtime.sandbox.limits import Limits
from engine.runtime.sandbox.run import _run


class RestrictedEnvironment(TaskDataEnvironment):
    """Spiff script environment that compiles with RestrictedPython and enforces ``Limits``."""

    def __init__(self, helpers: Mapping[str, Any] | None = None, limits: Limits | None = None) -> None:
        chosen = dict(HELPERS if helpers is None else helpers)
        bad = sorted(n for n in chosen if not isinstance(n, str) or not n.isidentifier() or n.startswith("_"))
        if bad:
            raise DesignError(
                f"helper names must be identifiers without leading '_': {bad}",
                user_message=f"Ungültige Namen für Hilfsfunktionen: {', '.join(map(str, bad))}.",
            )
        self.helpers: Mapping[str, Any] = types.MappingProxyType(chosen)
        self.limits = limits or Limits()
        super().__init__({**chosen, **_GUARDS})
        # Per-call work is kept to dict copies: helpers + guards in one template, and the set
        # of names task data may not use.
        self._template = dict(self.globals)
        self._reserved = frozenset(self.globals)

    def evaluate(
        self, expression: str, context: Mapping[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        code = _compiled(expression, "eval")
        # Spiff's order (helpers < external < task data), but the guards always win: no task
        # data key may replace one (only keys starting with "_" could, so this is rare).
        namespace = self._template.copy()
        if external_context:
            namespace.update(external_context)
        namespace.update(context)
        if not context.keys().isdisjoint(_GUARD_NAMES) or (
            external_context and not external_context.keys().isdisjoint(_GUARD_NAMES)
        ):
            namespace.update(_GUARDS)
        return _run(code, namespace, self.limits)

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        code = _compiled(script, "exec")
        # Spiff's order (helpers < external names), guards last; check_for_overwrite has made
        # sure that neither overlaps the task data.
        context.update(self._template)
        if external_context:
            context.update(external_context)
            if not external_context.keys().isdisjoint(_GUARD_NAMES):
                context.update(_GUARDS)
        try:
            _run(code, context, self.limits)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True

    def check_for_overwrite(self, context: Mapping[str, Any], external_context: Mapping[str, Any]) -> None:
        """Refuse task data that shadows a helper: the script would fail in a confusing way."""
        clashes = self._reserved.intersection(context)
        if external_context:
            clashes |= set(external_context).intersection(context)
        if clashes:
            names = ", ".join(f"„{n}“" for n in sorted(clashes))
            raise ScriptError(
                f"task data shadows predefined names: {sorted(clashes)}",
                user_message=(
                    f"Die Vorgangsdaten enthalten {names}; so heißt auch eine Hilfsfunktion für Skripte. "
                    "Bitte das Formularfeld bzw. die Variable umbenennen."
                ),
                names=sorted(clashes),
            )

    def _remove_globals_and_functions_from_context(
        self, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> None:
        """Spiff's clean-up (builtins, helpers, external names, callables), in one pass.

        Generators go too: they are not callable, so Spiff would keep them, and they hold a
        frame of the finished run.
        """
        for key in self._reserved:
            context.pop(key, None)
        for key in external_context or ():
            context.pop(key, None)
        for key in [k for k, v in context.items() if callable(v) or isinstance(v, types.GeneratorType)]:
            del context[key]


@lru_cache(maxsize=16)
def _default_environment(limits: Limits) -> RestrictedEnvironment:
    return RestrictedEnvironment(limits=limits)


def _environment(helpers: Mapping[str, Any] | None, limits: Limits | None) -> RestrictedEnvironment:
    if helpers is None:
        return _default_environment(limits or Limits())
    return RestrictedEnvironment(helpers, limits)


def evaluate(
    expression: str,
    names: Mapping[str, Any],
    *,
    helpers: Mapping[str, Any] | None = None,
    limits: Limits | None = None,
) -> Any:
    """The value of ``expression`` over ``names`` (unchanged), like a gateway condition."""
    return _environment(helpers, limits).evaluate(expression, names)


def execute(
    script: str,
    names: dict[str, Any],
    *,
    helpers: Mapping[str, Any] | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Run ``script`` with ``names`` as its globals, like a script task; returns ``names``.

    ``names`` is changed in place, exactly as Spiff changes ``task.data``.
    """
    _environment(helpers, limits).execute(script, names)
    return names
