"""Messages in and out: transactional outbox, delivery with retries, inbound correlation.

Public API (import from the submodules named here):

- operations ``message.send`` and ``order.send`` (:mod:`engine.messaging.message_ops`, loaded
  into the operation registry like every ``*_ops`` module): build/validate the message and add
  it to the outbox *in the step's transaction*; ``held`` for sandbox cases. ``message.send``
  writes as the serving authority to an authority, or to a customer (``{"kunde": {…}}``) for
  types with a ``b2privat``/``dienstleister2kunde`` header (:mod:`engine.xoev.headers`).
- :func:`engine.messaging.delivery.deliver_due` – one delivery round (claim with a lease, send
  through the transport, record; exponential backoff, dead letters). Transports are registered
  by name in :mod:`engine.messaging.transports` (``directory``, ``http``).
- :mod:`engine.messaging.inbound` – :func:`receive_xml`, :func:`receive_json`,
  :func:`scan_folder`, :func:`reprocess`: defused parsing, XSD validation, dedupe by message id,
  mapping to BPMN messages (``xoev_schemas/inbound``, :mod:`engine.messaging.mapping`) and
  correlation with the waiting case; otherwise parked with a German reason.
- :class:`engine.messaging.service.MessageService` – queries and admin actions, scoped to the
  actor's authorities.
- :func:`engine.messaging.examples.write_examples` – one example per message type, sent through
  ``message.send`` in throw-away cases on a temporary database.

Statuses of outgoing messages: pending, delivered, dead, held; of incoming ones: received,
correlated, parked, rejected. Every change that matters is an audit event.
"""
