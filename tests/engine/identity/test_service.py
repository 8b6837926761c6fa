"""Users, memberships, login throttling, tokens and drafts on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import clock
from engine.errors import InputInvalid, NotFound
from engine.identity import DraftService, IdentityService, LoginThrottled
from engine.identity.models import User
from engine.identity.service import MAX_FAILURES_PER_USER, LoginFailed
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine

PASSWORD = "richtig-richtig"


@pytest.fixture
def identity(engine: Engine) -> IdentityService:
    service = IdentityService(engine)
    service.add_user("Erika", PASSWORD, roles=["clerk"], authorities=["neubukow", "neubukow-salzhaff"],
                     display_name="Erika Muster")
    return service


def test_user_gets_actor_with_roles_and_authority_ids(identity: IdentityService, engine: Engine) -> None:
    info = identity.by_name("erika")
    assert info.name == "erika"  # names are case-insensitive, stored lower case
    assert info.authority_keys == ("neubukow", "neubukow-salzhaff")
    actor = info.actor()
    assert actor.roles == frozenset({"clerk"}) and actor.authority_ids == info.authority_ids
    with engine.db.read() as s:
        assert engine.authorities.by_key(s, "neubukow").id in actor.authority_ids


def test_password_is_an_argon2id_hash(identity: IdentityService, engine: Engine) -> None:
    with engine.db.read() as s:
        stored = s.execute(select(User.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.parametrize(("name", "password", "roles", "authorities", "field"), [
    ("x y", PASSWORD, ["clerk"], ["neubukow"], "name"),
    ("neu", "kurz", ["clerk"], ["neubukow"], "password"),
    ("neu", PASSWORD, ["chef"], ["neubukow"], "roles"),
    ("neu", PASSWORD, [], ["neubukow"], "roles"),
    ("neu", PASSWORD, ["clerk"], [], "authorities"),
    ("neu", PASSWORD, ["clerk"], ["atlantis"], "authorities"),
    ("erika", PASSWORD, ["clerk"], ["neubukow"], "name"),
])
def test_invalid_user_data_is_refused_with_german_field_messages(
        identity: IdentityService, name: str, password: str, roles: list[str], authorities: list[str],
        field: str) -> None:
    with pytest.raises(InputInvalid) as err:
        identity.add_user(name, password, roles=roles, authorities=authorities)
    assert list(err.value.errors) == [field]
    assert len(identity.list()) == 1


def test_authenticate_and_audit(identity: IdentityService, engine: Engine) -> None:
    assert identity.authenticate("ERIKA", PASSWORD, address="10.0.0.1").name == "erika"
    with pytest.raises(LoginFailed):
        identity.authenticate("erika", "falsch-falsch", address="10.0.0.1")
    from engine.audit.log import export_records
    from engine.store.models import AuditEvent

    with engine.db.read() as s:
        events = export_records(s.execute(select(AuditEvent).order_by(AuditEvent.global_seq)).scalars())
    types = [e["type"] for e in events]
    assert "user_created" in types and "user_logged_in" in types and "login_failed" in types
    assert PASSWORD not in str(events) and "falsch-falsch" not in str(events)


def test_throttling_per_name_expires_after_the_window(identity: IdentityService, fixed_clock: clock.FixedClock) -> None:
    for _ in range(MAX_FAILURES_PER_USER):
        with pytest.raises(LoginFailed):
            identity.authenticate("erika", "falsch-falsch", address="10.0.0.1")
    with pytest.raises(LoginThrottled) as err:
        identity.authenticate("erika", PASSWORD, address="10.0.0.2")
    assert "15 Minuten" in err.value.user_message
    fixed_clock.advance(timedelta(minutes=15, seconds=1))
    assert identity.authenticate("erika", PASSWORD, address="10.0.0.2").name == "erika"


def test_success_clears_the_name_counter(identity: IdentityService, fixed_clock: clock.FixedClock) -> None:
    for _ in range(MAX_FAILURES_PER_USER - 1):
        with pytest.raises(LoginFailed):
            identity.authenticate("erika", "falsch-falsch")
    identity.authenticate("erika", PASSWORD)
    with pytest.raises(LoginFailed):
        identity.authenticate("erika", "falsch-falsch")
    identity.authenticate("erika", PASSWORD)  # one failure since the success: not throttled


def test_disabled_user_cannot_log_in_and_loses_sessions_and_tokens(identity: IdentityService) -> None:
    info = identity.authenticate("erika", PASSWORD)
    token = identity.issue_token("erika", "test")
    assert identity.for_session(info.session_id) is not None and identity.for_token(token) is not None
    identity.set_active("erika", False)
    assert identity.for_session(info.session_id) is None and identity.for_token(token) is None
    with pytest.raises(LoginFailed):
        identity.authenticate("erika", PASSWORD)
    identity.set_active("erika", True)
    assert identity.for_session(info.session_id) is None  # re-enabling does not revive old sessions


def test_password_change_ends_sessions(identity: IdentityService) -> None:
    old = identity.authenticate("erika", PASSWORD).session_id
    identity.set_password("erika", "ein-anderes-passwort")
    assert identity.for_session(old) is None
    with pytest.raises(LoginFailed):
        identity.authenticate("erika", PASSWORD)
    assert identity.authenticate("erika", "ein-anderes-passwort").name == "erika"


def test_tokens(identity: IdentityService) -> None:
    token = identity.issue_token("erika", "Schnittstelle")
    assert token.startswith("ak_") and len(token) > 40
    assert identity.for_token(token).name == "erika"  # type: ignore[union-attr]
    assert identity.for_token(token + "x") is None and identity.for_token("") is None
    assert identity.revoke_tokens("erika") == 1
    assert identity.for_token(token) is None


def test_update_user_changes_roles_and_memberships(identity: IdentityService) -> None:
    info = identity.update_user("erika", roles=["clerk", "auditor"], authorities=["luetzow-luebstorf"])
    assert info.roles == {"clerk", "auditor"} and info.authority_keys == ("luetzow-luebstorf",)
    with pytest.raises(NotFound):
        identity.update_user("niemand", roles=["clerk"], authorities=["neubukow"])


def test_drafts_are_scoped_saved_and_audited(identity: IdentityService, engine: Engine,
                                             fixed_clock: clock.FixedClock) -> None:
    actor = identity.by_name("erika").actor()
    view = engine.cases.start("familie", "neubukow", actor)
    drafts = DraftService(engine)
    task = view.ready[0].task_id
    assert drafts.load(view.case.id, task, actor) is None
    drafts.save(view.case.id, task, {"einzugsdatum": "01.1"}, actor)
    drafts.save(view.case.id, task, {"einzugsdatum": "01.11.2026"}, actor)
    assert drafts.load(view.case.id, task, actor).values == {"einzugsdatum": "01.11.2026"}  # type: ignore[union-attr]
    assert drafts.tasks_with_drafts(view.case.id) == {task}
    stranger = Actor(name="fremd", roles=frozenset({"clerk"}), authority_ids=frozenset({uuid.uuid4()}))
    with pytest.raises(NotFound):
        drafts.load(view.case.id, task, stranger)
    with pytest.raises(NotFound):
        drafts.save(view.case.id, task, {}, stranger)
    exported = engine.audit.export_case(view.case.id, Actor.system())
    saved = [e for e in exported["events"] if e["type"] == "draft_saved"]
    assert len(saved) == 2 and "01.11.2026" not in str(saved)
    drafts.discard(view.case.id, task)
    assert drafts.load(view.case.id, task, actor) is None
