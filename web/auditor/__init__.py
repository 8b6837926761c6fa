"""The auditor's workspace (``/auditor``, role auditor): placeholder on the web foundation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _

from web.security import require_roles

bp = Blueprint("auditor", __name__, url_prefix="/auditor")
require_roles(bp, "auditor")


@bp.get("/")
def index() -> Any:
    return render_template("placeholder.html", title=_("Prüfung"),
                           text=_("Hier entsteht der Arbeitsbereich für die Prüfung (Protokoll, Vorgänge)."))
