"""Run time: guards for operators and statements, and the size checks they share.

Operators that could build huge values (``*``, ``**``, ``<<``, ``%``, ``//``, in-place forms),
item/attribute writes, ``except`` re-raise, f-string values, the ``__import__`` of
strftime/strptime, and ``_GuardedType`` (a builtin type whose constructor needs a guard).
"""

from __future__ import annotations

import math
import operator
import sys
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.errors import ScriptLimitExceeded, ScriptSecurityError
from engine.runtime.sandbox.budget import _feed, _limit_error, _too_big
from engine.runtime.sandbox.checker import _percent_spec_problem
from engine.runtime.sandbox.limits import MAX_DECIMAL_DIGITS, MAX_INT_BITS, MAX_SEQUENCE_LEN

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
