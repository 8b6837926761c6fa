"""Changing the register. Every change writes its rows in the caller's transaction and emits
one audit event with the values before and after (``register_person_moved`` …).

Rules kept here (and why):

- **One main dwelling.** A person has at most one active Haupt- or alleinige Wohnung. The kind
  of the main dwelling follows the other dwellings (§ 21 BMG, DSMeld Wohnungsstatus): it is
  ``hauptwohnung`` while the person also has an active Nebenwohnung and ``alleinige``
  otherwise. Moves relabel it accordingly and the audit event shows the relabelling.
- **Who keeps the person** is the Meldebehörde of the main dwelling; an Anmeldung of a new
  main dwelling in another authority's area hands the person over to that authority.
- **Dates.** No Anmeldung before the move-in (§ 17 Abs. 1 BMG: the move-in date must not be in
  the future); an Abmeldung at the earliest one week before the move-out (§ 17 Abs. 2 BMG).
- **Sandbox.** Cases in the sandbox change only sandbox persons; real cases never see those.

Errors: :class:`InputInvalid` for input that breaks a rule (keyed by the operation's parameter,
e.g. ``eingezogen_am``), :class:`OperationFailed` when the register's state does not allow the
change (person unknown, deceased, no main dwelling).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.chain import jsonable
from engine.errors import InputInvalid, OperationFailed
from engine.forms.dates import format_date
from engine.register.codes import UEBERMITTLUNGSSPERREN, DocumentStatus, ResidenceKind
from engine.register.models import (
    IdentityDocument,
    InformationBlock,
    NameKey,
    Person,
    PersonLink,
    Residence,
    TransferBlock,
)
from engine.register.names import folded_words, word_keys
from engine.register.query import get_visible, keepers, person_record, residences_of
from engine.register.validation import (
    Address,
    BlockInput,
    DocumentInput,
    PersonInput,
    Problems,
    ResidenceInput,
)
from engine.register.views import MAIN_KINDS, block_data, document_data, residence_data
from engine.runtime.helpers import fold_name
from engine.store.authority import competent_for
from engine.store.models import Authority

Recorder = Callable[[str, Mapping[str, Any]], None]
"""Receives each audit event (type, payload): ``OperationContext.record`` inside a case."""

ABMELDUNG_LEAD_DAYS = 7
"""An Abmeldung may be made at the earliest one week before moving out (§ 17 Abs. 2 BMG)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeContext:
    """Where and as whom a change happens."""

    session: Session
    authority: Authority
    """The serving authority: default keeper of new persons, default issuer of documents."""
    today: date
    now: datetime
    record: Recorder
    sandbox: bool = False


# -- helpers ----------------------------------------------------------------------------------
def name_key_rows(person_id: uuid.UUID, familienname: str, geburtsname: str | None,
                  vornamen: str) -> list[dict[str, Any]]:
    """The ``register_name_key`` rows of a person (also used for bulk loading)."""
    rows = []
    for field_name, name in (("familienname", familienname), ("geburtsname", geburtsname), ("vornamen", vornamen)):
        for key in word_keys(name):
            rows.append({"person_id": person_id, "field": field_name, "fold": key.fold[:120],
                         "phonetik": key.phonetik[:60]})
    return rows


def _same_address(res: Residence, address: Address) -> bool:
    return (folded_words(res.strasse) == folded_words(address.strasse)
            and fold_name(res.hausnummer).replace(" ", "") == fold_name(address.hausnummer).replace(" ", "")
            and res.postleitzahl == address.postleitzahl)


def normalize_kinds(residences: Iterable[Residence]) -> None:
    """Main dwelling is ``hauptwohnung`` next to a Nebenwohnung, else ``alleinige``."""
    active = [r for r in residences if r.ausgezogen_am is None]
    has_secondary = any(r.art == ResidenceKind.nebenwohnung for r in active)
    for r in active:
        if r.art in MAIN_KINDS:
            r.art = ResidenceKind.hauptwohnung if has_secondary else ResidenceKind.alleinige


def _active_snapshot(residences: Iterable[Residence]) -> list[dict[str, Any]]:
    return [jsonable(residence_data(r)) for r in residences if r.ausgezogen_am is None]


