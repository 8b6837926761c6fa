"""engine/messaging/service.py: what people see of messages, scoped by authority and role."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from engine.clock import FixedClock
from engine.errors import Conflict, Forbidden, NotFound
from engine.messaging import inbound
from engine.messaging.delivery import deliver_due
from engine.messaging.service import MessageService
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.store.models import Authority
from tests.engine.messaging.conftest import outbox_rows, sent_case


def authority_id(engine: Engine, key: str) -> uuid.UUID:
    with engine.db.read() as s:
        return s.execute(select(Authority.id).where(Authority.key == key)).scalar_one()


def clerk_of(engine: Engine, key: str, *roles: str) -> Actor:
    return Actor(name=f"{key}.clerk", roles=frozenset(roles or {"clerk"}),
                 authority_ids=frozenset({authority_id(engine, key)}))


def test_messages_are_visible_to_their_authority_only(engine: Engine, clerk: Actor,
                                                      fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)  # sent by Neubukow
    other_case = sent_case(engine, clerk, authority="feldberger-seenlandschaft", seriennummer="C01X00T48")
    service = MessageService(engine)
    neubukow, feldberg = clerk_of(engine, "neubukow"), clerk_of(engine, "feldberger-seenlandschaft")

    mine = service.for_case(case_id, neubukow)
    assert [(m.kind, m.message_type, m.status, m.case_number is not None) for m in mine] == [
        ("xmeld", "fortschreibung.dokument.0006", "pending", True), ("order", "reisepass", "pending", True)]
    assert mine[0].title == "Übernahme oder Eintragung eines Personaldokumentes in das Melderegister"
    assert mine[1].title == "Auftrag: reisepass"
    assert {m.id for m in service.outbox(neubukow)} == {m.id for m in mine}
    with pytest.raises(NotFound):
        service.for_case(case_id, feldberg)
    with pytest.raises(NotFound):
        service.get(mine[0].id, feldberg)
    assert {m.case_id for m in service.outbox(feldberg)} == {other_case}
    detail = service.get(mine[0].id, neubukow)
    assert detail.body == outbox_rows(engine, case_id)[0].xml and mine[0].body is None


def test_only_admins_resend_and_not_everything(engine: Engine, clerk: Actor, fixed_clock: FixedClock) -> None:
    case_id = sent_case(engine, clerk)
    sandbox_case = sent_case(engine, clerk, sandbox=True, seriennummer="C01X00T49")
    service = MessageService(engine)
    message = outbox_rows(engine, case_id)[0]
    with pytest.raises(Forbidden):
        service.resend(message.id, clerk_of(engine, "neubukow"))
    admin_elsewhere = clerk_of(engine, "feldberger-seenlandschaft", "admin")
    with pytest.raises(NotFound):
        service.resend(message.id, admin_elsewhere)
    admin = clerk_of(engine, "neubukow", "admin")
    with pytest.raises(Conflict) as held:
        service.resend(outbox_rows(engine, sandbox_case)[0].id, admin)
    assert held.value.user_message == "Nachrichten aus Testvorgängen werden nie versendet."
    deliver_due(engine)
    with pytest.raises(Conflict, match="was delivered"):
        service.resend(message.id, admin)
    with pytest.raises(Forbidden):
        service.outbox(Actor(name="gast", roles=frozenset({"designer"})))


def test_parked_messages_of_unknown_readers_are_for_unrestricted_admins(engine: Engine,
                                                                         fixed_clock: FixedClock) -> None:
    result = inbound.receive_json(engine, "unbekannte_nachricht", {"id": "x-1"}, "test")
    assert result.status == "parked"
    service = MessageService(engine)
    assert service.parked(clerk_of(engine, "neubukow", "admin")) == []
    [view] = service.parked(Actor(name="admin", roles=frozenset({"admin"})))
    assert (view.id, view.kind, view.message_name, view.reason) == (
        result.inbound_id, "json", "unbekannte_nachricht",
        "Kein Vorgang wartet auf die Nachricht „unbekannte_nachricht“ mit diesen Angaben.")
    assert view.payload == {"id": "x-1"} and view.body is None
    assert service.inbound_message(result.inbound_id, Actor.system()).body is not None
    with pytest.raises(NotFound):
        service.inbound_message(result.inbound_id, clerk_of(engine, "neubukow"))
    rejected = inbound.receive_xml(engine, b"<kaputt", source="test")
    with pytest.raises(Conflict):  # only parked messages are taken up again
        service.reprocess(rejected.inbound_id, Actor.system())
