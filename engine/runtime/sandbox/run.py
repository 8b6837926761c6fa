"""Running: evaluate compiled code under a fresh budget, and locate errors at their script line."""

from __future__ import annotations

import types
from typing import Any

from engine.errors import ScriptError
from engine.runtime.sandbox.budget import _Budget, _current, _limit_error
from engine.runtime.sandbox.compile import _FILENAME
from engine.runtime.sandbox.limits import Limits


def _script_line(tb: types.TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _located(err: ScriptError, tb: types.TracebackType | None) -> ScriptError:
    line = err.context.get("line") or _script_line(tb)
    if line and "line" not in err.context:
        err.context["line"] = line
        err.user_message = f"Zeile {line}: {err.user_message}"
    return err


def _run(code: types.CodeType, namespace: dict[str, Any], limits: Limits) -> Any:
    budget = _Budget(limits, _current.get())
    namespace["_tick_"] = budget.tick
    namespace["_getiter_"] = budget.getiter
    token = _current.set(budget)
    try:
        return eval(code, namespace)  # compiled by RestrictedPython, with our guards in namespace
    except ScriptError as err:  # limits, guards, helper input errors: add the script line
        _located(err, err.__traceback__)
        raise
    except RecursionError as err:
        raise _located(
            _limit_error(
                "recursion",
                "script recursion too deep",
                "Das Skript ruft sich zu tief selbst auf (Rekursion ohne Ende?).",
            ),
            err.__traceback__,
        ) from err
    except MemoryError as err:
        raise _located(
            _limit_error("memory", "out of memory in script", "Das Skript hat zu viel Speicher angefordert."),
            err.__traceback__,
        ) from err
    finally:
        budget.close()
        _current.reset(token)
