"""How committed outbox messages leave the machine: pluggable transports, chosen by name.

Contract: a transport is registered under a name with :func:`transport` and built from the
settings (``Settings.outbox_transport`` picks one). :meth:`Transport.send` either returns (the
receiver has the message) or raises :class:`TransportFailed`. Sending the same message id twice
must be harmless: the receiver deduplicates by the message id (``X-Nachricht-UUID``), and the
``directory`` transport does nothing if the file is already there. Delivery is therefore
at-least-once on the wire and exactly-once at the receiver.

Built in:

- ``directory`` (default; works offline): writes ``<var>/outbox/<reader>/<id>.xml`` (``.json``
  for orders) via a temporary file and ``os.replace``, so a reader never sees half a file;
  ``<reader>`` is the DVDV identifier (``ags:13072074`` → ``ags_13072074``) or the order channel.
  Messages to a customer (``reader_kind`` ``kunde``) go to ``<var>/outbox/kunden/<id>.xml``: the
  customer's name and address are in the message, not in a folder name.
- ``http``: ``POST`` to ``Settings.outbox_http_url`` with the headers ``X-Nachricht-UUID``,
  ``X-Nachrichtentyp``, ``X-Empfaenger`` (and ``X-Auftrag-Kanal`` for orders); any 2xx answer
  means delivered; anything else, a timeout or a broken connection is a failed attempt. For a
  message to a customer, ``X-Empfaenger`` is ``kunde`` (no personal data in HTTP headers, which
  also could not carry every name) and ``X-Empfaenger-Art: kunde`` is added.
"""

from __future__ import annotations

import os
import re
import secrets
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from engine.errors import AmtskofferError, DesignError
from engine.settings import Settings

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
KUNDEN_FOLDER = "kunden"
"""Folder of the ``directory`` transport for messages to customers."""


class TransportFailed(AmtskofferError):
    """This attempt did not deliver the message; it is tried again later."""

    user_message = "Die Nachricht konnte nicht zugestellt werden."


@dataclass(frozen=True, slots=True, kw_only=True)
class Outgoing:
    """What a transport needs of an outbox row."""

    id: uuid.UUID
    kind: str
    """``xmeld`` or ``order``."""
    message_type: str
    reader: str
    """DVDV identifier of the reader, the order channel, or a customer's display name."""
    body: bytes
    reader_kind: str = "behoerde"
    """``kunde`` for a message to a customer (``b2privat``, ``dienstleister2kunde``)."""

    @property
    def to_kunde(self) -> bool:
        return self.reader_kind == "kunde"

    @property
    def media_type(self) -> str:
        return "application/xml" if self.kind == "xmeld" else "application/json"

    @property
    def filename(self) -> str:
        return f"{self.id}.xml" if self.kind == "xmeld" else f"{self.id}.json"


class Transport(Protocol):
    name: str

    def send(self, message: Outgoing) -> None:
        """Deliver or raise :class:`TransportFailed`."""
        ...


TransportFactory = Callable[[Settings], Transport]
_REGISTRY: dict[str, TransportFactory] = {}


def transport(name: str) -> Callable[[TransportFactory], TransportFactory]:
    """Register a transport factory under ``name`` (a duplicate name fails at import)."""

    def register(factory: TransportFactory) -> TransportFactory:
        if name in _REGISTRY:
            raise ValueError(f"transport {name!r} registered twice")
        _REGISTRY[name] = factory
        return factory

    return register


def names() -> list[str]:
    return sorted(_REGISTRY)


def build(settings: Settings, name: str | None = None) -> Transport:
    """The transport ``name`` (default: ``Settings.outbox_transport``)."""
    chosen = name or settings.outbox_transport
    factory = _REGISTRY.get(chosen)
    if factory is None:
        raise DesignError(f"unknown outbox transport {chosen!r} (known: {names()})",
                          user_message=f"Der Versandweg „{chosen}“ ist nicht bekannt "
                          f"(möglich: {', '.join(names())}).")
    return factory(settings)


