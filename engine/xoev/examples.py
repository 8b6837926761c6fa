"""Example messages: one per message type, built from its ``example.json``.

Contract: :func:`write_examples` builds every type's example through
:func:`~engine.xoev.generate.build_message` (so each file is valid, or the call raises) and
writes ``<message_type>.xml`` into ``target_dir``. Time stamp and message id are fixed, so
repeated runs write identical files.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from engine.settings import Settings
from engine.xoev.generate import build_message, example_authorities, message_types

EXAMPLE_CREATED_AT = datetime.fromisoformat("2025-11-03T10:15:30.123+01:00")
# uuid5 of the type name: stable across runs, distinct per type.
_EXAMPLE_NAMESPACE = uuid.UUID("6f1c3a52-5d55-4f0c-9d3e-2b1f0a7c4e11")


def write_examples(target_dir: Path, settings: Settings) -> list[Path]:
    """Write one valid example message per type; returns the written paths (sorted by type)."""
    target = Path(target_dir)
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, mtype in sorted(message_types(settings).items()):
        author, reader = example_authorities(mtype)
        message = build_message(
            name,
            author=author,
            reader=reader,
            data=mtype.example.data,
            created_at=EXAMPLE_CREATED_AT,
            message_id=uuid.uuid5(_EXAMPLE_NAMESPACE, name),
            settings=settings,
        )
        path = target / f"{name}.xml"
        path.write_bytes(message.xml)
        written.append(path)
    return written
