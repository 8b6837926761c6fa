"""The OpenAPI 3.1 document, built from the routes' own declarations (in sync by construction).

:func:`ApiSpec.route` registers a view on the blueprint *and* records its path, method, summary,
request schema and responses; ``/api/v1/openapi.json`` is generated from these records. A JSON
request body is validated against its declared schema before the view runs, so what the
document promises is what the server enforces (violations: 422 problem+json with ``errors``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass
class Operation:
    rule: str
    method: str
    summary: str
    operation_id: str
    roles: tuple[str, ...]
    body: dict[str, Any] | None
    body_type: str
    responses: dict[int, tuple[str, dict[str, Any] | None, str]]
    """status → (description, schema or None, media type)."""
    query: list[dict[str, Any]] = field(default_factory=list)
    public: bool = False

    @property
    def path(self) -> str:
        return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", self.rule)

    def path_parameters(self) -> list[dict[str, Any]]:
        params = []
        for conv, name in _CONVERTER.findall(self.rule):
            schema: dict[str, Any] = {"type": "string"}
            if conv == "uuid":
                schema["format"] = "uuid"
            params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return params


PROBLEM = {"$ref": "#/components/schemas/Problem"}


class ApiSpec:
    def __init__(self, bp: Blueprint, components: dict[str, Any]) -> None:
        self.bp = bp
        self.components = components
        self.operations: list[Operation] = []

    def route(self, rule: str, method: str, *, summary: str, roles: tuple[str, ...] = ("clerk",),
              body: dict[str, Any] | None = None, body_type: str = "application/json",
              responses: dict[int, tuple[str, dict[str, Any] | None] | tuple[str, dict[str, Any] | None, str]],
              query: list[dict[str, Any]] | None = None, public: bool = False,
              guard: Callable[[Operation, Callable[..., Any]], Callable[..., Any]] | None = None,
              ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
            norm = {status: (r[0], r[1], r[2] if len(r) > 2 else "application/json")  # type: ignore[misc]
                    for status, r in responses.items()}
            op = Operation(rule=rule, method=method.upper(), summary=summary, operation_id=fn.__name__,
                           roles=roles, body=body, body_type=body_type, responses=norm, query=query or [],
                           public=public)
            self.operations.append(op)
            view = guard(op, fn) if guard is not None else fn
            self.bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[op.method])
            return fn

        return wrap

    def document(self, prefix: str) -> dict[str, Any]:
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            entry: dict[str, Any] = {
                "operationId": op.operation_id,
                "summary": op.summary,
                "parameters": op.path_parameters() + op.query,
                "responses": {},
            }
            if op.public:
                entry["security"] = []
            else:
                entry["description"] = "Rollen: " + ", ".join(op.roles)
            if op.body is not None:
                entry["requestBody"] = {"required": True, "content": {op.body_type: {"schema": op.body}}}
            for status, (description, schema, media) in sorted(op.responses.items()):
                response: dict[str, Any] = {"description": description}
                if schema is not None:
                    response["content"] = {media: {"schema": schema}}
                entry["responses"][str(status)] = response
            standard = {400: "Ungültige Anfrage", 422: "Eingaben ungültig"} if op.body is not None else {}
            if not op.public:
                standard |= {401: "Nicht angemeldet (Bearer-Token fehlt oder ist ungültig)",
                             403: "Rolle fehlt", 404: "Nicht gefunden oder nicht sichtbar"}
            for status, description in standard.items():
                entry["responses"].setdefault(str(status), {
                    "description": description, "content": {"application/problem+json": {"schema": PROBLEM}}})
            paths.setdefault(prefix + op.path, {})[op.method.lower()] = entry
        return {
            "openapi": "3.1.0",
            "info": {"title": "Amtskoffer API", "version": "1",
                     "description": "Vorgänge, Schritte, Dokumente und Nachrichten des Amtskoffers. "
                                    "Fehler als RFC 9457 application/problem+json."},
            "paths": paths,
            "components": {"schemas": self.components,
                           "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        }
