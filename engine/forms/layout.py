"""The static field tree of a form: which fields exist, where, with which widget, shown when.

Built once per form from the JSON Schema and the UI schema; cleaning, validation, rendering and
parsing of posted data all walk this tree, so they agree on the fields.

Fields of an object come from its ``properties`` and ``allOf`` members (always shown), and
from conditional branches (shown only while their condition holds):

- ``if``/``then``/``else``: fields declared only in ``then`` (``else``) are shown while the
  ``if`` holds (does not hold). The ``if`` must be ``{"properties": {"<sibling>": {"const": v}
  | {"enum": [...]}, …}, "required": [...]}``; like JSON Schema, a condition on a sibling not
  listed in ``required`` also holds while that sibling is empty.
- ``dependentSchemas`` (2020-12) / ``dependencies`` with a schema (draft-07): fields declared
  there are shown while the trigger field has a value; rjsf's ``oneOf`` form of it (each member
  fixes the trigger with ``enum``/``const``) shows a member's fields for those values.

Visibility is an OR of ANDs of :class:`Condition` on siblings; ``()`` means always.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.forms import ui as uischema
from engine.forms.dialect import DRAFT_07
from engine.forms.refs import Node, child, flatten, resolve, root_resolver
from engine.forms.schemas import choice_options, json_equal, primary_type
from engine.forms.widgets import WIDGETS, WidgetRegistry, default_widget

MAX_DEPTH = 12
"""Nesting limit; also stops recursive ``$ref`` (a person containing persons)."""

Kind = Literal["value", "object", "array", "choices"]


@dataclass(frozen=True, slots=True)
class Condition:
    """A test on a sibling field's value (JSON equality)."""

    field: str
    """Name of the sibling field in the same object."""
    values: tuple[Any, ...] = ()
    """Values that satisfy the test; ``()`` means "has any value"."""
    negate: bool = False
    when_absent: bool = False
    """Result (before ``negate``) while the sibling has no value."""

    def holds(self, obj: Mapping[str, Any]) -> bool:
        if self.field not in obj:
            result = self.when_absent
        elif not self.values:
            result = True
        else:
            result = any(json_equal(obj[self.field], v) for v in self.values)
        return result != self.negate

    def negated(self) -> Condition:
        return Condition(self.field, self.values, not self.negate, self.when_absent)


Visibility = tuple[tuple[Condition, ...], ...]
_ALWAYS: Visibility = ((),)


