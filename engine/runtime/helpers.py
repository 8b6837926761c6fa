"""The documented helper functions that BPMN scripts, gateway conditions and DMN cells may call.

Contract
--------
* ``HELPERS`` maps every name a script sees besides the sandbox builtins to its object: the
  functions below plus the types ``date``, ``datetime``, ``timedelta`` and ``Decimal``.
  ``engine.runtime.sandbox.RestrictedEnvironment`` uses it by default.
* ``HELPER_NAMES`` is the frozen set of those names. A form field or task variable with one of
  these names would shadow the helper, so the catalog rejects such fields at publish time and
  the sandbox refuses to run a script over task data that contains one.
* ``describe_helpers()`` returns one ``HelperDoc`` per name (signature, English one-liner,
  German ``beschreibung``) so that ``docs/`` can be generated from this module.
* Every helper is pure apart from ``today()``/``now()``, which read the step clock
  (``engine.clock``), never the system clock. Dates may be given as ``datetime.date`` or as
  ISO strings ``"2026-11-15"`` (form data arrives as strings). Wrong input raises
  :class:`HelperInputError`, a ``ValueError``, so a script may catch it.

Legal reading of the date helpers (BGB):

* ``age_on``: a person is *n* years old from the *n*-th birthday on: the day of birth counts
  (§ 187 Abs. 2 S. 2) and a year of life ends with the day before the birthday (§ 188 Abs. 2).
  Someone born on 29 February has no such day in a common year; § 188 Abs. 3 ends the year with
  the last day of February, so the new year of life begins on **1 March** in common years and
  on 29 February in leap years.
* ``period_end``: the event day is not counted (§ 187 Abs. 1). A period of days ends with its
  last day, a period of weeks on the same weekday as the event, a period of months on the day
  with the event's number, or on the last day of that month if it has no such day
  (§ 188 Abs. 1–3). Months are applied first, then weeks and days. Weekends and public holidays
  do not move the end (§ 193 BGB is left to the process model: whether it applies to
  registration periods is an open question in ``domain/rules.md``).
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from calendar import isleap, monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any, TypeVar

from engine import clock
from engine.errors import InputInvalid, ScriptError

__all__ = [
    "HELPERS",
    "HELPER_NAMES",
    "HelperDoc",
    "HelperInputError",
    "describe_helpers",
    "helper",
]


class HelperInputError(ScriptError, ValueError):
    """A helper got a value it cannot use (not a date, negative period …)."""

    user_message = "Eine Hilfsfunktion im Skript hat einen ungültigen Wert erhalten."


@dataclass(frozen=True, slots=True)
class HelperDoc:
    """Documentation of one name that scripts can use."""

    name: str
    """The name as written in scripts, e.g. ``age_on``."""
    signature: str
    """Call form without types, e.g. ``age_on(birth, day)``."""
    description: str
    """English one-line description (developer documentation)."""
    beschreibung: str
    """German description for designers (Verfahrensgestalter)."""


HELPERS: dict[str, Callable[..., Any]] = {}
_DOCS: dict[str, HelperDoc] = {}

F = TypeVar("F", bound=Callable[..., Any])


def _register(name: str, obj: Callable[..., Any], doc: HelperDoc) -> None:
    if name in HELPERS:
        # Two helpers with one name would silently replace each other in every script.
        raise RuntimeError(f"helper {name!r} is registered twice")
    if name.startswith("_") or not name.isidentifier():
        raise RuntimeError(f"helper name {name!r} is not usable in scripts")
    HELPERS[name] = obj
    _DOCS[name] = doc


def helper(*, beschreibung: str, name: str | None = None) -> Callable[[F], F]:
    """Register a function as a script helper.

    The English description is the first line of the function's docstring; ``beschreibung``
    is the German text for designers.
    """

    def register(func: F) -> F:
        helper_name = name or func.__name__
        lines = (func.__doc__ or "").strip().splitlines()
        description = lines[0] if lines else ""
        if not description or not beschreibung:
            raise RuntimeError(f"helper {helper_name!r} needs a docstring and a beschreibung")
        signature = inspect.signature(func)
        plain = signature.replace(
            parameters=[p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()],
            return_annotation=inspect.Signature.empty,
        )
        _register(helper_name, func, HelperDoc(helper_name, f"{helper_name}{plain}", description, beschreibung))
        return func

    return register


def describe_helpers() -> list[HelperDoc]:
    """All helpers, sorted by name, for generated documentation."""
    return [_DOCS[name] for name in sorted(_DOCS)]


# --- input conversion ---------------------------------------------------------------------

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_date(value: object, what: str = "Datum") -> date:
    """A calendar day from a ``date``, a ``datetime`` (its Berlin day) or an ISO string."""
    if isinstance(value, datetime):
        # An aware instant belongs to the German calendar day, not to the UTC one.
        return value.astimezone(clock.BERLIN).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DAY.fullmatch(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        raise HelperInputError(
            f"not an ISO date: {value[:40]!r}",
            user_message=f"„{value[:40]}“ ist kein gültiges {what} (erwartet: JJJJ-MM-TT).",
        )
    raise HelperInputError(
        f"expected a date or an ISO date string, got {type(value).__name__}",
        user_message=f"Als {what} wird ein Datum erwartet, nicht „{type(value).__name__}“.",
    )


def _as_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise HelperInputError(
            f"{what} must be an integer, got {type(value).__name__}",
            user_message=f"„{what}“ muss eine ganze Zahl sein.",
        )
    return value


def _out_of_range(err: Exception) -> HelperInputError:
    return HelperInputError(
        f"date out of range: {err}", user_message="Das berechnete Datum liegt außerhalb des Kalenders."
    )


# --- clock --------------------------------------------------------------------------------


@helper(beschreibung="Das heutige Datum des laufenden Schritts (deutsche Zeit).")
def today() -> date:
    """The current calendar day of the running step in Germany (from the step clock)."""
    return clock.today()


@helper(beschreibung="Der aktuelle Zeitpunkt des laufenden Schritts (mit Zeitzone).")
def now() -> datetime:
    """The current instant of the running step, timezone-aware (from the step clock)."""
    return clock.now()


# --- dates --------------------------------------------------------------------------------


@helper(
    beschreibung=(
        "Alter in vollendeten Jahren am Tag „day“; ab dem Geburtstag zählt das neue Lebensjahr "
        "(§§ 187 Abs. 2, 188 Abs. 2 BGB), bei Geburtstag am 29. Februar in Nicht-Schaltjahren ab 1. März."
    )
)
def age_on(birth: date | str, day: date | str) -> int:
    """Completed years of life on ``day``; the new year counts from the birthday itself."""
    born, on = _as_date(birth, "Geburtsdatum"), _as_date(day, "Stichtag")
    if on < born:
        raise HelperInputError(
            f"reference day {on} is before birth {born}",
            user_message="Der Stichtag liegt vor dem Geburtsdatum.",
        )
    years = on.year - born.year
    # Comparing (month, day) pairs also covers 29 February: in a common year (2, 28) < (2, 29)
    # keeps the old age on 28 February and (3, 1) > (2, 29) gives the new one on 1 March.
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


@helper(beschreibung="Datum plus n Jahre; aus dem 29. Februar wird in Nicht-Schaltjahren der 28. Februar.")
def add_years(d: date | str, n: int) -> date:
    """``d`` plus ``n`` calendar years; 29 February becomes 28 February in a common year."""
    day, years = _as_date(d), _as_int(n, "n")
    year = day.year + years
    if not 1 <= year <= 9999:
        raise _out_of_range(ValueError(f"year {year}"))
    if (day.month, day.day) == (2, 29) and not isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


@helper(
    beschreibung="Datum plus n Monate; fehlt der Tag im Zielmonat, gilt dessen letzter Tag (31.01. + 1 → 28./29.02.)."
)
def add_months(d: date | str, n: int) -> date:
    """``d`` plus ``n`` calendar months, clamped to the last day of a shorter target month."""
    day, months = _as_date(d), _as_int(n, "n")
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise _out_of_range(ValueError(f"year {year}"))
    return date(year, month0 + 1, min(day.day, monthrange(year, month0 + 1)[1]))


@helper(beschreibung="Datum plus n Tage (n darf negativ sein).")
def add_days(d: date | str, n: int) -> date:
    """``d`` plus ``n`` days (``n`` may be negative)."""
    day, days = _as_date(d), _as_int(n, "n")
    try:
        return day + timedelta(days=days)
    except OverflowError as err:
        raise _out_of_range(err) from err


@helper(beschreibung="Anzahl Tage von a bis b (positiv, wenn b nach a liegt).")
def days_between(a: date | str, b: date | str) -> int:
    """Days from ``a`` to ``b``: positive when ``b`` is later."""
    return (_as_date(b) - _as_date(a)).days


@helper(
    beschreibung=(
        "Letzter Tag einer Frist, die mit einem Ereignis beginnt (§§ 187 Abs. 1, 188 BGB): der Ereignistag "
        "zählt nicht mit; period_end(einzug, weeks=2) ist der gleiche Wochentag zwei Wochen später."
    )
)
def period_end(event_day: date | str, *, days: int = 0, weeks: int = 0, months: int = 0) -> date:
    """Last day of a period that starts with an event (BGB §§ 187 Abs. 1, 188); months first."""
    start = _as_date(event_day, "Ereignisdatum")
    days, weeks, months = _as_int(days, "days"), _as_int(weeks, "weeks"), _as_int(months, "months")
    if min(days, weeks, months) < 0 or days == weeks == months == 0:
        raise HelperInputError(
            f"period must be positive: days={days} weeks={weeks} months={months}",
            user_message="Eine Frist braucht eine positive Länge in Tagen, Wochen oder Monaten.",
        )
    end = add_months(start, months) if months else start
    # § 187 Abs. 1 skips the event day and § 188 Abs. 1/2 ends on the n-th day / same weekday,
    # which is exactly "event day + n days" (+ 7 per week).
    return add_days(end, 7 * weeks + days)


@helper(beschreibung="Wandelt einen Text JJJJ-MM-TT in ein Datum um (ein Datum bleibt unverändert).")
def parse_date(s: date | str) -> date:
    """A ``date`` from an ISO string ``YYYY-MM-DD``; a ``date`` is returned unchanged."""
    return _as_date(s)


@helper(beschreibung="Datum in deutscher Schreibweise, z. B. „15.11.2026“.")
def format_date(d: date | str) -> str:
    """The German form ``DD.MM.YYYY`` of a date, e.g. ``15.11.2026``."""
    day = _as_date(d)
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


# --- money --------------------------------------------------------------------------------

_CENT = Decimal("0.01")
# An explicit context: a script or library changing the thread's decimal context must not
# change how fees are rounded. ROUND_HALF_UP is commercial rounding (kaufmännisch).
_MONEY_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)
_MONEY_TEXT = re.compile(r"[+-]?\d{1,20}(?:[.,]\d{1,20})?")


@helper(beschreibung="Geldbetrag als Decimal mit zwei Nachkommastellen, kaufmännisch gerundet (money('70') → 70.00).")
def money(value: Decimal | int | str | float) -> Decimal:
    """An amount as ``Decimal`` with two places, rounded half up; floats go through ``repr``."""
    if isinstance(value, bool):
        raise HelperInputError("money() got a bool", user_message="Ein Geldbetrag muss eine Zahl sein.")
    if isinstance(value, float):
        # repr(0.1) == '0.1': the shortest text that round-trips, without binary noise.
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if not _MONEY_TEXT.fullmatch(text):
            raise HelperInputError(
                f"not an amount: {value[:40]!r}",
                user_message=f"„{value[:40]}“ ist kein gültiger Geldbetrag (z. B. 70.00 oder 70,00).",
            )
        amount = Decimal(text.replace(",", "."))
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    else:
        raise HelperInputError(
            f"money() got {type(value).__name__}",
            user_message=f"Ein Geldbetrag muss eine Zahl sein, nicht „{type(value).__name__}“.",
        )
    try:
        if not amount.is_finite():
            raise InvalidOperation
        return amount.quantize(_CENT, context=_MONEY_CONTEXT)
    except InvalidOperation as err:
        raise HelperInputError(
            f"amount out of range: {value!r:.40}", user_message="Der Geldbetrag ist ungültig oder zu groß."
        ) from err


# --- names --------------------------------------------------------------------------------

# Letters that NFKD does not decompose; the German umlauts come first on purpose so that
# "Müller" and "Mueller" fold to the same text instead of "muller".
_FOLD = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
    }
)


def _as_text(value: object) -> str:
    if not isinstance(value, str):
        raise HelperInputError(
            f"expected a name string, got {type(value).__name__}",
            user_message=f"Als Name wird ein Text erwartet, nicht „{type(value).__name__}“.",
        )
    return value


@helper(beschreibung="Name in Normalform: Unicode NFC, Leerraum zusammengefasst, ohne Leerzeichen am Rand.")
def normalize_name(s: str) -> str:
    """NFC, runs of whitespace collapsed to one space, stripped."""
    return " ".join(unicodedata.normalize("NFC", _as_text(s)).split())


@helper(
    beschreibung=(
        "Name für den unscharfen Vergleich: Kleinschreibung, ä→ae, ö→oe, ü→ue, ß→ss, "
        "andere diakritische Zeichen entfernt (é→e)."
    )
)
def fold_name(s: str) -> str:
    """Comparison key: casefolded, umlauts spelled out (ä→ae, ß→ss), other diacritics removed."""
    text = unicodedata.normalize("NFC", _as_text(s)).casefold().translate(_FOLD)
    # Decomposition can uncover capitals ("ᴬ" → "A") and case folding can add marks
    # ("İ" → "i" + dot), so both run again; whitespace goes last because NFKD creates spaces
    # ("¯" → " " + macron). The result is a fixed point: fold_name(fold_name(s)) == fold_name(s).
    text = _strip_marks(_strip_marks(text).casefold())
    return " ".join(unicodedata.normalize("NFC", text).split())


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@helper(beschreibung="True, wenn zwei Namen nach fold_name gleich sind („Müller“ = „Mueller“).")
def same_name(a: str, b: str) -> bool:
    """True when both names have the same ``fold_name`` key."""
    return fold_name(a) == fold_name(b)


# --- rejecting input ----------------------------------------------------------------------


@helper(
    beschreibung=(
        "Lehnt die Eingabe des laufenden Schritts ab: nichts wird gespeichert, das Formular zeigt "
        "„meldung“ am Feld „feld“ (leer: über dem Formular). Für Prüfungen, die Ergebnisse früherer "
        "Schritte brauchen, z. B. doppelte Anträge."
    )
)
def ablehnen(feld: str, meldung: str) -> None:
    """Reject the submitted data: the step rolls back and the form shows ``meldung`` at ``feld``."""
    if not isinstance(feld, str) or not isinstance(meldung, str) or not meldung.strip():
        raise HelperInputError("ablehnen(feld, meldung) needs two texts",
                               user_message="ablehnen(feld, meldung) braucht ein Feld und eine Meldung (Texte).")
    raise InputInvalid(f"input rejected by the process at field {feld!r}", errors={feld: [meldung.strip()]},
                       user_message=meldung.strip(), field=feld)


# --- types --------------------------------------------------------------------------------

_TYPES = (
    (
        "date",
        date,
        "date(year, month, day)",
        "Calendar date type; date.today() is blocked, use today().",
        "Datumstyp, z. B. date(2026, 11, 15); statt date.today() bitte today() verwenden.",
    ),
    (
        "datetime",
        datetime,
        "datetime(year, month, day, hour=0, minute=0, …)",
        "Date-and-time type; datetime.now() is blocked, use now().",
        "Typ für Datum mit Uhrzeit; statt datetime.now() bitte now() verwenden.",
    ),
    (
        "timedelta",
        timedelta,
        "timedelta(days=0, weeks=0, …)",
        "Duration type for date arithmetic: antrag + timedelta(days=14).",
        "Zeitspanne für Datumsrechnung, z. B. antrag + timedelta(days=14).",
    ),
    (
        "Decimal",
        Decimal,
        "Decimal(value)",
        "Exact decimal numbers for money; prefer money(value).",
        "Exakte Dezimalzahl für Geldbeträge; meist ist money(value) die bessere Wahl.",
    ),
)
for _name, _type, _signature, _description, _beschreibung in _TYPES:
    _register(_name, _type, HelperDoc(_name, _signature, _description, _beschreibung))
del _name, _type, _signature, _description, _beschreibung

HELPER_NAMES: frozenset[str] = frozenset(HELPERS)
