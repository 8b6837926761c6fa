"""Run time: the builtins of every script (``SAFE_BUILTINS``) and ``RESERVED_NAMES``."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from engine.runtime.helpers import HELPERS
from engine.runtime.sandbox.budget import _feed, _tick_every, _too_big
from engine.runtime.sandbox.checker import BLOCKED_NAMES
from engine.runtime.sandbox.guards import _check_decimal, _check_rendered, _divmod, _guarded_import, _GuardedType
from engine.runtime.sandbox.limits import DIRECT_ITERATION_LEN, MAX_RANGE_LEN


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
