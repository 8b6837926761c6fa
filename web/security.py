"""CSRF, session cookies, security headers and the role gate of each workspace.

- CSRF (Flask-WTF) on every form POST; the JSON API is exempt because it accepts only bearer
  tokens, never the session cookie.
- Session cookie: ``HttpOnly``, ``SameSite=Lax``, ``Secure`` unless the request is plain HTTP to
  127.0.0.1/localhost (development); ``AMTSKOFFER_COOKIE_SECURE=0`` switches ``Secure`` off
  everywhere (e.g. behind a TLS proxy that talks HTTP to us and does not set X-Forwarded-Proto).
- Headers on every response: a CSP without inline script (designer pages may use inline
  *styles*, see frontend/README.md), ``X-Content-Type-Options``, ``Referrer-Policy``,
  ``X-Frame-Options`` + ``frame-ancestors``, ``Cross-Origin-Opener-Policy``, and
  ``Cache-Control: no-store`` for everything except static files (pages hold personal data).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
CSP_DESIGNER = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")

csrf = CSRFProtect()


class _SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        setting = app.config.get("AMTSKOFFER_COOKIE_SECURE")
        if setting is not None:
            return bool(setting)
        host = request.host.rsplit(":", 1)[0] if request else ""
        return not (not request.is_secure and host in LOCAL_HOSTS)


def _cookie_setting(app: Flask) -> bool | None:
    raw = app.extensions["amtskoffer"].settings.extra.get("AMTSKOFFER_COOKIE_SECURE")
    if raw is None:
        return app.config.get("AMTSKOFFER_COOKIE_SECURE")
    return raw.lower() in ("1", "true", "yes", "ja")


def init(app: Flask) -> None:
    # Flask's defaults exist as keys, so setdefault would not apply; only unset values are filled.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    if app.config.get("SESSION_COOKIE_NAME") == "session":
        app.config["SESSION_COOKIE_NAME"] = "amtskoffer_session"
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 12 * 3600)  # a working day: never lose a form to a timeout
    app.config.setdefault("WTF_CSRF_SSL_STRICT", False)  # Referer checks break behind some proxies; the token suffices
    app.config["AMTSKOFFER_COOKIE_SECURE"] = _cookie_setting(app)
    app.session_interface = _SessionInterface()
    csrf.init_app(app)

    @app.after_request
    def headers(response: Response) -> Response:
        designer = request.blueprint == "designer"
        response.headers.setdefault("Content-Security-Policy", CSP_DESIGNER if designer else CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response


def exempt_api(app: Flask, api: Blueprint) -> None:
    csrf.exempt(api)


def require_roles(bp: Blueprint, *roles: str) -> None:
    """Every route of ``bp`` needs a logged-in user with one of ``roles`` (else login / 403)."""

    @bp.before_request
    def gate() -> Any:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if not current_user.info.roles.intersection(roles):
            abort(403)
        return None


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Narrow one view further than its blueprint's gate."""
    from functools import wraps

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated or not current_user.info.roles.intersection(roles):
                abort(403)
            return fn(*args, **kwargs)

        return inner

    return wrap
