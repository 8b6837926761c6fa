"""engine/messaging/transports.py: the directory drop and HTTP, against real files and a real server."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from engine.errors import DesignError
from engine.messaging import transports
from engine.messaging.transports import DirectoryTransport, HttpTransport, Outgoing, TransportFailed, build
from engine.settings import Settings
from tests.engine.messaging.receiver import Receiver

XML = "<?xml version='1.0'?><nachricht>Müller &amp; Söhne</nachricht>".encode()


def message(kind: str = "xmeld", reader: str = "ags:13072074", body: bytes = XML) -> Outgoing:
    return Outgoing(id=uuid.uuid4(), kind=kind, message_type="fortschreibung.dokument.0006" if kind == "xmeld"
                    else "reisepass", reader=reader, body=body)


def test_directory_writes_one_file_per_message_under_the_reader(tmp_path: Path) -> None:
    transport = DirectoryTransport(tmp_path)
    m, order = message(), message("order", "bundesdruckerei", b'{"a": 1}')
    transport.send(m)
    transport.send(order)
    assert (tmp_path / "ags_13072074" / f"{m.id}.xml").read_bytes() == XML
    assert (tmp_path / "bundesdruckerei" / f"{order.id}.json").read_bytes() == b'{"a": 1}'
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        ["ags_13072074", "bundesdruckerei", f"{m.id}.xml", f"{order.id}.json"])  # no temporary files left


def test_directory_replaces_a_complete_temporary_file_into_place(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Path, Path, bytes, bool]] = []
    real_replace = os.replace

    def watching(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        seen.append((Path(src), Path(dst), Path(src).read_bytes(), Path(dst).exists()))
        real_replace(src, dst)

    monkeypatch.setattr(transports.os, "replace", watching)
    m = message()
    DirectoryTransport(tmp_path).send(m)
    [(src, dst, content, existed)] = seen
    assert src.parent == dst.parent and src.name.startswith(".") and dst.name == f"{m.id}.xml"
    assert content == XML and existed is False  # the reader never sees a partial file under the real name


def test_directory_delivery_is_idempotent(tmp_path: Path) -> None:
    transport = DirectoryTransport(tmp_path)
    m = message()
    transport.send(m)
    target = tmp_path / "ags_13072074" / f"{m.id}.xml"
    stamp = target.stat().st_mtime_ns
    transport.send(Outgoing(id=m.id, kind=m.kind, message_type=m.message_type, reader=m.reader, body=b"other"))
    assert target.read_bytes() == XML and target.stat().st_mtime_ns == stamp
    assert len(list(target.parent.iterdir())) == 1


def test_directory_failure_is_a_failed_attempt(tmp_path: Path) -> None:
    (tmp_path / "ags_13072074").write_text("a file where the folder should be")
    with pytest.raises(TransportFailed) as info:
        DirectoryTransport(tmp_path).send(message())
    assert info.value.user_message == "Die Nachricht konnte nicht im Ausgangsordner abgelegt werden."


@pytest.mark.parametrize(("reader", "folder"), [
    ("ags:13072074", "ags_13072074"), ("dbs:090030010000", "dbs_090030010000"), ("../../etc", "_.._etc"),
    ("bundesdruckerei", "bundesdruckerei"),
])
def test_readers_become_portable_folder_names(reader: str, folder: str) -> None:
    assert transports.folder_name(reader) == folder


def test_http_posts_the_message_with_its_id(receiver: Receiver) -> None:
    m = message()
    HttpTransport(receiver.url, timeout_s=5).send(m)
    [(message_id, headers, body)] = receiver.requests
    assert (message_id, body) == (str(m.id), XML)
    assert headers["Content-Type"] == "application/xml; charset=utf-8"
    assert (headers["X-Nachrichtentyp"], headers["X-Empfaenger"]) == ("fortschreibung.dokument.0006", "ags:13072074")
    order = message("order", "bundesdruckerei", b"{}")
    HttpTransport(receiver.url, timeout_s=5).send(order)
    assert receiver.requests[1][1]["X-Auftrag-Kanal"] == "bundesdruckerei"
    assert receiver.requests[1][1]["Content-Type"] == "application/json; charset=utf-8"


def test_http_error_answer_is_a_failed_attempt(receiver: Receiver) -> None:
    receiver.fail_next = 1
    with pytest.raises(TransportFailed) as info:
        HttpTransport(receiver.url, timeout_s=5).send(message())
    assert info.value.context["status"] == 503
    assert "HTTP 503" in info.value.user_message


def test_http_timeout_is_a_failed_attempt(receiver: Receiver) -> None:
    receiver.hold_s, receiver.hold_next = 1.5, 1
    with pytest.raises(TransportFailed) as info:
        HttpTransport(receiver.url, timeout_s=0.3).send(message())
    assert "nicht rechtzeitig" in info.value.user_message


def test_http_unreachable_receiver_is_a_failed_attempt() -> None:
    with socket.socket() as s:  # a port that was free a moment ago: nobody listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransportFailed):
        HttpTransport(f"http://127.0.0.1:{port}/", timeout_s=2).send(message())


def test_http_redirect_is_not_followed() -> None:
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(TransportFailed) as info:
            HttpTransport(f"http://127.0.0.1:{server.server_address[1]}/", timeout_s=5).send(message())
        assert info.value.context["status"] == 302
    finally:
        server.shutdown()
        server.server_close()


def test_transports_are_chosen_by_name(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, outbox_http_url="http://127.0.0.1:9/x")
    assert isinstance(build(settings), DirectoryTransport)
    assert isinstance(build(settings, "http"), HttpTransport)
    with pytest.raises(DesignError, match="brieftaube"):
        build(settings, "brieftaube")
    with pytest.raises(DesignError):
        build(Settings(var_dir=tmp_path, outbox_transport="http"))  # no URL configured
    with pytest.raises(ValueError, match="twice"):
        transports.transport("directory")(lambda s: DirectoryTransport(tmp_path))


def test_leftovers_of_a_killed_writer_are_removed(tmp_path: Path) -> None:
    m = message()
    folder = tmp_path / "ags_13072074"
    folder.mkdir()
    (folder / f".{m.id}.dead1234.tmp").write_bytes(XML[:10])  # the previous worker died mid-write
    other = folder / f".{uuid.uuid4()}.beef0000.tmp"
    other.write_bytes(b"x")  # another message's file is none of this one's business
    DirectoryTransport(tmp_path).send(m)
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{m.id}.xml", other.name])
