"""Run time: attribute guards (``obj.name`` in scripts goes through ``_getattr``).

Methods that could build huge values or iterate in C get their arguments checked first; the
system clock and ``mro()`` are refused.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from RestrictedPython.Guards import safer_getattr_raise

from engine.runtime.sandbox.budget import _feed, _too_big
from engine.runtime.sandbox.guards import _check_decimal, _GuardedType, _security_error
from engine.runtime.sandbox.limits import MAX_SEQUENCE_LEN

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


def _getattr(obj: Any, name: str) -> Any:
    """``obj.name`` in scripts: RestrictedPython's rules plus the guards above."""
    if type(obj) is _GuardedType:
        obj = obj.real
    value = safer_getattr_raise(obj, name)  # no "_" names, no str.format*, AttributeError if missing
    guard = _ATTRIBUTE_GUARDS.get(name)
    return value if guard is None else guard(obj, value)
