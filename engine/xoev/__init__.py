"""XMeld messages: offline schema validation and generation from message types kept as data.

Public API (import from here; the submodules are implementation):

- :func:`build_message` → :class:`GeneratedMessage` – the only way to produce an outgoing
  message; returns only messages that validate against the XSD bundle
  (``Settings.xoev_schema_dir``). Raises :class:`~engine.errors.InputInvalid` (data does not
  fit the type's input schema, German messages per field), :class:`~engine.errors.DesignError`
  (unknown type, broken template) or :class:`~engine.errors.MessageInvalid` (template
  produced invalid XML).
- :class:`AuthorityRef` – author/reader of a message.
- :func:`message_types`, :class:`MessageType` – the types under ``Settings.message_types_dir``.
- :func:`check_message_types` → list of :class:`MessageTypeProblem` – for the catalog check.
- :class:`XMeldValidator`, :class:`SchemaIssue` – validate any XMeld message (also incoming ones;
  parsing is defused).
- :func:`write_examples` – one valid example file per message type.

Never reads the network; imports nothing from ``engine.store``/``engine.runtime``. Storing
messages (the outbox, written in the step's transaction) and delivering them after the commit
is :mod:`engine.messaging`'s business.
"""

from engine.xoev.examples import write_examples
from engine.xoev.generate import (
    AuthorityRef,
    GeneratedMessage,
    MessageTypeProblem,
    build_message,
    check_message_types,
    message_types,
)
from engine.xoev.message_types import MessageType
from engine.xoev.validate import SchemaIssue, XMeldValidator

__all__ = [
    "AuthorityRef",
    "GeneratedMessage",
    "MessageType",
    "MessageTypeProblem",
    "SchemaIssue",
    "XMeldValidator",
    "build_message",
    "check_message_types",
    "message_types",
    "write_examples",
]
