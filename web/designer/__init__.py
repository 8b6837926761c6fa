"""The designer's workspace (``/designer``, role designer): placeholder on the web foundation.

Its pages may use inline *styles* (bpmn-js watermark; see frontend/README.md): the CSP of this
blueprint allows ``style-src 'unsafe-inline'``, never inline script.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _

from web.security import require_roles

bp = Blueprint("designer", __name__, url_prefix="/designer")
require_roles(bp, "designer")


@bp.get("/")
def index() -> Any:
    return render_template("placeholder.html", title=_("Verfahrensgestaltung"),
                           text=_("Hier entsteht der Arbeitsbereich für die Gestaltung von Verfahren."))
