"""Walking a form schema: following ``$ref`` inside the form and visiting every subschema.

Everything here is defensive: :func:`engine.forms.definition.check_form` runs it on schemas
that may violate the metaschema, and it must report problems, not crash.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jsonschema_specifications import REGISTRY as METASCHEMAS
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT7, DRAFT202012

from engine.forms.dialect import DRAFT_07

if TYPE_CHECKING:
    from referencing._core import Resolver  # not re-exported by `referencing`, only needed for hints

MAX_REF_CHAIN = 16

# Keywords whose value is a schema, a list of schemas, or a mapping of names to schemas.
_SCHEMA_VALUED = (
    "items",
    "additionalItems",
    "additionalProperties",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "not",
    "contentSchema",
)
_LIST_VALUED = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_MAP_VALUED = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies")


def escape(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer_of(parts: Iterator[Any] | list[Any] | tuple[Any, ...]) -> str:
    return "".join("/" + escape(str(p)) for p in parts)


def root_resolver(schema: Any, dialect: str) -> Resolver[Any]:
    """A resolver for ``$ref`` within ``schema`` (and the bundled metaschemas, nothing else)."""
    spec = DRAFT7 if dialect == DRAFT_07 else DRAFT202012
    contents: Any = schema if isinstance(schema, Mapping | bool) else {}
    if isinstance(contents, Mapping) and not isinstance(contents.get("$id", ""), str):
        contents = {k: v for k, v in contents.items() if k != "$id"}  # broken $id: reported by the metaschema
    return METASCHEMAS.resolver_with_root(spec.create_resource(contents))


@dataclass(frozen=True, slots=True)
class Node:
    """A subschema with its location and the resolver that applies inside it."""

    schema: Mapping[str, Any]
    pointer: str
    resolver: Resolver[Any]


def local_pointer(ref: str) -> str | None:
    """The JSON pointer of a same-document ``$ref`` (``#/$defs/person``), else None."""
    return ref[1:] if ref.startswith("#/") or ref == "#" else None


def lookup(resolver: Resolver[Any], ref: str) -> Any | None:
    """``resolver.lookup(ref)``, or None if the reference does not resolve."""
    try:
        return resolver.lookup(ref)
    except Unresolvable:
        return None
    except (TypeError, AttributeError, ValueError, KeyError, IndexError):
        # referencing assumes a valid schema; inside a broken one (``"$defs": null``) it fails
        # with arbitrary errors. The metaschema check reports the real cause.
        return None


def resolve(node: Node) -> Node:
    """Follow ``$ref`` chains; sibling keywords of a ``$ref`` override the target's (rjsf merges them).

    Unresolvable or cyclic references leave the node as it is; check_form reports them.
    """
    schema, pointer, resolver = node.schema, node.pointer, node.resolver
    merged: dict[str, Any] = {}
    for _ in range(MAX_REF_CHAIN):
        ref = schema.get("$ref")
        if not isinstance(ref, str):
            break
        merged = {k: v for k, v in schema.items() if k != "$ref"} | merged
        target = lookup(resolver, ref)
        if target is None or not isinstance(target.contents, Mapping):
            return node
        schema, resolver = target.contents, target.resolver
        pointer = local_pointer(ref) if local_pointer(ref) is not None else pointer
    else:
        return node  # a $ref cycle
    if merged:
        schema = {**schema, **merged}
        schema.pop("$ref", None)
    return Node(schema, pointer, resolver)


def flatten(node: Node, depth: int = 0) -> Node:
    """``node`` resolved, with the keywords of its ``allOf`` members merged in (its own win).

    Only for reading what a field *is* (type, format, title, bounds): validation still runs on
    the real schema. Object fields are not flattened; their members are gathered field by field.
    """
    node = resolve(node)
    members = node.schema.get("allOf")
    if not isinstance(members, list) or depth > MAX_REF_CHAIN:
        return node
    merged: dict[str, Any] = {}
    for i, member in enumerate(members):
        sub = child(node, member, "allOf", i)
        if sub is not None:
            merged.update(flatten(sub, depth + 1).schema)
    merged.update({k: v for k, v in node.schema.items() if k != "allOf"})
    return Node(merged, node.pointer, node.resolver)


def child(node: Node, schema: Any, *tokens: Any) -> Node | None:
    """The subschema ``schema`` found under ``tokens`` of ``node``; None if it is not an object."""
    if not isinstance(schema, Mapping):
        return None
    resolver = node.resolver
    if isinstance(schema.get("$id"), str):
        resolver = resolver.in_subresource(DRAFT202012.create_resource(schema))
    return Node(schema, node.pointer + pointer_of(tokens), resolver)


def subschemas(node: Node, dialect: str) -> Iterator[Node]:
    """Every subschema (objects only) directly below ``node``, for checks that visit them all."""
    s = node.schema
    for key in _SCHEMA_VALUED:
        if key in s and (sub := child(node, s[key], key)) is not None:
            yield sub
    for key in _LIST_VALUED:
        if isinstance(s.get(key), list):
            for i, item in enumerate(s[key]):
                if (sub := child(node, item, key, i)) is not None:
                    yield sub
    for key in _MAP_VALUED:
        if isinstance(s.get(key), Mapping):
            for name, item in s[key].items():
                if (sub := child(node, item, key, name)) is not None:
                    yield sub  # `dependencies` lists (draft-07 dependentRequired) are skipped here


def walk(schema: Any, dialect: str) -> Iterator[Node]:
    """All object subschemas of ``schema`` including itself, depth first, without following $ref."""
    if not isinstance(schema, Mapping):
        return
    stack = [Node(schema, "", root_resolver(schema, dialect))]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(subschemas(node, dialect))))
