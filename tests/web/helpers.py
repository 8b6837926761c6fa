"""Builders for web tests: users of every role, a logged-in test client that posts with CSRF tokens."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.identity import IdentityService
from engine.service_layer.core import Engine

PASSWORD = "geheim-1234-test"
USERS = {
    # name: (roles, authorities)
    "clerk": (["clerk"], ["neubukow-salzhaff", "neubukow"]),
    "clerk2": (["clerk"], ["luetzow-luebstorf"]),
    "designer": (["designer"], ["neubukow-salzhaff"]),
    "auditor": (["auditor"], ["neubukow-salzhaff"]),
    "admin": (["admin"], ["neubukow-salzhaff"]),
}
ROLES_OF = {"clerk": "clerk", "clerk2": "clerk", "designer": "designer", "auditor": "auditor", "admin": "admin"}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def create_users(engine: Engine) -> None:
    service = IdentityService(engine)
    for name, (roles, authorities) in USERS.items():
        service.add_user(name, PASSWORD, roles=roles, authorities=authorities, display_name=f"Test {name}")


def csrf_from(html: str) -> str:
    m = _TOKEN.search(html)
    assert m is not None, "page has no CSRF token"
    return m.group(1)


class Clerk:
    """A browser-like test client: logs in, remembers the CSRF token, posts forms."""

    def __init__(self, app: Flask, name: str | None = None) -> None:
        self.client: FlaskClient = app.test_client()
        self.token = ""
        if name is not None:
            self.login(name)
        else:
            self.token = csrf_from(self.client.get("/login").text)

    def login(self, name: str, password: str = PASSWORD) -> TestResponse:
        page = self.client.get("/login")
        self.token = csrf_from(page.text)
        response = self.client.post("/login", data={"username": name, "password": password, "csrf_token": self.token})
        if response.status_code == 302:
            self.token = csrf_from(self.client.get("/login", follow_redirects=True).text)
        return response

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        response = self.client.get(url, **kwargs)
        response.get_data()  # buffer the body, so closing (static files) keeps it readable
        response.close()
        if "csrf_token" in response.text:
            self.token = csrf_from(response.text)
        return response

    def post(self, url: str, data: dict[str, Any] | list[tuple[str, str]] | None = None, *, csrf: bool = True,
             **kwargs: Any) -> TestResponse:
        if isinstance(data, list):
            from werkzeug.datastructures import MultiDict

            payload: Any = MultiDict(data + ([("csrf_token", self.token)] if csrf else []))
        else:
            payload = {**(data or {}), **({"csrf_token": self.token} if csrf else {})}
        response = self.client.post(url, data=payload, **kwargs)
        response.get_data()
        response.close()
        return response
