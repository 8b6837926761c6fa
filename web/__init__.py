"""The web application: ``create_app()`` (Flask app factory). Imports the engine, never the reverse.

Workspaces are blueprints with their own URL prefix and role: ``clerk`` (``/clerk``, role
clerk), ``designer`` (``/designer``), ``auditor`` (``/auditor``), ``insight`` (``/insight``, roles
designer and auditor), ``admin`` (``/admin``), the JSON
API (``/api/v1``, bearer tokens) and ``auth`` (``/login``, ``/logout``). Security (CSRF,
cookies, headers, login throttling) is set up in :mod:`web.security`; engine errors are mapped
to HTTP once, in :mod:`web.errors`.

``create_app(engine=…)`` is what ``amtskoffer serve`` calls; it prints
``app.config["STARTUP_NOTES"]`` (e.g. the demo logins created by ``amtskoffer init --demo``).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import text

from engine.documents import DocumentService
from engine.identity import DraftService, IdentityService
from engine.service_layer.core import Engine
from engine.settings import Settings


def _secret_key(settings: Settings) -> str:
    """The configured key, else one generated once into ``var/secret_key`` (0600)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.var_dir) / "secret_key"
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.touch(mode=0o600)
    path.write_text(key, encoding="ascii")
    return key


def _demo_logins(settings: Settings) -> list[str]:
    """The demo logins written by ``amtskoffer init --demo`` (var/demo-logins.txt), for the start-up lines."""
    path = Path(settings.var_dir) / "demo-logins.txt"
    if not path.is_file():
        return []
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return ["Demo-Anmeldungen (nur für die Erprobung; Datei " + str(path) + "):", *("  " + x for x in lines)]


def create_app(*, engine: Engine | None = None, settings: Settings | None = None, **config: Any) -> Flask:
    engine = engine or Engine(settings or Settings.from_env())
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(engine.settings),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
        STARTUP_NOTES=[],
    )
    app.config.update(config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # German texts readable in JSON answers
    app.config["STARTUP_NOTES"] = list(app.config["STARTUP_NOTES"]) + _demo_logins(engine.settings)
    app.extensions["amtskoffer"] = engine
    app.extensions["amtskoffer.identity"] = IdentityService(engine)
    app.extensions["amtskoffer.drafts"] = DraftService(engine)
    app.extensions["amtskoffer.documents"] = DocumentService(engine)

    from web import errors, i18n, security
    from web.admin import bp as admin_bp
    from web.api import bp as api_bp
    from web.auditor import bp as auditor_bp
    from web.auth import bp as auth_bp
    from web.auth import init_login
    from web.clerk import bp as clerk_bp
    from web.designer import bp as designer_bp
    from web.insight import bp as insight_bp
    from web.present import register_filters

    security.init(app)
    i18n.init(app)
    init_login(app)
    errors.init(app)
    register_filters(app)
    for bp in (auth_bp, clerk_bp, admin_bp, designer_bp, auditor_bp, insight_bp, api_bp):
        app.register_blueprint(bp)
    security.exempt_api(app, api_bp)

    @app.get("/health")
    def health() -> Any:
        with engine.db.read() as s:
            s.execute(text("select 1"))
        return jsonify(status="ok")

    @app.get("/")
    def index() -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        for role, endpoint in (("clerk", "clerk.index"), ("admin", "admin.index"),
                               ("designer", "designer.index"), ("auditor", "auditor.index")):
            if role in current_user.info.roles:
                return redirect(url_for(endpoint))
        return redirect(url_for("auth.login"))

    return app
