"""German messages for JSON Schema validation errors, placed at the field they concern.

jsonschema's messages are English and quote the input; clerks need a German sentence next to
the right input. A designer can replace any message with spiff-arena's (ajv-errors) convention:
``"errorMessage": "…"`` (all errors of that schema) or ``{"pattern": "…", "required": {"feld":
"…"}}`` per keyword; ``x-errorMessage`` is accepted as a synonym.

``oneOf``/``anyOf`` failures are explained by the errors of the best-matching member, so a
clerk reads "Bitte geben Sie eine ganze Zahl ein." instead of "matches none of the options".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from jsonschema import ValidationError

from engine import din91379
from engine.forms import dates
from engine.forms.schemas import choice_options, label_of

if TYPE_CHECKING:
    from engine.forms.definition import FormDefinition
    from engine.forms.layout import Field

REQUIRED = "Bitte füllen Sie dieses Feld aus."
CONFIRM = "Bitte bestätigen Sie dies."
CHOOSE = "Bitte wählen Sie eine Möglichkeit aus."
INVALID = "Die Eingabe ist ungültig."

_DIN_PLACE = {"A": "in Namen", "B": "in Namen von Orten, Straßen und Organisationen", "C": "in diesem Feld"}
_CHOICE_WIDGETS = frozenset({"select", "radio", "checkboxes"})


def path_of(error: ValidationError) -> str:
    """``personen/1/vorname``: the data path of an error ("" for the whole form)."""
    return "/".join(str(p) for p in error.absolute_path)


def explain(form: FormDefinition, error: ValidationError) -> Iterator[tuple[str, str]]:
    """``(path, German message)`` pairs for one jsonschema error."""
    if error.validator in ("oneOf", "anyOf") and _custom(error, None) is None:
        branch = _best_branch(error)
        if branch is not None:
            for sub in branch:
                yield from explain(form, sub)
            return
    path = path_of(error)
    yield path, message_for(error, form.field_at(path), form)


def _best_branch(error: ValidationError) -> list[ValidationError] | None:
    """The errors of the member the input came closest to; None for option lists and ambiguity."""
    if not error.context or choice_options(error.schema) is not None:
        return None
    groups: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        groups.setdefault(sub.relative_schema_path[0], []).append(sub)

    def distance(errors: list[ValidationError]) -> tuple[int, int, int]:
        wrong_type = sum(1 for e in errors if e.validator == "type" and not e.relative_path)
        # a member whose discriminator ("art": {"const": "x"}) does not match is the wrong member
        wrong_kind = sum(1 for e in errors if e.validator in ("const", "enum") and len(e.relative_path) == 1)
        return wrong_type, wrong_kind, len(errors)

    return min(groups.values(), key=distance)


def number(value: Any) -> str:
    """German notation: ``2,5``; integral floats without decimals."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def _custom(error: ValidationError, field: Field | None) -> str | None:
    """A designer's errorMessage for this error, if any."""
    keyword = str(error.validator)
    is_required = keyword in ("required", "dependentRequired", "dependencies") and error.relative_path
    schemas = [error.schema] + ([field.schema] if is_required and field is not None else [])
    for i, schema in enumerate(schemas):
        if not isinstance(schema, Mapping):
            continue
        for key in ("errorMessage", "x-errorMessage"):
            custom = schema.get(key)
            if isinstance(custom, str) and i == 0:
                return custom
            if not isinstance(custom, Mapping):
                continue
            chosen = custom.get("required" if is_required else keyword)
            if isinstance(chosen, str):
                return chosen
            if isinstance(chosen, Mapping) and is_required and i == 0:
                per_field = chosen.get(str(error.relative_path[-1]))
                if isinstance(per_field, str):
                    return per_field
    return None


def message_for(error: ValidationError, field: Field | None, form: FormDefinition | None = None) -> str:
    """The German message for one error located at ``field`` (None if it is not a form field)."""
    custom = _custom(error, field)
    if custom is not None:
        return custom
    handler = _HANDLERS.get(str(error.validator), _fallback)
    return handler(error, field, form)


Handler = Callable[[ValidationError, "Field | None", "FormDefinition | None"], str]


