"""German formatting of dates and amounts, shared by instructions, documents and the web."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from engine.clock import BERLIN


def format_datum(value: Any) -> str:
    """``date``/``datetime``/ISO text → ``TT.MM.JJJJ``; anything else as text, ``None`` as empty."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(BERLIN).date() if value.tzinfo else value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, date):
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
    return str(value)


def format_betrag(value: Any, waehrung: str = "€") -> str:
    """A money amount the German way: ``1.234,50 €`` (two decimals, rounded half up)."""
    if value is None or value == "":
        return ""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "."))
        amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{text} {waehrung}".strip()


FILTERS = {"datum": format_datum, "betrag": format_betrag}
"""Jinja filters every template of a procedure can use (instructions, documents, case titles)."""
