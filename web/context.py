"""Request helpers: the engine, services and the current user's actor."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_login import current_user

from engine.documents import DocumentService
from engine.errors import Forbidden
from engine.identity import DraftService, IdentityService
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine


def engine() -> Engine:
    return current_app.extensions["amtskoffer"]  # type: ignore[no-any-return]


def identity() -> IdentityService:
    return current_app.extensions["amtskoffer.identity"]  # type: ignore[no-any-return]


def drafts() -> DraftService:
    return current_app.extensions["amtskoffer.drafts"]  # type: ignore[no-any-return]


def documents() -> DocumentService:
    return current_app.extensions["amtskoffer.documents"]  # type: ignore[no-any-return]


def actor() -> Actor:
    """The actor of this request: the API token's user (``g.api_user``) or the logged-in user."""
    user: Any = getattr(g, "api_user", None)
    if user is None:
        if not current_user.is_authenticated:
            raise Forbidden("not logged in", user_message="Bitte melden Sie sich an.")
        user = current_user.info
    return user.actor()  # type: ignore[no-any-return]
