"""Option lists taken from the task data (``x-options-from``).

A clerk chooses a person from the register search hits, a document from a person's documents,
a dwelling from the list of dwellings. The form declares where the list is and how to show an
entry; at run time the field becomes an ordinary choice (``oneOf`` of ``const`` + ``title``), so
validation, the error messages and the widgets are the same as for a fixed list::

    "person_id": {
      "type": "string", "title": "Person",
      "x-options-from": {"list": "suche.treffer", "value": "person_id",
                         "label": "{familienname}, {vornamen} (geb. {geburtsdatum})"}
    }

``list`` is a dotted path into the task data (dict keys; list positions as numbers), ``value``
the key of an entry that is stored, ``label`` a text with ``{key}`` placeholders for the entry's
values (dates are written TT.MM.JJJJ; a missing value is left empty). With an empty or missing
list the field offers nothing, so a process should branch before asking (e.g. "keine Treffer").
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from engine.forms.definition import FormDefinition

KEYWORD = "x-options-from"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def problems(spec: Any) -> list[str]:
    """German problems of one ``x-options-from`` value (for the catalog check)."""
    if not isinstance(spec, Mapping):
        return ["Die Angabe „x-options-from“ muss ein Objekt mit „list“, „value“ und „label“ sein."]
    out = []
    for key in ("list", "value", "label"):
        if not isinstance(spec.get(key), str) or not spec.get(key):
            out.append(f"Die Angabe „x-options-from“ braucht „{key}“ als Text.")
    unknown = sorted(set(spec) - {"list", "value", "label"})
    if unknown:
        out.append(f"Die Angabe „x-options-from“ kennt {', '.join(unknown)} nicht.")
    return out


def _lookup(data: Any, path: str) -> Any:
    current = data
    for part in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    return str(value)


def _label(template: str, entry: Mapping[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: _text(entry.get(m.group(1))), template).strip()


def options(spec: Mapping[str, Any], data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``[{const, title}]`` for the entries of the list ``spec`` points at."""
    entries = _lookup(data, spec["list"])
    if not isinstance(entries, list):
        return []
    out = []
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get(spec["value"]) is None:
            continue
        value = entry[spec["value"]]
        title = _label(spec["label"], entry)
        out.append({"const": value.isoformat() if isinstance(value, date) else value, "title": title or str(value)})
    return out


def _has_dynamic(node: Any) -> bool:
    if isinstance(node, Mapping):
        return KEYWORD in node or any(_has_dynamic(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_dynamic(v) for v in node)
    return False


def _substitute(node: Any, data: Mapping[str, Any]) -> Any:
    if isinstance(node, Mapping):
        out = {k: _substitute(v, data) for k, v in node.items() if k != KEYWORD}
        if KEYWORD in node and not problems(node[KEYWORD]):
            choices = options(node[KEYWORD], data)
            out.pop("enum", None)
            if choices:
                out["oneOf"] = choices
            else:
                out["enum"] = []
        return out
    if isinstance(node, list):
        return [_substitute(v, data) for v in node]
    return node


def resolve(form: FormDefinition, data: Mapping[str, Any]) -> FormDefinition:
    """``form`` with its ``x-options-from`` fields filled from ``data`` (the form itself if it has none)."""
    if not _has_dynamic(form.schema):
        return form
    schema = _substitute(copy.deepcopy(form.schema), data)
    return FormDefinition(form.name, schema, form.ui_schema, form.dialect, form.schema_file, form.ui_file)
