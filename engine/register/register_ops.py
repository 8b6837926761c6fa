"""The ``register.*`` service operations: find, read and change the Melderegister.

Thin adapters: they read the parameters (German messages for bad values, keyed by parameter
name), call :mod:`engine.register.query`, :mod:`engine.register.changes` or
:mod:`engine.register.auskunft` inside the step's transaction and return the plain data of
the operation catalogue. Changes record their audit events through ``ctx.record``.
"""

from __future__ import annotations

import uuid
from typing import Any

from engine.clock import BERLIN
from engine.errors import InputInvalid, OperationFailed
from engine.operations.context import OperationContext
from engine.operations.registry import REGISTRY, Param
from engine.register import auskunft as auskunft_rules
from engine.register.changes import (
    ChangeContext,
    apply_move,
    apply_move_out,
    create_person,
    record_document,
    set_block,
    set_document_status,
    set_transfer_blocks,
)
from engine.register.codes import (
    AUSKUNFTSSPERRE_51,
    SETTABLE_DOCUMENT_STATUS,
    UEBERMITTLUNGSSPERREN,
    DocumentStatus,
    ResidenceKind,
    document_kinds,
    register_codes,
)
from engine.register.query import SearchQuery, get_visible, person_record, search
from engine.register.validation import (
    Problems,
    as_date,
    parse_person,
    parse_uuid,
    read_address,
    read_block,
    read_document,
    read_foreign_address,
    read_person_ids,
)

RESIDENCE_KINDS = tuple(k.value for k in ResidenceKind)
DOCUMENT_KINDS = tuple(document_kinds())
STATUS_CHOICES = tuple(s.value for s in SETTABLE_DOCUMENT_STATUS)


def _cx(ctx: OperationContext) -> ChangeContext:
    return ChangeContext(session=ctx.session, authority=ctx.authority, today=ctx.now.astimezone(BERLIN).date(),
                         now=ctx.now, record=ctx.record, sandbox=ctx.sandbox)


def _invalid(path: str, message: str) -> InputInvalid:
    return InputInvalid(f"invalid parameter {path}", errors={path: [message]}, user_message=message, field=path)


def _uuid(params: dict[str, Any], name: str, what: str) -> uuid.UUID:
    value = parse_uuid(params.get(name))
    if value is None:
        raise _invalid(name, f"„{params.get(name)}“ ist keine gültige Kennung {what}.")
    return value


def _date(params: dict[str, Any], name: str, label: str) -> Any:
    value = params.get(name)
    if value is None:
        return None
    day = as_date(value)
    if day is None:
        raise _invalid(name, f"„{value}“ ist kein gültiges Datum für {label}.")
    return day


