"""German UI texts through Flask-Babel: German is the default, English is available.

Texts in templates and code are written in German and wrapped in ``_()``; the English catalog
is ``web/translations/en/LC_MESSAGES/messages.po`` (compiled ``.mo`` next to it; a test keeps
them in step). The language is chosen per session (``POST /language``), never guessed from
the browser: a clerk's laptop may be set to any language, the office works in German.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, redirect, request, session, url_for
from flask_babel import Babel

LANGUAGES = {"de": "Deutsch", "en": "English"}


def _locale() -> str:
    lang = session.get("lang")
    return lang if lang in LANGUAGES else "de"


def init(app: Flask) -> None:
    Babel(app, default_locale="de", default_timezone="Europe/Berlin", locale_selector=_locale,
          default_translation_directories="translations")

    @app.post("/language")
    def set_language() -> Any:
        lang = request.form.get("lang", "de")
        session["lang"] = lang if lang in LANGUAGES else "de"
        target = request.form.get("next") or ""
        # Only local paths: an open redirect would let a link lead clerks to a look-alike site.
        if not target.startswith("/") or target.startswith("//"):
            target = url_for("index")
        return redirect(target)

    @app.context_processor
    def languages() -> dict[str, Any]:
        return {"languages": LANGUAGES, "current_language": _locale()}
