"""The restricted environment for BPMN scripts, gateway conditions, pre/post scripts and DMN cells.

Contract
--------
* ``RestrictedEnvironment(helpers=None, limits=None)`` is a SpiffWorkflow
  ``TaskDataEnvironment``: put it into ``PythonScriptEngine(environment=…)`` and set that engine
  on every workflow again after deserialising (Spiff does not store it). It keeps Spiff's data
  semantics: ``evaluate`` reads task data, ``execute`` runs with the task data dict as globals,
  refuses task data that shadows a helper, and strips builtins, helpers and callables afterwards.
  It is stateless between calls and may be shared by threads.
* ``evaluate(expression, names)`` / ``execute(script, names)`` do the same without Spiff;
  ``check_source(source, mode)`` lists every problem of a script without running it (publish time).
* Everything raised on purpose is ours: ``ScriptError`` (syntax), ``ScriptSecurityError``
  (forbidden construct, at compile time or when a guard refuses at run time) and
  ``ScriptLimitExceeded`` (time, memory, size, recursion). ``context`` holds ``line`` (when
  known) and, for compile errors, ``source`` and ``problems``. Other exceptions of the script
  itself (``KeyError``, ``ZeroDivisionError`` …) pass through unchanged.

How it works
------------
1. **Compile time** (cached per source text): ``ast.parse``, our own checker (German messages for
   imports, ``_`` names and attributes, forbidden builtins, ``.format``, ``class``, oversized or
   dynamic format specs), then RestrictedPython with a policy subclass that additionally inserts a
   ``_tick_()`` call at the start of every loop body, function body and lambda, a re-raise at the
   start of every ``except`` block (a script cannot swallow a limit error), and guard calls for
   ``*``, ``**``, ``<<``, ``%``, ``//``, ``*x`` unpacking, ``yield from`` and f-strings.
2. **Run time**: a per-run budget (held in a ``ContextVar``, so threads never share one). Each
   tick reads ``time.perf_counter()`` (≈0.1 µs) and compares it with one precomputed instant; the
   deadline is checked on every tick, resident memory (``/proc/self/statm``, else
   ``resource.getrusage``) at most every ``MEMORY_CHECK_INTERVAL_S`` — time-based rather than every
   N ticks, because what a tick can allocate varies, while allocation speed is bounded. Iteration
   by comprehensions, unpacking and the iterating builtins goes through a ticking iterator. Single
   C-level operations that could allocate without ticking are checked before they run.
   ``RecursionError`` and ``MemoryError`` become ``ScriptLimitExceeded``.

Limits (chosen so that ordinary process code never meets them):

==============================  =============  ==================================================
``Limits.time_s``               1.0 s          wall-clock time per call (``Limits`` per env/call)
``Limits.memory_mb``            64 MB          growth of the process's resident memory
``MAX_SEQUENCE_LEN``            1 000 000      chars/items one operation may build: ``s * n``,
                                               padding, ``replace``, ``join``, ``expandtabs``,
                                               ``translate``, ``to_bytes``, ``%``/f-string
                                               results, ``str()``/``repr()`` of containers
``MAX_INT_BITS``                100 000 bits   ≈ 30 000 digits: results of ``a * b``, ``a ** b``,
                                               ``a << b``; operands of ``**``, ``//``, ``%``,
                                               ``divmod`` (long division is quadratic)
``MAX_DECIMAL_DIGITS``          4 300          ``int()``/``round()``/formatting of a ``Decimal``
                                               (CPython's own int/str digit limit)
``MAX_RANGE_LEN``               10 000 000     elements of ``range()``
``MAX_FORMAT_WIDTH``            10 000         width/precision in f-string and ``%`` format specs
``DIRECT_ITERATION_LEN``        100 000        larger containers are iterated with ticks by
                                               ``list()``, ``sorted()``, ``sum()`` …
``MAX_SOURCE_LEN``              100 000        characters of one script
==============================  =============  ==================================================

Known gaps: memory is the growth of the whole process's resident set, so in a threaded server
another thread's allocation counts too (false alarms are possible), and memory the allocator
had freed before and now reuses does not show as growth (a script can use that much on top).
Time is wall-clock time, so a starved thread gets less CPU. A single C operation between two
ticks cannot be interrupted; all that could be large are size-checked above, and the largest
legal ones take milliseconds. Values a script leaves in task data (e.g. a list holding one
large string many times) are not size-checked here: the serializer should limit stored data.
"""

from __future__ import annotations

import ast
import math
import operator
import os
import re
import sys
import time
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr_raise,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

from engine.errors import DesignError, ScriptError, ScriptLimitExceeded, ScriptSecurityError
from engine.runtime.helpers import HELPERS

try:  # not on Windows; /proc/self/statm is preferred anyway
    import resource
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

__all__ = [
    "BLOCKED_NAMES",
    "DIRECT_ITERATION_LEN",
    "MAX_DECIMAL_DIGITS",
    "MAX_FORMAT_WIDTH",
    "MAX_INT_BITS",
    "MAX_RANGE_LEN",
    "MAX_SEQUENCE_LEN",
    "MAX_SOURCE_LEN",
    "RESERVED_NAMES",
    "SAFE_BUILTINS",
    "Limits",
    "RestrictedEnvironment",
    "ScriptProblem",
    "check_source",
    "evaluate",
    "execute",
]

