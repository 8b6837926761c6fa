"""engine/xoev/quickcheck.py: the fast yes/no answers exactly what jsonschema answers.

Differential test: the shipped message types' examples, randomly damaged, are judged by both;
where the quick check decides, it must agree with jsonschema (never more lenient, never stricter).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from engine.settings import Settings
from engine.xoev.codelists import CodeListRegistry
from engine.xoev.generate import message_types
from engine.xoev.input_schema import FORMATS, input_errors, make_validator, normalize
from engine.xoev.quickcheck import Undecided, compile_quick_check

SETTINGS = Settings()
REGISTRY = CodeListRegistry.load(SETTINGS.message_types_dir.parent / "codelists", SETTINGS.xoev_schema_dir)
TYPES = message_types(SETTINGS)

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(["", "01", "1", "9", "000", "999", "1984", "1984-08", "1984-08-12", "1984-13-01", "2025-02-30",
                     "13072074", "1307207", "18233", "7b", "12 ab", "C01X00T47", "c01x00t47", "Müller", "Mu\u0308ller",
                     "Ǆenan", "Q\u0308", "a\nb", "2025-11-03T10:15:30+01:00", "2025-11-03T10:15:30"]),
    st.lists(st.sampled_from(["000", "111", "000", "x"]), max_size=3),
    st.dictionaries(st.sampled_from(["a", "name"]), st.text(max_size=2), max_size=2),
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, sub in value.items():
            found += paths(sub, (*prefix, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            found += paths(sub, (*prefix, index))
    return found


def damaged(data: dict[str, Any], edits: list[tuple[int, str, Any]]) -> Any:
    data = copy.deepcopy(data)
    for index, action, given_value in edits:
        value = copy.deepcopy(given_value)  # never the same object twice (that could make a cycle)
        candidates = paths(data)[1:]
        if not candidates:
            break
        path = candidates[index % len(candidates)]
        parent: Any = data
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        if action == "set":
            parent[key] = value
        elif action == "swap":  # a value from elsewhere in the example: often still valid
            donor = paths(data)[1:][(index * 7 + 3) % len(candidates)]
            found: Any = data
            for step in donor:
                found = found[step]
            if type(found) is type(parent[key]) and not isinstance(found, dict | list):
                parent[key] = copy.deepcopy(found)
        elif action == "delete":
            del parent[key]
        elif isinstance(parent, dict):  # "add": an unexpected sibling
            parent[f"extra_{index % 3}"] = value
        else:
            parent.append(value)
    return data


EDITS = st.lists(st.tuples(st.integers(0, 500), st.sampled_from(["set", "delete", "add", "swap", "swap"]), VALUES),
                 min_size=1, max_size=3)


@pytest.mark.parametrize("name", sorted(TYPES))
@hypothesis_settings(max_examples=150, deadline=None)
@given(edits=EDITS)
def test_quick_check_agrees_with_jsonschema(name: str, edits: list[tuple[int, str, Any]]) -> None:
    mtype = TYPES[name]
    assert mtype.quick_check is not None, "the shipped schemas use only compiled keywords"
    data = normalize(damaged(dict(mtype.example.data), edits))
    expected = not input_errors(mtype.validator, data)
    try:
        decided = mtype.quick_check(data)
    except Undecided:
        return
    assert decided == expected, (data, input_errors(mtype.validator, data))
    assert mtype.input_errors(data) == input_errors(mtype.validator, data)


@pytest.mark.parametrize("name", sorted(TYPES))
def test_examples_pass_the_quick_check(name: str) -> None:
    mtype = TYPES[name]
    assert mtype.quick_check is not None and mtype.quick_check(normalize(mtype.example.data)) is True


@pytest.mark.parametrize("schema", [
    {"if": {"type": "string"}, "then": {"minLength": 2}},
    {"properties": {"a": {"dependentRequired": {"b": ["c"]}}}},
    {"$ref": "https://example.org/schema.json"},
    {"items": [{"type": "string"}]},
    {"patternProperties": {"^x": {"type": "string"}}},
    {"type": "zahl"},
    {"pattern": "(unbalanced"},
])
def test_schemas_outside_the_subset_get_no_quick_check(schema: dict[str, Any]) -> None:
    assert compile_quick_check(schema, REGISTRY, SETTINGS.xoev_schema_dir, FORMATS) is None


def test_what_it_cannot_judge_exactly_goes_to_jsonschema() -> None:
    schema = {"type": "object", "properties": {"n": {"enum": [1, 2]}, "l": {"type": "array", "uniqueItems": True}}}
    check = compile_quick_check(schema, REGISTRY, SETTINGS.xoev_schema_dir, FORMATS)
    assert check is not None
    assert check({"n": "1", "l": ["a", "b"]}) is False and check({"l": ["a", "a"]}) is False
    with pytest.raises(Undecided):
        check({"n": 1})
    with pytest.raises(Undecided):
        check({"l": [1, True]})  # jsonschema tells 1 and True apart; a set would not
    validator = make_validator(schema, REGISTRY, SETTINGS.xoev_schema_dir)
    assert input_errors(validator, {"l": [1, True]}) == {}


def test_recursive_definitions_compile() -> None:
    schema = {"$defs": {"node": {"type": "object", "properties": {"kinder": {"type": "array",
                                                                          "items": {"$ref": "#/$defs/node"}},
                                                             "name": {"type": "string", "x-din91379": "A"}}}},
              "$ref": "#/$defs/node"}
    check = compile_quick_check(schema, REGISTRY, SETTINGS.xoev_schema_dir, FORMATS)
    assert check is not None
    assert check({"name": "Ada", "kinder": [{"name": "Bea", "kinder": []}]}) is True
    assert check({"name": "Ada", "kinder": [{"name": "B€a"}]}) is False


COMBINED = {
    "allOf": {"allOf": [{"type": "string"}, {"minLength": 2}]},
    "anyOf": {"anyOf": [{"type": "string", "maxLength": 1}, {"type": "integer"}]},
    "oneOf": {"oneOf": [{"type": "string"}, {"type": "string", "minLength": 3}]},
    "oneOf+not": {"type": "object", "oneOf": [{"required": ["a"], "not": {"required": ["b"]}},
                                              {"required": ["b"]}]},
}


@pytest.mark.parametrize("name", sorted(COMBINED))
@pytest.mark.parametrize("value", ["", "x", "xyz", 7, 7.5, None, {}, {"a": 1}, {"b": 1}, {"a": 1, "b": 1}, []])
def test_combinators_judge_like_jsonschema(name: str, value: Any) -> None:
    schema = COMBINED[name]
    check = compile_quick_check(schema, REGISTRY, SETTINGS.xoev_schema_dir, FORMATS)
    assert check is not None
    assert check(value) == (not input_errors(make_validator(schema, REGISTRY, SETTINGS.xoev_schema_dir), value))