def _texts(value: Any, name: str) -> list[str]:
    """A list of keys from the diagram (None = none)."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        message = f"„{name}“ muss eine Liste von Schlüsseln sein."
        raise InputInvalid(f"{name} is not a list of texts", errors={name: [message]}, user_message=message,
                           field=name)
    return list(value)


@REGISTRY.operation(
    "register.find_person",
    title_de="Person im Melderegister suchen",
    description_de=(
        "Sucht Personen in den Melderegistern aller Behörden dieser Installation. Der Familienname wird "
        "unscharf verglichen: Groß-/Kleinschreibung, Umlaute und ß (Müller = Mueller), Akzente (Łukasz = "
        "Lukasz), einzelne Teile von Doppelnamen und gleich klingende Schreibweisen (Kölner Phonetik: Meier = "
        "Meyer = Maier) werden gefunden. Auch der Geburtsname wird durchsucht. Sortierung: exakte Treffer vor "
        "anderer Schreibweise vor Namensteil vor Klangähnlichkeit. Vornamen, Geburtsdatum und Geburtsname "
        "schränken ein. Höchstens 50 Treffer; jeder nennt die Behörde, die die Person führt."
    ),
    params=[
        Param(name="familienname", type="str", description_de="Familienname (oder Geburtsname) der Person"),
        Param(name="vornamen", type="str", required=False, description_de="Vorname(n); einer genügt"),
        Param(name="geburtsdatum", type="date", required=False, description_de="Geburtsdatum (genau)"),
        Param(name="geburtsname", type="str", required=False, description_de="Geburtsname"),
    ],
    result_de=(
        "{anzahl: int, abgeschnitten: bool, treffer: [{person_id, familienname, vornamen, geburtsname, "
        "geburtsdatum, geburtsort, anschrift: {strasse, hausnummer, postleitzahl, ort, ags, art} | None, "
        "gefuehrt_von (Behördenkennung), gefuehrt_von_name, auskunftssperre: bool, verstorben: bool, "
        "treffer_art: exakt|gefaltet|namensteil|phonetisch|phonetisch_namensteil}]}"
    ),
    example=(
        '<spiffworkflow:parameter id="familienname" type="str" value="familienname" />\n'
        '<spiffworkflow:parameter id="vornamen" type="str" value="vornamen" />\n'
        '<spiffworkflow:parameter id="geburtsdatum" type="date" value="geburtsdatum" />'
    ),
)
def find_person(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    name = (params.get("familienname") or "").strip()
    if not name:
        raise _invalid("familienname", "Bitte einen Familiennamen angeben.")
    query = SearchQuery(familienname=name, vornamen=(params.get("vornamen") or "").strip() or None,
                        geburtsdatum=_date(params, "geburtsdatum", "das Geburtsdatum"),
                        geburtsname=(params.get("geburtsname") or "").strip() or None)
    hits, cut = search(ctx.session, query, today=_cx(ctx).today, sandbox=ctx.sandbox)
    return {"anzahl": len(hits), "treffer": hits, "abgeschnitten": cut}


@REGISTRY.operation(
    "register.get_person",
    title_de="Person aus dem Melderegister lesen",
    description_de=(
        "Liest den vollständigen Eintrag einer Person: Namen, Geburtsdaten, Staatsangehörigkeiten, Religion, "
        "Familienstand, Wohnungen (aktuelle zuerst, dann frühere; `aktiv` kennzeichnet bestehende), Pass- und "
        "Ausweisdokumente (Status `abgelaufen` ergibt sich aus dem Ablaufdatum), geltende Auskunftssperren, "
        "gesetzliche Vertreter und Kinder."
    ),
    params=[Param(name="person_id", type="uuid", description_de="Kennung der Person (aus der Suche)")],
    result_de=(
        "{person_id, familienname, vornamen, geburtsname, doktorgrad, ordens_kuenstlername, geschlecht, "
        "geburtsdatum, geburtsort, geburtsstaat, staatsangehoerigkeiten: [Schlüssel], religion, familienstand, "
        "verstorben_am, gefuehrt_von, gefuehrt_von_name, hauptwohnung: Wohnung | None, wohnungen: [Wohnung], "
        "dokumente: [Dokument], auskunftssperren: [{art, grund, bis}], uebermittlungssperren: [Schlüssel], "
        "gesetzliche_vertreter: [{person_id, "
        "familienname, vornamen, geburtsdatum}], kinder: [{person_id, familienname, vornamen, geburtsdatum}]}; "
        "Wohnung = {wohnung_id, art, strasse, hausnummer, postleitzahl, ort, ags, zusatz, eingezogen_am, "
        "ausgezogen_am, aktiv, wohnungsgeber, neue_anschrift}; Dokument = {dokument_id, art, passart, "
        "seriennummer, behoerde, ausgestellt_am, gueltig_bis, status, status_seit, grund}"
    ),
    example='<spiffworkflow:parameter id="person_id" type="str" value="person_id" />',
)
def get_person(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    pid = _uuid(params, "person_id", "einer Person")
    person = get_visible(ctx.session, pid, sandbox=ctx.sandbox)
    if person is None:
        raise OperationFailed(f"person {pid} not in register",
                              user_message=f"Die Person mit der Kennung {pid} ist nicht im Melderegister eingetragen.",
                              field="person_id")
    return person_record(ctx.session, person, today=_cx(ctx).today)


@REGISTRY.operation(
    "register.create_person",
    title_de="Person in das Melderegister aufnehmen",
    description_de=(
        "Nimmt eine Person neu auf, z. B. bei Zuzug aus dem Ausland oder aus einer Gemeinde außerhalb dieser "
        "Installation. Namen müssen DIN SPEC 91379 entsprechen; Geschlecht (m, w, d, x; Standard x), "
        "Staaten, Staatsangehörigkeiten (Standard 000 = deutsch), Religion und Familienstand werden gegen die "
        "amtlichen Codelisten geprüft. Optional Wohnungen, Dokumente, Auskunftssperren, gesetzliche Vertreter "
        "und Kinder (als Kennungen vorhandener Personen). Geführt wird die Person von der Meldebehörde der "
        "Hauptwohnung, sonst von der bedienenden Behörde (oder `gefuehrt_von`). Eine Person mit gleichem "
        "Namen und Geburtsdatum wird nicht doppelt aufgenommen."
    ),
    params=[Param(name="person", type="dict",
                  description_de="Die Personendaten wie bei „Person lesen“, ohne Kennungen")],
    result_de="{person_id}",
    effect="external",
    example=(
        '<spiffworkflow:parameter id="person" type="dict" value="{\'familienname\': familienname, '
        '\'vornamen\': vornamen, \'geburtsdatum\': geburtsdatum, \'geschlecht\': geschlecht}" />'
    ),
)
def create_person_op(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    cx = _cx(ctx)
    data = parse_person(params["person"], today=cx.today, codes=register_codes(ctx.settings))
    return {"person_id": str(create_person(cx, data).id)}


@REGISTRY.operation(
    "register.apply_move",
    title_de="Einzug eintragen (Anmeldung/Ummeldung)",
    description_de=(
        "Trägt für eine oder mehrere Personen den Einzug in eine Wohnung ein. Bei Haupt- oder alleiniger Wohnung "
        "endet die bisherige Haupt-/alleinige Wohnung mit dem Einzugsdatum, und die Person wird ab jetzt von der "
        "Meldebehörde der neuen Wohnung geführt; bei einer Nebenwohnung endet eine bisherige Nebenwohnung im "
        "Bereich derselben Meldebehörde. Ob die Hauptwohnung „hauptwohnung“ oder „alleinige“ heißt, folgt aus "
        "den übrigen Wohnungen. Das Einzugsdatum darf nicht in der Zukunft liegen (§ 17 Abs. 1 BMG). Das "
        "Ergebnis nennt die beendeten Wohnungen mit der Behörde, die sie führte (Empfänger der Rückmeldung)."
    ),
    params=[
        Param(name="person_ids", type="list", description_de="Kennungen der umziehenden Personen"),
        Param(name="anschrift", type="dict",
              description_de="Neue Anschrift {strasse, hausnummer, postleitzahl, ort, ags, zusatz?}"),
        Param(name="eingezogen_am", type="date", description_de="Einzugsdatum"),
        Param(name="wohnungsart", type="str", choices=RESIDENCE_KINDS,
              description_de="hauptwohnung, nebenwohnung oder alleinige"),
        Param(name="wohnungsgeber", type="dict", required=False,
              description_de="Wohnungsgeber laut Wohnungsgeberbestätigung (§ 19 BMG)"),
        Param(name="uebermittlungssperren", type="list", required=False,
              description_de="Widersprüche vom Meldeschein, für jede umziehende Person als Übermittlungssperre "
                             "eingetragen: " + ", ".join(UEBERMITTLUNGSSPERREN)),
    ],
    result_de=(
        "{person_ids, bisherige: [{person_id, wohnung: Wohnung, gefuehrt_von, gefuehrt_von_name}], "
        "gefuehrt_von (neue führende Behörde, nur bei Hauptwohnung), neue_wohnungen: [{person_id, wohnung}]}"
    ),
    effect="external",
    example=(
        '<spiffworkflow:parameter id="person_ids" type="list" value="[person[\'person_id\']]" />\n'
        '<spiffworkflow:parameter id="anschrift" type="dict" value="neue_anschrift" />\n'
        '<spiffworkflow:parameter id="eingezogen_am" type="date" value="einzugsdatum" />\n'
        '<spiffworkflow:parameter id="wohnungsart" type="str" value="\'hauptwohnung\'" />'
    ),
)
def apply_move_op(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    p = Problems()
    ids = read_person_ids(p, params["person_ids"], "person_ids")
    address = read_address(p, params["anschrift"], "anschrift")
    p.raise_if_any("apply_move")
    assert address is not None
    return apply_move(_cx(ctx), ids, address, _date(params, "eingezogen_am", "das Einzugsdatum"),
                      ResidenceKind(params["wohnungsart"]), params.get("wohnungsgeber"),
                      _texts(params.get("uebermittlungssperren"), "uebermittlungssperren"))


@REGISTRY.operation(
    "register.apply_move_out",
    title_de="Auszug eintragen (Abmeldung)",
    description_de=(
        "Beendet die Haupt- oder alleinige Wohnung (oder die Wohnung `wohnung_id` und bei mehreren Personen deren "
        "Wohnung unter derselben Anschrift) zum Auszugsdatum. Frühestens eine Woche vor dem Auszug (§ 17 Abs. 2 "
        "BMG). Eine Anschrift im Ausland wird mit Staat (Destatis-Schlüssel) gespeichert. Bleibt genau eine "
        "Nebenwohnung, wird sie die alleinige Wohnung."
    ),
    params=[
        Param(name="person_ids", type="list", description_de="Kennungen der Personen"),
        Param(name="ausgezogen_am", type="date", description_de="Auszugsdatum"),
        Param(name="wohnung_id", type="uuid", required=False,
              description_de="Zu beendende Wohnung (Standard: Haupt- oder alleinige Wohnung)"),
        Param(name="neue_anschrift", type="dict", required=False,
              description_de="Anschrift im Ausland {strasse?, hausnummer?, postleitzahl?, ort, staat}"),
    ],
    result_de="{person_ids, beendet: [Wohnung]}",
    effect="external",
    example=(
        '<spiffworkflow:parameter id="person_ids" type="list" value="[person_id]" />\n'
        '<spiffworkflow:parameter id="ausgezogen_am" type="date" value="auszugsdatum" />\n'
        '<spiffworkflow:parameter id="neue_anschrift" type="dict" value="{\'ort\': zuzugsort, \'staat\': staat}" />'
    ),
)
def apply_move_out_op(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    p = Problems()
    ids = read_person_ids(p, params["person_ids"], "person_ids")
    new_address = None
    if params.get("neue_anschrift") is not None:
        new_address = read_foreign_address(p, params["neue_anschrift"], "neue_anschrift", register_codes(ctx.settings))
    p.raise_if_any("apply_move_out")
    wohnung_id = _uuid(params, "wohnung_id", "einer Wohnung") if params.get("wohnung_id") else None
    return apply_move_out(_cx(ctx), ids, _date(params, "ausgezogen_am", "das Auszugsdatum"), wohnung_id, new_address)


@REGISTRY.operation(
    "register.record_document",
    title_de="Pass- oder Ausweisdokument eintragen",
    description_de=(
        "Trägt einen Reisepass, Personalausweis oder vorläufigen Pass/Ausweis mit Seriennummer, "
        "Ausstellungs- und Ablaufdatum ein (Status gültig). Die Seriennummer darf im Register noch nicht "
        "vorkommen; die Gültigkeit darf die gesetzliche Höchstdauer nicht überschreiten (10 Jahre, "
        "vorläufiger Reisepass 1 Jahr, vorläufiger Personalausweis 3 Monate). Ältere Dokumente bleiben "
        "unverändert: ungültig setzen mit „Dokumentstatus ändern“."
    ),
    params=[
        Param(name="person_id", type="uuid", description_de="Kennung der Person"),
        Param(name="art", type="str", choices=DOCUMENT_KINDS,
              description_de="Dokumentart laut processes/register/dokumentarten.toml"),
        Param(name="seriennummer", type="str", description_de="Seriennummer (Buchstaben und Ziffern)"),
        Param(name="ausgestellt_am", type="date", description_de="Ausstellungsdatum"),
        Param(name="gueltig_bis", type="date", description_de="Ablaufdatum"),
        Param(name="behoerde", type="str", required=False,
              description_de="Ausstellende Behörde (Standard: die bedienende Behörde)"),
    ],
    result_de="{dokument_id}",
    effect="external",
    example=(
        '<spiffworkflow:parameter id="person_id" type="str" value="person_id" />\n'
        '<spiffworkflow:parameter id="art" type="str" value="\'personalausweis\'" />\n'
        '<spiffworkflow:parameter id="seriennummer" type="str" value="dokument[\'seriennummer\']" />\n'
        '<spiffworkflow:parameter id="ausgestellt_am" type="date" value="today()" />\n'
        '<spiffworkflow:parameter id="gueltig_bis" type="date" value="dokument[\'gueltig_bis\']" />'
    ),
)
def record_document_op(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    cx = _cx(ctx)
    pid = _uuid(params, "person_id", "einer Person")
    p = Problems()
    fields = {k: params[k] for k in ("art", "seriennummer", "ausgestellt_am", "gueltig_bis", "behoerde")
              if params.get(k) is not None}
    doc = read_document(p, fields, "", cx.today)
    p.raise_if_any("record_document")
    assert doc is not None
    return {"dokument_id": str(record_document(cx, pid, doc).id)}


@REGISTRY.operation(
    "register.set_document_status",
    title_de="Dokumentstatus ändern",
    description_de=(
        "Setzt ein gültiges (oder abgelaufenes) Dokument auf ungültig, verloren oder gestohlen, z. B. beim "
        "Entwerten des alten Passes oder bei einer Verlustanzeige. Ein bereits ungültiges, verlorenes oder "
        "gestohlenes Dokument bleibt es."
    ),
    params=[
        Param(name="dokument_id", type="uuid", description_de="Kennung des Dokuments (aus „Person lesen“)"),
        Param(name="status", type="str", choices=STATUS_CHOICES, description_de="ungueltig, verloren oder gestohlen"),
        Param(name="grund", type="str", required=False, description_de="Grund, z. B. „Neuausstellung“"),
    ],
    result_de="{dokument_id, status}",
    effect="external",
    example=(
        '<spiffworkflow:parameter id="dokument_id" type="str" value="altes_dokument[\'dokument_id\']" />\n'
        '<spiffworkflow:parameter id="status" type="str" value="\'ungueltig\'" />\n'
        '<spiffworkflow:parameter id="grund" type="str" value="\'Neuausstellung\'" />'
    ),
)
def set_document_status_op(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    did = _uuid(params, "dokument_id", "eines Dokuments")
    reason = (params.get("grund") or "").strip() or None
    doc = set_document_status(_cx(ctx), did, DocumentStatus(params["status"]), reason)
    return {"dokument_id": str(doc.id), "status": doc.status}


@REGISTRY.operation(
    "register.set_auskunftssperre",
    title_de="Auskunftssperre eintragen",
    description_de=(
        "Trägt eine Auskunftssperre nach § 51 BMG bis zum angegebenen Tag ein (oder verlängert eine geltende "
        "Sperre derselben Art). Solange sie gilt, beantwortet „Melderegisterauskunft“ Anfragen zu der Person "
        "neutral mit „keine Auskunft“."
    ),
    params=[
        Param(name="person_id", type="uuid", description_de="Kennung der Person"),
        Param(name="grund", type="str", description_de="Grund der Sperre (Gefährdung nach § 51 Abs. 1 BMG)"),
        Param(name="bis", type="date", description_de="Letzter Tag der Sperre (in der Regel zwei Jahre)"),
        Param(name="art", type="str", required=False,
              description_de="DSMeld-Schlüssel der Sperre (Standard 3 = § 51 Abs. 1 BMG)"),
    ],
    result_de="{person_id, bis}",
    effect="external",
    example=(
        '<spiffworkflow:parameter id="person_id" type="str" value="person_id" />\n'
        '<spiffworkflow:parameter id="grund" type="str" value="sperrgrund" />\n'
        '<spiffworkflow:parameter id="bis" type="date" value="add_years(today(), 2)" />'
    ),
)
def set_auskunftssperre_op(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    cx = _cx(ctx)
    pid = _uuid(params, "person_id", "einer Person")
    p = Problems()
    block = read_block(p, {"art": params.get("art") or AUSKUNFTSSPERRE_51, "grund": params.get("grund"),
                           "bis": params.get("bis")}, "", cx.today, register_codes(ctx.settings))
    p.raise_if_any("set_auskunftssperre")
    assert block is not None
    row = set_block(cx, pid, block)
    return {"person_id": str(pid), "bis": row.bis}


@REGISTRY.operation(
    "register.set_uebermittlungssperren",
    title_de="Übermittlungssperren eintragen",
    description_de=(
        "Trägt für jede der Personen einen Widerspruch gegen Datenübermittlungen als Übermittlungssperre ein "
        "(gebührenfrei, gilt bis zum Widerruf; schon eingetragene bleiben). Empfänger: "
        + "; ".join(f"„{k}“ = {v}" for k, v in UEBERMITTLUNGSSPERREN.items()) + ". Bei der Anmeldung genügt der "
        "Parameter „uebermittlungssperren“ von register.apply_move."
    ),
    params=[
        Param(name="person_ids", type="list", description_de="Kennungen der Personen"),
        Param(name="sperren", type="list", description_de="Empfänger, denen widersprochen wird (Schlüssel oben)"),
    ],
    result_de="{personen: [{person_id, uebermittlungssperren: [Schlüssel]}]}",
    effect="external",
    example=(
        '<spiffworkflow:parameter id="person_ids" type="list" value="[person_id]" />\n'
        '<spiffworkflow:parameter id="sperren" type="list" value="widersprueche" />'
    ),
)
def set_uebermittlungssperren_op(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    p = Problems()
    ids = read_person_ids(p, params["person_ids"], "person_ids")
    p.raise_if_any("set_uebermittlungssperren")
    return set_transfer_blocks(_cx(ctx), ids, _texts(params["sperren"], "sperren"))


@REGISTRY.operation(
    "register.auskunft",
    title_de="Einfache Melderegisterauskunft",
    description_de=(
        "Beantwortet eine einfache Melderegisterauskunft (§ 44 BMG). Eindeutig ist eine Anfrage nur mit "
        "Familienname, Vornamen und Geburtsdatum oder einer Anschrift, die genau eine Person bezeichnen: "
        "Schreibweise ohne Umlaute/Akzente gilt als gleich, Klangähnlichkeit nicht; ein Vorname genügt "
        "(„Karl“ findet „Karl Heinz“); der Familienname wird auch mit dem Geburtsnamen verglichen; die Anschrift "
        "mit aktuellen und früheren Wohnungen. Ergebnis „eindeutig“ mit Familienname, Vornamen, "
        "Doktorgrad (None, wenn keiner), aktuellen Anschriften (zusatz None, wenn keiner) und ob die Person "
        "verstorben ist; „nicht_eindeutig“ bei mehreren Treffern oder zu wenigen Angaben (beides gleich: die "
        "Unterscheidung trifft der Prozess selbst anhand der Anfrage); „keine_auskunft“, wenn niemand "
        "gefunden wurde oder eine "
        "Auskunftssperre besteht – beides ist bewusst nicht zu unterscheiden (§ 51 BMG). Bei einer Sperre wird "
        "im Protokoll festgehalten, dass die betroffene Person zu unterrichten ist. Eine erteilte Auskunft "
        "lässt sich nicht zurücknehmen; frühere Schritte sind danach nicht mehr korrigierbar."
    ),
    effect_de="extern, wenn Daten herausgegeben werden oder eine Sperre greift (sonst liest nur)",
    params=[
        Param(name="anfrage", type="dict",
              description_de="{familienname, vornamen?, geburtsdatum?, anschrift?: {strasse, hausnummer, "
                             "postleitzahl, ort}}"),
        Param(name="zweck", type="str", description_de="Zweck der Anfrage (wird protokolliert)"),
    ],
    result_de=(
        "{ergebnis: eindeutig | nicht_eindeutig | keine_auskunft, daten?: {familienname, vornamen, doktorgrad, "
        "anschriften: [{strasse, hausnummer, postleitzahl, ort, ags, zusatz}], verstorben: bool}}"
    ),
    example=(
        '<spiffworkflow:parameter id="anfrage" type="dict" value="{\'familienname\': familienname, '
        '\'vornamen\': vornamen, \'geburtsdatum\': geburtsdatum}" />\n'
        '<spiffworkflow:parameter id="zweck" type="str" value="zweck" />'
    ),
)
def auskunft_op(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    request = auskunft_rules.parse_request(params["anfrage"], params["zweck"])
    events_before = len(ctx.events)
    result = auskunft_rules.answer(_cx(ctx), request)
    if len(ctx.events) > events_before:
        # Data was disclosed or a blocked person must be told: going back cannot undo either.
        ctx.note_effect("external")
    return result
