"""The UI schema (rjsf conventions): reading options, checking keys, ordering fields.

A UI schema mirrors the data: ``{"vorname": {"ui:widget": "text"}, "personen": {"items":
{"vorname": {...}}}}``. Every rjsf option may be written as ``"ui:<name>"`` or inside
``"ui:options"``; the first wins.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

UI_KEYS: dict[str, type | tuple[type, ...]] = {
    "widget": str,
    "options": Mapping,
    "help": str,
    "placeholder": str,
    "title": str,
    "description": str,
    "autofocus": bool,
    "autocomplete": str,
    "inputmode": str,
    "order": list,
    "readonly": bool,
    "disabled": bool,
    "enumNames": list,
    "classNames": str,
    "rows": int,
    "label": bool,
}
"""Supported ``ui:`` keys and the JSON type of their value."""

OPTION_ONLY_KEYS: dict[str, type | tuple[type, ...]] = {"addable": bool, "removable": bool, "orderable": bool}
"""rjsf array options, accepted inside ``ui:options`` (``orderable`` is ignored: rows keep their order)."""

UNSUPPORTED = {
    "field": "custom rjsf fields (ui:field) are not available",
    "layout": "spiff-arena's ui:layout grid is not available; fields are shown one below the other",
}

INPUTMODES = frozenset({"none", "text", "decimal", "numeric", "tel", "search", "email", "url"})

Report = Callable[[str, str, str], None]
"""``report(ui_pointer, english, german)``."""


def option(ui: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """The UI option ``name`` from ``ui:<name>`` or ``ui:options.<name>``."""
    if f"ui:{name}" in ui:
        return ui[f"ui:{name}"]
    options = ui.get("ui:options")
    if isinstance(options, Mapping) and name in options:
        return options[name]
    return default


def node(ui: Any, key: str) -> Mapping[str, Any]:
    """The UI schema node below ``key`` ({} if there is none or it is not an object)."""
    sub = ui.get(key) if isinstance(ui, Mapping) else None
    return sub if isinstance(sub, Mapping) else {}


def suggest(word: str, candidates: list[str] | set[str] | tuple[str, ...]) -> str | None:
    """The closest candidate for a misspelt name, for "Meinten Sie …?"."""
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.7)
    return found[0] if found else None


def _check_value(name: str, value: Any, expected: type | tuple[type, ...], pointer: str, report: Report) -> None:
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if not ok:
        report(pointer, f"ui:{name} has the wrong type", f"„ui:{name}“ hat einen ungültigen Wert.")
    elif name == "inputmode" and value not in INPUTMODES:
        report(pointer, f"unknown inputmode {value!r}", f"Unbekannter Tastaturmodus „{value}“ (ui:inputmode).")
    elif name in ("order", "enumNames") and not all(isinstance(v, str) for v in value):
        report(pointer, f"ui:{name} must be a list of strings", f"„ui:{name}“ muss eine Liste von Texten sein.")


def check_keys(ui: Mapping[str, Any], pointer: str, children: list[str], report: Report) -> None:
    """Report unknown ``ui:`` keys, wrongly typed values, and entries for fields that do not exist.

    ``children`` are the names allowed below this node (field names, or ``items`` for a list).
    """
    for key, value in ui.items():
        at = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
        if not key.startswith("ui:"):
            if key not in children:
                hint = suggest(key, children)
                report(
                    at,
                    f"UI schema entry for unknown field {key!r}" + (f" (did you mean {hint!r}?)" if hint else ""),
                    f"Die Oberflächenbeschreibung nennt ein Feld „{key}“, das es im Formular nicht gibt."
                    + (f" Meinten Sie „{hint}“?" if hint else ""),
                )
            continue
        name = key[3:]
        if name in UNSUPPORTED:
            report(at, UNSUPPORTED[name], f"„{key}“ wird von Amtskoffer nicht unterstützt.")
        elif name not in UI_KEYS:
            hint = suggest(key, [f"ui:{k}" for k in UI_KEYS])
            report(
                at,
                f"unknown UI schema key {key!r}" + (f" (did you mean {hint!r}?)" if hint else ""),
                f"Unbekannte Angabe „{key}“ in der Oberflächenbeschreibung."
                + (f" Meinten Sie „{hint}“?" if hint else ""),
            )
        else:
            _check_value(name, value, UI_KEYS[name], at, report)
    options = ui.get("ui:options")
    if isinstance(options, Mapping):
        allowed = {**{k: v for k, v in UI_KEYS.items() if k != "options"}, **OPTION_ONLY_KEYS}
        for name, value in options.items():
            at = f"{pointer}/ui:options/{name}"
            if name not in allowed:
                report(at, f"unknown ui:options entry {name!r}", f"Unbekannte Angabe „{name}“ in „ui:options“.")
            else:
                _check_value(name, value, allowed[name], at, report)


def apply_order(keys: list[str], ui: Mapping[str, Any], pointer: str, report: Report) -> tuple[str, ...]:
    """Display order after ``ui:order`` (rjsf rules: ``"*"`` stands for all fields not listed)."""
    order = ui.get("ui:order")
    if not isinstance(order, list):
        return tuple(keys)
    at = f"{pointer}/ui:order"
    listed: list[str] = []
    for i, name in enumerate(order):
        if not isinstance(name, str):
            continue
        if name != "*" and name not in keys:
            hint = suggest(name, keys)
            report(
                f"{at}/{i}",
                f"ui:order names unknown field {name!r}" + (f" (did you mean {hint!r}?)" if hint else ""),
                f"„ui:order“ nennt ein Feld „{name}“, das es nicht gibt." + (f" Meinten Sie „{hint}“?" if hint else ""),
            )
        elif name in listed:
            report(f"{at}/{i}", f"ui:order lists {name!r} twice", f"„ui:order“ nennt „{name}“ zweimal.")
        else:
            listed.append(name)
    rest = [k for k in keys if k not in listed]
    if "*" not in listed:
        if rest:
            report(
                at,
                f"ui:order misses {rest} and has no '*'",
                "„ui:order“ nennt nicht alle Felder („" + "“, „".join(rest) + "“); ergänzen Sie sie oder „*“.",
            )
        return tuple(listed + rest)
    star = listed.index("*")
    return tuple(listed[:star] + rest + listed[star + 1 :])
