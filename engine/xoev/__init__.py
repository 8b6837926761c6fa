"""XMeld messages: offline schema validation and generation from message types kept as data.

Public API (import from here; the submodules are implementation):

- :func:`build_message` → :class:`GeneratedMessage` – the only way to produce an outgoing
  message; returns only messages that validate against the XSD bundle
  (``Settings.xoev_schema_dir``). Raises :class:`~engine.errors.InputInvalid` (data does not
  fit the type's input schema, German messages per field), :class:`~engine.errors.DesignError`
  (unknown type, broken template) or :class:`~engine.errors.MessageInvalid` (template
  produced invalid XML).
- :class:`AuthorityRef` – an authority as author/reader of a message; :class:`KundeRef` – a
  customer (private person or organisation) in the non-G2G header families, read from the
  ``{"kunde": {…}}`` mapping of a step by :func:`party_from_mapping`. Which header a type gets
  (``message.toml`` ``header``: ``g2g`` by default, ``b2b``, ``b2privat``, ``privat2b``,
  ``kunde2dienstleister``, ``dienstleister2kunde``) is described in :mod:`engine.xoev.headers`.
  :func:`example_authorities` – author and reader of a type's ``example.json``.
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
    example_authorities,
    message_types,
    party_from_mapping,
)
from engine.xoev.headers import FAMILIES, HeaderFamily
from engine.xoev.kunde import KundeRef
from engine.xoev.message_types import MessageType
from engine.xoev.validate import SchemaIssue, XMeldValidator

__all__ = [
    "FAMILIES",
    "AuthorityRef",
    "GeneratedMessage",
    "HeaderFamily",
    "KundeRef",
    "MessageType",
    "MessageTypeProblem",
    "SchemaIssue",
    "XMeldValidator",
    "build_message",
    "check_message_types",
    "example_authorities",
    "message_types",
    "party_from_mapping",
    "write_examples",
]
