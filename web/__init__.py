"""The web application: ``create_app()`` (Flask app factory). Imports the engine, never the reverse."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify

from engine.service_layer.core import Engine
from engine.settings import Settings


def create_app(*, engine: Engine | None = None, settings: Settings | None = None, **config: Any) -> Flask:
    engine = engine or Engine(settings or Settings.from_env())
    app = Flask(__name__)
    app.config.update(config)
    app.extensions["amtskoffer"] = engine

    @app.get("/health")
    def health() -> Any:
        with engine.db.read() as s:
            s.execute(__import__("sqlalchemy").text("select 1"))
        return jsonify(status="ok")

    return app
