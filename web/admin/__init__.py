"""Administration (``/admin``, role admin): users, their roles and authorities, API tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import InputInvalid
from engine.identity.service import ROLE_TITLES_DE
from web.context import actor, engine, identity
from web.security import require_roles

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_roles(bp, "admin")


def _page(errors: dict[str, list[str]] | None = None, form: dict[str, Any] | None = None, token: str = "",
          status: int = 200) -> Any:
    return render_template("admin/index.html", title=_("Administration"), users=identity().list(),
                           authorities=engine().authorities.all(), roles=ROLE_TITLES_DE, errors=errors or {},
                           form=form or {}, token=token), status


@bp.get("/")
def index() -> Any:
    return _page()


@bp.post("/users")
def add_user() -> Any:
    form = {"name": request.form.get("name", ""), "display_name": request.form.get("display_name", ""),
            "roles": request.form.getlist("roles"), "authorities": request.form.getlist("authorities")}
    try:
        identity().add_user(form["name"], request.form.get("password", ""), roles=form["roles"],
                            authorities=form["authorities"], display_name=form["display_name"], actor=actor())
    except InputInvalid as err:
        return _page(err.errors, form, status=422)
    flash(_("Benutzer „%(name)s“ wurde angelegt.", name=form["name"]), "erfolg")
    return redirect(url_for("admin.index"))


@bp.post("/users/<name>/active")
def set_active(name: str) -> Any:
    active = request.form.get("active") == "1"
    identity().set_active(name, active, actor=actor())
    flash(_("Benutzer „%(name)s“ ist jetzt %(state)s.", name=name, state=_("aktiv") if active else _("gesperrt")),
          "erfolg")
    return redirect(url_for("admin.index"))


@bp.post("/users/<name>/token")
def issue_token(name: str) -> Any:
    token = identity().issue_token(name, request.form.get("label", "")[:100], actor=actor())
    return _page(token=token)