def folder_name(reader: str) -> str:
    """A reader as a portable folder name (``ags:13072074`` → ``ags_13072074``)."""
    cleaned = _UNSAFE.sub("_", reader).strip(".") or "_"
    return cleaned[:100]


class DirectoryTransport:
    """Drop files into ``<var>/outbox``; another process (or a person) takes them from there."""

    name = "directory"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def target(self, message: Outgoing) -> Path:
        folder = KUNDEN_FOLDER if message.to_kunde else folder_name(message.reader)
        return self.root / folder / message.filename

    def send(self, message: Outgoing) -> None:
        target = self.target(message)
        if target.exists():
            self._remove_leftovers(target, message)
            return  # delivered before (the worker died before recording it): nothing to do
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.parent / f".{message.id}.{secrets.token_hex(4)}.tmp"
            with open(temporary, "wb") as fh:
                fh.write(message.body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temporary, target)  # atomic: readers see no file or the whole file
            _fsync_directory(target.parent)
            self._remove_leftovers(target, message)
        except OSError as err:
            raise TransportFailed(f"cannot write {target}: {err}",
                                  user_message="Die Nachricht konnte nicht im Ausgangsordner abgelegt werden.",
                                  path=str(target)) from err


    @staticmethod
    def _remove_leftovers(target: Path, message: Outgoing) -> None:
        # Temporary files of this message from a worker that was killed while writing.
        for stale in target.parent.glob(f".{message.id}.*.tmp"):
            stale.unlink(missing_ok=True)


def _fsync_directory(folder: Path) -> None:
    # The rename must survive a power cut, like the commit that recorded it.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (Windows); the rename itself is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would repeat a redirected POST as a GET somewhere else; a redirect is a failure here.
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class HttpTransport:
    """POST every message to one endpoint (a gateway, e.g. an OSCI intermediary's adapter)."""

    name = "http"

    def __init__(self, url: str, timeout_s: float) -> None:
        if not url.startswith(("http://", "https://")):
            raise DesignError(f"outbox http transport needs an http(s) URL, got {url!r}",
                              user_message="Für den Versandweg „http“ ist keine gültige Adresse eingestellt "
                              "(AMTSKOFFER_OUTBOX_URL).")
        self.url = url
        self.timeout_s = timeout_s

    def send(self, message: Outgoing) -> None:
        headers = {
            "Content-Type": f"{message.media_type}; charset=utf-8",
            "X-Nachricht-UUID": str(message.id),
            "X-Nachrichtentyp": message.message_type,
            "X-Empfaenger": message.reader,
        }
        if message.to_kunde:
            headers["X-Empfaenger"] = headers["X-Empfaenger-Art"] = "kunde"
        if message.kind == "order":
            headers["X-Auftrag-Kanal"] = message.reader
        request = urllib.request.Request(self.url, data=message.body, headers=headers, method="POST")
        try:
            with _OPENER.open(request, timeout=self.timeout_s) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as err:
            err.close()  # it holds the open response
            raise TransportFailed(f"POST {self.url}: HTTP {err.code}",
                                  user_message=f"Der Empfänger hat die Nachricht abgelehnt (HTTP {err.code}).",
                                  status=err.code) from err
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise TransportFailed(f"POST {self.url}: {reason}",
                                  user_message="Der Empfänger ist nicht erreichbar oder hat nicht rechtzeitig "
                                  "geantwortet.") from err
        if not 200 <= status < 300:
            raise TransportFailed(f"POST {self.url}: HTTP {status}",
                                  user_message=f"Der Empfänger hat die Nachricht nicht angenommen (HTTP {status}).",
                                  status=status)


@transport("directory")
def _directory(settings: Settings) -> Transport:
    return DirectoryTransport(settings.var_dir / "outbox")


@transport("http")
def _http(settings: Settings) -> Transport:
    return HttpTransport(settings.outbox_http_url, settings.outbox_http_timeout_s)
