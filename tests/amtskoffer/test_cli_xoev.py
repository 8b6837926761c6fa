"""``amtskoffer message …`` (outbox, delivery, inbound) and the worker's message jobs, end to end."""

from __future__ import annotations

import json
from pathlib import Path

from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import Settings
from tests.engine.messaging.conftest import PERSON, outbox_rows
from tests.helpers import run_cli as run


def sent_case(env: dict[str, str]) -> Engine:
    run(env, "init", "--demo")
    engine = Engine(Settings.from_env(env))
    clerk = Actor(name="clerk.test", roles=frozenset({"clerk"}))
    view = engine.cases.start("nachricht_test", "neubukow", clerk, {"empfaenger": "schwerin"})
    engine.cases.submit(view.case.id, view.ready[0].task_id, PERSON, clerk)
    return engine


def test_outbox_delivery_show_and_resend(env: dict[str, str]) -> None:
    engine = sent_case(env)
    xmeld, order = outbox_rows(engine)
    listing = run(env, "message", "outbox")
    assert f"{xmeld.id}  pending    0x  fortschreibung.dokument.0006" in listing
    assert "→ Landeshauptstadt Schwerin" in listing and f"{order.id}  pending" in listing
    assert run(env, "message", "deliver-now") == "zugestellt: 2, fehlgeschlagen: 0, aufgegeben: 0\n"
    assert run(env, "message", "outbox", "--status", "pending") == ""
    assert run(env, "message", "show", str(xmeld.id)).encode() == xmeld.xml + b"\n"
    out = run(env, "message", "resend", str(xmeld.id), code=2)
    assert "Die Nachricht wurde bereits zugestellt." in out
    assert "keine Nachrichten-ID" in run(env, "message", "show", "123", code=2)


def test_receive_files_and_list_the_inbound(env: dict[str, str], tmp_path: Path) -> None:
    engine = sent_case(env)
    order = outbox_rows(engine)[1]
    document = tmp_path / "dokument.json"
    document.write_text(json.dumps({"name": "dokument_eingetroffen", "payload": {"auftrag_id": str(order.id)}}))
    assert run(env, "message", "receive", str(document)).startswith("correlated ")
    broken = tmp_path / "kaputt.xml"
    broken.write_bytes(b"<kaputt")
    assert "rejected" in run(env, "message", "receive", str(broken), code=1)
    listing = run(env, "message", "inbound", "--status", "rejected")
    assert "Die Nachricht ist kein wohlgeformtes XML." in listing
    parked = tmp_path / "unbekannt.json"
    parked.write_text(json.dumps({"name": "unbekannt", "payload": {}}))
    inbound_id = run(env, "message", "receive", str(parked)).split()[1]
    assert run(env, "message", "reprocess", inbound_id).startswith("parked ")


def test_the_worker_delivers_and_reads_the_inbound_folder(env: dict[str, str]) -> None:
    engine = sent_case(env)
    order = outbox_rows(engine)[1]
    inbox = Path(env["AMTSKOFFER_VAR"]) / "inbound"
    inbox.mkdir(parents=True)
    (inbox / "dokument.json").write_text(json.dumps({"name": "dokument_eingetroffen",
                                                     "payload": {"auftrag_id": str(order.id)}}))
    out = run(env, "worker", "--once")
    assert out == "3 erledigt\n"  # two deliveries, one inbound file
    assert [r.status for r in outbox_rows(engine)] == ["delivered", "delivered"]
    assert (inbox / "done" / "dokument.json").is_file()
