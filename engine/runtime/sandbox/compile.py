"""Compile time: analyse a source (checker, then RestrictedPython), cache the code, ``check_source``."""

from __future__ import annotations

import ast
import re
import types
from functools import lru_cache
from typing import Literal

from RestrictedPython import compile_restricted_eval, compile_restricted_exec

from engine.errors import ScriptError, ScriptSecurityError
from engine.runtime.sandbox.checker import ScriptProblem, _Checker
from engine.runtime.sandbox.limits import MAX_SOURCE_LEN
from engine.runtime.sandbox.policy import _Policy

# The file name Spiff's PythonScriptEngine looks for in tracebacks to find the script line.
_FILENAME = "<string>"


_RP_ERROR = re.compile(r"^Line (\d+|None): (.*)$", re.DOTALL)


def _syntax_problem(err: SyntaxError) -> ScriptProblem:
    line = err.lineno
    prefix = f"Zeile {line}: " if line else ""
    return ScriptProblem(
        line,
        f"syntax error: {err.msg}",
        f"{prefix}Das Skript enthält einen Syntaxfehler ({err.msg}).",
    )


def _analyse(source: str, mode: str) -> tuple[list[ScriptProblem], bool, types.CodeType | None]:
    """(problems, is_syntax_error, code). ``code`` is None when there are problems."""
    if not isinstance(source, str):
        return [ScriptProblem(None, "script is not a string", "Das Skript ist kein Text.")], True, None
    if len(source) > MAX_SOURCE_LEN:
        return (
            [
                ScriptProblem(
                    None,
                    f"script longer than {MAX_SOURCE_LEN} characters",
                    f"Das Skript ist zu lang (höchstens {MAX_SOURCE_LEN} Zeichen).",
                )
            ],
            False,
            None,
        )
    try:
        tree = ast.parse(source, _FILENAME, mode)
        checker = _Checker()
        checker.visit(tree)
        compile_restricted = compile_restricted_exec if mode == "exec" else compile_restricted_eval
        # The tree is transformed in place; RestrictedPython also sees trees we already
        # refused so that check_source can list everything it objects to as well.
        result = compile_restricted(tree, filename=_FILENAME, policy=_Policy)
    except SyntaxError as err:
        # ast.parse, and compile() for what parsing accepts ('return' outside a function …).
        return [_syntax_problem(err)], True, None
    except (ValueError, RecursionError, MemoryError) as err:  # NUL bytes, absurd nesting
        return (
            [ScriptProblem(None, f"cannot compile: {err}", "Das Skript ist nicht lesbar oder zu tief verschachtelt.")],
            True,
            None,
        )

    problems = checker.problems
    known_lines = {p.line for p in problems}
    for error in result.errors:
        match = _RP_ERROR.match(error)
        line = int(match.group(1)) if match and match.group(1) != "None" else None
        text = match.group(2) if match else error
        if line in known_lines:
            continue
        prefix = f"Zeile {line}: " if line else ""
        problems.append(ScriptProblem(line, text, f"{prefix}Diese Anweisung ist in Skripten nicht erlaubt ({text})."))
        known_lines.add(line)
    problems.sort(key=lambda p: p.line or 0)
    return problems, False, None if problems else result.code


@lru_cache(maxsize=4096)
def _compiled(source: str, mode: str) -> types.CodeType:
    problems, syntax, code = _analyse(source, mode)
    if code is None:
        first = problems[0]
        more = f" (und {len(problems) - 1} weitere)" if len(problems) > 1 else ""
        error_class = ScriptError if syntax else ScriptSecurityError
        raise error_class(
            "; ".join(f"line {p.line}: {p.message}" for p in problems),
            user_message=first.user_message + more,
            line=first.line,
            source=source,
            problems=tuple(problems),
        )
    return code


def check_source(source: str, mode: Literal["exec", "eval"]) -> list[ScriptProblem]:
    """Every reason why ``source`` would be refused, without running it (empty list: fine)."""
    if mode not in ("exec", "eval"):
        raise ValueError(f"mode must be 'exec' or 'eval', not {mode!r}")
    return _analyse(source, mode)[0]
