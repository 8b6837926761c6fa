"""Engine errors and HTTP errors → responses, in one place.

HTML pages get a calm German error page (never a stack trace); the JSON API gets RFC 9457
``application/problem+json`` with ``type``, ``title``, ``status``, ``detail``, ``instance``
and, for invalid input, ``errors`` ({field path: [German messages]}).

| engine error | status |
|---|---|
| InputInvalid, MessageInvalid | 422 |
| NotFound | 404 |
| Forbidden | 403 |
| Conflict | 409 (with a reload hint) |
| LoginThrottled | 429 |
| LoginFailed | 401 |
| DesignError, ScriptError, OperationFailed, CaseCorrupted, other | 500 (German text, no trace) |
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import (
    AmtskofferError,
    Conflict,
    DesignError,
    Forbidden,
    InputInvalid,
    MessageInvalid,
    NotFound,
)
from engine.identity.service import LoginFailed, LoginThrottled

log = logging.getLogger("amtskoffer.web")

PROBLEM_BASE = "urn:amtskoffer:problem:"
_MAP: list[tuple[type[AmtskofferError], int, str]] = [
    (InputInvalid, 422, "input-invalid"),
    (MessageInvalid, 422, "message-invalid"),
    (NotFound, 404, "not-found"),
    (Forbidden, 403, "forbidden"),
    (Conflict, 409, "conflict"),
    (LoginThrottled, 429, "login-throttled"),
    (LoginFailed, 401, "login-failed"),
    (DesignError, 500, "design-error"),
]
TITLES = {
    400: "Ungültige Anfrage", 401: "Nicht angemeldet", 403: "Keine Berechtigung", 404: "Nicht gefunden",
    405: "Methode nicht erlaubt", 409: "Konflikt", 413: "Anfrage zu groß", 415: "Falscher Inhaltstyp",
    422: "Eingaben ungültig", 429: "Zu viele Versuche", 500: "Interner Fehler", 501: "Nicht verfügbar",
}
HTTP_TEXTS = {
    400: "Die Anfrage ist ungültig.",
    401: "Bitte melden Sie sich an.",
    403: "Dafür fehlt Ihnen die Berechtigung.",
    404: "Die Seite oder der Eintrag wurde nicht gefunden.",
    405: "Diese Aktion ist hier nicht möglich.",
    413: "Die Anfrage ist zu groß.",
    415: "Der Inhaltstyp der Anfrage wird nicht unterstützt.",
    500: "Es ist ein interner Fehler aufgetreten. Ihre Eingaben wurden nicht gespeichert.",
}
CONFLICT_HINT = "Bitte laden Sie die Seite neu; Ihre Eingaben wurden nicht gespeichert."


def status_of(err: AmtskofferError) -> tuple[int, str]:
    for cls, status, slug in _MAP:
        if isinstance(err, cls):
            return status, slug
    return 500, "step-failed"


def is_api() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def problem(status: int, slug: str, detail: str, *, errors: dict[str, list[str]] | None = None,
            title: str | None = None, headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title or TITLES.get(status, "Fehler"),
                            "status": status, "detail": detail, "instance": request.path}
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def _page(status: int, message: str, *, hint: str = "", design: bool = False) -> tuple[str, int]:
    return render_template("error.html", status=status, title=TITLES.get(status, "Fehler"), message=message,
                           hint=hint, design=design), status


def init(app: Flask) -> None:
    @app.errorhandler(AmtskofferError)
    def engine_error(err: AmtskofferError) -> Any:
        status, slug = status_of(err)
        if status >= 500:
            log.error("%s: %s %s", err.__class__.__name__, err, {k: v for k, v in err.context.items()
                                                                if k != "problems"})
        if is_api():
            errors = err.errors if isinstance(err, InputInvalid) else None
            detail = err.user_message + (" " + CONFLICT_HINT if isinstance(err, Conflict) else "")
            return problem(status, slug, detail, errors=errors)
        hint = CONFLICT_HINT if isinstance(err, Conflict) else ""
        return _page(status, err.user_message, hint=hint, design=isinstance(err, DesignError))

    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError) -> Any:
        message = ("Das Formular ist abgelaufen oder unvollständig (Sicherheitsmerkmal fehlt). "
                   "Bitte laden Sie die Seite neu und senden Sie es erneut.")
        if is_api():
            return problem(400, "csrf", message)
        return _page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Any:
        status = err.code or 500
        message = HTTP_TEXTS.get(status, err.description or "")
        if is_api():
            headers = {"Allow": ", ".join(err.valid_methods)} if getattr(err, "valid_methods", None) else None
            return problem(status, f"http-{status}", message, headers=headers)
        return _page(status, message)

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> Any:
        log.exception("unexpected error on %s %s", request.method, request.path)
        if is_api():
            return problem(500, "internal", HTTP_TEXTS[500])
        return _page(500, HTTP_TEXTS[500])
