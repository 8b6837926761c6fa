"""The operations ``message.send`` and ``order.send`` for BPMN service tasks.

Both write into the outbox inside the step's transaction (``ctx.session``): the message exists
if and only if the step commits. Both have effect ``external`` – after the step, earlier steps
can no longer be corrected, because the message may already be on its way.

``message.send`` always writes as the serving authority. Its ``empfaenger`` is an authority, or
``{"kunde": {…}}`` for a message type whose header goes to a customer (``b2privat``,
``dienstleister2kunde``); types whose author is a customer (``privat2b``,
``kunde2dienstleister``) cannot be sent by the engine.
"""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from engine.errors import DesignError, InputInvalid, OperationFailed
from engine.messaging.addressing import authority_ref, reader_ref
from engine.messaging.outbox import CHANNEL, READER_KUNDE, Order, Sender, queue_order, queue_xmeld, reader_address
from engine.operations.context import OperationContext
from engine.operations.registry import REGISTRY, CheckEnv, Param
from engine.xoev import FAMILIES, GeneratedMessage, XMeldValidator, build_message, message_types


def _sender(ctx: OperationContext) -> Sender:
    return Sender(authority_id=ctx.authority.id, case_id=ctx.case_id, sandbox=ctx.sandbox, now=ctx.now,
                  transport=ctx.settings.outbox_transport)


def _check_message_literals(literals: Mapping[str, Any], env: CheckEnv) -> Sequence[str]:
    name = literals.get("nachrichtentyp")
    if not isinstance(name, str):
        return []
    types = message_types(env.settings)
    known = sorted(types)
    if name not in types:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Meinten Sie {close[0]}?" if close else f" Verfügbar: {', '.join(known)}."
        return [f"Den Nachrichtentyp „{name}“ gibt es nicht.{hint}"]
    family = FAMILIES[types[name].header]
    if family.author == READER_KUNDE:
        return [_unsendable(name, family.name)]
    empfaenger = literals.get("empfaenger")
    to_kunde = isinstance(empfaenger, Mapping) and "kunde" in empfaenger
    if "empfaenger" in literals and to_kunde != (family.reader == READER_KUNDE):
        return [_wrong_reader(name, family.name, family.reader)]
    return []


def _unsendable(name: str, header: str) -> str:
    return (f"Den Nachrichtentyp „{name}“ (Nachrichtenkopf „{header}“) schreibt eine Person oder Stelle an die "
            "Behörde; message.send sendet immer als bedienende Behörde und kann ihn nicht senden.")


def _wrong_reader(name: str, header: str, expected: str) -> str:
    if expected == READER_KUNDE:
        return (f"Der Nachrichtentyp „{name}“ (Nachrichtenkopf „{header}“) geht an eine Person oder Stelle: "
                "„empfaenger“ muss {\"kunde\": {…}} sein.")
    return (f"Der Nachrichtentyp „{name}“ (Nachrichtenkopf „{header}“) geht an eine Behörde: „empfaenger“ muss "
            "eine Behörde sein, nicht {\"kunde\": {…}}.")


