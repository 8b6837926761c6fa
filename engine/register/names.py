"""Comparing names for the register search: how close a searched name is to a stored one.

A name is split into words at spaces, hyphens, apostrophes and dots (``"Müller-Lüdenscheidt"``
→ ``mueller``, ``luedenscheidt``). Every word has a folded key (:func:`fold_name`: case,
umlauts, ß and diacritics removed) and a Kölner Phonetik code. The quality of a match, best
first:

======================  ==========================================================  ==========
level                   meaning                                                     example
======================  ==========================================================  ==========
``EXACT``               same letters (case and Unicode normalisation aside)         Müller
``FOLDED``              same words after folding                                    Mueller
``PART``                the words of one name are some of the words of the other    Müller-Lüdenscheidt
``PHONETIC``            same phonetic codes                                         Möller, Muller
``PHONETIC_PART``       the codes of one name are some of the codes of the other    Möller-Brinck
======================  ==========================================================  ==========

Pure functions; the database stores the per-word keys (:func:`word_keys`) in indexed columns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum

from engine.register.phonetics import phonetic_words
from engine.runtime.helpers import fold_name

_SEPARATORS = re.compile(r"[\s\-‐‑–'’ʼ.,]+")


class Match(IntEnum):
    """How well a searched name matches a stored one (higher is better)."""

    NONE = 0
    PHONETIC_PART = 1
    PHONETIC = 2
    PART = 3
    FOLDED = 4
    EXACT = 5

    @property
    def label_de(self) -> str:
        return _LABELS[self]


_LABELS = {
    Match.NONE: "kein Treffer",
    Match.PHONETIC_PART: "klangähnlicher Namensteil",
    Match.PHONETIC: "klangähnlich",
    Match.PART: "Namensteil",
    Match.FOLDED: "gleiche Schreibung ohne Umlaute/Akzente",
    Match.EXACT: "exakt",
}


@dataclass(frozen=True, slots=True)
class WordKey:
    """One word of a name as stored for the search."""

    fold: str
    """The folded word, e.g. ``mueller``."""
    phonetik: str
    """Its Kölner Phonetik code, e.g. ``657`` (may be ``""`` for a word without consonant codes)."""


def folded_words(name: str) -> list[str]:
    """The folded words of ``name``."""
    return [w for w in _SEPARATORS.split(fold_name(name)) if w]


def word_keys(name: str | None) -> list[WordKey]:
    """Fold and phonetic key of each word of ``name`` (empty for no name)."""
    if not name:
        return []
    return [WordKey(w, "".join(phonetic_words(w))) for w in folded_words(name)]


def exact_key(name: str) -> str:
    """Case-insensitive, NFC, single spaces: what counts as "the same letters"."""
    # lower(), not casefold(): "Weiß" and "Weiss" are different spellings, found one level lower.
    return " ".join(unicodedata.normalize("NFC", name).lower().split())


def _subset_either(a: list[str], b: list[str]) -> bool:
    sa, sb = set(a), set(b)
    return bool(sa) and bool(sb) and (sa <= sb or sb <= sa)


def match(query: str, stored: str | None) -> Match:
    """How well the searched name ``query`` matches the stored name ``stored``."""
    if not stored or not query.strip():
        return Match.NONE
    if exact_key(query) == exact_key(stored):
        return Match.EXACT
    q_words, s_words = folded_words(query), folded_words(stored)
    if q_words and q_words == s_words:
        return Match.FOLDED
    if _subset_either(q_words, s_words):
        return Match.PART
    q_codes = [c for c in ("".join(phonetic_words(w)) for w in q_words) if c]
    s_codes = [c for c in ("".join(phonetic_words(w)) for w in s_words) if c]
    if q_codes and q_codes == s_codes:
        return Match.PHONETIC
    if _subset_either(q_codes, s_codes):
        return Match.PHONETIC_PART
    return Match.NONE
