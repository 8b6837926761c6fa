"""The render model: everything a server-side template needs to draw a form, framework-free.

:func:`build_view` turns a form, its current values and error messages into a tree of frozen
:class:`FieldView` objects; the clerk's page and the designer's preview render the same tree,
so they cannot differ. Values may be typed task data (from :func:`to_form_values`) or the
text a clerk posted (from :func:`parse_posted`); both are shown as input text.

Kinds of views: ``input`` (one input or a group of radios/checkboxes, see ``widget``),
``group`` (a nested object: a fieldset), ``list`` (a list: its ``children`` are its rows, plus
an "add row" button while ``can_add``), ``row`` (one row of a list of objects; its ``name`` is
the row marker to post as a hidden input, see :mod:`engine.forms.posted`). Rows of a list of
single values are ``input`` views themselves.

Conditional fields are in the tree with ``visible`` telling the state for the current values
and ``visible_if`` telling the page when to show them: the field is shown while any group of
:class:`ShowWhen` holds completely (an OR of ANDs; an empty tuple means always). A page can
express that with CSS ``:has()`` on the controlling inputs, without inline JavaScript; the
server ignores values of hidden fields either way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from engine.forms import ui as uischema
from engine.forms.clean import ABSENT, child_value, normalize_text, visible_keys
from engine.forms.definition import FormDefinition
from engine.forms.layout import Condition, Field
from engine.forms.posted import html_name
from engine.forms.widgets import WIDGETS, format_plain, option_list, parse_boolean

ViewKind = Literal["input", "group", "list", "row"]


@dataclass(frozen=True, slots=True)
class ShowWhen:
    """One test on another input of the page."""

    path: str
    """Data path of the controlling field."""
    name: str
    """Its input name."""
    values: tuple[str, ...] = ()
    """Posted texts (option values, ``true``/``false``) that satisfy the test; ``()``: any non-empty value."""
    negate: bool = False
    when_absent: bool = False
    """Result (before ``negate``) while the controlling input is empty or nothing is selected."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldView:
    path: str
    """Data path, also the key of its messages in ``InputInvalid.errors`` (``personen/1/vorname``)."""
    name: str
    """HTML input name (``personen-1-vorname``)."""
    id: str
    """HTML id (``f-personen-1-vorname``), for ``<label for>`` and links from the error summary."""
    kind: ViewKind
    widget: str = ""
    """Widget id (inputs only); see :mod:`engine.forms.widgets`."""
    input_type: str = ""
    """The widget's HTML hint (``text``, ``textarea``, ``select``, ``radio``, ``checkbox`` …)."""
    label: str = ""
    help: str = ""
    placeholder: str = ""
    required: bool = False
    readonly: bool = False
    value: str = ""
    """Input text; for a checkbox ``"true"`` when ticked."""
    values: tuple[str, ...] = ()
    """Ticked option values of a checkbox group."""
    options: tuple[tuple[str, str], ...] = ()
    """``(value, label)`` of selects, radios and checkbox groups."""
    errors: tuple[str, ...] = ()
    children: tuple[FieldView, ...] = ()
    visible_if: tuple[tuple[ShowWhen, ...], ...] = ()
    visible: bool = True
    autofocus: bool = False
    autocomplete: str = ""
    inputmode: str = ""
    rows: int | None = None
    """Height of a textarea (``ui:rows``)."""
    min_items: int = 0
    max_items: int | None = None
    can_add: bool = False
    """List: the "add row" button is offered (post ``ADD_ROW`` = ``name``)."""
    can_remove: bool = False
    """Row: the "remove row" button is offered (post ``REMOVE_ROW`` = ``name``)."""

    def walk(self) -> Iterator[FieldView]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class ErrorLink:
    """An entry of the error summary at the top of the page."""

    id: str
    """Id of the input to link to (``""`` for messages about the whole form)."""
    label: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FormView:
    title: str
    description: str
    fields: tuple[FieldView, ...]
    form_errors: tuple[str, ...] = ()
    """Messages that belong to no shown field (path ``""`` or unknown)."""
    error_summary: tuple[ErrorLink, ...] = ()
    """All messages in page order, for a summary with links (screen readers, long forms)."""

    def walk(self) -> Iterator[FieldView]:
        for view in self.fields:
            yield from view.walk()

    def find(self, path: str) -> FieldView | None:
        return next((v for v in self.walk() if v.path == path), None)


def build_view(
    form: FormDefinition,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    *,
    context: Mapping[str, Any] | None = None,
) -> FormView:
    """The render model of ``form`` with ``values`` and ``errors`` (``InputInvalid.errors``).

    ``context`` is the task data; display-only fields show its values (they are never posted).
    """
    builder = _Builder(dict(errors or {}))
    root = form.layout
    fields = builder.object_children(root, values or {}, context if context is not None else ABSENT, "")
    form_errors = []
    for path, messages in builder.errors.items():
        if path in builder.used:
            continue
        field = form.field_at(path) if path else None
        prefix = f"{field.title}: " if field is not None and path else ""
        form_errors += [prefix + m for m in messages]
    summary = [ErrorLink("", "", m) for m in form_errors]
    for view in fields:
        summary += _error_links(view, ())
    title = uischema.option(form.ui_schema, "title") or form.schema.get("title") or ""
    description = uischema.option(form.ui_schema, "description") or form.schema.get("description") or ""
    return FormView(
        title=str(title),
        description=str(description),
        fields=tuple(fields),
        form_errors=tuple(form_errors),
        error_summary=tuple(summary),
    )