@REGISTRY.operation(
    "message.send",
    title_de="XMeld-Nachricht senden",
    description_de=(
        "Erzeugt eine XMeld-Nachricht des angegebenen Typs aus den Daten, prüft sie gegen das offizielle "
        "XSD-Schemapaket und legt sie im selben Schritt in den Postausgang. Absender ist die bedienende "
        "Behörde. Versendet wird nach dem Speichern des Schritts; in Testvorgängen (Sandbox) wird nichts "
        "versendet. Passen die Daten nicht zum Eingabeschema des Nachrichtentyps, schlägt der Schritt fehl "
        "und nichts wird gespeichert."
    ),
    params=[
        Param(name="nachrichtentyp", type="str",
              description_de="Nachrichtentyp, z. B. 'rueckmeldung.anmeldunginland.0201' (Ordner unter "
              "xoev_schemas/messages)"),
        Param(name="empfaenger", type="any",
              description_de="Schlüssel einer eingerichteten Behörde (z. B. 'schwerin'), das Objekt "
              "behoerde aus authority.competent_for, oder {name, dvdv_kennung, strasse, hausnummer, "
              "postleitzahl, ort} für eine nicht eingerichtete Behörde; bei Nachrichtentypen an Kunden "
              "(ohne G2G-Kopf, z. B. 0601) {\"kunde\": {familienname, vornamen | name, anschrift …}}"),
        Param(name="daten", type="dict",
              description_de="Die Nutzdaten nach dem Eingabeschema des Nachrichtentyps (input.schema.json)"),
    ],
    result_de="{nachricht_id: UUID-Text, nachrichtentyp}",
    effect="external",
    check_literals=_check_message_literals,
    example=(
        '<spiffworkflow:parameter id="nachrichtentyp" type="str" value="\'rueckmeldung.anmeldunginland.0201\'" />\n'
        '<spiffworkflow:parameter id="empfaenger" type="any" value="zustaendigkeit[\'behoerde\']" />\n'
        '<spiffworkflow:parameter id="daten" type="dict" value="rueckmeldung_daten" />'
    ),
)
def send_message(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    message = _build(ctx, params["nachrichtentyp"], params["empfaenger"], params["daten"])
    version = XMeldValidator.for_bundle(ctx.settings.xoev_schema_dir).version
    queue_xmeld(ctx.session, message, _sender(ctx), schema_version=version)
    address = reader_address(message)
    details = {
        "message_id": str(message.message_id), "message_type": message.message_type, "code": message.code,
        "reader": address.reader, "reader_name": address.reader_name,
        "status": "held" if ctx.sandbox else "pending",
    }
    if address.kind == READER_KUNDE:
        details |= {"reader_kind": address.kind, "header": message.header}
    ctx.record("message_queued", details)
    return {"nachricht_id": str(message.message_id), "nachrichtentyp": message.message_type}


def _build(ctx: OperationContext, message_type: str, empfaenger: Any, data: Mapping[str, Any]) -> GeneratedMessage:
    reader, _ = reader_ref(ctx.session, empfaenger)
    author = authority_ref(ctx.authority)
    try:
        return build_message(message_type, author=author, reader=reader, data=data, created_at=ctx.now,
                             message_id=uuid.uuid4(), settings=ctx.settings)
    except DesignError as err:
        header = message_types(ctx.settings)[message_type].header if err.context.get("field") else ""
        if err.context.get("field") == "author":  # the type is written by a customer
            raise DesignError(str(err), user_message=_unsendable(message_type, header),
                              message_type=message_type) from err
        if err.context.get("field") == "reader":  # an authority for a customer or the other way round
            raise DesignError(str(err), user_message=_wrong_reader(message_type, header, FAMILIES[header].reader),
                              message_type=message_type) from err
        raise
    except InputInvalid as err:
        # The data comes from the diagram's mapping, not from a form field the clerk can see:
        # fail the step with the message's field paths in the text (nothing is stored).
        listed = "; ".join(f"{path or '(Nachricht)'}: {' '.join(texts)}" for path, texts in err.errors.items())
        raise OperationFailed(
            f"message {message_type} not built: {err}",
            user_message=f"{err.user_message} {listed}",
            message_type=message_type,
            errors=err.errors,
        ) from err


def _check_order_literals(literals: Mapping[str, Any], env: CheckEnv) -> Sequence[str]:
    channel = literals.get("empfaenger")
    if isinstance(channel, str) and not CHANNEL.match(channel):
        return [f"Der Auftragsempfänger „{channel}“ ist kein gültiger Kanalname (Kleinbuchstaben, Ziffern, "
                "- und _, z. B. 'bundesdruckerei')."]
    return []


@REGISTRY.operation(
    "order.send",
    title_de="Auftrag senden",
    description_de=(
        "Legt einen Auftrag (z. B. eine Dokumentbestellung beim Hersteller) als JSON-Dokument im Format "
        "amtskoffer-auftrag/1 im selben Schritt in den Postausgang. Das Format ist eine eigene, "
        "dokumentierte Schnittstelle, keine Umsetzung eines Herstellerprotokolls. In Testvorgängen wird "
        "nichts versendet."
    ),
    params=[
        Param(name="empfaenger", type="str", description_de="Kanal, z. B. 'bundesdruckerei'"),
        Param(name="auftragsart", type="str", description_de="Art des Auftrags, z. B. dokument_herstellen"),
        Param(name="daten", type="dict", description_de="Inhalt des Auftrags (Daten des Vorgangs)"),
    ],
    result_de="{auftrag_id: UUID-Text}",
    effect="external",
    check_literals=_check_order_literals,
    example=(
        '<spiffworkflow:parameter id="empfaenger" type="str" value="\'bundesdruckerei\'" />\n'
        '<spiffworkflow:parameter id="auftragsart" type="str" value="\'dokument_herstellen\'" />\n'
        '<spiffworkflow:parameter id="daten" type="dict" value="bestellung" />'
    ),
)
def send_order(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    channel, kind = params["empfaenger"], params["auftragsart"]
    if not CHANNEL.match(channel):
        raise OperationFailed(f"order channel {channel!r} is not a simple name",
                              user_message=f"Der Auftragsempfänger „{channel}“ ist kein gültiger Kanalname.")
    if not kind.strip():
        raise OperationFailed("empty auftragsart", user_message="Die Auftragsart fehlt.")
    authority = ctx.authority
    order = Order(
        order_id=uuid.uuid4(),
        channel=channel,
        kind=kind,
        case={"id": str(ctx.case_id), "nummer": ctx.case_number, "verfahren": ctx.service_id},
        authority={"key": authority.key, "name": authority.name, "dvdv_kennung": authority.dvdv_kennung},
        created_at=ctx.now,
        data=params["daten"],
    )
    queue_order(ctx.session, order, _sender(ctx), author=authority.dvdv_kennung or authority.key)
    ctx.record("order_queued", {"order_id": str(order.order_id), "channel": channel, "kind": kind,
                                "status": "held" if ctx.sandbox else "pending"})
    return {"auftrag_id": str(order.order_id)}
