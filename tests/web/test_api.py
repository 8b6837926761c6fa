"""The JSON API: token auth, problem+json, the clerk's operations, and schemathesis against the OpenAPI document."""

from __future__ import annotations

import io
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from pypdf import PdfReader
from schemathesis.checks import not_a_server_error

from engine import clock
from engine.identity import IdentityService
from engine.service_layer.core import Engine

FAMILY_JSON = {
    "einzugsdatum": "2026-11-01",
    "anschrift": {"strasse": "Am Markt", "hausnummer": "3", "postleitzahl": "18233", "ort": "Neubukow"},
    "personen": [{"vornamen": "Anna", "familienname": "Müller", "geburtsdatum": "01.02.1980"}],
}


@pytest.fixture
def token(web_engine: Engine) -> str:
    return IdentityService(web_engine).issue_token("clerk", "tests")


@pytest.fixture
def api(app: Flask, token: str) -> Any:
    client = app.test_client()

    def call(method: str, url: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        response = client.open("/api/v1" + url, method=method, headers=headers, **kwargs)
        response.get_data()
        response.close()
        return response

    return call


def test_openapi_document_is_3_1_and_lists_every_api_route(app: Flask) -> None:
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    api_rules = {(r.rule.replace("<uuid:", "{").replace("<", "{").replace(">", "}"), m)
                 for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")
                 for m in r.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    assert documented == api_rules
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_missing_or_wrong_token_is_a_401_problem(app: Flask) -> None:
    client = app.test_client()
    for headers in ({}, {"Authorization": "Bearer ak_falsch"}, {"Authorization": "Basic eDp5"}):
        response = client.get("/api/v1/cases", headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        body = response.get_json()
        assert body["status"] == 401 and body["type"].startswith("urn:amtskoffer:problem:")
        assert body["instance"] == "/api/v1/cases" and "API-Schlüssel" in body["detail"]
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_session_cookie_is_not_accepted_by_the_api(app: Flask) -> None:
    from tests.web.helpers import Clerk

    clerk = Clerk(app, "clerk")
    assert clerk.client.get("/api/v1/cases").status_code == 401


def test_revoked_token_and_disabled_user_stop_working(api: Any, web_engine: Engine) -> None:
    assert api("GET", "/me").status_code == 200
    IdentityService(web_engine).revoke_tokens("clerk")
    assert api("GET", "/me").status_code == 401


def test_token_is_stored_hashed(web_engine: Engine, token: str) -> None:
    from sqlalchemy import select

    from engine.identity.models import ApiToken

    with web_engine.db.read() as s:
        stored = list(s.execute(select(ApiToken.token_hash)).scalars())
    assert token not in stored and len(stored[0]) == 64


def test_case_end_to_end_over_the_api(api: Any, fixed_clock: clock.FixedClock) -> None:
    services = api("GET", "/services").get_json()
    assert any(s["service_id"] == "familie" for s in services)
    started = api("POST", "/cases", json={"service_id": "familie", "authority": "neubukow"})
    assert started.status_code == 201, started.get_json()
    case = started.get_json()
    case_id, task = case["case"]["id"], case["ready"][0]
    assert task["form"]["schema"]["title"] == "Personen und Wohnung"
    bad = api("POST", f"/cases/{case_id}/tasks/{task['task_id']}",
              json={"data": {**FAMILY_JSON, "einzugsdatum": "2026-02-31"}})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert bad.get_json()["errors"] == {"einzugsdatum": ["Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)."]}
    ok = api("POST", f"/cases/{case_id}/tasks/{task['task_id']}",
             json={"data": FAMILY_JSON, "expected_version": case["case"]["version"]})
    assert ok.status_code == 200, ok.get_json()
    stale = api("POST", f"/cases/{case_id}/tasks/{task['task_id']}",
                json={"data": FAMILY_JSON, "expected_version": case["case"]["version"]})
    assert stale.status_code == 409 and "neu" in stale.get_json()["detail"]
    summary = ok.get_json()["case"]["ready_tasks"][0]
    assert api("POST", f"/cases/{case_id}/tasks/{summary['task_id']}",
               json={"data": {"angaben_bestaetigt": True}}).status_code == 200
    docs = api("GET", f"/cases/{case_id}/documents").get_json()
    assert {d["kind"] for d in docs} == {"meldebestaetigung", "quittung"}
    pdf = api("GET", f"/cases/{case_id}/documents/{docs[0]['id']}")
    assert pdf.mimetype == "application/pdf"
    assert "Vorgang" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    shown = api("GET", f"/cases/{case_id}").get_json()
    step = next(s for s in shown["steps"] if s["task_spec"] == "personen_erfassen")
    corrected = api("POST", f"/cases/{case_id}/steps/{step['id']}/correction",
                    json={"data": {**FAMILY_JSON, "einzugsdatum": "2026-11-02"}})
    assert corrected.status_code == 200, corrected.get_json()
    assert api("GET", f"/cases/{case_id}/messages").get_json() == []


def test_request_body_is_checked_against_the_schema(api: Any) -> None:
    response = api("POST", "/cases", json={"service_id": "familie"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"": ["Pflichtangabe fehlt: authority"]}
    assert api("POST", "/cases", data="kein json", headers={"Content-Type": "application/json"}).status_code == 400
    assert api("POST", "/cases", data="x", headers={"Content-Type": "text/plain"}).status_code == 415


def test_other_authority_gets_404(api: Any, app: Flask, web_engine: Engine) -> None:
    case_id = api("POST", "/cases", json={"service_id": "familie", "authority": "neubukow"}).get_json()["case"]["id"]
    other = IdentityService(web_engine).issue_token("clerk2")
    response = app.test_client().get(f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    denied = app.test_client().post("/api/v1/cases", json={"service_id": "familie", "authority": "neubukow"},
                                    headers={"Authorization": f"Bearer {other}"})
    assert denied.status_code == 404


def test_business_message_is_delivered_or_parked(api: Any) -> None:
    parked = api("POST", "/messages/bescheid_eingegangen", json={"antrag_nr": "V-2026-XXXXXX"})
    assert parked.status_code == 202 and parked.get_json()["status"] == "parked"


def test_api_never_answers_with_a_server_error(app: Flask, token: str, web_engine: Engine) -> None:
    """Schemathesis fuzzes every operation of the OpenAPI document; no answer may be a 5xx.

    (The schemathesis pytest plugin does not run under pytest 9 yet, so the operations are driven
    through hypothesis directly.)"""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    failures: list[str] = []
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any, label: str = label) -> None:
            try:
                case.call_and_validate(headers=headers, checks=[not_a_server_error])
            except Exception as err:  # collect, so one run reports every failing operation
                failures.append(f"{label}: {str(err)[:300]}")
                raise

        try:
            run()
        except Exception:
            continue
    assert not failures, "\n".join(failures)