def _error_links(view: FieldView, within: tuple[str, ...]) -> list[ErrorLink]:
    """Summary entries in page order; labels name the row or group (``Person 2 – Geburtsdatum``)."""
    label = " – ".join((*within, view.label))
    links = [ErrorLink(view.id, label, message) for message in view.errors]
    inner = (*within, view.label) if view.kind in ("row", "group") else within
    for child in view.children:
        links += _error_links(child, inner)
    return links


class _Builder:
    def __init__(self, errors: dict[str, Sequence[str]]) -> None:
        self.errors = errors
        self.used: set[str] = set()

    def errors_at(self, path: str) -> tuple[str, ...]:
        if path in self.errors:
            self.used.add(path)
            return tuple(self.errors[path])
        return ()

    def object_children(self, obj: Field, raw: Any, context: Any, path: str) -> list[FieldView]:
        raw = raw if isinstance(raw, Mapping) else {}
        shown = visible_keys(obj, raw, context)
        views = []
        for sub in obj.ordered():
            sub_path = f"{path}/{sub.key}" if path else sub.key
            show_when = tuple(tuple(_show_when(obj, c, path) for c in conj) for conj in sub.visible_if)
            views.append(
                self.view(
                    sub,
                    child_value(raw, sub.key),
                    child_value(context, sub.key),
                    sub_path,
                    visible_if=show_when,
                    visible=sub.key in shown,
                )
            )
        return views

    def view(
        self,
        field: Field,
        raw: Any,
        context: Any,
        path: str,
        *,
        visible_if: tuple[tuple[ShowWhen, ...], ...] = (),
        visible: bool = True,
        can_remove: bool = False,
        label: str | None = None,
    ) -> FieldView:
        name = html_name(path)
        common: dict[str, Any] = dict(
            path=path,
            name=name,
            id=f"f-{name}",
            label=label or field.title,
            help=_help(field),
            required=field.required,
            errors=self.errors_at(path),
            visible_if=visible_if,
            visible=visible,
        )
        if field.kind == "object":
            return FieldView(kind="group", children=tuple(self.object_children(field, raw, context, path)), **common)
        if field.kind == "array":
            return self.list_view(field, raw, context, path, common)
        return self.input_view(field, raw, context, common, can_remove)

    def list_view(self, field: Field, raw: Any, context: Any, path: str, common: dict[str, Any]) -> FieldView:
        assert field.item is not None
        item = field.item
        rows = list(raw) if isinstance(raw, list) else []
        min_items = field.schema.get("minItems", 0)
        max_items = field.schema.get("maxItems")
        rows += [ABSENT] * max(0, min_items - len(rows))
        removable = len(rows) > min_items and uischema.option(field.ui, "removable", True) is not False
        children = []
        noun = item.title if item.schema.get("title") or uischema.option(item.ui, "title") else field.title
        for i, row in enumerate(rows):
            row_path = f"{path}/{i}"
            if item.kind == "object":
                row_name = html_name(row_path)
                children.append(
                    FieldView(
                        path=row_path,
                        name=row_name,
                        id=f"f-{row_name}",
                        kind="row",
                        label=f"{noun} {i + 1}",
                        errors=self.errors_at(row_path),
                        can_remove=removable,
                        children=tuple(self.object_children(item, row, child_value(context, i), row_path)),
                    )
                )
            else:
                children.append(
                    self.view(
                        item, row, child_value(context, i), row_path, can_remove=removable, label=f"{noun} {i + 1}"
                    )
                )
        can_add = (max_items is None or len(rows) < max_items) and uischema.option(
            field.ui, "addable", True
        ) is not False
        return FieldView(
            kind="list", children=tuple(children), min_items=min_items, max_items=max_items, can_add=can_add, **common
        )

    def input_view(self, field: Field, raw: Any, context: Any, common: dict[str, Any], can_remove: bool) -> FieldView:
        widget = WIDGETS[field.widget] if field.widget in WIDGETS else WIDGETS["text"]
        source = context if field.readonly and context is not ABSENT else raw
        if source is ABSENT and "default" in field.schema:
            source = field.schema["default"]
        value, values = "", ()
        if widget.multiple:
            items = source if isinstance(source, list) else []
            values = tuple(widget.format(v, field.schema) for v in items)
        elif field.widget == "checkbox":
            ticked = parse_boolean(normalize_text(source)) if isinstance(source, str) else source
            value = "true" if ticked is True else "false"
        elif source is not ABSENT and source is not None:
            value = widget.format(source, field.schema)
        rows = uischema.option(field.ui, "rows")
        return FieldView(
            kind="input",
            widget=field.widget,
            input_type=widget.input_type,
            value=value,
            values=values,
            options=option_list(field.schema, uischema.option(field.ui, "enumNames")) if widget.choices else (),
            placeholder=str(uischema.option(field.ui, "placeholder") or widget.placeholder),
            readonly=field.readonly,
            autofocus=uischema.option(field.ui, "autofocus") is True,
            autocomplete=str(uischema.option(field.ui, "autocomplete") or ""),
            inputmode=str(uischema.option(field.ui, "inputmode") or widget.inputmode),
            rows=rows if isinstance(rows, int) else None,
            can_remove=can_remove,
            **common,
        )


def _help(field: Field) -> str:
    text = (
        uischema.option(field.ui, "help") or uischema.option(field.ui, "description") or field.schema.get("description")
    )
    return text if isinstance(text, str) else ""


def _show_when(obj: Field, condition: Condition, path: str) -> ShowWhen:
    controller = obj.child(condition.field)
    target = f"{path}/{condition.field}" if path else condition.field
    if controller is not None and controller.widget in WIDGETS:
        widget = WIDGETS[controller.widget]
        texts = tuple(widget.format(v, controller.schema) for v in condition.values)
    else:
        texts = tuple(format_plain(v) for v in condition.values)
    return ShowWhen(target, html_name(target), texts, condition.negate, condition.when_absent)
