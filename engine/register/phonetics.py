"""Kölner Phonetik (Hans Joachim Postel, 1969): a phonetic code for German names.

``koelner_phonetik("Meier") == koelner_phonetik("Meyer") == koelner_phonetik("Maier") == "67"``.
Each letter gets a digit that depends on its neighbours; then runs of the same digit are
merged and every ``0`` (vowel) except a leading one is dropped. Names are folded first with
:func:`engine.runtime.helpers.fold_name` (ä→ae, ß→ss, é→e, ł→l), so umlauts and foreign
diacritics code like the plain letters a German clerk would type.

The code works per word; :func:`phonetic_words` codes every word of a name (``"Müller-
Lüdenscheidt"`` → ``["657", "52682"]``) so that one part of a double name can be matched.
Pure functions, no state.
"""

from __future__ import annotations

import re

from engine.runtime.helpers import fold_name

_VOWELS = frozenset("aeijouy")
_WORD = re.compile(r"[a-z]+")
# C codes as K (4) before these letters: at the start of a word …
_C_HARD_AT_START = frozenset("ahkloqrux")
# … and after another letter (L and R are missing here on purpose, as in Postel's table).
_C_HARD_INSIDE = frozenset("ahkoqux")
_SIMPLE = {"b": "1", "f": "3", "v": "3", "w": "3", "g": "4", "k": "4", "q": "4", "l": "5", "m": "6",
           "n": "6", "r": "7", "s": "8", "z": "8"}


def _letter_code(prev: str, ch: str, nxt: str) -> str:
    """The code of ``ch`` between ``prev`` and ``nxt`` ("" at the word's edges)."""
    if ch in _VOWELS:
        return "0"
    if ch == "h":
        return ""
    if ch == "p":
        return "3" if nxt == "h" else "1"
    if ch in "dt":
        return "8" if nxt and nxt in "csz" else "2"
    if ch == "c":
        if not prev:
            return "4" if nxt and nxt in _C_HARD_AT_START else "8"
        if prev in "sz":
            return "8"
        return "4" if nxt and nxt in _C_HARD_INSIDE else "8"
    if ch == "x":
        return "8" if prev and prev in "ckq" else "48"
    return _SIMPLE.get(ch, "")


def _code_word(word: str) -> str:
    raw = "".join(
        _letter_code(word[i - 1] if i else "", ch, word[i + 1] if i + 1 < len(word) else "")
        for i, ch in enumerate(word)
    )
    merged: list[str] = []
    for digit in raw:
        if not merged or merged[-1] != digit:
            merged.append(digit)
    if not merged:
        return ""
    return merged[0] + "".join(d for d in merged[1:] if d != "0")


def phonetic_words(name: str) -> list[str]:
    """The Kölner Phonetik code of every word of ``name`` (words without a code are left out)."""
    codes = (_code_word(w) for w in _WORD.findall(fold_name(name)))
    return [c for c in codes if c]


def koelner_phonetik(name: str) -> str:
    """The code of ``name`` as one string: the words' codes joined by a space."""
    return " ".join(phonetic_words(name))
