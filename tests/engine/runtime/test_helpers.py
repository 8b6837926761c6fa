"""Script helpers: BGB date rules, money, names, and the documented registry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import clock
from engine.runtime import helpers
from engine.runtime.helpers import (
    HELPER_NAMES,
    HELPERS,
    HelperInputError,
    add_days,
    add_months,
    add_years,
    age_on,
    days_between,
    describe_helpers,
    fold_name,
    format_date,
    money,
    normalize_name,
    parse_date,
    period_end,
    same_name,
)
from engine.runtime.sandbox import evaluate

# --- age_on: §§ 187 Abs. 2, 188 Abs. 2 (and Abs. 3 for 29 February) BGB ---------------------


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        pytest.param(date(2002, 11, 15), date(2026, 11, 15), 24, id="on-the-24th-birthday"),
        pytest.param(date(2002, 11, 15), date(2026, 11, 14), 23, id="day-before-birthday"),
        pytest.param(date(2002, 11, 15), date(2026, 11, 16), 24, id="day-after-birthday"),
        pytest.param(date(2008, 2, 29), date(2026, 2, 28), 17, id="leap-born-feb-28-common-year"),
        pytest.param(date(2008, 2, 29), date(2026, 3, 1), 18, id="leap-born-mar-1-common-year"),
        pytest.param(date(2008, 2, 29), date(2028, 2, 28), 19, id="leap-born-feb-28-leap-year"),
        pytest.param(date(2008, 2, 29), date(2028, 2, 29), 20, id="leap-born-feb-29-leap-year"),
        pytest.param(date(2026, 11, 15), date(2026, 11, 15), 0, id="day-of-birth"),
        pytest.param("2002-11-15", "2026-11-15", 24, id="iso-strings"),
    ],
)
def test_age_on(birth: date | str, day: date | str, age: int) -> None:
    assert age_on(birth, day) == age


def test_age_on_refuses_a_day_before_birth() -> None:
    with pytest.raises(HelperInputError) as info:
        age_on(date(2026, 11, 16), date(2026, 11, 15))
    assert "vor dem Geburtsdatum" in info.value.user_message


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(min_value=1, max_value=100))
def test_the_new_age_starts_exactly_on_the_anniversary(birth: date, years: int) -> None:
    anniversary = add_years(birth, years)
    if (birth.month, birth.day) == (2, 29) and anniversary.day == 28:
        anniversary += timedelta(days=1)  # common year: 1 March (§ 188 Abs. 3 BGB)
    if anniversary.year > 9999 - 1:
        return
    assert age_on(birth, anniversary) == years
    assert age_on(birth, anniversary - timedelta(days=1)) == years - 1


# --- adding years, months, days -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        pytest.param(date(2024, 2, 29), 1, date(2025, 2, 28), id="leap-day-to-common-year"),
        pytest.param(date(2024, 2, 29), 4, date(2028, 2, 29), id="leap-day-to-leap-year"),
        pytest.param(date(2026, 11, 15), 10, date(2036, 11, 15), id="passport-validity"),
        pytest.param(date(2026, 11, 15), -6, date(2020, 11, 15), id="backwards"),
        pytest.param("2026-11-15", 6, date(2032, 11, 15), id="iso-string"),
    ],
)
def test_add_years(start: date | str, years: int, expected: date) -> None:
    assert add_years(start, years) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(date(2026, 1, 31), 1, date(2026, 2, 28), id="clamped-common-year"),
        pytest.param(date(2028, 1, 31), 1, date(2028, 2, 29), id="clamped-leap-year"),
        pytest.param(date(2026, 11, 15), 3, date(2027, 2, 15), id="over-new-year"),
        pytest.param(date(2026, 3, 31), -1, date(2026, 2, 28), id="backwards-clamped"),
        pytest.param(date(2026, 8, 31), 1, date(2026, 9, 30), id="thirty-day-month"),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_add_days_and_days_between() -> None:
    assert add_days("2026-11-15", 14) == date(2026, 11, 29)
    assert add_days(date(2026, 3, 1), -1) == date(2026, 2, 28)
    assert days_between("2026-11-15", date(2026, 12, 31)) == 46
    assert days_between(date(2026, 12, 31), "2026-11-15") == -46


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: add_years(date(9999, 1, 1), 1), id="year-after-9999"),
        pytest.param(lambda: add_months(date(1, 1, 1), -1), id="month-before-year-1"),
        pytest.param(lambda: add_days(date(2026, 1, 1), 10**9), id="days-overflow"),
        pytest.param(lambda: add_days(date(2026, 1, 1), 1.5), id="fractional-days"),
        pytest.param(lambda: add_years(date(2026, 1, 1), True), id="bool-is-not-a-count"),
    ],
)
def test_date_arithmetic_refuses_bad_input(call: object) -> None:
    with pytest.raises(HelperInputError):
        call()  # type: ignore[operator]


# --- period_end: §§ 187 Abs. 1, 188 BGB ----------------------------------------------------


@pytest.mark.parametrize(
    ("event", "kwargs", "expected"),
    [
        # Moved in Monday 2 Nov 2026: the two weeks end on Monday 16 Nov (§ 17 Abs. 1 BMG).
        pytest.param(date(2026, 11, 2), {"weeks": 2}, date(2026, 11, 16), id="two-weeks-after-moving-in"),
        pytest.param(date(2026, 11, 2), {"days": 14}, date(2026, 11, 16), id="fourteen-days"),
        pytest.param(date(2026, 11, 2), {"days": 1}, date(2026, 11, 3), id="event-day-not-counted"),
        pytest.param(date(2026, 1, 31), {"months": 1}, date(2026, 2, 28), id="month-without-that-day"),
        pytest.param(date(2026, 3, 15), {"months": 1}, date(2026, 4, 15), id="one-month"),
        pytest.param(date(2026, 1, 31), {"months": 1, "days": 15}, date(2026, 3, 15), id="months-then-days"),
        pytest.param("2026-12-28", {"weeks": 1}, date(2027, 1, 4), id="over-new-year"),
    ],
)
def test_period_end(event: date | str, kwargs: dict[str, int], expected: date) -> None:
    assert period_end(event, **kwargs) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.integers(min_value=1, max_value=52))
def test_a_period_of_weeks_ends_on_the_same_weekday(event: date, weeks: int) -> None:
    end = period_end(event, weeks=weeks)
    assert end.weekday() == event.weekday()
    assert (end - event).days == 7 * weeks


@pytest.mark.parametrize("kwargs", [{}, {"days": -1}, {"weeks": 0, "days": 0}])
def test_period_end_needs_a_positive_length(kwargs: dict[str, int]) -> None:
    with pytest.raises(HelperInputError):
        period_end(date(2026, 11, 2), **kwargs)


# --- parsing and formatting dates ---------------------------------------------------------


def test_parse_date() -> None:
    assert parse_date("2026-11-15") == date(2026, 11, 15)
    assert parse_date(" 2026-11-15 ") == date(2026, 11, 15)
    assert parse_date(date(2026, 11, 15)) == date(2026, 11, 15)
    # An instant belongs to the German calendar day: 23:30 UTC on 14 Nov is 15 Nov in Berlin.
    assert parse_date(datetime(2026, 11, 14, 23, 30, tzinfo=UTC)) == date(2026, 11, 15)


@pytest.mark.parametrize("text", ["15.11.2026", "2026-02-30", "20261115", "", "2026-11-15T10:00"])
def test_parse_date_refuses_other_formats(text: str) -> None:
    with pytest.raises(HelperInputError) as info:
        parse_date(text)
    assert "JJJJ-MM-TT" in info.value.user_message
    assert isinstance(info.value, ValueError), "scripts can catch it with `except ValueError`"


def test_format_date() -> None:
    assert format_date(date(2026, 11, 15)) == "15.11.2026"
    assert format_date("2026-01-05") == "05.01.2026"


# --- money --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("70", Decimal("70.00"), id="string"),
        pytest.param(70, Decimal("70.00"), id="int"),
        pytest.param(37.5, Decimal("37.50"), id="float"),
        pytest.param(0.1 + 0.2, Decimal("0.30"), id="float-without-binary-noise"),
        pytest.param(Decimal("2.345"), Decimal("2.35"), id="half-up"),
        pytest.param("70,50", Decimal("70.50"), id="german-decimal-comma"),
        pytest.param(" -5.5 ", Decimal("-5.50"), id="negative"),
    ],
)
def test_money(value: object, expected: Decimal) -> None:
    result = money(value)  # type: ignore[arg-type]
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [True, "abc", "1.234,56", float("nan"), Decimal("Infinity"), None, "1e5"])
def test_money_refuses_non_amounts(value: object) -> None:
    with pytest.raises(HelperInputError):
        money(value)  # type: ignore[arg-type]


# --- names --------------------------------------------------------------------------------


def test_normalize_name() -> None:
    assert normalize_name("  Anna   Maria\tMüller\u00a0 ") == "Anna Maria Müller"
    assert normalize_name("Mu\u0308ller") == "Müller"  # decomposed ü → NFC


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param("Müller", "Mueller", True, id="umlaut"),
        pytest.param("MÜLLER", "mueller", True, id="case"),
        pytest.param("Straßburger", "STRASSBURGER", True, id="sharp-s"),
        pytest.param("José  Núñez", "jose nunez", True, id="other-diacritics"),
        pytest.param("Mu\u0308ller", "Müller", True, id="decomposed"),
        pytest.param("Søren", "Soren", True, id="o-slash"),
        pytest.param("Müller", "Muller", False, id="umlaut-is-not-dropped"),
        pytest.param("Anna", "Anne", False, id="different"),
    ],
)
def test_same_name(a: str, b: str, same: bool) -> None:
    assert same_name(a, b) is same
    assert (fold_name(a) == fold_name(b)) is same


def test_fold_name_examples() -> None:
    assert fold_name("Müller") == fold_name("Mueller") == "mueller"
    assert fold_name("  Ævar Łukasz ") == "aevar lukasz"


@given(st.text(max_size=40))
def test_fold_name_is_idempotent(text: str) -> None:
    assert fold_name(fold_name(text)) == fold_name(text)


def test_name_helpers_refuse_non_text() -> None:
    with pytest.raises(HelperInputError):
        fold_name(42)  # type: ignore[arg-type]


# --- clock ---------------------------------------------------------------------------------


def test_today_and_now_follow_the_step_clock() -> None:
    fixed = clock.FixedClock.on(date(2026, 11, 15), hour=23)
    with clock.using(fixed):
        assert HELPERS["today"]() == date(2026, 11, 15)
        assert HELPERS["now"]() == fixed.instant
        assert evaluate("today() == date(2026, 11, 15) and now().hour == 23", {})


# --- registry -------------------------------------------------------------------------------

REQUIRED = {
    "today", "now", "age_on", "add_years", "add_months", "add_days", "days_between", "period_end",
    "parse_date", "format_date", "money", "normalize_name", "fold_name", "same_name",
    "date", "datetime", "timedelta", "Decimal",
}  # fmt: skip


def test_registry_documents_every_helper() -> None:
    docs = describe_helpers()
    assert [d.name for d in docs] == sorted(HELPERS)
    assert REQUIRED <= HELPER_NAMES == frozenset(HELPERS)
    for doc in docs:
        assert doc.signature.startswith(doc.name)
        assert doc.description and doc.beschreibung
        assert "\n" not in doc.description
    age = next(d for d in docs if d.name == "age_on")
    assert age.signature == "age_on(birth, day)"
    assert "vollendeten Jahren" in age.beschreibung


def test_a_helper_name_can_only_be_registered_once() -> None:
    before = dict(HELPERS)
    with pytest.raises(RuntimeError, match="twice"):

        @helpers.helper(beschreibung="doppelt")
        def today() -> None:
            """Another today."""

    assert before == HELPERS


def test_helpers_work_inside_scripts() -> None:
    assert evaluate("same_name('Müller', 'MUELLER') and money('70') == Decimal('70.00')", {})
    assert evaluate("period_end(einzug, weeks=2)", {"einzug": "2026-11-02"}) == date(2026, 11, 16)