def _person(cx: ChangeContext, person_id: uuid.UUID, field: str = "person_id") -> Person:
    person = get_visible(cx.session, person_id, sandbox=cx.sandbox, for_update=True)
    if person is None:
        raise OperationFailed(
            f"person {person_id} not in register",
            user_message=f"Die Person mit der Kennung {person_id} ist nicht im Melderegister eingetragen.",
            field=field, person_id=str(person_id),
        )
    if cx.sandbox and not person.sandbox:
        raise OperationFailed(
            f"sandbox case may not change real person {person_id}",
            user_message="Im Testbetrieb (Sandbox) können nur Testpersonen geändert werden, nicht der echte "
                         "Registerbestand.",
            field=field, person_id=str(person_id),
        )
    return person


def _alive(person: Person, field: str) -> None:
    if person.verstorben_am is not None:
        raise OperationFailed(
            f"person {person.id} is deceased",
            user_message=f"{person.vornamen} {person.familienname} ist seit dem {format_date(person.verstorben_am)} "
                         "als verstorben eingetragen.",
            field=field, person_id=str(person.id),
        )


EXTERNAL = "extern"
"""Authority kind of authorities outside the installation (messages go there; they keep no register here)."""


def _competent(cx: ChangeContext, ags: str, path: str) -> Authority:
    found = competent_for(cx.session, ags, "meldebehoerde")
    if found is None:
        _raise(path, f"Für den Gemeindeschlüssel {ags} ist keine Meldebehörde dieser Installation zuständig.",
               f"no Meldebehörde for AGS {ags}")
    if found.kind == EXTERNAL:
        _raise(path, f"Für den Gemeindeschlüssel {ags} ist {found.name} zuständig; die Anmeldung dort wird nicht "
                     "in diesem Melderegister eingetragen.", f"AGS {ags} belongs to external authority {found.key}")
    return found


def _keeper_id(cx: ChangeContext, ags: str) -> uuid.UUID | None:
    found = competent_for(cx.session, ags, "meldebehoerde")
    return found.id if found is not None else None


def _raise(path: str, message: str, log: str) -> NoReturn:
    raise InputInvalid(log, errors={path: [message]}, user_message=message, field=path)


