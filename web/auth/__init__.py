"""Login and logout (Flask-Login sessions over :class:`~engine.identity.IdentityService`).

The session holds only :attr:`UserInfo.session_id` (user id + a nonce that changes with the
password or when the user is disabled, which ends every open session). Failed logins are
throttled per user name and per client address by the identity service.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from engine.errors import AmtskofferError
from engine.identity import LoginThrottled, UserInfo
from web.context import identity

bp = Blueprint("auth", __name__)


class WebUser(UserMixin):
    def __init__(self, info: UserInfo) -> None:
        self.info = info

    def get_id(self) -> str:
        return self.info.session_id


def init_login(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Bitte melden Sie sich an."
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load(session_id: str) -> WebUser | None:
        info = identity().for_session(session_id)
        return WebUser(info) if info is not None else None


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("index"))
    error, status = "", 200
    name = ""
    if request.method == "POST":
        name = request.form.get("username", "")[:100]
        password = request.form.get("password", "")[:500]
        try:
            info = identity().authenticate(name, password, address=request.remote_addr or "")
        except LoginThrottled as err:
            error, status = err.user_message, 429
        except AmtskofferError as err:
            error, status = err.user_message, 401
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session (and CSRF token) for the logged-in user
            if lang:
                session["lang"] = lang
            login_user(WebUser(info))
            return redirect(_safe_next(request.args.get("next")) or url_for("index"))
    return render_template("auth/login.html", error=error, username=name, title=_("Anmelden")), status


@bp.post("/logout")
def logout() -> Any:
    logout_user()
    session.clear()
    flash(_("Sie wurden abgemeldet."), "info")
    return redirect(url_for("auth.login"))
