"""How values look on pages: German dates, amounts, statuses, and a case's data as table rows."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask

from engine.clock import BERLIN
from engine.formatting import format_betrag, format_datum

STATUS_DE = {
    "active": "in Bearbeitung",
    "waiting": "wartet",
    "completed": "abgeschlossen",
    "cancelled": "abgebrochen",
    "error": "gestört",
}
STEP_KIND_DE = {
    "start": "Vorgang gestartet",
    "submit": "Schritt erledigt",
    "correct": "Korrektur",
    "timer": "Frist abgelaufen",
    "message": "Nachricht eingegangen",
}
HIDDEN_DATA = {"vorgang", "behoerde", "labels"}
"""Task data not shown in the case data table (shown elsewhere on the page, or internal)."""


def datum(value: Any) -> str:
    return format_datum(value)


def zeit(value: Any) -> str:
    """An instant as ``TT.MM.JJJJ HH:MM`` Berlin time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        local = value.astimezone(BERLIN) if value.tzinfo else value
        return f"{local:%d.%m.%Y %H:%M}"
    return datum(value)


def humanise(key: str) -> str:
    """``einzugsdatum`` → ``Einzugsdatum``, ``hat_vorwohnung`` → ``Hat vorwohnung``."""
    return key.replace("_", " ").strip().capitalize() or key


def plain(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "Ja" if value else "Nein"
    if isinstance(value, datetime):
        return zeit(value)
    if isinstance(value, date):
        return datum(value)
    if isinstance(value, Decimal):
        return format_betrag(value, "")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return datum(value)
    if isinstance(value, list | tuple) and all(not isinstance(v, Mapping | list) for v in value):
        return ", ".join(plain(v) for v in value) or "–"
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def data_rows(data: Mapping[str, Any], labels: Mapping[str, str] | None = None, *,
              hidden: set[str] = HIDDEN_DATA) -> list[tuple[str, str]]:
    """``(label, text)`` rows: nested objects and lists are flattened (``Personen 2 › Vornamen``).

    ``labels`` maps field names to the titles the forms gave them; other keys are humanised.
    """
    rows: list[tuple[str, str]] = []
    names = labels or {}

    def label(key: str) -> str:
        return names.get(key) or humanise(key)

    def walk(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
        if isinstance(value, Mapping):
            for k, v in value.items():
                yield from walk(f"{prefix} › {label(str(k))}" if prefix else label(str(k)), v)
        elif isinstance(value, list | tuple) and any(isinstance(v, Mapping | list) for v in value):
            for i, v in enumerate(value, 1):
                yield from walk(f"{prefix} {i}", v)
        else:
            yield prefix, plain(value)

    for key in sorted(k for k in data if k not in hidden and not k.startswith("_")):
        rows.extend(walk(label(key), data[key]))
    return rows


def show_when(view: Any) -> str:
    """The ``visible_if`` of a FieldView as JSON for ``data-show-when`` (read by static/js/app.js)."""
    return json.dumps([[{"name": w.name, "values": list(w.values), "negate": w.negate, "absent": w.when_absent}
                        for w in group] for group in view.visible_if], ensure_ascii=False)


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(show_when=show_when, datum=datum, zeit=zeit, betrag=format_betrag, plain=plain,
                                 status_de=lambda s: STATUS_DE.get(s, s),
                                 step_kind_de=lambda s: STEP_KIND_DE.get(s, s))
    app.jinja_env.globals.update(data_rows=data_rows)