def _plain(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """JSON-safe copy for a JSON column (dates as ISO text): the Wohnungsgeber comes from forms."""
    return jsonable(dict(value)) if value else None


def _residence_row(person_id: uuid.UUID, res: ResidenceInput, now: datetime) -> Residence:
    a = res.anschrift
    return Residence(id=uuid.uuid4(), person_id=person_id, art=res.art, strasse=a.strasse, hausnummer=a.hausnummer,
                     postleitzahl=a.postleitzahl, ort=a.ort, ags=a.ags, zusatz=a.zusatz,
                     eingezogen_am=res.eingezogen_am, ausgezogen_am=res.ausgezogen_am,
                     wohnungsgeber=_plain(res.wohnungsgeber), created_at=now)


def _serials_taken(s: Session, serials: Sequence[str]) -> set[str]:
    if not serials:
        return set()
    return set(s.execute(select(IdentityDocument.seriennummer)
                         .where(IdentityDocument.seriennummer.in_(list(serials)))).scalars())


def _document_row(person_id: uuid.UUID, doc: DocumentInput, issuer: str, now: datetime, today: date,
                  ) -> IdentityDocument:
    return IdentityDocument(id=uuid.uuid4(), person_id=person_id, art=doc.art, seriennummer=doc.seriennummer,
                            behoerde=doc.behoerde or issuer, ausgestellt_am=doc.ausgestellt_am,
                            gueltig_bis=doc.gueltig_bis, status=doc.status,
                            status_seit=doc.ausgestellt_am if doc.status == DocumentStatus.gueltig else today,
                            grund=doc.grund, created_at=now)


# -- create -----------------------------------------------------------------------------------
def create_person(cx: ChangeContext, data: PersonInput) -> Person:
    """Enter a new person (with dwellings, documents, blocks and family links)."""
    s = cx.session
    p = Problems()
    keeper: Authority | None = None
    if data.gefuehrt_von:
        keeper = s.execute(select(Authority).where(Authority.key == data.gefuehrt_von)).scalar_one_or_none()
        if keeper is None:
            p.add("person/gefuehrt_von", f"Die Behörde „{data.gefuehrt_von}“ ist nicht bekannt.")
    else:
        main = next((r for r in data.wohnungen if r.ausgezogen_am is None and r.art in MAIN_KINDS), None)
        if main is not None:
            keeper = competent_for(s, main.anschrift.ags, "meldebehoerde")
            if keeper is not None and keeper.kind == EXTERNAL:
                keeper = None  # arriving from outside: the serving authority takes the person in
    family_fold, first_fold = fold_name(data.familienname), fold_name(data.vornamen)
    twin = s.execute(
        select(Person.id).where(Person.familienname_fold == family_fold, Person.vornamen_fold == first_fold,
                                Person.geburtsdatum == data.geburtsdatum, Person.sandbox.is_(cx.sandbox))
    ).first()
    if twin is not None:
        p.add("person", f"{data.vornamen} {data.familienname}, geboren am {format_date(data.geburtsdatum)}, ist "
                        f"bereits im Melderegister eingetragen (Kennung {twin[0]}).")
    taken = _serials_taken(s, [d.seriennummer for d in data.dokumente])
    for i, doc in enumerate(data.dokumente):
        if doc.seriennummer in taken:
            p.add(f"person/dokumente/{i}/seriennummer",
                  f"Die Seriennummer {doc.seriennummer} ist bereits im Melderegister eingetragen.")
    for key, ids in (("gesetzliche_vertreter", data.vertreter_ids), ("kinder", data.kinder_ids)):
        for i, rid in enumerate(ids):
            if get_visible(s, rid, sandbox=cx.sandbox) is None:
                p.add(f"person/{key}/{i}", f"Die Person mit der Kennung {rid} ist nicht im Melderegister eingetragen.")
    p.raise_if_any("person")

    person = Person(
        id=uuid.uuid4(), authority_id=(keeper or cx.authority).id, familienname=data.familienname,
        vornamen=data.vornamen, geburtsname=data.geburtsname, doktorgrad=data.doktorgrad,
        ordens_kuenstlername=data.ordens_kuenstlername, geschlecht=data.geschlecht, geburtsdatum=data.geburtsdatum,
        geburtsort=data.geburtsort, geburtsstaat=data.geburtsstaat,
        staatsangehoerigkeiten=list(data.staatsangehoerigkeiten), religion=data.religion,
        familienstand=data.familienstand, verstorben_am=data.verstorben_am, familienname_fold=family_fold[:120],
        vornamen_fold=first_fold[:120], sandbox=cx.sandbox, created_at=cx.now, updated_at=cx.now,
    )
    s.add(person)
    s.flush()
    s.add_all(NameKey(**row) for row in name_key_rows(person.id, person.familienname, person.geburtsname,
                                                        person.vornamen))
    residences = [_residence_row(person.id, r, cx.now) for r in data.wohnungen]
    normalize_kinds(residences)
    s.add_all(residences)
    s.add_all(_document_row(person.id, d, cx.authority.name, cx.now, cx.today) for d in data.dokumente)
    s.add_all(InformationBlock(id=uuid.uuid4(), person_id=person.id, art=b.art, grund=b.grund, bis=b.bis,
                               created_at=cx.now, updated_at=cx.now) for b in data.auskunftssperren)
    s.add_all(PersonLink(person_id=person.id, related_id=rid, art="gesetzlicher_vertreter")
              for rid in dict.fromkeys(data.vertreter_ids))
    s.add_all(PersonLink(person_id=rid, related_id=person.id, art="gesetzlicher_vertreter")
              for rid in dict.fromkeys(data.kinder_ids))
    s.flush()
    cx.record("register_person_created", {
        "person_id": str(person.id), "before": None,
        "after": jsonable(person_record(s, person, today=cx.today)),
    })
    return person


# -- moves ------------------------------------------------------------------------------------
def apply_move(cx: ChangeContext, person_ids: Sequence[uuid.UUID], address: Address, moved_in: date,
               kind: ResidenceKind, wohnungsgeber: Mapping[str, Any] | None = None,
               transfer_blocks: Sequence[str] = ()) -> dict[str, Any]:
    """Anmeldung/Ummeldung of ``person_ids`` into ``address`` (see module rules).

    ``transfer_blocks``: objections declared on the Meldeschein, entered for every person moving.
    """
    if not person_ids:
        _raise("person_ids", "Bitte mindestens eine Person angeben.", "apply_move without persons")
    check_transfer_blocks(transfer_blocks, "uebermittlungssperren")
    if moved_in > cx.today:
        _raise("eingezogen_am", f"Das Einzugsdatum {format_date(moved_in)} liegt in der Zukunft; eine Anmeldung "
                                "vor dem Einzug ist nicht vorgesehen (§ 17 Abs. 1 BMG).", "move-in date in the future")
    authority = _competent(cx, address.ags, "anschrift/ags")
    auth_keys = keepers(cx.session)
    main_move = kind in MAIN_KINDS
    previous_out: list[dict[str, Any]] = []
    created: list[dict[str, Any]] = []
    for pid in dict.fromkeys(person_ids):
        person = _person(cx, pid, "person_ids")
        _alive(person, "person_ids")
        if moved_in < person.geburtsdatum:
            _raise("eingezogen_am", f"Das Einzugsdatum liegt vor der Geburt von {person.vornamen} "
                                    f"{person.familienname}.", "move-in before birth")
        residences = residences_of(cx.session, person.id)
        before = _active_snapshot(residences)
        keeper_before = auth_keys.get(person.authority_id, {}).get("key")
        active = [r for r in residences if r.ausgezogen_am is None]
        if main_move:
            ending = [r for r in active if r.art in MAIN_KINDS]
        else:
            ending = [r for r in active if r.art == ResidenceKind.nebenwohnung
                      and _keeper_id(cx, r.ags) == authority.id]
        for r in active:
            if not _same_address(r, address):
                continue
            if main_move and r.art == ResidenceKind.nebenwohnung:
                # The Nebenwohnung becomes the main dwelling: it ends and the new row continues it.
                if r not in ending:
                    ending.append(r)
            else:
                _raise("anschrift", f"{person.vornamen} {person.familienname} ist unter dieser Anschrift bereits "
                                    "gemeldet.", "already registered there")
        for r in ending:
            if moved_in < r.eingezogen_am:
                _raise("eingezogen_am", f"Das Einzugsdatum {format_date(moved_in)} liegt vor dem Einzug in die "
                                        f"bisherige Wohnung ({format_date(r.eingezogen_am)}).",
                       "move-in before previous move-in")
            r.ausgezogen_am = moved_in
        new = Residence(id=uuid.uuid4(), person_id=person.id, art=kind, strasse=address.strasse,
                        hausnummer=address.hausnummer, postleitzahl=address.postleitzahl, ort=address.ort,
                        ags=address.ags, zusatz=address.zusatz, eingezogen_am=moved_in,
                        wohnungsgeber=_plain(wohnungsgeber), created_at=cx.now)
        cx.session.add(new)
        residences.append(new)
        normalize_kinds(residences)
        if main_move:
            person.authority_id = authority.id
        person.updated_at = cx.now
        cx.session.flush()
        keeper_after = auth_keys.get(person.authority_id, {}).get("key")
        for r in ending:
            old_keeper = competent_for(cx.session, r.ags, "meldebehoerde")
            previous_out.append({
                "person_id": str(person.id), "wohnung": residence_data(r),
                "gefuehrt_von": old_keeper.key if old_keeper is not None else keeper_before,
                "gefuehrt_von_name": old_keeper.name if old_keeper is not None else None,
            })
        created.append({"person_id": str(person.id), "wohnung": residence_data(new)})
        cx.record("register_person_moved", {
            "person_id": str(person.id), "eingezogen_am": moved_in.isoformat(),
            "before": {"gefuehrt_von": keeper_before, "wohnungen": before},
            "after": {"gefuehrt_von": keeper_after, "wohnungen": _active_snapshot(residences)},
        })
        add_transfer_blocks(cx, person, transfer_blocks)
    return {"person_ids": [str(p) for p in dict.fromkeys(person_ids)], "bisherige": previous_out,
            "gefuehrt_von": authority.key if main_move else None, "neue_wohnungen": created}


def apply_move_out(cx: ChangeContext, person_ids: Sequence[uuid.UUID], moved_out: date,
                   wohnung_id: uuid.UUID | None = None,
                   new_address: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Abmeldung: end the main dwelling (or the dwelling ``wohnung_id`` and the same address of the others)."""
    if not person_ids:
        _raise("person_ids", "Bitte mindestens eine Person angeben.", "apply_move_out without persons")
    latest = cx.today + timedelta(days=ABMELDUNG_LEAD_DAYS)
    if moved_out > latest:
        _raise("ausgezogen_am", f"Eine Abmeldung ist frühestens eine Woche vor dem Auszug möglich (§ 17 Abs. 2 BMG); "
                                f"für einen Auszug am {format_date(moved_out)} also ab dem "
                                f"{format_date(moved_out - timedelta(days=ABMELDUNG_LEAD_DAYS))}.",
               "move-out too far ahead")
    target: Residence | None = None
    if wohnung_id is not None:
        target = cx.session.get(Residence, wohnung_id)
        if target is None or target.person_id not in set(person_ids):
            _raise("wohnung_id", "Die angegebene Wohnung gehört zu keiner der genannten Personen.",
                   "wohnung_id not of these persons")
        assert target is not None
        if target.ausgezogen_am is not None:
            _raise("wohnung_id", f"Aus dieser Wohnung ist bereits ein Auszug zum {format_date(target.ausgezogen_am)} "
                                 "eingetragen.", "residence already ended")
    ended: list[dict[str, Any]] = []
    for pid in dict.fromkeys(person_ids):
        person = _person(cx, pid, "person_ids")
        residences = residences_of(cx.session, person.id)
        before = _active_snapshot(residences)
        active = [r for r in residences if r.ausgezogen_am is None]
        if target is not None:
            address = Address(strasse=target.strasse, hausnummer=target.hausnummer, postleitzahl=target.postleitzahl,
                              ort=target.ort, ags=target.ags)
            res = next((r for r in active if r.id == target.id), None) or next(
                (r for r in active if _same_address(r, address)), None)
            missing = "unter der Anschrift der angegebenen Wohnung gemeldet"
        else:
            res = next((r for r in active if r.art in MAIN_KINDS), None)
            missing = "mit einer Haupt- oder alleinigen Wohnung gemeldet"
        if res is None:
            raise OperationFailed(f"person {pid} has no matching active residence",
                                  user_message=f"{person.vornamen} {person.familienname} ist nicht {missing}.",
                                  field="person_ids", person_id=str(pid))
        if moved_out < res.eingezogen_am:
            _raise("ausgezogen_am", f"Das Auszugsdatum liegt vor dem Einzug ({format_date(res.eingezogen_am)}).",
                   "move-out before move-in")
        remaining_secondary = [r for r in active if r is not res and r.art == ResidenceKind.nebenwohnung]
        if res.art in MAIN_KINDS and len(remaining_secondary) > 1:
            raise OperationFailed(
                f"person {pid}: main residence ends, {len(remaining_secondary)} secondary ones remain",
                user_message=f"{person.vornamen} {person.familienname} hat mehrere Nebenwohnungen; bitte zuerst die "
                             "künftige Hauptwohnung anmelden.",
                field="person_ids", person_id=str(pid))
        res.ausgezogen_am = moved_out
        if new_address:
            res.wegzug_anschrift = dict(new_address)
        if res.art in MAIN_KINDS and remaining_secondary:
            # The only remaining (domestic) dwelling becomes the person's only dwelling (§ 21 BMG).
            remaining_secondary[0].art = ResidenceKind.alleinige
        normalize_kinds(residences)
        person.updated_at = cx.now
        cx.session.flush()
        ended.append(residence_data(res))
        cx.record("register_person_moved_out", {
            "person_id": str(person.id), "ausgezogen_am": moved_out.isoformat(),
            "neue_anschrift": jsonable(dict(new_address)) if new_address else None,
            "before": {"wohnungen": before}, "after": {"wohnungen": _active_snapshot(residences)},
        })
    return {"person_ids": [str(p) for p in dict.fromkeys(person_ids)], "beendet": ended}


# -- documents and blocks ---------------------------------------------------------------------
def record_document(cx: ChangeContext, person_id: uuid.UUID, doc: DocumentInput) -> IdentityDocument:
    """Enter a passport or ID card; the serial number must be new to the register."""
    person = _person(cx, person_id)
    if _serials_taken(cx.session, [doc.seriennummer]):
        _raise("seriennummer", f"Die Seriennummer {doc.seriennummer} ist bereits im Melderegister eingetragen.",
               "serial number exists")
    row = _document_row(person.id, doc, cx.authority.name, cx.now, cx.today)
    cx.session.add(row)
    person.updated_at = cx.now
    cx.session.flush()
    cx.record("register_document_recorded", {
        "person_id": str(person.id), "dokument_id": str(row.id), "before": None,
        "after": jsonable(document_data(row, cx.today)),
    })
    return row


def set_document_status(cx: ChangeContext, document_id: uuid.UUID, status: DocumentStatus,
                        reason: str | None) -> IdentityDocument:
    """Mark a document invalid, lost or stolen (only a valid or expired one)."""
    doc = cx.session.execute(select(IdentityDocument).where(IdentityDocument.id == document_id)
                             .with_for_update()).scalar_one_or_none()
    person = get_visible(cx.session, doc.person_id, sandbox=cx.sandbox) if doc is not None else None
    if doc is None or person is None:
        raise OperationFailed(f"document {document_id} not found",
                              user_message=f"Das Dokument mit der Kennung {document_id} ist nicht im Melderegister "
                                           "eingetragen.", field="dokument_id")
    _person(cx, person.id, "dokument_id")
    if doc.status != DocumentStatus.gueltig:
        _raise("status", f"Das Dokument {doc.seriennummer} ist bereits als „{doc.status}“ eingetragen "
                         f"(seit {format_date(doc.status_seit)}).", "document not valid any more")
    before = {"status": doc.status, "status_seit": doc.status_seit.isoformat(), "grund": doc.grund}
    doc.status, doc.status_seit, doc.grund = status, cx.today, reason
    person.updated_at = cx.now
    cx.session.flush()
    cx.record("register_document_invalidated", {
        "person_id": str(person.id), "dokument_id": str(doc.id), "seriennummer": doc.seriennummer,
        "before": before, "after": {"status": doc.status, "status_seit": doc.status_seit.isoformat(),
                                    "grund": doc.grund},
    })
    return doc


def check_transfer_blocks(keys: Sequence[str], path: str) -> None:
    """Refuse an unknown recipient before anything changes."""
    for i, key in enumerate(keys):
        if key not in UEBERMITTLUNGSSPERREN:
            _raise(f"{path}/{i}", f"„{key}“ ist keine bekannte Übermittlungssperre (bekannt: "
                                  f"{', '.join(UEBERMITTLUNGSSPERREN)}).", "unknown transfer block")


def add_transfer_blocks(cx: ChangeContext, person: Person, keys: Sequence[str]) -> list[str]:
    """Enter Übermittlungssperren for ``person`` (those already entered stay); the recipients now blocked."""
    current = {b.empfaenger for b in cx.session.execute(
        select(TransferBlock).where(TransferBlock.person_id == person.id)).scalars()}
    new = [k for k in dict.fromkeys(keys) if k not in current]
    if not new:
        return sorted(current)
    cx.session.add_all(TransferBlock(id=uuid.uuid4(), person_id=person.id, empfaenger=k, created_at=cx.now)
                       for k in new)
    person.updated_at = cx.now
    cx.session.flush()
    after = sorted(current | set(new))
    cx.record("register_uebermittlungssperren_set", {"person_id": str(person.id), "before": sorted(current),
                                                     "after": after})
    return after


def set_transfer_blocks(cx: ChangeContext, person_ids: Sequence[uuid.UUID], keys: Sequence[str]) -> dict[str, Any]:
    """Objections declared later than the Anmeldung: the same entries for each of ``person_ids``."""
    if not person_ids:
        _raise("person_ids", "Bitte mindestens eine Person angeben.", "set_transfer_blocks without persons")
    if not keys:
        _raise("sperren", "Bitte mindestens einen Empfänger angeben, dem die Person widerspricht.",
               "set_transfer_blocks without recipients")
    check_transfer_blocks(keys, "sperren")
    result = []
    for pid in dict.fromkeys(person_ids):
        person = _person(cx, pid, "person_ids")
        result.append({"person_id": str(person.id), "uebermittlungssperren": add_transfer_blocks(cx, person, keys)})
    return {"personen": result}


def set_block(cx: ChangeContext, person_id: uuid.UUID, block: BlockInput) -> InformationBlock:
    """Enter an Auskunftssperre, or extend the one of the same kind still in force."""
    if block.bis <= cx.today:
        _raise("bis", f"Das Ende der Sperre ({format_date(block.bis)}) muss in der Zukunft liegen.",
               "block end not in the future")
    person = _person(cx, person_id)
    current = cx.session.execute(
        select(InformationBlock).where(InformationBlock.person_id == person.id, InformationBlock.art == block.art,
                                       InformationBlock.bis >= cx.today)
    ).scalars().first()
    before = jsonable(block_data(current)) if current is not None else None
    if current is None:
        current = InformationBlock(id=uuid.uuid4(), person_id=person.id, art=block.art, grund=block.grund,
                                   bis=block.bis, created_at=cx.now, updated_at=cx.now)
        cx.session.add(current)
    else:
        current.grund, current.bis, current.updated_at = block.grund, block.bis, cx.now
    person.updated_at = cx.now
    cx.session.flush()
    cx.record("register_auskunftssperre_set", {"person_id": str(person.id), "before": before,
                                               "after": jsonable(block_data(current))})
    return current

