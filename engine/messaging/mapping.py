"""Which BPMN message an incoming XMeld message becomes: data in ``xoev_schemas/inbound/``.

Contract: ``<message type>.toml`` (e.g. ``fortschreibung.dokument.0006.toml``) holds

```toml
message = "personaldokument_fortgeschrieben"   # BPMN message name the cases wait for
description_de = "…"
[payload]                                        # key = XPath 1.0 from the message's root element
seriennummer = "string(xmeld:ausweisdokument/xmeld:seriennummer)"
vornamen = "xmeld:betroffener/xmeld:name/xmeld:vornamen//name"   # a node-set gives a list of texts
```

The prefix ``xmeld`` is bound to the bundle's namespace; header elements have no prefix.
``string(…)``/``number(…)``/``boolean(…)`` give one value (empty text becomes None), a node-set
gives the list of its texts. :func:`load_mapping` returns None when there is no file for the
type and raises :class:`DesignError` (naming file and key) when the file is broken.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from engine.errors import DesignError
from engine.settings import Settings

MAPPING_FOLDER = "inbound"
_TYPE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]{0,119}$")
_KEY = re.compile(r"^[a-z_][a-z0-9_]{0,63}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMapping:
    message_type: str
    message: str
    """The BPMN message name."""
    description_de: str
    payload: Mapping[str, etree.XPath]


def mapping_dir(settings: Settings) -> Path:
    """Next to the message types: ``xoev_schemas/inbound``."""
    return settings.message_types_dir.parent / MAPPING_FOLDER


def _broken(path: Path, detail: str, german: str) -> DesignError:
    return DesignError(f"{path}: {detail}", user_message=f"{path.name}: {german}", file=str(path))


def load_mapping(settings: Settings, message_type: str, *, namespace: str) -> InboundMapping | None:
    """The mapping of ``message_type`` or None if the type has none."""
    if not _TYPE_NAME.match(message_type):
        return None
    path = mapping_dir(settings) / f"{message_type}.toml"
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise _broken(path, str(err), "Die Datei ist nicht lesbar oder kein gültiges TOML.") from err
    message = data.get("message")
    if not isinstance(message, str) or not message.strip():
        raise _broken(path, "missing 'message'", "„message“ (Name der BPMN-Nachricht) fehlt.")
    payload = data.get("payload", {})
    if not isinstance(payload, dict):
        raise _broken(path, "'payload' is not a table", "„payload“ muss eine Tabelle Schlüssel = XPath sein.")
    compiled: dict[str, etree.XPath] = {}
    for key, expression in payload.items():
        if not _KEY.match(key) or not isinstance(expression, str):
            raise _broken(path, f"payload key {key!r} invalid", f"Der Eintrag „{key}“ ist ungültig "
                          "(Schlüssel aus Kleinbuchstaben, Ziffern und _, Wert ein XPath-Ausdruck als Text).")
        try:
            compiled[key] = etree.XPath(expression, namespaces={"xmeld": namespace})
        except etree.XPathSyntaxError as err:
            raise _broken(path, f"payload {key}: {err}", f"Der XPath-Ausdruck für „{key}“ ist ungültig: "
                          f"{expression}") from err
    return InboundMapping(message_type=message_type, message=message.strip(),
                          description_de=str(data.get("description_de", "")).strip(), payload=compiled)


def mapped_types(settings: Settings) -> list[str]:
    folder = mapping_dir(settings)
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []
