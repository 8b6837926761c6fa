"""Design checks of a form schema beyond building its layout; each returns findings, none raises.

These run on schemas that may break every rule (check_form reports all problems at once), so
every access is guarded.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator, Mapping
from typing import Any

from engine.forms import dates, refs
from engine.forms import ui as uischema
from engine.forms.dialect import DRAFT_07, KNOWN_KEYWORDS, ONLY_2020_12, ONLY_DRAFT_07, metaschema_validator
from engine.forms.keywords import DIN_KINDS
from engine.forms.layout import Field, Finding
from engine.forms.schemas import JSON_TYPES, primary_type

FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CHECKED_FORMATS = frozenset({"date", "date-time", "email"})
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "$comment", "readOnly", "writeOnly"})
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "-": "_", " ": "_"})


def _schema(pointer: str, message: str, user_message: str) -> Finding:
    return Finding("schema", pointer, message, user_message)


def check_root(schema: Any, root: Field) -> Iterator[Finding]:
    if not isinstance(schema, Mapping) or root.kind != "object":
        yield _schema(
            "",
            "the form schema must describe an object with properties",
            "Das Formularschema muss ein Objekt mit Feldern („properties“) beschreiben.",
        )
    elif not root.children:
        yield _schema("", "the form has no fields", "Das Formular hat keine Felder.")


def check_metaschema(schema: Any, dialect: str) -> Iterator[Finding]:
    for error in metaschema_validator(dialect).iter_errors(schema):
        pointer = refs.pointer_of(list(error.absolute_path))
        last = str(error.absolute_path[-1]) if error.absolute_path else ""
        value = error.instance
        if last == "type" and isinstance(value, str):
            hint = uischema.suggest(value, JSON_TYPES)
            german = f"„{value}“ ist kein JSON-Typ." + (f" Meinten Sie „{hint}“?" if hint else "")
        else:
            german = f"Ungültiger Wert für „{last or 'Schema'}“ (JSON Schema {dialect})."
        yield _schema(pointer, f"metaschema: {error.message}", german)


def check_keywords(schema: Any, dialect: str) -> Iterator[Finding]:
    known = KNOWN_KEYWORDS[dialect]
    other = ONLY_2020_12 if dialect == DRAFT_07 else ONLY_DRAFT_07
    for node in refs.walk(schema, dialect):
        for key in node.schema:
            if key in known or key.startswith("x-"):
                continue
            at = f"{node.pointer}/{refs.escape(key)}"
            if key in other:
                yield _schema(
                    at,
                    f"keyword {key!r} is not part of JSON Schema {dialect} and would be ignored",
                    f"„{key}“ gehört nicht zu JSON Schema {dialect} und würde ignoriert.",
                )
            else:
                hint = uischema.suggest(key, sorted(known))
                yield _schema(
                    at,
                    f"unknown keyword {key!r}" + (f" (did you mean {hint!r}?)" if hint else ""),
                    f"Unbekanntes Schlüsselwort „{key}“." + (f" Meinten Sie „{hint}“?" if hint else ""),
                )


def check_refs(schema: Any, dialect: str) -> Iterator[Finding]:
    for node in refs.walk(schema, dialect):
        ref = node.schema.get("$ref")
        if ref is None:
            continue
        at = node.pointer + "/$ref"
        if not isinstance(ref, str):
            continue  # the metaschema check reports it
        ignored = sorted(set(node.schema) - _ANNOTATIONS - {"$ref"})
        if dialect == DRAFT_07 and ignored:
            # Ajv/rjsf merge them, but draft-07 validators ignore everything beside a $ref.
            yield _schema(
                at,
                f"draft-07 ignores keywords beside $ref: {ignored}; wrap the $ref in allOf",
                "In draft-07 werden Angaben neben „$ref“ ignoriert („"
                + "“, „".join(ignored)
                + "“); schreiben Sie den Verweis in „allOf“.",
            )
        if refs.lookup(node.resolver, ref) is None:
            if "://" in ref or not ref.startswith("#"):
                yield _schema(
                    at,
                    f"$ref {ref!r} points outside the form; remote references are not allowed",
                    f"Der Verweis „{ref}“ zeigt aus dem Formular hinaus; das ist nicht erlaubt.",
                )
            else:
                yield _schema(at, f"$ref {ref!r} does not resolve", f"Der Verweis „{ref}“ führt ins Leere.")


def check_subschemas(schema: Any, dialect: str) -> Iterator[Finding]:
    """Patterns, formats, our keywords and errorMessage, wherever they occur."""
    for node in refs.walk(schema, dialect):
        s, p = node.schema, node.pointer
        if isinstance(s.get("pattern"), str):
            try:
                re.compile(s["pattern"])
            except re.error as err:
                yield _schema(
                    p + "/pattern",
                    f"invalid regular expression: {err}",
                    f"Der reguläre Ausdruck in „pattern“ ist ungültig ({err}).",
                )
        fmt = s.get("format")
        if isinstance(fmt, str) and fmt not in CHECKED_FORMATS:
            yield _schema(
                p + "/format",
                f"format {fmt!r} is not checked (supported: {sorted(CHECKED_FORMATS)})",
                f"Das Format „{fmt}“ wird nicht geprüft; unterstützt sind date, date-time und email.",
            )
        for kw in ("minimumDate", "maximumDate"):
            if kw in s:
                yield from _check_bound(refs.flatten(node).schema, kw, p)
        if "x-din91379" in s:
            if s["x-din91379"] not in DIN_KINDS:
                yield _schema(
                    p + "/x-din91379", "x-din91379 must be 'A', 'B' or 'C'", "„x-din91379“ muss „A“, „B“ oder „C“ sein."
                )
            elif primary_type(s) not in (None, "string"):
                yield _schema(
                    p + "/x-din91379", "x-din91379 applies to strings only", "„x-din91379“ gilt nur für Textfelder."
                )
        for kw in ("errorMessage", "x-errorMessage"):
            if kw in s and not _valid_error_message(s[kw]):
                yield _schema(
                    p + "/" + kw,
                    f"{kw} must be a string or an object of strings per keyword",
                    f"„{kw}“ muss ein Text oder ein Objekt mit Texten je Schlüsselwort sein.",
                )


def _check_bound(s: Mapping[str, Any], kw: str, pointer: str) -> Iterator[Finding]:
    try:
        dates.parse_bound(s[kw])
    except ValueError as err:
        yield _schema(
            pointer + "/" + kw,
            str(err),
            f"„{kw}“ ist ungültig: erlaubt sind ein Datum (JJJJ-MM-TT), „today“, "
            "„today-P18Y“ / „today+P14D“ oder „field:<Feldname>“.",
        )
        return
    if s.get("format") != "date":
        yield _schema(
            pointer + "/" + kw,
            f"{kw} needs 'format': 'date' on the same field",
            f"„{kw}“ braucht „format“: „date“ am selben Feld.",
        )


def _valid_error_message(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if not isinstance(value, Mapping):
        return False
    return all(
        isinstance(v, str)
        or (k == "required" and isinstance(v, Mapping) and all(isinstance(x, str) for x in v.values()))
        for k, v in value.items()
    )


def _ascii_name(name: str) -> str:
    folded = name.translate(_FOLD)
    return re.sub(r"[^A-Za-z0-9_]", "", folded).lstrip("_0123456789")


def check_names(root: Field, reserved: frozenset[str]) -> Iterator[Finding]:
    """Field names become script variables (top level) and parts of HTML names and error paths."""
    for obj in (f for f in root.walk() if f.kind == "object"):
        top = obj is root
        for sub in obj.children:
            name = sub.key
            if not FIELD_NAME.fullmatch(name):
                hint = _ascii_name(name)
                yield _schema(
                    sub.pointer,
                    f"field name {name!r} must match [A-Za-z][A-Za-z0-9_]*",
                    f"Der Feldname „{name}“ ist ungültig: erlaubt sind Buchstaben a–z, Ziffern und „_“, "
                    "beginnend mit einem Buchstaben." + (f" Meinten Sie „{hint}“?" if hint else ""),
                )
            elif top and keyword.iskeyword(name):
                yield _schema(
                    sub.pointer,
                    f"field name {name!r} is a Python keyword",
                    f"Der Feldname „{name}“ ist in Skripten ein Schlüsselwort und daher nicht erlaubt.",
                )
            elif top and name in reserved:
                yield _schema(
                    sub.pointer,
                    f"field name {name!r} would shadow the script helper of that name",
                    f"Der Feldname „{name}“ ist für eine Skriptfunktion reserviert.",
                )


def check_object_rules(root: Field, schema: Any, dialect: str) -> Iterator[Finding]:
    """``required`` and dependencies name existing fields; conditions and field: bounds name siblings."""
    resolver = refs.root_resolver(schema, dialect)
    for obj in (f for f in root.walk() if f.kind == "object"):
        names = {f.key for f in obj.children}
        start = refs.Node(obj.schema, obj.pointer, resolver)
        for node in _object_level(start, dialect):
            yield from _check_required(node, names, dialect)
        for sub in obj.children:
            for conj in sub.visible_if:
                for condition in conj:
                    if condition.field not in names:
                        yield _schema(
                            sub.pointer,
                            f"the condition showing {sub.key!r} tests unknown field {condition.field!r}",
                            f"Die Bedingung für „{sub.key}“ prüft ein Feld „{condition.field}“, das es nicht gibt.",
                        )
            yield from _check_field_bounds(obj, sub)


def _check_field_bounds(obj: Field, sub: Field) -> Iterator[Finding]:
    for kw in ("minimumDate", "maximumDate"):
        expr = sub.schema.get(kw)
        if not isinstance(expr, str) or not expr.startswith("field:"):
            continue
        target = obj.child(expr[len("field:") :])
        if target is None or target.kind != "value" or target.schema.get("format") != "date":
            yield _schema(
                sub.pointer + "/" + kw,
                f"{kw} {expr!r} must name a date field of the same object",
                f"„{kw}“ „{expr}“ muss ein Datumsfeld desselben Abschnitts nennen.",
            )


def _object_level(node: refs.Node, dialect: str, depth: int = 0) -> Iterator[refs.Node]:
    """The object's schema and the branches that add rules to the same object."""
    node = refs.resolve(node)
    yield node
    if depth > 8:
        return
    s = node.schema
    subs: list[refs.Node | None] = [refs.child(node, s.get(k), k) for k in ("then", "else")]
    for key in ("allOf", "oneOf", "anyOf"):
        if isinstance(s.get(key), list):
            subs += [refs.child(node, m, key, i) for i, m in enumerate(s[key])]
    for key in ("dependentSchemas", "dependencies"):
        if isinstance(s.get(key), Mapping):
            subs += [refs.child(node, m, key, n) for n, m in s[key].items()]
    for sub in subs:
        if sub is not None:
            yield from _object_level(sub, dialect, depth + 1)


