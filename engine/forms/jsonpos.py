"""Where things are in a JSON text: line and column of each JSON pointer, and duplicate keys.

``json`` forgets positions, but a designer needs "Zeile 12" to find a problem. This scanner
re-reads a text that ``json.loads`` already accepted and records where every value starts.
It also finds duplicate keys, which ``json`` silently resolves to the last one: in a schema a
duplicate ``"required"`` or ``"properties"`` quietly throws away the first.
"""

from __future__ import annotations

import bisect
import contextlib
import re
from dataclasses import dataclass, field
from json.decoder import scanstring

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass
class Positions:
    """Start offsets of values by JSON pointer, plus duplicate keys found on the way."""

    text: str
    offsets: dict[str, int] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    _lines: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lines = [m.end() for m in re.finditer("\n", self.text)]

    def line_col(self, pointer: str) -> tuple[int, int] | None:
        """1-based line and column of the value at ``pointer`` or its nearest existing ancestor."""
        while pointer not in self.offsets and pointer:
            pointer = pointer.rsplit("/", 1)[0]
        offset = self.offsets.get(pointer)
        if offset is None:
            return None
        line = bisect.bisect_right(self._lines, offset)
        start = self._lines[line - 1] if line else 0
        return line + 1, offset - start + 1

    def line(self, pointer: str) -> int | None:
        found = self.line_col(pointer)
        return found[0] if found else None


def locate(text: str) -> Positions:
    """Positions of all values in ``text`` (valid JSON); a partial map if it is nested too deeply."""
    positions = Positions(text)
    # Best effort: lines help the designer, but a missing line must not hide the problem itself.
    with contextlib.suppress(RecursionError, IndexError, ValueError):
        _value(text, 0, "", positions)
    return positions


def _ws(text: str, i: int) -> int:
    return _WS.match(text, i).end()  # type: ignore[union-attr]


def _value(text: str, i: int, pointer: str, out: Positions) -> int:
    i = _ws(text, i)
    out.offsets[pointer] = i
    c = text[i]
    if c == "{":
        return _object(text, i + 1, pointer, out)
    if c == "[":
        return _array(text, i + 1, pointer, out)
    if c == '"':
        return scanstring(text, i + 1)[1]
    m = _SCALAR.match(text, i)
    if m is None:
        raise ValueError(f"unexpected {c!r} at {i}")
    return m.end()


def _object(text: str, i: int, pointer: str, out: Positions) -> int:
    seen: set[str] = set()
    i = _ws(text, i)
    if text[i] == "}":
        return i + 1
    while True:
        i = _ws(text, i)
        key, i = scanstring(text, i + 1)
        child = f"{pointer}/{_escape(key)}"
        if key in seen:
            out.duplicates.append(child)
        seen.add(key)
        i = _ws(text, i) + 1  # the colon
        i = _ws(text, _value(text, i, child, out))
        if text[i] == "}":
            return i + 1
        i += 1  # the comma


def _array(text: str, i: int, pointer: str, out: Positions) -> int:
    i = _ws(text, i)
    if text[i] == "]":
        return i + 1
    index = 0
    while True:
        i = _ws(text, _value(text, i, f"{pointer}/{index}", out))
        index += 1
        if text[i] == "]":
            return i + 1
        i += 1