def _required(error: ValidationError, field: Field | None, form: FormDefinition | None) -> str:
    if field is not None and field.widget == "checkbox":
        return CONFIRM
    if field is not None and field.widget in _CHOICE_WIDGETS:
        return CHOOSE
    if field is not None and field.kind == "array":
        return "Bitte geben Sie mindestens einen Eintrag an."
    trigger = getattr(error, "trigger", None)
    if trigger is not None and form is not None:
        parent = "/".join(str(p) for p in list(error.absolute_path)[:-1])
        other = form.field_at(f"{parent}/{trigger}" if parent else trigger)
        title = other.title if other is not None else trigger
        return f"Bitte füllen Sie dieses Feld aus; es wird benötigt, wenn „{title}“ angegeben ist."
    return REQUIRED


_TYPE_MESSAGES = {
    "integer": "Bitte geben Sie eine ganze Zahl ein.",
    "number": "Bitte geben Sie eine Zahl ein.",
    "boolean": "Bitte wählen Sie „Ja“ oder „Nein“.",
    "string": "Bitte geben Sie einen Text ein.",
    "array": "Bitte geben Sie eine Liste an.",
    "object": "Bitte füllen Sie die Angaben dieses Abschnitts aus.",
    "null": "Dieses Feld muss leer bleiben.",
}


def _type(error: ValidationError, field: Field | None, form: FormDefinition | None) -> str:
    expected = error.validator_value
    types = [expected] if isinstance(expected, str) else list(expected or [])
    main = next((t for t in types if t != "null"), "null")
    return _TYPE_MESSAGES.get(main, INVALID)


def _characters(n: int) -> str:
    return "ein Zeichen" if n == 1 else f"{n} Zeichen"


def _format(error: ValidationError, field: Field | None, form: FormDefinition | None) -> str:
    return {
        "date": "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).",
        "date-time": "Bitte geben Sie ein gültiges Datum mit Uhrzeit ein (TT.MM.JJJJ HH:MM).",
        "email": "Bitte geben Sie eine gültige E-Mail-Adresse ein (zum Beispiel name@example.de).",
    }.get(str(error.validator_value), INVALID)


def _options_text(schema: Any, field: Field | None) -> str:
    options = choice_options(schema) if isinstance(schema, Mapping) else None
    if not options or len(options) > 5:
        return ""
    return ": " + ", ".join(f"„{label}“" for _, label in options)


def _enum(error: ValidationError, field: Field | None, form: FormDefinition | None) -> str:
    return "Bitte wählen Sie einen der vorgegebenen Werte" + _options_text(error.schema, field) + "."


def _const(error: ValidationError, field: Field | None, form: FormDefinition | None) -> str:
    if error.validator_value is True:
        return CONFIRM
    return f"Hier ist nur „{label_of(error.validator_value)}“ zulässig."


def _multiple_of(error: ValidationError, field: Field | None, form: FormDefinition | None) -> str:
    step = error.validator_value
    for places in range(1, 7):
        if step == 10**-places:
            return (
                "Bitte geben Sie höchstens "
                + ("eine Nachkommastelle" if places == 1 else f"{places} Nachkommastellen")
                + " ein."
            )
    if step == 1:
        return _TYPE_MESSAGES["integer"]
    return f"Der Wert muss ein Vielfaches von {number(step)} sein."


def _items(n: Any, at_least: bool, field: Field | None) -> str:
    bound = "mindestens" if at_least else "höchstens"
    if field is not None and field.kind == "choices":
        return f"Bitte wählen Sie {bound} {'eine Möglichkeit' if n == 1 else f'{n} Möglichkeiten'} aus."
    return f"Bitte geben Sie {bound} {'einen Eintrag' if n == 1 else f'{n} Einträge'} an."


def _din(error: ValidationError, field: Field | None, form: FormDefinition | None) -> str:
    kind = str(error.validator_value)
    text = error.instance if isinstance(error.instance, str) else ""
    bad = din91379.invalid_characters(text, kind)
    shown = [_show_char(c) for c in bad] or ["?"]
    if len(shown) == 1:
        message = f"Das Zeichen {shown[0]} ist {_DIN_PLACE.get(kind, 'hier')} nicht zulässig (DIN SPEC 91379)."
    else:
        listed = ", ".join(shown[:-1]) + " und " + shown[-1]
        message = f"Die Zeichen {listed} sind {_DIN_PLACE.get(kind, 'hier')} nicht zulässig (DIN SPEC 91379)."
    for c in bad:
        compatible = unicodedata.normalize("NFKC", c)
        if compatible != c and din91379.is_valid(compatible, kind):
            message += f" Bitte schreiben Sie „{compatible}“ statt „{c}“."
    return message


