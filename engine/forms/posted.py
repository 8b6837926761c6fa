"""Posted HTML form data ↔ nested form values, and the add-row / remove-row buttons.

Naming scheme: an input's ``name`` is its data path with ``/`` replaced by ``-``::

    vorname                 {"vorname": …}
    adresse-strasse         {"adresse": {"strasse": …}}
    personen-1-vorname      {"personen": [_, {"vorname": …}]}
    telefon-0               {"telefon": [… ]}          (a list of single values)

Field names match ``[A-Za-z][A-Za-z0-9_]*`` (check_form enforces it), so ``-`` never occurs in
a name and ``data_path(name) == name.replace("-", "/")``. Every row of a list also posts a
marker input named after the row (``personen-1``), so a row consisting only of unticked
checkboxes is not lost. Rows are renumbered 0, 1, 2 … in the order of their numbers.

Parsing follows the layout, so unknown names (``csrf_token``, buttons) are ignored, and so are
display-only fields. A checkbox that is not posted means ``false`` (browsers post nothing for
it); a checkbox group with nothing ticked means ``[]``. Values stay text, exactly as typed:
a page shown again after an error (or after "add row") shows everything the clerk typed, also
in fields currently hidden by their condition, so ticking the box again brings the text back.
:func:`validate_submission` converts the text and ignores hidden fields; nothing hidden is
ever stored.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from engine.forms import ui as uischema
from engine.forms.clean import ABSENT
from engine.forms.definition import FormDefinition
from engine.forms.layout import Field

ADD_ROW = "_add_row"
"""Name of the "add row" submit button; its value is the list's input name (``personen``)."""
REMOVE_ROW = "_remove_row"
"""Name of a "remove row" submit button; its value is the row's input name (``personen-1``)."""


def html_name(path: str) -> str:
    """``personen/1/vorname`` → ``personen-1-vorname``."""
    return path.replace("/", "-")


def data_path(name: str) -> str:
    """``personen-1-vorname`` → ``personen/1/vorname``."""
    return name.replace("-", "/")


class PostedData(Protocol):
    """What a web framework's form multidict offers (werkzeug's ``MultiDict`` fits)."""

    def getlist(self, key: str) -> list[str]: ...

    def keys(self) -> Iterable[str]: ...


@dataclass(frozen=True)
class _Plain:
    """A plain ``{name: text | [text, …]}`` mapping seen as posted data (tests, JSON clients)."""

    data: Mapping[str, Any]

    def getlist(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]

    def keys(self) -> Iterable[str]:
        return self.data.keys()


def _posted(posted: PostedData | Mapping[str, Any]) -> PostedData:
    return posted if hasattr(posted, "getlist") else _Plain(posted)  # type: ignore[arg-type,return-value]


def parse_posted(form: FormDefinition, posted: PostedData | Mapping[str, Any]) -> dict[str, Any]:
    """Nested form values (text) from posted names; see the module docstring."""
    return _object(form.layout, "", _posted(posted))


def _object(field: Field, prefix: str, posted: PostedData) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for sub in field.children:
        if sub.readonly:
            continue
        value = _field(sub, f"{prefix}-{sub.key}" if prefix else sub.key, posted)
        if value is not ABSENT:
            raw[sub.key] = value
    return raw


def row_numbers(name: str, names: Iterable[str]) -> list[int]:
    """Row numbers posted for the list input ``name``, sorted."""
    pattern = re.compile(re.escape(name) + r"-(\d+)(?:-|$)")
    return sorted({int(m.group(1)) for n in names if (m := pattern.match(n))})


def _field(field: Field, name: str, posted: PostedData) -> Any:
    if field.kind == "object":
        return _object(field, name, posted)
    if field.kind == "array":
        assert field.item is not None
        rows = [_field(field.item, f"{name}-{n}", posted) for n in row_numbers(name, posted.keys())]
        return [("" if row is ABSENT else row) for row in rows]
    if field.kind == "choices":
        return posted.getlist(name)
    values = posted.getlist(name)
    if values:
        return values[-1]
    return "false" if field.widget == "checkbox" else ABSENT


@dataclass(frozen=True, slots=True)
class RowAction:
    """A click on "add row" (``path`` of the list) or "remove row" (``path`` of the row)."""

    kind: Literal["add", "remove"]
    path: str


def row_action(posted: PostedData | Mapping[str, Any]) -> RowAction | None:
    """The row button that submitted the form, if any."""
    p = _posted(posted)
    if added := p.getlist(ADD_ROW):
        return RowAction("add", data_path(added[-1]))
    if removed := p.getlist(REMOVE_ROW):
        return RowAction("remove", data_path(removed[-1]))
    return None


def apply_row_action(form: FormDefinition, values: Mapping[str, Any], action: RowAction) -> dict[str, Any]:
    """New values with a row added or removed.

    The button's value comes from the browser, so it is not trusted: an action that names no
    list of the form, a missing row, or that would break ``minItems``/``maxItems`` changes nothing.
    """
    result = copy.deepcopy(dict(values))
    list_path = action.path if action.kind == "add" else action.path.rpartition("/")[0]
    field = form.field_at(list_path)
    if field is None or field.kind != "array" or field.item is None:
        return result
    rows = _rows_at(result, list_path.split("/"))
    if rows is None:
        return result
    max_items, min_items = field.schema.get("maxItems"), field.schema.get("minItems", 0)
    addable = uischema.option(field.ui, "addable", True) is not False
    removable = uischema.option(field.ui, "removable", True) is not False
    if action.kind == "add" and addable and (max_items is None or len(rows) < max_items):
        rows.append({} if field.item.kind == "object" else "")
    index = action.path.rpartition("/")[2]
    if action.kind == "remove" and removable and index.isdigit() and int(index) < len(rows) and len(rows) > min_items:
        del rows[int(index)]
    return result


def _rows_at(values: dict[str, Any], parts: list[str]) -> list[Any] | None:
    """The (mutable) list at ``parts`` inside ``values`` (created if only it is missing), else None."""
    container: Any = values
    for part in parts[:-1]:
        if isinstance(container, list) and part.isdigit() and int(part) < len(container):
            container = container[int(part)]
        elif isinstance(container, dict) and part in container:
            container = container[part]
        else:
            return None  # a row that is not there; rows are never created on the way
    if not isinstance(container, dict):
        return None
    rows = container.setdefault(parts[-1], [])
    return rows if isinstance(rows, list) else None