def _unknown(names_used: Any, names: set[str], pointer: str, keyword_name: str) -> Iterator[Finding]:
    if not isinstance(names_used, list):
        return
    for i, name in enumerate(names_used):
        if isinstance(name, str) and name not in names:
            hint = uischema.suggest(name, sorted(names))
            yield _schema(
                f"{pointer}/{i}",
                f"{keyword_name} names undefined field {name!r}" + (f" (did you mean {hint!r}?)" if hint else ""),
                f"„{keyword_name}“ nennt ein Feld „{name}“, das es nicht gibt."
                + (f" Meinten Sie „{hint}“?" if hint else ""),
            )


def _check_required(node: refs.Node, names: set[str], dialect: str) -> Iterator[Finding]:
    s, p = node.schema, node.pointer
    yield from _unknown(s.get("required"), names, p + "/required", "required")
    key = "dependencies" if dialect == DRAFT_07 else "dependentRequired"
    deps = s.get(key)
    if isinstance(deps, Mapping):
        for trigger, listed in deps.items():
            at = f"{p}/{key}/{refs.escape(str(trigger))}"
            if trigger not in names:
                yield _schema(
                    at,
                    f"{key} names undefined field {trigger!r}",
                    f"„{key}“ nennt ein Feld „{trigger}“, das es nicht gibt.",
                )
            yield from _unknown(listed, names, at, key)


def check_autofocus(root: Field) -> Iterator[Finding]:
    focused = [f for f in root.walk() if uischema.option(f.ui, "autofocus") is True]
    for extra in focused[1:]:
        yield Finding(
            "ui", extra.ui_pointer, "more than one field has ui:autofocus", "Nur ein Feld darf „ui:autofocus“ haben."
        )