def _show_char(c: str) -> str:
    """„😀“ for visible characters; invisible ones by code point, since „“ would show nothing."""
    if all(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in c) or unicodedata.combining(c[0]):
        return " ".join(f"U+{ord(ch):04X}" for ch in c) + " (unsichtbares Zeichen)"
    return f"„{c}“"


def _date_bound(error: ValidationError, field: Field | None, form: FormDefinition | None) -> str:
    bound = getattr(error, "bound", None)
    when = dates.format_date(bound) if bound else str(error.validator_value)
    relation = "vor dem" if error.validator == "minimumDate" else "nach dem"
    return f"Das Datum darf nicht {relation} {when} liegen."


def _one_of(error: ValidationError, field: Field | None, form: FormDefinition | None) -> str:
    if choice_options(error.schema) is not None:
        return _enum(error, field, form)
    if error.validator == "oneOf" and not error.context:
        return "Die Angaben passen zu mehr als einer der vorgesehenen Möglichkeiten."
    return "Die Angaben passen zu keiner der vorgesehenen Möglichkeiten."


def _fallback(error: ValidationError, field: Field | None, form: FormDefinition | None) -> str:
    return INVALID


def _fixed(text: str) -> Handler:
    return lambda error, field, form: text


_HANDLERS: dict[str, Handler] = {
    "required": _required,
    "dependentRequired": _required,
    "dependencies": _required,
    "type": _type,
    "minLength": lambda e, f, form: f"Bitte geben Sie mindestens {_characters(e.validator_value)} ein.",
    "maxLength": lambda e, f, form: (
        f"Bitte geben Sie höchstens {_characters(e.validator_value)} ein (jetzt: {len(e.instance)})."
    ),
    "pattern": _fixed("Die Eingabe hat nicht das erwartete Format."),
    "format": _format,
    "enum": _enum,
    "const": _const,
    "minimum": lambda e, f, form: f"Der Wert muss mindestens {number(e.validator_value)} sein.",
    "maximum": lambda e, f, form: f"Der Wert darf höchstens {number(e.validator_value)} sein.",
    "exclusiveMinimum": lambda e, f, form: f"Der Wert muss größer als {number(e.validator_value)} sein.",
    "exclusiveMaximum": lambda e, f, form: f"Der Wert muss kleiner als {number(e.validator_value)} sein.",
    "multipleOf": _multiple_of,
    "minItems": lambda e, f, form: _items(e.validator_value, True, f),
    "maxItems": lambda e, f, form: _items(e.validator_value, False, f),
    "uniqueItems": _fixed("Jeder Eintrag darf nur einmal vorkommen."),
    "contains": _fixed("Die Liste enthält nicht die erforderlichen Einträge."),
    "minContains": _fixed("Die Liste enthält zu wenige passende Einträge."),
    "maxContains": _fixed("Die Liste enthält zu viele passende Einträge."),
    "minProperties": lambda e, f, form: f"Bitte machen Sie mindestens {e.validator_value} Angaben.",
    "maxProperties": lambda e, f, form: f"Bitte machen Sie höchstens {e.validator_value} Angaben.",
    "additionalProperties": _fixed("Dieser Abschnitt enthält Angaben, die hier nicht vorgesehen sind."),
    "unevaluatedProperties": _fixed("Dieser Abschnitt enthält Angaben, die hier nicht vorgesehen sind."),
    "additionalItems": _fixed("Die Liste enthält mehr Einträge als vorgesehen."),
    "unevaluatedItems": _fixed("Die Liste enthält mehr Einträge als vorgesehen."),
    "propertyNames": _fixed("Ein Feldname ist ungültig."),
    "not": _fixed("Diese Angabe ist hier nicht zulässig."),
    "oneOf": _one_of,
    "anyOf": _one_of,
    "minimumDate": _date_bound,
    "maximumDate": _date_bound,
    "x-din91379": _din,
    "None": _fixed("Diese Angabe ist hier nicht vorgesehen."),  # a `false` subschema
}
