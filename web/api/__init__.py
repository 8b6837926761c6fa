"""The JSON API ``/api/v1`` (bearer tokens; same roles and authority scope as the web pages).

The OpenAPI 3.1 document is ``/api/v1/openapi.json``, generated from the route declarations in
this module (:mod:`web.api.openapi`). Errors are RFC 9457 problem+json (:mod:`web.errors`).
Authentication: ``Authorization: Bearer <token>`` (tokens from ``amtskoffer user token`` or the
admin page; stored hashed). The session cookie is never accepted here, so CSRF does not apply.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from jsonschema import Draft202012Validator

from engine.audit.chain import jsonable
from engine.errors import InputInvalid
from engine.service_layer.views import CaseSummary, CaseView
from web.api.openapi import ApiSpec, Operation
from web.api.schemas import COMPONENTS, array, ref
from web.clerk.queries import case_messages
from web.context import actor, documents, engine, identity
from web.errors import problem

bp = Blueprint("api", __name__, url_prefix="/api/v1")
spec = ApiSpec(bp, COMPONENTS)
_validators: dict[int, Draft202012Validator] = {}


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _guard(op: Operation, fn: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(fn)
    def view(**kwargs: Any) -> Any:
        if not op.public:
            user = identity().for_token(_bearer()) if _bearer() else None
            if user is None:
                return problem(401, "unauthorized", "Bitte senden Sie einen gültigen API-Schlüssel "
                               "(Authorization: Bearer …).", headers={"WWW-Authenticate": "Bearer"})
            if not user.roles.intersection(op.roles):
                return problem(403, "forbidden", "Dafür fehlt Ihnen die Berechtigung.")
            g.api_user = user
        if op.body is not None and op.body_type == "application/json":
            if not request.is_json:
                return problem(415, "unsupported-media-type", "Bitte senden Sie JSON (Content-Type: application/json).")
            body = request.get_json(silent=True)
            if body is None:
                return problem(400, "bad-json", "Der Inhalt ist kein gültiges JSON.")
            validator = _validators.setdefault(id(op), Draft202012Validator(
                {**op.body, "components": {"schemas": COMPONENTS}}))
            errors: dict[str, list[str]] = {}
            for err in validator.iter_errors(body):
                path = "/".join(str(p) for p in err.absolute_path)
                errors.setdefault(path, []).append(_german(err))
            if errors:
                return problem(422, "input-invalid", "Der Inhalt der Anfrage passt nicht zum Schema.", errors=errors)
            g.body = body
        return fn(**kwargs)

    return view


def _german(err: Any) -> str:
    match err.validator:
        case "required":
            return f"Pflichtangabe fehlt: {err.message.split(chr(39))[1] if chr(39) in err.message else err.message}"
        case "type":
            return f"Falscher Typ (erwartet: {err.validator_value})."
        case "additionalProperties":
            return "Unbekannte Angabe."
        case "minLength" | "maxLength":
            return "Die Länge des Textes ist nicht erlaubt."
        case "minimum":
            return f"Der Wert muss mindestens {err.validator_value} sein."
    return "Der Wert ist nicht erlaubt."


def route(rule: str, method: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return spec.route(rule, method, guard=_guard, **kwargs)


# -- serialisation --------------------------------------------------------------------------
def case_summary(c: CaseSummary) -> dict[str, Any]:
    return jsonable({
        "id": str(c.id), "number": c.number, "service_id": c.service_id, "service_title": c.service_title,
        "version_no": c.version_no, "authority": c.authority_key, "status": c.status, "title": c.title,
        "labels": c.labels, "ready_tasks": [{k: t.get(k) for k in ("task_id", "spec", "name", "lane")}
                                            for t in c.ready_tasks],
        "waiting_for": c.waiting_for, "version": c.version, "started_at": c.started_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
        "completed_at": c.completed_at.isoformat() if c.completed_at else None,
    })


def case_detail(v: CaseView) -> dict[str, Any]:
    return jsonable({
        "case": case_summary(v.case),
        "ready": [{"task_id": t.task_id, "spec": t.spec, "name": t.name, "kind": t.kind,
                   "instructions": t.instructions, "values": t.values,
                   "form": {"schema_file": t.form.schema_file, "schema": t.form.schema, "ui_schema": t.form.ui_schema}
                   if t.form else None} for t in v.ready],
        "steps": [{"id": str(s.id), "seq": s.seq, "kind": s.kind, "task_spec": s.task_spec, "task_name": s.task_name,
                   "actor": s.actor, "at": s.at.isoformat(), "superseded": s.superseded,
                   "irreversible": s.irreversible, "correctable": s.correctable} for s in v.steps],
        "data": v.data, "path": v.path,
    })


def _json(data: Any, status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    return response


# -- routes ---------------------------------------------------------------------------------
@route("/openapi.json", "GET", summary="Dieses OpenAPI-Dokument", public=True,
       responses={200: ("OpenAPI 3.1", {"type": "object"})})
def openapi() -> Any:
    return _json(spec.document(bp.url_prefix or ""))


@route("/me", "GET", summary="Angemeldeter Benutzer", roles=("clerk", "designer", "auditor", "admin"),
       responses={200: ("Benutzer", ref("Me"))})
def me() -> Any:
    user = g.api_user
    return _json({"name": user.name, "display_name": user.display_name, "roles": sorted(user.roles),
                  "authorities": list(user.authority_keys)})


@route("/services", "GET", summary="Verfahren, die meine Behörden bearbeiten können",
       responses={200: ("Verfahren", array("Service"))})
def services() -> Any:
    eng, act = engine(), actor()
    out = []
    with eng.db.read() as s:
        for auth_id in sorted(act.authority_ids or []):
            auth = eng.authorities.get(s, auth_id)
            for info in eng.catalog.services_for(s, auth):
                out.append({"service_id": info.service_id, "title": info.title, "description": info.description,
                            "category": info.category, "leika_key": info.leika_key,
                            "authority_role": info.authority_role, "version_no": info.version_no,
                            "authority": auth.key})
    return _json(out)


_LIST_QUERY = [
    {"name": "status", "in": "query", "required": False,
     "schema": {"type": "string", "enum": ["active", "waiting", "completed", "cancelled", "error"]}},
    {"name": "service_id", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 64}},
    {"name": "q", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 200}},
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
]


@route("/cases", "GET", summary="Vorgänge meiner Behörden (neueste zuerst)", query=_LIST_QUERY,
       responses={200: ("Vorgänge", array("CaseSummary"))})
def list_cases() -> Any:
    try:
        limit = max(1, min(500, int(request.args.get("limit", "100"))))
    except ValueError:
        raise InputInvalid("bad limit", errors={"limit": ["Bitte eine ganze Zahl von 1 bis 500."]}) from None
    cases = engine().cases.list(actor(), status=request.args.get("status") or None,
                                service_id=request.args.get("service_id") or None,
                                query=request.args.get("q") or None, limit=limit)
    return _json([case_summary(c) for c in cases])


def _authority_id(ref_: str) -> Any:
    try:
        return uuid.UUID(ref_)
    except ValueError:
        with engine().db.read() as s:
            return engine().authorities.by_key(s, ref_).id


@route("/cases", "POST", summary="Vorgang beginnen", body=ref("StartCase"),
       responses={201: ("Begonnener Vorgang", ref("Case"))})
def start_case() -> Any:
    body = g.body
    act = actor()
    authority_id = _authority_id(body["authority"])
    act.require_authority(authority_id)
    view = engine().cases.start(body["service_id"], authority_id, act)
    response = _json(case_detail(view), 201)
    response.headers["Location"] = f"{bp.url_prefix}/cases/{view.case.id}"
    return response


@route("/cases/<uuid:case_id>", "GET", summary="Vorgang mit offenen Schritten, Verlauf und Daten (wird protokolliert)",
       responses={200: ("Vorgang", ref("Case"))})
def show_case(case_id: uuid.UUID) -> Any:
    return _json(case_detail(engine().cases.view(case_id, actor())))


@route("/cases/<uuid:case_id>/tasks/<task_id>", "POST", summary="Offenen Schritt mit Formulardaten abschließen",
       body=ref("Submit"), responses={200: ("Neuer Stand", ref("StepOutcome")),
                                      409: ("Schritt nicht offen oder Vorgang geändert", ref("Problem"),
                                            "application/problem+json")})
def submit_task(case_id: uuid.UUID, task_id: str) -> Any:
    outcome = engine().cases.submit(case_id, task_id[:64], g.body["data"], actor(),
                                    expected_version=g.body.get("expected_version"))
    return _json({"case": case_summary(outcome.case), "path": outcome.path})


@route("/cases/<uuid:case_id>/steps/<uuid:step_id>/correction", "POST",
       summary="Früheren Schritt korrigieren (spätere Schritte werden erneut abgefragt)", body=ref("Submit"),
       responses={200: ("Neuer Stand", ref("StepOutcome")),
                  409: ("Nicht mehr korrigierbar oder Vorgang geändert", ref("Problem"), "application/problem+json")})
def correct_step(case_id: uuid.UUID, step_id: uuid.UUID) -> Any:
    outcome = engine().cases.correct(case_id, step_id, g.body["data"], actor(),
                                     expected_version=g.body.get("expected_version"))
    return _json({"case": case_summary(outcome.case), "path": outcome.path})


@route("/cases/<uuid:case_id>/documents", "GET", summary="Dokumente des Vorgangs",
       responses={200: ("Dokumente", array("Document"))})
def list_documents(case_id: uuid.UUID) -> Any:
    return _json([{"id": str(d.id), "kind": d.kind, "title": d.title, "filename": d.filename,
                   "media_type": d.media_type, "sha256": d.sha256, "created_at": d.created_at.isoformat()}
                  for d in documents().for_case(case_id, actor())])


@route("/cases/<uuid:case_id>/documents/<uuid:document_id>", "GET", summary="Dokument herunterladen (PDF)",
       responses={200: ("Das Dokument", {"type": "string", "contentMediaType": "application/pdf"},
                        "application/pdf")})
def get_document(case_id: uuid.UUID, document_id: uuid.UUID) -> Any:
    info, content = documents().get(case_id, document_id, actor())
    response = Response(content, mimetype=info.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{info.filename}"'
    return response


@route("/cases/<uuid:case_id>/messages", "GET", summary="Ausgehende Nachrichten des Vorgangs",
       responses={200: ("Nachrichten", array("Message"))})
def list_messages(case_id: uuid.UUID) -> Any:
    act = actor()
    documents().for_case(case_id, act)  # raises NotFound outside the actor's authorities
    return _json(jsonable(case_messages(engine(), case_id, act)))


def _result_dict(result: Any) -> Any:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return jsonable(dataclasses.asdict(result))
    return jsonable(result if isinstance(result, dict) else {"result": str(result)})


def _inbound_answer(result: Any) -> Any:
    """202 for accepted messages (correlated, parked, duplicate); 422 problem for rejected ones."""
    if getattr(result, "status", "") == "rejected":
        return problem(422, "message-rejected", getattr(result, "reason", "") or "Die Nachricht wurde abgewiesen.")
    return _json(_result_dict(result), 202)


def _inbound() -> Any:
    try:
        from engine.messaging import inbound
    except ImportError:
        return None
    return inbound


@route("/messages/inbound", "POST", summary="XMeld-Nachricht empfangen (XML)", roles=("clerk", "admin"),
       body={"type": "string", "contentMediaType": "application/xml"}, body_type="application/xml",
       responses={202: ("Angenommen (zugeordnet, geparkt oder Duplikat)", {"type": "object"}),
                  422: ("Abgewiesen (z. B. nicht schemagültig)", ref("Problem"), "application/problem+json"),
                  501: ("Empfang von XMeld-Nachrichten ist nicht eingerichtet", ref("Problem"),
                        "application/problem+json")})
def inbound_xml() -> Any:
    inbound = _inbound()
    if inbound is None or not hasattr(inbound, "receive_xml"):
        return problem(501, "not-implemented", "Der Empfang von XMeld-Nachrichten ist nicht eingerichtet.")
    result = inbound.receive_xml(engine(), request.get_data(cache=False), source=f"api:{g.api_user.name}")
    return _inbound_answer(result)


@route("/messages/<name>", "POST", summary="Geschäftsnachricht (JSON) einem wartenden Vorgang zustellen",
       roles=("clerk", "admin"), body={"type": "object"},
       responses={202: ("Zugestellt oder geparkt", {"type": "object"}),
                  422: ("Abgewiesen", ref("Problem"), "application/problem+json")})
def inbound_json(name: str) -> Any:
    name = name[:200]
    inbound = _inbound()
    if inbound is not None and hasattr(inbound, "receive_json"):
        return _inbound_answer(inbound.receive_json(engine(), name, g.body, source=f"api:{g.api_user.name}"))
    result = engine().cases.deliver_message(name, g.body, source=f"api:{g.api_user.name}", actor=actor())
    return _json({"status": result.status, "case_id": str(result.case_id) if result.case_id else None,
                  "reason": result.reason}, 202)
