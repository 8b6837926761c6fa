"""JSON Schema dialects a form may declare, their keywords, and the validator for each.

A form without ``$schema`` is JSON Schema 2020-12; ``http://json-schema.org/draft-07/schema#``
(spiff-arena's rjsf/Ajv default) is accepted too. Validators never load anything from the
network: ``$ref`` resolves inside the form and against the bundled metaschemas only.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from jsonschema import Draft7Validator, Draft202012Validator, validators
from jsonschema.protocols import Validator
from jsonschema_specifications import REGISTRY as METASCHEMAS

from engine.forms import keywords

DRAFT_2020_12 = "2020-12"
DRAFT_07 = "draft-07"

_URIS = {
    "https://json-schema.org/draft/2020-12/schema": DRAFT_2020_12,
    "http://json-schema.org/draft-07/schema": DRAFT_07,
    "https://json-schema.org/draft-07/schema": DRAFT_07,
}

_COMMON = frozenset(
    {
        "$schema",
        "$id",
        "$ref",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "readOnly",
        "writeOnly",
        "type",
        "enum",
        "const",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "items",
        "maxItems",
        "minItems",
        "uniqueItems",
        "contains",
        "maxProperties",
        "minProperties",
        "required",
        "properties",
        "patternProperties",
        "additionalProperties",
        "propertyNames",
        "if",
        "then",
        "else",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "format",
        "contentMediaType",
        "contentEncoding",
        "definitions",
    }
)
ONLY_DRAFT_07 = frozenset({"additionalItems", "dependencies"})
ONLY_2020_12 = frozenset(
    {
        "$defs",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$vocabulary",
        "prefixItems",
        "unevaluatedItems",
        "unevaluatedProperties",
        "dependentRequired",
        "dependentSchemas",
        "maxContains",
        "minContains",
        "deprecated",
        "contentSchema",
    }
)
EXTENSIONS = frozenset({"minimumDate", "maximumDate", "x-din91379", "errorMessage", "enumNames"})
"""Our keywords plus spiff-arena's ``errorMessage`` (ajv-errors) and rjsf's legacy ``enumNames``."""

KNOWN_KEYWORDS = {
    # $defs is tolerated in draft-07: Ajv accepts it and a $ref to it is a plain JSON pointer.
    DRAFT_07: _COMMON | ONLY_DRAFT_07 | EXTENSIONS | {"$defs"},
    DRAFT_2020_12: _COMMON | ONLY_2020_12 | EXTENSIONS,
}


def dialect_of(schema: Mapping[str, Any]) -> str:
    """The dialect a schema declares; raises ValueError for a ``$schema`` we do not support."""
    uri = schema.get("$schema")
    if uri is None:
        return DRAFT_2020_12
    if not isinstance(uri, str):
        raise ValueError("$schema must be a string")
    dialect = _URIS.get(uri.rstrip("#"))
    if dialect is None:
        raise ValueError(f"unsupported $schema {uri!r}; use JSON Schema 2020-12 (default) or draft-07")
    return dialect


@cache
def validator_class(dialect: str) -> type[Validator]:
    """The jsonschema validator class of ``dialect`` with our keywords added."""
    if dialect == DRAFT_07:
        return validators.extend(Draft7Validator, keywords.KEYWORDS_DRAFT_07)
    return validators.extend(Draft202012Validator, keywords.KEYWORDS_2020_12)


@cache
def metaschema_validator(dialect: str) -> Validator:
    """Checks a schema against the official metaschema of ``dialect``, offline."""
    base = Draft7Validator if dialect == DRAFT_07 else Draft202012Validator
    return base(base.META_SCHEMA, registry=METASCHEMAS)


def make_validator(schema: Mapping[str, Any], dialect: str) -> Validator:
    """A validator for submissions; ``$ref`` never leaves the form (no remote retrieval)."""
    # Without an explicit registry jsonschema still fetches http(s) refs (with a warning).
    return validator_class(dialect)(schema, registry=METASCHEMAS, format_checker=keywords.format_checker())