MAX_SEQUENCE_LEN = 1_000_000
MAX_INT_BITS = 100_000
MAX_DECIMAL_DIGITS = 4_300
MAX_RANGE_LEN = 10_000_000
MAX_FORMAT_WIDTH = 10_000
DIRECT_ITERATION_LEN = 100_000
MAX_SOURCE_LEN = 100_000
MEMORY_CHECK_INTERVAL_S = 0.002
# The memory baseline is read this long after the first tick, so that short scripts never pay
# for reading /proc (≈10 µs); in 0.2 ms a script can allocate a few MB at most.
MEMORY_BASELINE_DELAY_S = 0.0002

# The file name Spiff's PythonScriptEngine looks for in tracebacks to find the script line.
_FILENAME = "<string>"


@dataclass(frozen=True, slots=True)
class Limits:
    """Run-time limits of one script call."""

    time_s: float = 1.0
    """Wall-clock seconds."""
    memory_mb: float = 64
    """Growth of the process's resident memory, in MiB."""

    def __post_init__(self) -> None:
        if not (self.time_s > 0 and self.memory_mb > 0):
            raise ValueError(f"limits must be positive: {self}")


@dataclass(frozen=True, slots=True)
class ScriptProblem:
    """One reason why a script, condition or DMN cell does not compile."""

    line: int | None
    message: str
    """English, for logs."""
    user_message: str
    """German, for the designer; starts with "Zeile n:" when the line is known."""


# ==========================================================================================
# Compile time
# ==========================================================================================

# Never available, whatever they are used for: introspection, I/O, dynamic code, output.
_FORBIDDEN_NAMES = frozenset(
    {
        "eval", "exec", "compile", "open", "globals", "locals", "vars", "getattr", "setattr",
        "delattr", "hasattr", "breakpoint", "help", "print", "printed", "dir", "exit", "quit",
        "memoryview", "bytearray", "super", "classmethod", "staticmethod", "issubclass",
        "license", "credits", "copyright",
    }
)  # fmt: skip
# Not available either, but plausible names of form fields ("type", "id", "format" …): only
# calling them is rejected, a task variable with such a name can still be read.
_FORBIDDEN_CALLS = frozenset({"type", "id", "hash", "object", "bytes", "input", "format", "property"})
BLOCKED_NAMES: frozenset[str] = _FORBIDDEN_NAMES | _FORBIDDEN_CALLS
"""Builtins that scripts cannot use; form fields should not use these names either."""

_FORMAT_ATTRIBUTES = frozenset({"format", "format_map"})

# Width and precision numbers in a format spec; any digit run is a safe over-approximation.
_SPEC_NUMBER = re.compile(r"\d+")
# A printf-style conversion: %[(key)][flags][width][.precision][length]type
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?[a-zA-Z%]")


def _percent_spec_problem(fmt: str) -> tuple[str, str] | None:
    """(English, German) reason why a %-format string is refused, or None."""
    for match in _PERCENT_SPEC.finditer(fmt):
        for number in match.groups():
            if number == "*":
                return (
                    "'*' width or precision in %-format",
                    "„*“ als Breite oder Genauigkeit in %-Formaten ist nicht erlaubt.",
                )
            if number and int(number) > MAX_FORMAT_WIDTH:
                return (
                    f"%-format width {number} exceeds {MAX_FORMAT_WIDTH}",
                    f"Die Formatangabe „{match.group(0)[:20]}“ ist zu breit (höchstens {MAX_FORMAT_WIDTH} Zeichen).",
                )
    return None


def _format_spec_problem(spec: str) -> tuple[str, str] | None:
    for number in _SPEC_NUMBER.findall(spec):
        if int(number) > MAX_FORMAT_WIDTH:
            return (
                f"format spec {spec[:20]!r} exceeds width {MAX_FORMAT_WIDTH}",
                f"Die Formatangabe „{spec[:20]}“ ist zu breit (höchstens {MAX_FORMAT_WIDTH} Zeichen).",
            )
    return None


