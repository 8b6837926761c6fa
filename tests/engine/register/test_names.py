"""How a searched name matches a stored one (the ranking levels of the register search)."""

from __future__ import annotations

import pytest

from engine.register.names import Match, folded_words, match, word_keys


@pytest.mark.parametrize(
    ("query", "stored", "level"),
    [
        ("Müller", "Müller", Match.EXACT),
        ("müller", "Müller", Match.EXACT),
        ("Mueller", "Müller", Match.FOLDED),
        ("MUELLER", "Müller", Match.FOLDED),
        ("Weiss", "Weiß", Match.FOLDED),
        ("Lukasz", "Łukasz", Match.FOLDED),
        ("Rene", "René", Match.FOLDED),
        ("Müller Lüdenscheidt", "Müller-Lüdenscheidt", Match.FOLDED),
        ("Müller", "Müller-Lüdenscheidt", Match.PART),
        ("Lüdenscheidt", "Müller-Lüdenscheidt", Match.PART),
        ("Max", "Max Otto", Match.PART),
        ("Muller", "Müller", Match.PHONETIC),
        ("Meyer", "Meier", Match.PHONETIC),
        ("Möller", "Müller-Lüdenscheidt", Match.PHONETIC_PART),
        ("Schulze", "Müller", Match.NONE),
        ("Müller", None, Match.NONE),
        ("  ", "Müller", Match.NONE),
    ],
)
def test_match_levels(query: str, stored: str | None, level: Match) -> None:
    assert match(query, stored) == level


def test_levels_are_ordered_exact_first() -> None:
    assert Match.EXACT > Match.FOLDED > Match.PART > Match.PHONETIC > Match.PHONETIC_PART > Match.NONE
    assert Match.FOLDED.label_de.startswith("gleiche Schreibung")


def test_word_keys_split_double_names_and_apostrophes() -> None:
    assert folded_words("Müller-Lüdenscheidt") == ["mueller", "luedenscheidt"]
    assert folded_words("d'Alembert") == ["d", "alembert"]
    keys = word_keys("Groß-Weiß")
    assert [(k.fold, k.phonetik) for k in keys] == [("gross", "478"), ("weiss", "38")]
    assert word_keys(None) == [] and word_keys("") == []
