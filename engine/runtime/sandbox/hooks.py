"""The names RestrictedPython's compiled code calls (``_getattr_``, ``_mul_``, ``_tick_`` …), bound to our guards.

``_GUARDS`` is put into every script's namespace, after helpers and task data, so that no
task data key can replace a guard.
"""

from __future__ import annotations

import operator
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from engine.errors import ScriptError
from engine.runtime.sandbox.attributes import _getattr
from engine.runtime.sandbox.builtins import _BUILTINS
from engine.runtime.sandbox.guards import (
    _apply,
    _check_text,
    _floordiv,
    _format_value,
    _iadd,
    _imul,
    _ior,
    _lshift,
    _mod,
    _mul,
    _pow,
    _rethrow,
    _write,
)


def _no_run(*args: Any, **kwargs: Any) -> Any:
    raise ScriptError(
        "sandbox hook called outside a script run",
        user_message="Eine Skriptfunktion wurde außerhalb eines Skriptlaufs aufgerufen.",
    )


_GUARDS: dict[str, Any] = {
    "__builtins__": _BUILTINS,
    "_getattr_": _getattr,
    "_getitem_": operator.getitem,
    "_write_": _write,
    "_apply_": _apply,
    "_iter_": iter,
    "_iadd_": _iadd,
    "_isub_": operator.isub,
    "_imul_": _imul,
    "_imatmul_": operator.imatmul,
    "_itruediv_": operator.itruediv,
    "_irshift_": operator.irshift,
    "_ior_": _ior,
    "_ixor_": operator.ixor,
    "_iand_": operator.iand,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_rethrow_": _rethrow,
    "_fv_": _format_value,
    "_fstr_": _check_text,
    "_mul_": _mul,
    "_pow_": _pow,
    "_lshift_": _lshift,
    "_mod_": _mod,
    "_floordiv_": _floordiv,
    # Replaced per run by the run's budget; these placeholders fail outside a run.
    "_tick_": _no_run,
    "_getiter_": _no_run,
}
_GUARD_NAMES = frozenset(_GUARDS)