class _Checker(ast.NodeVisitor):
    """Find forbidden constructs and explain them in German, before RestrictedPython runs.

    RestrictedPython finds most of these too, but with English texts and without the reason a
    designer needs; what it finds beyond this list is reported with a generic German text.
    """

    def __init__(self) -> None:
        self.found: list[tuple[int, int, ScriptProblem]] = []

    @property
    def problems(self) -> list[ScriptProblem]:
        """In reading order: by line, then left to right."""
        return [problem for _, _, problem in sorted(self.found, key=lambda f: f[:2])]

    def _add(self, node: ast.AST, message: str, user_message: str) -> None:
        line = getattr(node, "lineno", None)
        prefix = f"Zeile {line}: " if line else ""
        # Attribute chains all start at the same column, so order by where the node ends.
        column = getattr(node, "end_col_offset", None) or getattr(node, "col_offset", 0)
        self.found.append((line or 0, column, ScriptProblem(line, message, prefix + user_message)))

    def _check_name(self, node: ast.AST, name: str | None) -> None:
        if name and name.startswith("_") and name != "_":
            self._add(
                node,
                f"name {name!r} starts with '_'",
                f"Der Name „{name}“ ist nicht erlaubt, weil er mit „_“ beginnt.",
            )

    def visit_Constant(self, node: ast.Constant) -> None:
        """Nothing to check; skips NodeVisitor's slow legacy lookup (visit_Num, visit_Str …)."""

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        self._add(node, "import statements are not allowed", "„import“ ist in Skripten nicht erlaubt.")

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._add(
            node, "class definitions are not allowed", "Klassen („class“) dürfen in Skripten nicht definiert werden."
        )
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self._check_name(node, node.id)
        if node.id in _FORBIDDEN_NAMES:
            self._add(node, f"{node.id!r} is not available", f"„{node.id}“ ist in Skripten nicht erlaubt.")

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
            self._add(node, f"{node.func.id}() is not available", f"„{node.func.id}()“ ist in Skripten nicht erlaubt.")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr.startswith("_"):
            self._add(
                node,
                f"attribute {attr!r} starts with '_'",
                f"Das Attribut „.{attr}“ ist nicht erlaubt, weil es mit „_“ beginnt.",
            )
        elif attr in INSPECT_ATTRIBUTES:
            self._add(
                node, f"attribute {attr!r} is not allowed", f"Das Attribut „.{attr}“ ist in Skripten nicht erlaubt."
            )
        elif attr in _FORMAT_ATTRIBUTES:
            self._add(
                node,
                f".{attr}() is not allowed (it can reach any attribute)",
                f'„.{attr}()“ ist in Skripten nicht erlaubt; bitte f-Strings verwenden, z. B. f"{{name}}".',
            )
        self.generic_visit(node)

    def _check_arguments(self, node: ast.FunctionDef | ast.Lambda) -> None:
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                self._check_name(node, arg.arg)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._check_name(node, node.name)
        self._check_arguments(node)
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._check_arguments(node)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        self._check_name(node, node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            self._check_name(node, name)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if not isinstance(node.target, ast.Name):
            self._add(
                node,
                "augmented assignment to an item or attribute is not allowed",
                "Kurzschreibweisen wie „+=“ sind nur für einfache Variablen erlaubt; "
                "bitte z. B. „d['k'] = d['k'] + 1“ schreiben.",
            )
        self.generic_visit(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        self.visit(node.value)
        spec = node.format_spec
        if spec is None:
            return
        parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
        if not all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
            self._add(
                node,
                "dynamic format spec in f-string",
                "Formatangaben in f-Strings müssen fest sein (kein {…} nach dem Doppelpunkt).",
            )
            return
        problem = _format_spec_problem("".join(p.value for p in parts))  # type: ignore[attr-defined]
        if problem:
            self._add(node, *problem)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if (
            isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str | bytes)
        ):
            fmt = node.left.value
            problem = _percent_spec_problem(fmt if isinstance(fmt, str) else fmt.decode("latin-1"))
            if problem:
                self._add(node, *problem)
        self.generic_visit(node)


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


def _statement(name: str, node: ast.AST) -> ast.Expr:
    stmt = ast.Expr(_call(name))
    copy_locations(stmt, node)
    return stmt


_GUARDED_BINOPS: dict[type[ast.operator], str] = {
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
    ast.FloorDiv: "_floordiv_",
}


_INPLACE_GUARDS: dict[type[ast.operator], str] = {
    ast.Add: "_iadd_",
    ast.Sub: "_isub_",
    ast.Mult: "_imul_",
    ast.MatMult: "_imatmul_",
    ast.Div: "_itruediv_",
    ast.FloorDiv: "_floordiv_",
    ast.Mod: "_mod_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.RShift: "_irshift_",
    ast.BitOr: "_ior_",
    ast.BitXor: "_ixor_",
    ast.BitAnd: "_iand_",
}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus the hooks for time, memory and size limits."""

    def visit_While(self, node: ast.While) -> Any:
        node = super().visit_While(node)
        node.body.insert(0, _statement("_tick_", node))
        return node

    def visit_For(self, node: ast.For) -> Any:
        node = super().visit_For(node)
        node.body.insert(0, _statement("_tick_", node))
        # The body ticks on every pass, so the loop itself may use a plain iterator (half the
        # cost of a ticking one). RestrictedPython passes `_getiter_` by name to its unpacking
        # helper for `for a, b in …`; that reference is switched as well.
        call = node.iter
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "_getiter_":
            call.func.id = "_iter_"
        elif isinstance(call, ast.Call):
            for arg in call.args:
                if isinstance(arg, ast.Name) and arg.id == "_getiter_":
                    arg.id = "_iter_"
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _statement("_tick_", node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = super().visit_Lambda(node)
        # `_tick_()` returns True, so `True and body` is the body's value.
        node.body = ast.BoolOp(op=ast.And(), values=[_call("_tick_"), node.body])
        copy_locations(node.body, node)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> Any:
        if not isinstance(node.target, ast.Name):
            return super().visit_AugAssign(node)  # refused by RestrictedPython (and _Checker)
        # `n += 1` → `n = _iadd_(n, 1)`: one direct guard per operator instead of
        # RestrictedPython's generic `_inplacevar_("+=", n, 1)` dispatcher (2× faster).
        node = self.node_contents_visit(node)
        value = _call(_INPLACE_GUARDS[type(node.op)], ast.Name(node.target.id, ast.Load()), node.value)
        new = ast.Assign(targets=[node.target], value=value)
        copy_locations(new, node)
        return new

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        node = super().visit_ExceptHandler(node)
        # A limit error caught by `except Exception:` would let an endless loop go on.
        node.body.insert(0, _statement("_rethrow_", node))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = super().visit_BinOp(node)
        guard = _GUARDED_BINOPS.get(type(node.op))
        if guard is None:
            return node
        new = _call(guard, node.left, node.right)
        copy_locations(new, node)
        return new

    def visit_Starred(self, node: ast.Starred) -> Any:
        node = super().visit_Starred(node)
        if isinstance(node.ctx, ast.Load):
            # `[*x]` and `f(*x)` iterate x in C; route it through the ticking iterator.
            node.value = _call("_getiter_", node.value)
            copy_locations(node.value, node)
        return node

    def visit_YieldFrom(self, node: ast.YieldFrom) -> Any:
        node = super().visit_YieldFrom(node)
        node.value = _call("_getiter_", node.value)
        copy_locations(node.value, node)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        # The format spec is a constant (checked by _Checker); only the value needs visiting.
        node.value = _call("_fv_", self.visit(node.value))
        copy_locations(node.value, node)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Any:
        node = super().visit_JoinedStr(node)
        new = _call("_fstr_", node)
        copy_locations(new, node)
        return new


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


# ==========================================================================================
# Run time: budget, ticks, memory
# ==========================================================================================

_perf_counter = time.perf_counter
_current: ContextVar[_Budget | None] = ContextVar("amtskoffer_script_budget", default=None)

try:
    _PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # pragma: no cover
    _PAGE_SIZE = 4096


def _resident_bytes() -> int:
    """Resident memory of this process; 0 if the platform cannot tell (no memory limit then)."""
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            return int(os.read(fd, 128).split()[1]) * _PAGE_SIZE
        finally:
            os.close(fd)
    except (OSError, IndexError, ValueError):
        pass
    if resource is not None:  # the peak, not the current size: growth below an old peak is missed
        scale = 1 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    return 0  # pragma: no cover


def _de_number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _limit_error(limit: str, log: str, user: str) -> ScriptLimitExceeded:
    return ScriptLimitExceeded(log, user_message=user, limit=limit)


def _too_big(what: str, size: float, maximum: int) -> ScriptLimitExceeded:
    return _limit_error(
        "size",
        f"{what}: {size:.0f} exceeds {maximum}",
        f"Das Ergebnis wäre zu groß ({what}: höchstens {maximum:,} erlaubt).".replace(",", "."),
    )


class _Budget:
    """Deadline and memory baseline of one script call."""

    __slots__ = ("deadline", "limits", "memory_base", "next_check", "started")

    def __init__(self, limits: Limits, outer: _Budget | None) -> None:
        self.limits = limits
        self.deadline = _perf_counter() + limits.time_s
        if outer is not None and outer.deadline < self.deadline:
            self.deadline = outer.deadline  # a nested call may not outlive the call it runs in
        self.started = False
        self.memory_base = -1  # not read yet: conditions without loops never read /proc
        self.next_check = 0.0

    def tick(self, _clock: Callable[[], float] = _perf_counter) -> bool:
        # The hot path: one clock read and one comparison. next_check is the earlier of the
        # deadline and the next memory check. (The clock is read on every tick, not every N
        # ticks: N loop passes that each copy a large list could outgrow the limit unseen.)
        if _clock() >= self.next_check:
            self._check()
        return True

    def _check(self) -> None:
        now = _perf_counter()
        if now >= self.deadline:
            raise _limit_error(
                "time",
                f"script exceeded its time limit of {self.limits.time_s} s",
                f"Das Skript hat das Zeitlimit von {_de_number(self.limits.time_s)} s überschritten.",
            )
        if not self.started:  # first tick
            self.started = True
            self.next_check = min(self.deadline, now + MEMORY_BASELINE_DELAY_S)
            return
        resident = _resident_bytes()
        if self.memory_base < 0:
            self.memory_base = resident
        elif resident - self.memory_base > self.limits.memory_mb * 2**20:
            raise _limit_error(
                "memory",
                f"script grew memory by {(resident - self.memory_base) / 2**20:.0f} MiB "
                f"(limit {self.limits.memory_mb} MiB)",
                f"Das Skript hat das Speicherlimit von {_de_number(self.limits.memory_mb)} MB überschritten.",
            )
        self.next_check = min(self.deadline, _perf_counter() + MEMORY_CHECK_INTERVAL_S)

    def close(self) -> None:
        # Functions or generators that escaped into task data fail when called later.
        self.deadline = self.next_check = -math.inf

    def getiter(self, ob: Any) -> Iterator[Any]:
        return _ticking(iter(ob), self.tick)


def _ticking(iterator: Iterator[Any], tick: Callable[[], bool]) -> Iterator[Any]:
    for item in iterator:
        tick()
        yield item


def _budget() -> _Budget:
    budget = _current.get()
    if budget is None:
        raise ScriptError(
            "sandbox guard called outside a script run",
            user_message="Eine Skriptfunktion wurde außerhalb eines Skriptlaufs aufgerufen.",
        )
    return budget


def _tick_every(iterable: Iterable[Any]) -> Iterator[Any]:
    """The iterable with a tick per item: for callbacks that may grow what they iterate."""
    return _ticking(iter(iterable), _budget().tick)


_SNAPSHOT_TYPES = frozenset(
    {str, bytes, tuple, list, dict, set, frozenset, range, type({}.keys()), type({}.values()), type({}.items())}
)


def _feed(iterable: Any) -> Any:
    """What a C-level consumer (list(), sum(), str.join …) may iterate without ticks.

    A small existing container is passed on as is (fast path); anything else — generators,
    map/zip objects, large ranges or containers — is iterated with a tick per item.
    """
    if type(iterable) in _SNAPSHOT_TYPES and len(iterable) <= DIRECT_ITERATION_LEN:
        return iterable
    return _tick_every(iterable)


# ==========================================================================================
# Run time: guards for operators, attributes, builtins
# ==========================================================================================

_SEQUENCES = (str, bytes, list, tuple)


def _security_error(log: str, user: str) -> ScriptSecurityError:
    return ScriptSecurityError(log, user_message=user)


def _check_int_operands(*values: Any) -> None:
    for value in values:
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise _too_big("Bits einer ganzen Zahl", value.bit_length(), MAX_INT_BITS)


def _check_decimal(value: Decimal) -> None:
    if value.is_finite() and abs(value.adjusted()) > MAX_DECIMAL_DIGITS:
        raise _too_big("Stellen einer Dezimalzahl", abs(value.adjusted()), MAX_DECIMAL_DIGITS)


def _mul(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > MAX_INT_BITS:
            raise _too_big("Bits einer ganzen Zahl", a.bit_length() + b.bit_length(), MAX_INT_BITS)
    elif isinstance(a, _SEQUENCES) and isinstance(b, int):
        if len(a) * b > MAX_SEQUENCE_LEN:
            raise _too_big("Länge", len(a) * b, MAX_SEQUENCE_LEN)
    elif isinstance(b, _SEQUENCES) and isinstance(a, int) and len(b) * a > MAX_SEQUENCE_LEN:
        raise _too_big("Länge", len(b) * a, MAX_SEQUENCE_LEN)
    return a * b


def _pow(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        _check_int_operands(a, b)
        # b > MAX_INT_BITS first: b * log2(a) would overflow a float for a huge b.
        if b > 0 and abs(a) > 1 and (b > MAX_INT_BITS or b * math.log2(abs(a)) > MAX_INT_BITS):
            raise _too_big("Bits einer ganzen Zahl", min(b, 10**12) * math.log2(abs(a)), MAX_INT_BITS)
    return a**b


def _lshift(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and a and b > 0 and a.bit_length() + b > MAX_INT_BITS:
        raise _too_big("Bits einer ganzen Zahl", a.bit_length() + b, MAX_INT_BITS)
    return a << b


def _floordiv(a: Any, b: Any) -> Any:
    _check_int_operands(a, b)  # long division is quadratic in the operand size
    return a // b


def _divmod(a: Any, b: Any) -> tuple[Any, Any]:
    _check_int_operands(a, b)
    return divmod(a, b)


def _check_rendered(value: Any) -> None:
    """Refuse to turn ``value`` into text when the text would be huge.

    The danger is sharing: ``[s] * 1000`` is small, but its text holds ``s`` a thousand times.
    Sizes are computed once per object (memo), so shared parts cost nothing extra to measure.
    """
    if isinstance(value, Decimal):
        _check_decimal(value)
        return
    if not isinstance(value, list | tuple | dict | set | frozenset):
        return
    memo: dict[int, int] = {}

    def size(item: Any) -> int:
        if isinstance(item, str | bytes):
            return len(item) + 3
        if isinstance(item, Decimal):
            _check_decimal(item)
            return 40
        if not isinstance(item, list | tuple | dict | set | frozenset):
            return 40  # numbers, dates, None …: short; ints are limited by CPython anyway
        key = id(item)
        if key in memo:
            return memo[key]
        memo[key] = 5  # a cycle is printed as "[...]"
        parts = (*item.keys(), *item.values()) if isinstance(item, dict) else item
        total = 2
        for part in parts:
            total += size(part) + 2
            if total > MAX_SEQUENCE_LEN:
                raise _too_big("Textlänge", total, MAX_SEQUENCE_LEN)
        memo[key] = total
        return total

    size(value)


def _check_text(text: Any) -> Any:
    if isinstance(text, str | bytes) and len(text) > MAX_SEQUENCE_LEN:
        raise _too_big("Textlänge", len(text), MAX_SEQUENCE_LEN)
    return text


def _mod(a: Any, b: Any) -> Any:
    if isinstance(a, str | bytes):
        problem = _percent_spec_problem(a if isinstance(a, str) else a.decode("latin-1"))
        if problem:
            raise _limit_error("size", problem[0], problem[1])
        for arg in b if isinstance(b, tuple) else (b,):
            _check_rendered(arg)
        return _check_text(a % b)
    _check_int_operands(a, b)
    return a % b


def _format_value(value: Any) -> Any:
    """Called on every value in an f-string before it is formatted."""
    if type(value) in (str, int, float, bool):
        return value
    _check_rendered(value)  # also Decimals: f"{d:f}" of Decimal('1e99999999') is 100 MB
    return value


def _iadd(a: Any, b: Any) -> Any:
    if isinstance(a, list):
        b = _feed(b)  # list += iterable consumes the iterable in C
    return operator.iadd(a, b)


def _ior(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and not isinstance(b, dict):
        b = _feed(b)  # dict |= iterable of pairs, likewise
    return operator.ior(a, b)


def _imul(a: Any, b: Any) -> Any:
    if isinstance(a, list):  # the only mutable sequence: repeat in place, as Python does
        _mul(a, b)  # raises if too big; the product itself is discarded
        return operator.imul(a, b)
    return _mul(a, b)


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _write(ob: Any) -> Any:
    """Target of ``x[k] = v``, ``del x[k]``, ``x.a = v``: only lists and dicts may change."""
    if isinstance(ob, dict | list):
        return ob
    name = getattr(type(ob), "__name__", "?")
    if isinstance(ob, _GuardedType):
        name = ob.real.__name__
    raise _security_error(
        f"cannot modify {name} objects",
        f"Objekte vom Typ „{name}“ können in Skripten nicht verändert werden; "
        "änderbar sind nur Listen und Dictionaries.",
    )


_UNCATCHABLE = (ScriptLimitExceeded, ScriptSecurityError, RecursionError, MemoryError)


def _rethrow() -> None:
    err = sys.exc_info()[1]
    if isinstance(err, _UNCATCHABLE):
        raise err


def _guarded_import(
    name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
) -> types.ModuleType:
    # date.strftime and datetime.strptime import these two through the builtins of the
    # calling frame; scripts themselves cannot name __import__ (it starts with "_").
    if level == 0 and name in ("time", "_strptime"):
        return __import__(name, globals, locals, fromlist, level)
    raise _security_error(f"import of {name!r} is not allowed", "„import“ ist in Skripten nicht erlaubt.")


# --- attribute guards ---------------------------------------------------------------------

_Before = Callable[[Any, tuple[Any, ...], dict[str, Any]], tuple[tuple[Any, ...], dict[str, Any]]]


def _wrap_method(owner: Any, method: Any, before: _Before) -> Callable[..., Any]:
    """``method`` (taken from ``owner``) with ``before`` checking/adapting the arguments."""
    if isinstance(owner, type) and not isinstance(method, types.BuiltinMethodType):
        # Unbound, e.g. str.ljust: the first argument is the object.
        def unbound(self: Any, *args: Any, **kwargs: Any) -> Any:
            args, kwargs = before(self, args, kwargs)
            return method(self, *args, **kwargs)

        return unbound

    def bound(*args: Any, **kwargs: Any) -> Any:
        args, kwargs = before(owner, args, kwargs)
        return method(*args, **kwargs)

    return bound


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str, default: Any = None) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _before_width(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    width = _arg(args, kwargs, 0, "width")
    if isinstance(width, int) and width > MAX_SEQUENCE_LEN:
        raise _too_big("Breite", width, MAX_SEQUENCE_LEN)
    return args, kwargs


def _before_expandtabs(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    tabsize = _arg(args, kwargs, 0, "tabsize", 8)
    if isinstance(self, str | bytes) and isinstance(tabsize, int):
        estimate = len(self) + self.count("\t" if isinstance(self, str) else b"\t") * max(tabsize, 0)
        if estimate > MAX_SEQUENCE_LEN:
            raise _too_big("Textlänge", estimate, MAX_SEQUENCE_LEN)
    return args, kwargs


def _before_replace(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    old, new = _arg(args, kwargs, 0, "old"), _arg(args, kwargs, 1, "new")
    count = _arg(args, kwargs, 2, "count", -1)
    if isinstance(self, str | bytes) and type(old) is type(self) and type(new) is type(self) and len(new) > len(old):
        hits = self.count(old) if old else len(self) + 1
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        estimate = len(self) + hits * (len(new) - len(old))
        if estimate > MAX_SEQUENCE_LEN:
            raise _too_big("Textlänge", estimate, MAX_SEQUENCE_LEN)
    return args, kwargs


def _before_join(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if not args:
        return args, kwargs
    items = list(_feed(args[0]))
    total = len(self) * max(len(items) - 1, 0) + sum(len(i) for i in items if isinstance(i, str | bytes))
    if total > MAX_SEQUENCE_LEN:
        raise _too_big("Textlänge", total, MAX_SEQUENCE_LEN)
    return (items, *args[1:]), kwargs


def _before_translate(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    table = _arg(args, kwargs, 0, "table")
    if isinstance(self, str):
        values = table.values() if isinstance(table, dict) else table if isinstance(table, list | tuple) else ()
        longest = max((len(v) for v in values if isinstance(v, str)), default=1)
        if len(self) * longest > MAX_SEQUENCE_LEN:
            raise _too_big("Textlänge", len(self) * longest, MAX_SEQUENCE_LEN)
    return args, kwargs


def _before_to_bytes(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    length = _arg(args, kwargs, 0, "length", 1)
    if isinstance(length, int) and length > MAX_SEQUENCE_LEN:
        raise _too_big("Länge", length, MAX_SEQUENCE_LEN)
    return args, kwargs


def _before_decimal_ratio(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if isinstance(self, Decimal):
        _check_decimal(self)
    return args, kwargs


def _before_feed_all(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return tuple(_feed(a) for a in args), kwargs


def _before_feed_pairs(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if args and not isinstance(args[0], dict):
        args = (_feed(args[0]), *args[1:])
    return args, kwargs


def _before_feed_first(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if args:
        args = (_feed(args[0]), *args[1:])
    return args, kwargs


def _kind(owner: Any) -> type:
    """The class whose methods ``owner`` exposes (owner may be an instance or a class)."""
    return owner if isinstance(owner, type) else type(owner)


def _method_guard(kinds: tuple[type, ...], before: _Before) -> Callable[[Any, Any], Any]:
    def guard(owner: Any, value: Any) -> Any:
        if issubclass(_kind(owner), kinds) and callable(value):
            return _wrap_method(owner, value, before)
        return value

    return guard


def _clock_guard(owner: Any, value: Any) -> Any:
    if issubclass(_kind(owner), date):
        raise _security_error(
            "scripts must not read the system clock",
            "Skripte dürfen die Systemuhr nicht lesen; bitte today() bzw. now() verwenden.",
        )
    return value


def _mro_guard(owner: Any, value: Any) -> Any:
    if isinstance(owner, type):
        raise _security_error("type introspection (mro) is not allowed", "„.mro()“ ist in Skripten nicht erlaubt.")
    return value


_TEXT = (str, bytes)
_SETS = (set, frozenset)
_ATTRIBUTE_GUARDS: dict[str, Callable[[Any, Any], Any]] = {
    **dict.fromkeys(("ljust", "rjust", "center", "zfill"), _method_guard(_TEXT, _before_width)),
    "expandtabs": _method_guard(_TEXT, _before_expandtabs),
    "replace": _method_guard(_TEXT, _before_replace),
    "join": _method_guard(_TEXT, _before_join),
    "translate": _method_guard(_TEXT, _before_translate),
    "to_bytes": _method_guard((int,), _before_to_bytes),
    "as_integer_ratio": _method_guard((Decimal,), _before_decimal_ratio),
    "extend": _method_guard((list,), _before_feed_first),
    "fromkeys": _method_guard((dict,), _before_feed_first),
    "update": lambda owner, value: (
        _method_guard((dict,), _before_feed_pairs)(owner, value)
        if issubclass(_kind(owner), dict)
        else _method_guard(_SETS, _before_feed_all)(owner, value)
    ),
    **dict.fromkeys(
        (
            "union",
            "intersection",
            "difference",
            "symmetric_difference",
            "intersection_update",
            "difference_update",
            "symmetric_difference_update",
            "issubset",
            "issuperset",
            "isdisjoint",
        ),
        _method_guard(_SETS, _before_feed_all),
    ),
    **dict.fromkeys(("today", "now", "utcnow"), _clock_guard),
    "mro": _mro_guard,
}


class _GuardedType:
    """Stands in for a builtin type whose constructor needs a guard (``list``, ``str`` …).

    Calling it runs the guard; ``isinstance(x, list)`` still works through ``__instancecheck__``;
    attribute access from scripts goes to the real type through ``_getattr_``.
    """

    __slots__ = ("construct", "real")

    def __init__(self, real: type, construct: Callable[..., Any]) -> None:
        self.real = real
        self.construct = construct

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.construct(*args, **kwargs)

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self.real)

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, self.real)

    def __repr__(self) -> str:
        return repr(self.real)


def _getattr(obj: Any, name: str) -> Any:
    """``obj.name`` in scripts: RestrictedPython's rules plus the guards above."""
    if type(obj) is _GuardedType:
        obj = obj.real
    value = safer_getattr_raise(obj, name)  # no "_" names, no str.format*, AttributeError if missing
    guard = _ATTRIBUTE_GUARDS.get(name)
    return value if guard is None else guard(obj, value)


# --- builtins -----------------------------------------------------------------------------


def _range(*args: Any) -> range:
    result = range(*args)
    try:
        length = len(result)
    except OverflowError:
        length = MAX_RANGE_LEN + 1
    if length > MAX_RANGE_LEN:
        raise _too_big("Elemente in range()", length, MAX_RANGE_LEN)
    return result


def _int(*args: Any, **kwargs: Any) -> int:
    if args and isinstance(args[0], Decimal):
        _check_decimal(args[0])  # int(Decimal('1e999999')) runs for half a minute
    return int(*args, **kwargs)


def _str(*args: Any, **kwargs: Any) -> str:
    if len(args) == 1 and not kwargs:
        _check_rendered(args[0])
    return str(*args, **kwargs)


def _repr(value: Any) -> str:
    _check_rendered(value)
    return repr(value)


def _round(number: Any, ndigits: Any = None) -> Any:
    if ndigits is None and isinstance(number, Decimal):
        _check_decimal(number)
    return round(number, ndigits)


def _dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    if args and not isinstance(args[0], dict):
        args = (_feed(args[0]), *args[1:])
    return dict(*args, **kwargs)


def _sorted(iterable: Any, /, *, key: Any = None, reverse: bool = False) -> list[Any]:
    return sorted(_feed(iterable), key=key, reverse=reverse)


def _extreme(builtin: Callable[..., Any]) -> Callable[..., Any]:
    def extreme(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1:
            # With a key function the iterable may grow while C iterates it (key=l.append).
            args = (_tick_every(args[0]) if "key" in kwargs else _feed(args[0]),)
        return builtin(*args, **kwargs)

    extreme.__name__ = builtin.__name__
    return extreme


def _sum(iterable: Any, /, start: Any = 0) -> Any:
    # sum(lists, []) concatenates in C: quadratic, so every step ticks.
    items = _feed(iterable) if isinstance(start, int | float | Decimal) else _tick_every(iterable)
    return sum(items, start)


def _consumer(builtin: Callable[[Any], Any]) -> Callable[..., Any]:
    def consume(iterable: Any = (), /) -> Any:
        return builtin(_feed(iterable))

    consume.__name__ = builtin.__name__
    return consume


def _enumerate(iterable: Any, start: int = 0) -> Iterator[tuple[int, Any]]:
    return enumerate(_feed(iterable), start)


def _zip(*iterables: Any, strict: bool = False) -> Iterator[tuple[Any, ...]]:
    return zip(*(_feed(i) for i in iterables), strict=strict)


def _map(func: Callable[..., Any], *iterables: Any) -> Iterator[Any]:
    # The callback may grow what is iterated (map(l.append, l)): tick every item.
    return map(func, *(_tick_every(i) for i in iterables))


def _filter(func: Any, iterable: Any) -> Iterator[Any]:
    return filter(func, _tick_every(iterable))


def _reversed(sequence: Any) -> Iterator[Any]:
    result = reversed(sequence)
    return _tick_every(result) if len(sequence) > DIRECT_ITERATION_LEN else result


def _iter(*args: Any) -> Iterator[Any]:
    # iter(callable, sentinel) is endless; `x in iter(…)` would loop in C.
    return _tick_every(iter(*args))


_EXCEPTIONS = (
    ArithmeticError, AssertionError, AttributeError, Exception, IndexError, KeyError, LookupError,
    NameError, OverflowError, RuntimeError, StopIteration, TypeError, ValueError, ZeroDivisionError,
)  # fmt: skip
# Not BaseException, SystemExit, KeyboardInterrupt, GeneratorExit: Spiff catches only Exception,
# so raising those from a script would bypass its error handling (and could end a worker).

# A real dict: CPython's fast global lookup needs one, and C code reads __import__ from it.
_BUILTINS: dict[str, Any] = {
    "None": None,
    "True": True,
    "False": False,
    "__import__": _guarded_import,
    "abs": abs,
    "all": _consumer(all),
    "any": _consumer(any),
    "bool": bool,
    "callable": callable,
    "chr": chr,
    "dict": _GuardedType(dict, _dict),
    "divmod": _divmod,
    "enumerate": _enumerate,
    "filter": _filter,
    "float": float,
    "frozenset": _GuardedType(frozenset, _consumer(frozenset)),
    "int": _GuardedType(int, _int),
    "isinstance": isinstance,
    "iter": _iter,
    "len": len,
    "list": _GuardedType(list, _consumer(list)),
    "map": _map,
    "max": _extreme(max),
    "min": _extreme(min),
    "next": next,
    "ord": ord,
    "range": _GuardedType(range, _range),
    "repr": _repr,
    "reversed": _reversed,
    "round": _round,
    "set": _GuardedType(set, _consumer(set)),
    "sorted": _sorted,
    "str": _GuardedType(str, _str),
    "sum": _sum,
    "tuple": _GuardedType(tuple, _consumer(tuple)),
    "zip": _zip,
    **{e.__name__: e for e in _EXCEPTIONS},
}
SAFE_BUILTINS: Mapping[str, Any] = types.MappingProxyType(_BUILTINS)
"""The builtins of every script, read-only (``__import__`` only serves strftime/strptime)."""

RESERVED_NAMES: frozenset[str] = (
    frozenset(HELPERS) | frozenset(n for n in _BUILTINS if not n.startswith("_")) | BLOCKED_NAMES
)
"""Names a form field should not have: default helpers, builtins and blocked builtins."""


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


# ==========================================================================================
# Running
# ==========================================================================================


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
