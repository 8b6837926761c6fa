"""Kölner Phonetik: the published examples, umlaut and spelling variants, word by word."""

from __future__ import annotations

import pytest

from engine.register.phonetics import koelner_phonetik, phonetic_words


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Wikipedia", "3412"),  # Postel's rules as usually cited
        ("Breschnew", "17863"),
        ("Müller", "657"),
        ("Schmidt", "862"),
        ("Cäsar", "487"),  # C at the start before A: K
        ("Chemnitz", "468"),  # C at the start before H: K; T before Z: 8
        ("Xaver", "4837"),  # X not after C/K/Q: 48
        ("Philipp", "351"),  # P before H: 3
        ("Otto", "02"),  # a leading vowel keeps its 0
    ],
)
def test_known_codes(name: str, code: str) -> None:
    assert koelner_phonetik(name) == code


@pytest.mark.parametrize(
    "group",
    [
        ["Müller", "Mueller", "Muller", "MÜLLER", "Möller"],
        ["Meier", "Meyer", "Maier", "Mayr"],
        ["Weiß", "Weiss", "Weis"],
        ["Łukasz", "Lukasz", "Lucas", "Lukas"],
        ["Schmidt", "Schmitt", "Schmid"],
    ],
)
def test_variants_share_one_code(group: list[str]) -> None:
    assert len({koelner_phonetik(n) for n in group}) == 1, {n: koelner_phonetik(n) for n in group}


def test_different_names_differ() -> None:
    assert koelner_phonetik("Müller") != koelner_phonetik("Meier")
    assert koelner_phonetik("Becker") != koelner_phonetik("Bäumer")


def test_double_names_are_coded_word_by_word() -> None:
    assert phonetic_words("Müller-Lüdenscheidt") == ["657", "52682"]
    # Joined, the words give the code of the whole name as usually published.
    assert "".join(phonetic_words("Müller-Lüdenscheidt")) == "65752682"
    assert koelner_phonetik("Müller-Lüdenscheidt") == "657 52682"


def test_letters_without_a_code_and_non_letters() -> None:
    assert phonetic_words("H") == []
    assert phonetic_words("") == []
    assert phonetic_words("O'Brien 2.") == ["0", "176"]
