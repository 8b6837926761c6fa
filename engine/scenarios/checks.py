"""Comparing what a scenario expects with what the case did; German failure sentences.

Values are compared after converting both sides to plain JSON-like values (dates as
``2026-11-15``, Decimals as text), so ``gebuehr: "70.00"`` matches ``Decimal("70.00")``;
numbers also match numerically (``70`` = ``70.00``), ``true`` matches ``True``. An expected
object matches if every key it names matches (other keys of the actual value are ignored); an
expected list must match element by element with the same length. A data key with dots
(``umzug.bisherige.0.gefuehrt_von``) is a path into nested values.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

_MISSING = object()
XMELD_TYPE = re.compile(r"[a-z]+(\.[a-z0-9-]+)+\.\d{4}")
"""XMeld message type names (``fortschreibung.dokument.0006``): orders and other outbox rows are not XMeld."""


def canon(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): canon(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canon(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def show(value: Any) -> str:
    """A value as a designer reads it in a failure message."""
    text = json.dumps(canon(value), ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:197] + "…"


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            k in actual and same(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list | tuple):
        return (isinstance(actual, list | tuple) and len(expected) == len(actual)
                and all(same(e, a) for e, a in zip(expected, actual, strict=True)))
    e, a = canon(expected), canon(actual)
    if e == a and type(e) is type(a):
        return True
    if isinstance(e, bool) or isinstance(a, bool):
        return str(e).lower() == str(a).lower()
    if e is None or a is None:
        return e is a
    ne, na = _number(e), _number(a)
    if ne is not None and na is not None:
        return ne == na
    return str(e) == str(a)


def lookup(data: Mapping[str, Any], key: str) -> Any:
    """``data[key]``, or the value at a dotted path; ``_MISSING`` if absent."""
    if key in data:
        return data[key]
    current: Any = data
    for part in key.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list | tuple) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def check_data(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    failures = []
    for key, want in expected.items():
        got = lookup(actual, key)
        if got is _MISSING:
            failures.append(f"Daten „{key}“: fehlt in den Vorgangsdaten (erwartet {show(want)}).")
        elif not same(want, got):
            failures.append(f"Daten „{key}“: erwartet {show(want)}, tatsächlich {show(got)}.")
    return failures


def check_status(expected: str, actual: str, ready: Sequence[str]) -> list[str]:
    if expected == actual:
        return []
    hint = f" (offene Aufgaben: {', '.join(ready)})" if ready else ""
    return [f"Status: erwartet „{expected}“, tatsächlich „{actual}“{hint}."]


def check_path(includes: Sequence[str], excludes: Sequence[str], path: Sequence[str]) -> list[str]:
    shown = " → ".join(path) or "(leer)"
    failures = [f"Pfad: „{e}“ wurde nicht durchlaufen (Pfad: {shown})." for e in includes if e not in path]
    failures += [f"Pfad: „{e}“ wurde durchlaufen, sollte aber nicht (Pfad: {shown})." for e in excludes if e in path]
    return failures


def check_messages(expected: Sequence[Mapping[str, Any]], actual: Sequence[Mapping[str, Any]]) -> list[str]:
    """In order and complete: ``actual`` rows as {type, reader (authority key), reader_dvdv, reader_name};
    an expected ``reader`` may be the authority key, its DVDV identifier or its name."""
    def listing(items: Sequence[Mapping[str, Any]]) -> str:
        return ", ".join(f"{m.get('type')} an {m.get('reader') or m.get('reader_name')}" for m in items) or "keine"

    if len(expected) != len(actual):
        return [f"Nachrichten: erwartet {len(expected)} ({listing(expected)}), tatsächlich {len(actual)} "
                f"({listing(actual)})."]
    failures = []
    for i, (want, got) in enumerate(zip(expected, actual, strict=True), start=1):
        for key, value in want.items():
            candidates = [got.get(key)] + ([got.get("reader_dvdv"), got.get("reader_name")] if key == "reader" else [])
            if not any(same(value, c) for c in candidates):
                failures.append(f"Nachricht {i}: „{key}“ erwartet {show(value)}, tatsächlich {show(got.get(key))}.")
    return failures


def check_documents(expected: Sequence[Mapping[str, Any]], actual: Sequence[Mapping[str, Any]]) -> list[str]:
    """Complete, in any order: every expected entry matches a different document."""
    def listing(items: Sequence[Mapping[str, Any]]) -> str:
        return ", ".join(str(d.get("art")) for d in items) or "keine"

    if len(expected) != len(actual):
        return [f"Dokumente: erwartet {len(expected)} ({listing(expected)}), tatsächlich {len(actual)} "
                f"({listing(actual)})."]
    left = list(actual)
    failures = []
    for want in expected:
        hit = next((d for d in left if same(dict(want), d)), None)
        if hit is None:
            failures.append(f"Dokumente: keines passt zu {show(want)} (vorhanden: {listing(actual)}).")
        else:
            left.remove(hit)
    return failures


def check_audit(expected: Sequence[str], actual: Sequence[str]) -> list[str]:
    """The expected event types occur in the case's history in this order (others may lie between)."""
    position = 0
    for want in expected:
        try:
            position = list(actual).index(want, position) + 1
        except ValueError:
            later = "" if want not in actual else " (nur früher als erwartet)"
            return [f"Protokoll: kein Eintrag „{want}“ an der erwarteten Stelle{later}; vorhanden: "
                    f"{', '.join(dict.fromkeys(actual))}."]
    return []