def visible(visible_if: Visibility, obj: Mapping[str, Any]) -> bool:
    """Whether a field with ``visible_if`` is shown, given its (cleaned) sibling values."""
    return not visible_if or any(all(c.holds(obj) for c in conj) for conj in visible_if)


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One field of the form; the root is an object field with key ``""``."""

    key: str
    kind: Kind
    """``value`` (one input), ``object`` (fieldset), ``array`` (repeatable rows), ``choices`` (checkbox group)."""
    schema: Mapping[str, Any]
    """The field's schema with ``$ref`` followed."""
    ui: Mapping[str, Any]
    pointer: str
    """Where the field is declared in the schema file (JSON pointer)."""
    ui_pointer: str
    required: bool = False
    """Required whenever the field is shown."""
    visible_if: Visibility = ()
    widget: str = ""
    """Widget id for ``value`` and ``choices`` fields."""
    children: tuple[Field, ...] = ()
    """Object: its fields, unconditional ones first (the order conditions are evaluated in)."""
    order: tuple[str, ...] = ()
    """Object: keys of ``children`` in display order (``ui:order``)."""
    item: Field | None = None
    """Array: the field of one row (an object, or a single value)."""

    @property
    def title(self) -> str:
        title = uischema.option(self.ui, "title") or self.schema.get("title")
        if isinstance(title, str) and title:
            return title
        return self.key.replace("_", " ").capitalize()

    @property
    def readonly(self) -> bool:
        return self.widget == "readonly"

    def child(self, key: str) -> Field | None:
        return next((f for f in self.children if f.key == key), None)

    def ordered(self) -> list[Field]:
        by_key = {f.key: f for f in self.children}
        return [by_key[k] for k in self.order if k in by_key]

    def walk(self) -> Iterator[Field]:
        """This field and all below it (array rows once, as the item field)."""
        yield self
        for sub in self.children:
            yield from sub.walk()
        if self.item is not None:
            yield from self.item.walk()


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found while building the layout (turned into a FormProblem by check_form)."""

    where: Literal["schema", "ui"]
    pointer: str
    message: str
    user_message: str


@dataclass
class _Entry:
    key: str
    node: Node
    alternatives: list[tuple[Condition, ...]]
    required: bool


def parse_if(schema: Any) -> tuple[Condition, ...] | None:
    """Conditions for a supported ``if`` shape, else None."""
    if not isinstance(schema, Mapping) or set(schema) - {"properties", "required", "type", "$comment", "title"}:
        return None
    props, required = schema.get("properties"), schema.get("required", [])
    if not isinstance(props, Mapping) or not props or not isinstance(required, list):
        return None
    conditions = []
    for key, sub in props.items():
        if not isinstance(sub, Mapping) or set(sub) - {"const", "enum", "type", "title", "$comment"}:
            return None
        if "const" in sub:
            values = (sub["const"],)
        elif isinstance(sub.get("enum"), list) and sub["enum"]:
            values = tuple(sub["enum"])
        else:
            return None
        conditions.append(Condition(key, values, when_absent=key not in required))
    return tuple(conditions)


def _combine(alts: Visibility, branch: Visibility) -> Visibility:
    return tuple(_simplify(a + b) for a in alts for b in branch)


def _simplify(conj: tuple[Condition, ...]) -> tuple[Condition, ...]:
    """Drop "has a value" tests implied by a value test on the same field (rjsf's dependencies+oneOf)."""
    valued = {c.field for c in conj if c.values and not c.negate and not c.when_absent}
    kept = [c for c in conj if not (c.field in valued and c == Condition(c.field))]
    return tuple(dict.fromkeys(kept))


@dataclass
class LayoutBuilder:
    schema: Any
    ui: Any
    dialect: str
    widgets: WidgetRegistry = field(default_factory=lambda: WIDGETS)
    findings: list[Finding] = field(default_factory=list)

    def schema_problem(self, pointer: str, message: str, user_message: str) -> None:
        self.findings.append(Finding("schema", pointer, message, user_message))

    def ui_problem(self, pointer: str, message: str, user_message: str) -> None:
        self.findings.append(Finding("ui", pointer, message, user_message))

    def build(self) -> Field:
        schema = self.schema if isinstance(self.schema, Mapping) else {}
        ui = self.ui if isinstance(self.ui, Mapping) else {}
        root = Node(schema, "", root_resolver(schema, self.dialect))
        return self._field("", root, ui, "", required=True, visible_if=(), depth=0)

    # -- fields ---------------------------------------------------------------------------

    def _field(
        self,
        key: str,
        node: Node,
        ui: Mapping[str, Any],
        ui_pointer: str,
        *,
        required: bool,
        visible_if: Visibility,
        depth: int,
    ) -> Field:
        declared_at = node.pointer  # problems about the field (its name) belong where it is declared
        node = resolve(node)
        flat = flatten(node)
        kind = primary_type(flat.schema)
        if kind not in ("object", "array"):
            node = flat  # a value field may take its type and format from allOf members
        s = node.schema
        common: dict[str, Any] = dict(
            key=key,
            schema=s,
            ui=ui,
            pointer=declared_at,
            ui_pointer=ui_pointer,
            required=required,
            visible_if=visible_if,
        )
        if depth > MAX_DEPTH:
            self.schema_problem(
                node.pointer,
                "form nested too deeply (recursive $ref?)",
                "Das Formular ist zu tief verschachtelt (rekursiver Verweis?).",
            )
            return Field(kind="value", widget="readonly", **common)
        if kind == "object":
            children = self._children(node, ui, ui_pointer, depth)
            keys = [f.key for f in children]
            uischema.check_keys(ui, ui_pointer, keys, self.ui_problem)
            order = uischema.apply_order(keys, ui, ui_pointer, self.ui_problem)
            return Field(kind="object", children=children, order=order, **common)
        if kind == "array":
            return self._array(node, ui, ui_pointer, common, depth)
        uischema.check_keys(ui, ui_pointer, [], self.ui_problem)
        return Field(kind="value", widget=self._widget(s, ui, ui_pointer, "value"), **common)

    def _array(self, node: Node, ui: Mapping[str, Any], ui_pointer: str, common: dict[str, Any], depth: int) -> Field:
        items = node.schema.get("items")
        if not isinstance(items, Mapping):
            self.schema_problem(
                node.pointer + "/items",
                "a list field needs one schema in 'items'",
                "Ein Listenfeld braucht genau ein Schema unter „items“.",
            )
            return Field(kind="value", widget="readonly", **common)
        item_node = resolve(child(node, items, "items") or node)
        uischema.check_keys(ui, ui_pointer, ["items"], self.ui_problem)
        if choice_options(item_node.schema) is not None:
            return Field(kind="choices", widget=self._widget(node.schema, ui, ui_pointer, "choices"), **common)
        item = self._field(
            "",
            item_node,
            uischema.node(ui, "items"),
            ui_pointer + "/items",
            required=True,
            visible_if=(),
            depth=depth + 1,
        )
        return Field(kind="array", item=item, **common)

    def _widget(self, schema: Mapping[str, Any], ui: Mapping[str, Any], ui_pointer: str, kind: Kind) -> str:
        fallback = "checkboxes" if kind == "choices" else default_widget(schema)
        if schema.get("readOnly") is True or uischema.option(ui, "readonly") is True:
            return "readonly"
        if uischema.option(ui, "disabled") is True:
            return "readonly"
        name = uischema.option(ui, "widget")
        if name is None:
            return fallback
        at = ui_pointer + ("/ui:widget" if "ui:widget" in ui else "/ui:options/widget")
        if not isinstance(name, str) or name not in self.widgets:
            hint = uischema.suggest(str(name), self.widgets.ids())
            self.ui_problem(
                at,
                f"unknown widget {name!r}" + (f" (did you mean {hint!r}?)" if hint else ""),
                f"Unbekanntes Eingabeelement „{name}“."
                + (f" Meinten Sie „{hint}“?" if hint else "")
                + " Verfügbar: "
                + ", ".join(self.widgets.ids())
                + ".",
            )
            return fallback
        widget = self.widgets[name]
        kind_type = "array" if kind == "choices" else primary_type(schema)
        if kind_type is not None and kind_type not in widget.types:
            self.ui_problem(
                at,
                f"widget {name!r} cannot edit a field of type {kind_type!r}",
                f"Das Eingabeelement „{name}“ passt nicht zu einem Feld vom Typ „{kind_type}“.",
            )
            return fallback
        if widget.choices and kind_type != "boolean" and choice_options(_item_schema(schema)) is None:
            self.ui_problem(
                at,
                f"widget {name!r} needs options (enum or oneOf with const)",
                f"Das Eingabeelement „{name}“ braucht Auswahlwerte (enum oder oneOf mit const).",
            )
            return fallback
        return name

    # -- the fields of an object ------------------------------------------------------------

    def _children(self, node: Node, ui: Mapping[str, Any], ui_pointer: str, depth: int) -> tuple[Field, ...]:
        entries: dict[str, _Entry] = {}
        elsewhere: list[tuple[str, str]] = []
        self._gather(node, _ALWAYS, entries, elsewhere, depth)
        for key, pointer in elsewhere:
            if key not in entries:
                self.schema_problem(
                    pointer,
                    f"field {key!r} is declared only inside oneOf/anyOf and would never be shown; "
                    "use if/then or dependentSchemas",
                    f"Das Feld „{key}“ steht nur in oneOf/anyOf und würde nie angezeigt; "
                    "verwenden Sie if/then oder dependentSchemas.",
                )
        ordered = sorted(entries.values(), key=lambda e: () not in e.alternatives)  # stable: always-shown first
        fields = []
        for entry in ordered:
            vis: Visibility = () if () in entry.alternatives else tuple(dict.fromkeys(entry.alternatives))
            fields.append(
                self._field(
                    entry.key,
                    entry.node,
                    uischema.node(ui, entry.key),
                    f"{ui_pointer}/{entry.key}",
                    required=entry.required,
                    visible_if=vis,
                    depth=depth + 1,
                )
            )
        return tuple(fields)

    def _declare(self, entries: dict[str, _Entry], node: Node, alts: Visibility) -> None:
        s = node.schema
        props = s.get("properties")
        required = s.get("required") if isinstance(s.get("required"), list) else []
        if not isinstance(props, Mapping):
            return
        for key, sub in props.items():
            sub_node = child(node, sub, "properties", key) or Node(
                {}, f"{node.pointer}/properties/{key}", node.resolver
            )
            if key in entries:
                entries[key].alternatives.extend(a for a in alts if a not in entries[key].alternatives)
            else:
                entries[key] = _Entry(key, sub_node, list(alts), key in required)

    def _gather(
        self,
        node: Node,
        alts: Visibility,
        entries: dict[str, _Entry],
        elsewhere: list[tuple[str, str]],
        depth: int,
        trigger: str | None = None,
    ) -> None:
        if depth > MAX_DEPTH:
            return
        node = resolve(node)
        s = node.schema
        self._declare(entries, node, alts)
        members = s.get("allOf")
        for i, member in enumerate(members if isinstance(members, list) else []):
            if (sub := child(node, member, "allOf", i)) is not None:
                self._gather(sub, alts, entries, elsewhere, depth + 1)
        if "if" in s:
            self._conditional(node, alts, entries, elsewhere, depth)
        self._dependents(node, alts, entries, elsewhere, depth)
        for key in ("oneOf", "anyOf"):
            members = s.get(key)
            if not isinstance(members, list):
                continue
            for i, member in enumerate(members):
                sub = child(node, member, key, i)
                if sub is None:
                    continue
                sub = resolve(sub)
                condition = self._trigger_condition(sub, trigger) if trigger else None
                if condition is not None:
                    self._gather(sub, _combine(alts, ((condition,),)), entries, elsewhere, depth + 1)
                elif isinstance(sub.schema.get("properties"), Mapping):
                    elsewhere += [(k, f"{sub.pointer}/properties/{k}") for k in sub.schema["properties"]]

    def _conditional(
        self, node: Node, alts: Visibility, entries: dict[str, _Entry], elsewhere: list[tuple[str, str]], depth: int
    ) -> None:
        s = node.schema
        conditions = parse_if(s["if"])
        branches = [(b, child(node, s.get(b), b)) for b in ("then", "else")]
        if conditions is None:
            probe: dict[str, _Entry] = {}
            for _, sub in branches:
                if sub is not None:
                    self._gather(sub, _ALWAYS, probe, [], depth + 1)
            if set(probe) - set(entries):
                self.schema_problem(
                    node.pointer + "/if",
                    "fields in then/else need an 'if' of the form "
                    '{"properties": {"<field>": {"const": ...} | {"enum": [...]}}, "required": [...]}',
                    "Felder in then/else brauchen eine Bedingung der Form "
                    "„properties“ mit „const“ oder „enum“ je Feld (und „required“).",
                )
            conditions = ()
        branch_alts: dict[str, Visibility] = {
            "then": (conditions,),
            "else": tuple((c.negated(),) for c in conditions) if conditions else _ALWAYS,
        }
        for name, sub in branches:
            if sub is not None:
                self._gather(sub, _combine(alts, branch_alts[name]), entries, elsewhere, depth + 1)

    def _dependents(
        self, node: Node, alts: Visibility, entries: dict[str, _Entry], elsewhere: list[tuple[str, str]], depth: int
    ) -> None:
        keyword = "dependencies" if self.dialect == DRAFT_07 else "dependentSchemas"
        deps = node.schema.get(keyword)
        if not isinstance(deps, Mapping):
            return
        for trigger, dep in deps.items():
            sub = child(node, dep, keyword, trigger)
            if sub is not None:  # draft-07 lists (dependentRequired) add no fields
                present = Condition(trigger, ())
                self._gather(sub, _combine(alts, ((present,),)), entries, elsewhere, depth + 1, trigger=trigger)

    @staticmethod
    def _trigger_condition(member: Node, trigger: str) -> Condition | None:
        props = member.schema.get("properties")
        sub = props.get(trigger) if isinstance(props, Mapping) else None
        if not isinstance(sub, Mapping):
            return None
        if "const" in sub:
            return Condition(trigger, (sub["const"],))
        if isinstance(sub.get("enum"), list) and sub["enum"]:
            return Condition(trigger, tuple(sub["enum"]))
        return None


def _item_schema(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    items = schema.get("items")
    return items if primary_type(schema) == "array" and isinstance(items, Mapping) else schema


def build_layout(
    schema: Any, ui: Any, dialect: str, *, widgets: WidgetRegistry | None = None
) -> tuple[Field, list[Finding]]:
    """The field tree of a form and the problems met while building it."""
    builder = LayoutBuilder(schema, ui, dialect, widgets or WIDGETS)
    root = builder.build()
    return root, builder.findings
