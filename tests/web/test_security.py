"""Access control (every route × every role), CSRF, cookies, headers, login throttling."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask

from engine import clock
from engine.identity import IdentityService
from engine.identity.service import MAX_FAILURES_PER_USER
from engine.service_layer.core import Engine
from tests.web.helpers import PASSWORD, Clerk

ROLES = ("anonymous", "clerk", "designer", "auditor", "admin")

# endpoint → roles allowed. "public": everyone incl. anonymous. API endpoints are checked with tokens
# (see API_MATRIX); a new route without an entry here fails test_every_route_is_in_the_matrix.
PAGE_MATRIX: dict[str, set[str] | str] = {
    "static": "public",
    "health": "public",
    "index": "public",
    "set_language": "public",
    "auth.login": "public",
    "auth.logout": "public",
    "clerk.index": {"clerk"},
    "clerk.start": {"clerk"},
    "clerk.search": {"clerk"},
    "clerk.case": {"clerk"},
    "clerk.document": {"clerk"},
    "clerk.task": {"clerk"},
    "clerk.correct": {"clerk"},
    "admin.index": {"admin"},
    "admin.add_user": {"admin"},
    "admin.set_active": {"admin"},
    "admin.issue_token": {"admin"},
    "designer.index": {"designer"},
    "designer.create_draft": {"designer"},
    "designer.import_package": {"designer"},
    "designer.draft": {"designer"},
    "designer.upload_files": {"designer"},
    "designer.new_form": {"designer"},
    "designer.edit_file": {"designer"},
    "designer.edit_bpmn": {"designer"},
    "designer.edit_dmn": {"designer"},
    "designer.edit_form": {"designer"},
    "designer.form_preview": {"designer"},
    "designer.revalidate": {"designer"},
    "designer.run_tests": {"designer"},
    "designer.publish": {"designer"},
    "designer.discard": {"designer"},
    "designer.draft_diff": {"designer"},
    "designer.export_draft": {"designer"},
    "designer.sandbox": {"designer"},
    "designer.sandbox_start": {"designer"},
    "designer.sandbox_clock": {"designer"},
    "designer.sandbox_message": {"designer"},
    "designer.sandbox_reset": {"designer"},
    "designer.sandbox_case": {"designer"},
    "designer.sandbox_document": {"designer"},
    "designer.sandbox_task": {"designer"},
    "designer.service": {"designer"},
    "designer.version": {"designer"},
    "designer.export_version": {"designer"},
    "designer.export_version_spiff": {"designer"},
    "auditor.index": {"auditor"},
    "auditor.chain": {"auditor"},
    "auditor.register_access": {"auditor"},
    "auditor.case": {"auditor"},
    "auditor.diagram": {"auditor"},
    "auditor.dossier_json": {"auditor"},
    "auditor.dossier_pdf": {"auditor"},
    "insight.index": {"designer", "auditor"},
    "insight.version": {"designer", "auditor"},
}
ALL = {"clerk", "designer", "auditor", "admin"}
API_MATRIX: dict[str, set[str] | str] = {
    "api.openapi": "public",
    "api.me": ALL,
    "api.services": {"clerk"},
    "api.list_cases": {"clerk"},
    "api.start_case": {"clerk"},
    "api.show_case": {"clerk"},
    "api.submit_task": {"clerk"},
    "api.correct_step": {"clerk"},
    "api.list_documents": {"clerk"},
    "api.get_document": {"clerk"},
    "api.list_messages": {"clerk"},
    "api.inbound_xml": {"clerk", "admin"},
    "api.inbound_json": {"clerk", "admin"},
}


def _url(app: Flask, rule: object) -> str:
    values = {}
    for arg in rule.arguments:  # type: ignore[attr-defined]
        conv = rule._converters[arg]  # type: ignore[attr-defined]
        values[arg] = uuid.uuid4() if type(conv).__name__ == "UUIDConverter" else "x"
    if rule.endpoint == "static":  # type: ignore[attr-defined]
        values["filename"] = "css/app.css"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)  # type: ignore[attr-defined]


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, _url(app, rule)))
    return out


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    missing = endpoints - set(PAGE_MATRIX) - set(API_MATRIX)
    assert not missing, f"routes without an access rule in the test matrix: {sorted(missing)}"
    stale = (set(PAGE_MATRIX) | set(API_MATRIX)) - endpoints
    assert not stale, f"matrix names routes that do not exist: {sorted(stale)}"


def test_page_routes_by_role(app: Flask) -> None:
    clients = {role: Clerk(app, None if role == "anonymous" else role) for role in ROLES}
    checked = 0
    for endpoint, method, url in _routes(app):
        if endpoint.startswith("api.") or endpoint in ("auth.login", "auth.logout"):
            continue  # login/logout change the session: test_login_*, test_logout_*
        allowed = PAGE_MATRIX[endpoint]
        for role, client in clients.items():
            response = client.get(url) if method == "GET" else client.post(url, {})
            ok = allowed == "public" or role in allowed  # type: ignore[operator]
            where = f"{method} {url} as {role}: {response.status_code}"
            if ok:
                assert response.status_code not in (401, 403), where
                assert "/login" not in response.headers.get("Location", "") or endpoint.startswith("auth.") \
                    or endpoint == "index", where
            elif role == "anonymous":
                assert response.status_code == 302 and "/login" in response.headers["Location"], where
            else:
                assert response.status_code == 403, where
            checked += 1
    assert checked >= (len(PAGE_MATRIX) - 2) * len(ROLES)


def test_logout_needs_post_with_csrf_and_ends_the_session(app: Flask) -> None:
    clerk = Clerk(app, "clerk")
    assert clerk.client.get("/logout").status_code == 405
    assert clerk.post("/logout", csrf=False).status_code == 400
    assert clerk.get("/clerk/").status_code == 200
    assert clerk.post("/logout").status_code == 302
    assert clerk.get("/clerk/").status_code == 302


def test_api_routes_by_role(app: Flask, web_engine: Engine) -> None:
    service = IdentityService(web_engine)
    tokens = {role: service.issue_token(role, "matrix") for role in ("clerk", "designer", "auditor", "admin")}
    client = app.test_client()
    for endpoint, method, url in _routes(app):
        if not endpoint.startswith("api."):
            continue
        allowed = API_MATRIX[endpoint]
        for role in ROLES:
            headers = {"Authorization": f"Bearer {tokens[role]}"} if role != "anonymous" else {}
            kwargs = {"json": {}} if method == "POST" and endpoint != "api.inbound_xml" else {}
            response = client.open(url, method=method, headers=headers, **kwargs)
            response.close()
            where = f"{method} {url} as {role}: {response.status_code} {response.get_data(as_text=True)[:200]}"
            if allowed == "public" or role in allowed:  # type: ignore[operator]
                assert response.status_code not in (401, 403), where
            else:
                assert response.status_code == (401 if role == "anonymous" else 403), where
                assert response.mimetype == "application/problem+json", where


def test_post_without_csrf_token_is_rejected_and_changes_nothing(app: Flask, web_engine: Engine) -> None:
    clerk = Clerk(app, "clerk")
    page = clerk.get("/clerk/")
    assert page.status_code == 200
    authority = page.text.split('name="authority" value="')[1].split('"')[0]
    before = len(web_engine.cases.list(clerk_actor(web_engine)))
    response = clerk.post("/clerk/cases", {"service_id": "beispiel", "authority": authority}, csrf=False)
    assert response.status_code == 400
    assert "Sicherheitsmerkmal" in response.text
    wrong = clerk.client.post("/clerk/cases", data={"service_id": "beispiel", "authority": authority,
                                                     "csrf_token": "falsch"})
    assert wrong.status_code == 400
    assert len(web_engine.cases.list(clerk_actor(web_engine))) == before
    ok = clerk.post("/clerk/cases", {"service_id": "beispiel", "authority": authority})
    assert ok.status_code == 302
    assert len(web_engine.cases.list(clerk_actor(web_engine))) == before + 1


def test_login_form_needs_csrf(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/login", data={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 400


def clerk_actor(engine: Engine):  # type: ignore[no-untyped-def]
    return IdentityService(engine).by_name("clerk").actor()


def test_security_headers_on_pages_and_api(app: Flask) -> None:
    client = app.test_client()
    for url in ("/login", "/api/v1/openapi.json", "/does-not-exist"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
    static = app.test_client().get("/static/css/app.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_designer_pages_allow_inline_styles_but_never_inline_script(app: Flask) -> None:
    designer = Clerk(app, "designer")
    csp = designer.get("/designer/").headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp
    assert "script-src 'self';" in csp


@pytest.mark.parametrize(("base_url", "secure"), [("http://127.0.0.1", False), ("http://localhost:5000", False),
                                                   ("https://amt.example", True), ("http://amt.example", True)])
def test_session_cookie_flags(app: Flask, base_url: str, secure: bool) -> None:
    client = app.test_client()
    page = client.get("/login", base_url=base_url)
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure


def test_cookie_secure_can_be_switched_off(web_engine: Engine) -> None:
    from web import create_app

    app = create_app(engine=web_engine, AMTSKOFFER_COOKIE_SECURE=False)
    cookie = app.test_client().get("/login", base_url="http://amt.example").headers["Set-Cookie"]
    assert "Secure" not in cookie


def test_login_throttled_per_user_name_with_german_message(app: Flask, fixed_clock: clock.FixedClock) -> None:
    client = Clerk(app)
    for _ in range(MAX_FAILURES_PER_USER):
        assert client.login("clerk", "falsch-falsch").status_code == 401
    blocked = client.login("clerk", PASSWORD)  # even the right password is refused now
    assert blocked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in blocked.text
    other = Clerk(app)
    assert other.login("admin").status_code == 302  # other names are not affected
    fixed_clock.advance(timedelta(minutes=16))
    assert Clerk(app).login("clerk").status_code == 302


def test_login_throttled_per_address(app: Flask, fixed_clock: clock.FixedClock) -> None:
    client = Clerk(app)
    for i in range(20):
        client.login(f"unbekannt{i}", "falsch-falsch")
    assert client.login("clerk").status_code == 429


def test_wrong_password_and_unknown_user_look_the_same(app: Flask) -> None:
    a = Clerk(app).login("clerk", "falsch-falsch")
    b = Clerk(app).login("niemand", "falsch-falsch")
    assert a.status_code == b.status_code == 401
    assert "Benutzername oder Passwort ist falsch." in a.text and "Benutzername oder Passwort ist falsch." in b.text


def test_password_change_and_disable_end_open_sessions(app: Flask, web_engine: Engine) -> None:
    clerk = Clerk(app, "clerk")
    assert clerk.get("/clerk/").status_code == 200
    IdentityService(web_engine).set_password("clerk", "ganz-neues-passwort")
    assert clerk.get("/clerk/").status_code == 302
    clerk.login("clerk", "ganz-neues-passwort")
    assert clerk.get("/clerk/").status_code == 200
    IdentityService(web_engine).set_active("clerk", False)
    assert clerk.get("/clerk/").status_code == 302
    assert Clerk(app).login("clerk", "ganz-neues-passwort").status_code == 401


def test_login_redirect_only_to_local_paths(app: Flask) -> None:
    client = Clerk(app)
    page = client.client.get("/login?next=//evil.example/x")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.client.post("/login?next=//evil.example/x",
                                  data={"username": "clerk", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"
    token = client.client.get("/clerk/").text.split('name="csrf_token" value="')[1].split('"')[0]
    lang = client.client.post("/language", data={"lang": "en", "next": "https://evil.example/",
                                                 "csrf_token": token})
    assert lang.headers["Location"] == "/"


def test_errors_never_show_a_stack_trace(app: Flask) -> None:
    clerk = Clerk(app, "clerk")
    response = clerk.get(f"/clerk/cases/{uuid.uuid4()}")
    assert response.status_code == 404
    assert "Traceback" not in response.text and "nicht gefunden" in response.text
