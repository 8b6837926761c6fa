"""A fast yes/no check of message input, compiled once per input schema.

Contract: :func:`compile_quick_check` turns an input schema into a predicate that answers
exactly what ``jsonschema`` (with the keywords of :mod:`engine.xoev.input_schema`) answers
for "is this instance valid?" – or raises :class:`Undecided` for the rare instance it cannot
judge exactly (``enum`` of non-text values, ``uniqueItems`` over non-text items). It returns
``None`` when the schema uses a keyword outside the subset compiled here, or a ``$ref`` that
is not local; callers then always use ``jsonschema``.

Why: walking the ``jsonschema`` validator costs about 2 ms for a three-person Rückmeldung,
more than rendering and XSD validation together. Valid input – the normal case – is now
judged by closures in about 0.15 ms; only invalid input goes through
``jsonschema``, which produces the German messages per field. The predicate never decides
more leniently than ``jsonschema``: ``tests/engine/xoev/test_quickcheck.py`` compares the two
on generated data.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from engine import din91379
from engine.errors import AmtskofferError
from engine.xoev.codelists import CodeListRegistry

Check = Callable[[Any], bool]

# Keywords with a meaning for validation that this module compiles; every other keyword that
# jsonschema validates makes the schema "unsupported". Anything else (title, $comment, x-…) is
# an annotation, which jsonschema ignores as well.
_COMPILED = frozenset({
    "type", "properties", "required", "additionalProperties", "items", "$ref", "minLength", "maxLength",
    "pattern", "format", "enum", "const", "minItems", "maxItems", "uniqueItems", "not", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "allOf", "anyOf", "oneOf", "x-din91379", "x-codelist",
})
_VALIDATING = frozenset(Draft202012Validator.VALIDATORS) | {"x-din91379", "x-codelist"}
_DIN_DATATYPES = ("A", "B", "C")


class Undecided(Exception):
    """The quick check cannot judge this instance exactly; ask ``jsonschema``."""


class _Unsupported(Exception):
    pass


def _is_type(instance: Any, kind: str) -> bool:
    # The type checker of Draft 2020-12 as jsonschema implements it.
    if kind == "string":
        return isinstance(instance, str)
    if kind == "object":
        return isinstance(instance, dict)
    if kind == "array":
        return isinstance(instance, list)
    if kind == "boolean":
        return isinstance(instance, bool)
    if kind == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if kind == "number":
        return isinstance(instance, numbers.Number)
    if kind == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    raise _Unsupported(f"type {kind!r}")


def _same(instance: Any, expected: Any) -> bool:
    """``enum``/``const`` equality for the values where Python's equals JSON's."""
    if isinstance(expected, str) or expected is None:
        return type(instance) is type(expected) and instance == expected
    if isinstance(instance, str) or instance is None:
        return False  # text or null never equals a number, bool, list or object
    raise Undecided("enum/const with non-text values")


class _Compiler:
    def __init__(self, root: Mapping[str, Any], registry: CodeListRegistry, bundle: Path,
                 formats: FormatChecker) -> None:
        self.root = root
        self.registry = registry
        self.bundle = bundle
        self.formats = formats
        self.refs: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        if pointer in self.refs:
            return self.refs[pointer]
        match = re.fullmatch(r"#/(\$defs|definitions)/([^/~]+)", pointer)
        if pointer == "#":
            target: Any = self.root
        elif match is not None and isinstance(self.root.get(match.group(1)), Mapping) \
                and match.group(2) in self.root[match.group(1)]:
            target = self.root[match.group(1)][match.group(2)]
        else:
            raise _Unsupported(f"$ref {pointer!r}")
        slot: list[Check] = []
        # Registered before compiling, so recursive definitions refer to themselves.
        self.refs[pointer] = lambda value: slot[0](value)
        slot.append(self.compile(target))
        return self.refs[pointer]

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, Mapping):
            raise _Unsupported("schema is neither an object nor a boolean")
        unknown = (set(schema) & _VALIDATING) - _COMPILED
        if unknown:
            raise _Unsupported(f"keywords {sorted(unknown)}")
        checks: list[Check] = []

        if "type" in schema:
            kinds = [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
            for kind in kinds:
                _is_type(None, kind)  # refuses unknown type names now
            checks.append(lambda v, kinds=kinds: any(_is_type(v, k) for k in kinds))
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"]))
        if "enum" in schema:
            values = list(schema["enum"])
            checks.append(lambda v, values=values: any(_same(v, e) for e in values))
        if "const" in schema:
            const = schema["const"]
            checks.append(lambda v, const=const: _same(v, const))
        if "not" in schema:
            negated = self.compile(schema["not"])
            checks.append(lambda v, negated=negated: not negated(v))
        checks += self._combinators(schema)
        checks += self._string(schema)
        checks += self._number(schema)
        checks += self._array(schema)
        checks += self._object(schema)

        if not checks:
            return lambda value: True
        if len(checks) == 1:
            return checks[0]
        return _all_of(tuple(checks))

    def _combinators(self, schema: Mapping[str, Any]) -> list[Check]:
        # An Undecided raised inside a branch propagates: the whole value goes to jsonschema.
        checks: list[Check] = []
        if "allOf" in schema:
            checks.append(_all_of(tuple(self.compile(sub) for sub in schema["allOf"])))
        if "anyOf" in schema:
            branches = tuple(self.compile(sub) for sub in schema["anyOf"])
            checks.append(lambda v, branches=branches: any(b(v) for b in branches))
        if "oneOf" in schema:
            branches = tuple(self.compile(sub) for sub in schema["oneOf"])
            checks.append(lambda v, branches=branches: sum(1 for b in branches if b(v)) == 1)
        return checks

    def _string(self, schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "minLength" in schema:
            n = schema["minLength"]
            checks.append(lambda v, n=n: not isinstance(v, str) or len(v) >= n)
        if "maxLength" in schema:
            n = schema["maxLength"]
            checks.append(lambda v, n=n: not isinstance(v, str) or len(v) <= n)
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search  # jsonschema uses re.search, unanchored
            checks.append(lambda v, search=search: not isinstance(v, str) or search(v) is not None)
        if "format" in schema:
            fmt, conforms = schema["format"], self.formats.conforms
            checks.append(lambda v, fmt=fmt, conforms=conforms: conforms(v, fmt))
        if "x-din91379" in schema:
            datatype, bundle = schema["x-din91379"], self.bundle
            if datatype in _DIN_DATATYPES:
                checks.append(lambda v, datatype=datatype, bundle=bundle:
                              not isinstance(v, str) or din91379.is_valid(v, datatype, bundle=bundle))
            else:  # jsonschema reports the unknown datatype for every text
                checks.append(lambda v: not isinstance(v, str))
        if "x-codelist" in schema:
            try:
                code_list = self.registry.get(schema["x-codelist"])
            except AmtskofferError as err:  # let jsonschema raise it where it always did
                raise _Unsupported(str(err)) from err
            checks.append(lambda v, code_list=code_list: not isinstance(v, str) or v in code_list)
        return checks

    def _number(self, schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        number = lambda v: isinstance(v, numbers.Number) and not isinstance(v, bool)  # noqa: E731
        for keyword, holds in (("minimum", lambda v, b: v >= b), ("maximum", lambda v, b: v <= b),
                               ("exclusiveMinimum", lambda v, b: v > b), ("exclusiveMaximum", lambda v, b: v < b)):
            if keyword in schema:
                bound = schema[keyword]
                checks.append(lambda v, bound=bound, holds=holds: not number(v) or holds(v, bound))
        return checks

    def _array(self, schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "items" in schema:
            if isinstance(schema["items"], list):
                raise _Unsupported("items as an array (prefixItems form)")
            item = self.compile(schema["items"])

            def check_items(v: Any, item: Check = item) -> bool:
                if isinstance(v, list):
                    for x in v:
                        if not item(x):
                            return False
                return True

            checks.append(check_items)
        if "minItems" in schema:
            n = schema["minItems"]
            checks.append(lambda v, n=n: not isinstance(v, list) or len(v) >= n)
        if "maxItems" in schema:
            n = schema["maxItems"]
            checks.append(lambda v, n=n: not isinstance(v, list) or len(v) <= n)
        if schema.get("uniqueItems") is True:
            checks.append(_unique)
        return checks

    def _object(self, schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "required" in schema:
            names = list(schema["required"])
            checks.append(lambda v, names=names: not isinstance(v, dict) or all(n in v for n in names))
        properties = {name: self.compile(sub) for name, sub in dict(schema.get("properties", {})).items()}
        if properties:
            pairs = tuple(properties.items())

            def check_properties(v: Any, pairs: tuple[tuple[str, Check], ...] = pairs) -> bool:
                if not isinstance(v, dict):
                    return True
                for name, check in pairs:  # noqa: SIM110 - a plain loop: this runs for every value
                    if name in v and not check(v[name]):
                        return False
                return True

            checks.append(check_properties)
        if "additionalProperties" in schema:
            extra_schema = schema["additionalProperties"]
            known = frozenset(properties)
            if extra_schema is False:
                checks.append(lambda v, known=known: not isinstance(v, dict) or known.issuperset(v))
            elif extra_schema is not True:
                extra = self.compile(extra_schema)
                checks.append(lambda v, known=known, extra=extra: not isinstance(v, dict) or all(
                    extra(value) for key, value in v.items() if key not in known))
        return checks


def _all_of(checks: tuple[Check, ...]) -> Check:
    def check(value: Any) -> bool:
        for one in checks:  # noqa: SIM110 - a plain loop: all() with a generator costs twice as much
            if not one(value):
                return False
        return True

    return check


def _unique(value: Any) -> bool:
    if not isinstance(value, list):
        return True
    if all(isinstance(x, str) for x in value):
        return len(set(value)) == len(value)
    raise Undecided("uniqueItems over non-text items")


def compile_quick_check(schema: Mapping[str, Any], registry: CodeListRegistry, bundle: Path,
                        formats: FormatChecker) -> Check | None:
    """The exact validity predicate of ``schema``, or None if it uses keywords not compiled here.

    The predicate may raise :class:`Undecided`; treat that like "invalid" and ask ``jsonschema``.
    """
    compiler = _Compiler(schema, registry, bundle, formats)
    try:
        return compiler.compile(schema)
    except (_Unsupported, re.error):
        return None
