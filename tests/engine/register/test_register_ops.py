"""The register.* operations inside real cases (SQLite and PostgreSQL).

``register_aufruf`` calls one operation with the case's start data; ``register_test`` is a small
procedure with forms (search → choose → move → document). A failing operation fails the whole
step: no case, no register change, no audit event is left behind.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.errors import InputInvalid, OperationFailed
from engine.register.service import RegisterService
from engine.store.models import AuditEvent, Case, CaseStep
from tests.engine.register.helpers import BRUESEWITZ, LUETZOW, NEUBUKOW, RERIK, SCHWERIN, home
from tests.helpers import assert_reload_equal


def call(engine, clerk, op: str, eingabe: dict[str, Any], *, authority: str = "neubukow-salzhaff",  # type: ignore[no-untyped-def]
         sandbox: bool = False) -> Any:
    view = engine.cases.start("register_aufruf", authority, clerk, {"aufruf": op, "eingabe": eingabe},
                              sandbox=sandbox)
    assert view.case.status == "completed"
    return view.data["ergebnis"]


def person(engine, pid) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return RegisterService(engine.db, engine.settings).person(uuid.UUID(str(pid)), sandbox=True)


def events(engine, type_: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    with engine.db.read() as s:
        rows = s.execute(select(AuditEvent).where(AuditEvent.type == type_).order_by(AuditEvent.global_seq))
        return [json.loads(r.payload) | {"_case": r.case_id} for r in rows.scalars()]


def counts(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with engine.db.read() as s:
        return (s.execute(select(func.count(Case.id))).scalar_one(),
                s.execute(select(func.count(AuditEvent.id))).scalar_one())


def test_a_move_procedure_with_forms(engine, clerk, fixed_clock, add) -> None:  # type: ignore[no-untyped-def]
    max_id = add("Testmann", "Max", "1996-03-10", wohnungen=[home(LUETZOW, "2001-01-01")],
                 dokumente=[{"art": "personalausweis", "seriennummer": "T0000001", "ausgestellt_am": "2020-01-01",
                             "gueltig_bis": "2029-12-31"}])
    add("Testmann", "Moritz", "1970-07-07")
    view = engine.cases.start("register_test", "neubukow-salzhaff", clerk)

    def submit(data: dict[str, Any]) -> Any:
        ready = engine.cases.view(view.case.id, clerk, log_read=False).ready
        engine.cases.submit(view.case.id, ready[0].task_id, data, clerk)
        assert_reload_equal(engine, view.case.id)
        return engine.cases.view(view.case.id, clerk, log_read=False)

    current = submit({"familienname": "Testmann", "vornamen": "Max"})
    assert current.data["suche"]["anzahl"] == 1
    assert current.ready[0].instructions == "1 Treffer"
    hit = current.data["suche"]["treffer"][0]
    assert hit["person_id"] == str(max_id) and hit["gefuehrt_von"] == "luetzow-luebstorf"
    assert hit["geburtsdatum"] == date(1996, 3, 10)  # Python values, not JSON text

    current = submit({"person_id": str(max_id)})
    assert current.data["person"]["hauptwohnung"]["ort"] == "Lützow"
    assert current.case.labels == {"person_id": str(max_id), "name": "Testmann"}
    current = submit({**RERIK, "einzugsdatum": "2026-11-10", "wohnungsart": "hauptwohnung"})
    umzug = current.data["umzug"]
    assert umzug["gefuehrt_von"] == "neubukow-salzhaff"
    (previous,) = umzug["bisherige"]
    assert previous["gefuehrt_von"] == "luetzow-luebstorf" and previous["wohnung"]["ausgezogen_am"] == date(2026, 11, 10)
    assert umzug["neue_wohnungen"][0]["wohnung"]["art"] == "alleinige"  # no other dwelling left
    current = submit({"art": "personalausweis", "seriennummer": "t0000002", "ausgestellt_am": "2026-11-15",
                         "gueltig_bis": "2036-11-14", "altes_ungueltig": True})
    assert current.case.status == "completed"

    record = person(engine, max_id)
    assert record["gefuehrt_von"] == "neubukow-salzhaff"
    assert [(w["ort"], w["aktiv"]) for w in record["wohnungen"]] == [("Rerik", True), ("Lützow", False)]
    assert [(d["seriennummer"], d["status"]) for d in record["dokumente"]] == [
        ("T0000002", "gueltig"), ("T0000001", "ungueltig")]
    with engine.db.read() as s:
        steps = s.execute(select(CaseStep).where(CaseStep.case_id == view.case.id).order_by(CaseStep.seq)).scalars()
        assert [st.irreversible for st in steps] == [False, False, False, True, True]
    # Steps before a register change can no longer be corrected.
    assert not any(st.correctable for st in engine.cases.view(view.case.id, clerk).steps)
    assert engine.audit.verify().ok


def test_events_record_before_and_after(engine, clerk, fixed_clock, add) -> None:  # type: ignore[no-untyped-def]
    pid = add("Vorher", "Nach", wohnungen=[home(LUETZOW)])
    call(engine, clerk, "apply_move", {"person_ids": [str(pid)], "anschrift": BRUESEWITZ,
                                       "eingezogen_am": date(2026, 11, 1), "wohnungsart": "hauptwohnung"})
    (created,) = events(engine, "register_person_created")
    assert created["_case"] is None and created["before"] is None and created["after"]["familienname"] == "Vorher"
    (moved,) = events(engine, "register_person_moved")
    assert moved["_case"] is not None and moved["eingezogen_am"] == "2026-11-01"
    assert [w["ort"] for w in moved["before"]["wohnungen"]] == ["Lützow"]
    assert [w["ort"] for w in moved["after"]["wohnungen"]] == ["Brüsewitz"]
    # A move within the same Amt: the same authority keeps the person.
    assert moved["before"]["gefuehrt_von"] == moved["after"]["gefuehrt_von"] == "luetzow-luebstorf"


@pytest.mark.parametrize(
    ("change", "error", "field", "text"),
    [
        ({"eingezogen_am": date(2026, 11, 16)}, InputInvalid, "eingezogen_am", "in der Zukunft"),
        ({"eingezogen_am": date(2014, 12, 31)}, InputInvalid, "eingezogen_am", "vor dem Einzug in die bisherige"),
        ({"person_ids": [str(uuid.UUID(int=7))]}, OperationFailed, "person_ids", "nicht im Melderegister"),
        ({"person_ids": ["kein-uuid"]}, InputInvalid, "person_ids/0", "keine gültige Personenkennung"),
        ({"anschrift": {**RERIK, "ags": "12345678"}}, InputInvalid, "anschrift/ags", "keine Meldebehörde"),
        ({"anschrift": SCHWERIN}, InputInvalid, "anschrift/ags", "Landeshauptstadt Schwerin zuständig"),
        ({"anschrift": {**RERIK, "postleitzahl": "1823"}}, InputInvalid, "anschrift/postleitzahl", "5 Ziffern"),
        ({"anschrift": LUETZOW}, InputInvalid, "anschrift", "bereits gemeldet"),
    ],
)
def test_a_refused_move_changes_nothing(engine, clerk, fixed_clock, add, change, error, field, text) -> None:  # type: ignore[no-untyped-def]
    pid = add("Bleibtreu", "Bert", wohnungen=[home(LUETZOW)])
    before, register_before = counts(engine), person(engine, pid)
    eingabe = {"person_ids": [str(pid)], "anschrift": RERIK, "eingezogen_am": date(2026, 11, 1),
               "wohnungsart": "hauptwohnung", **change}
    with pytest.raises(error) as err:
        call(engine, clerk, "apply_move", eingabe)
    assert text in err.value.user_message
    if isinstance(err.value, InputInvalid):
        assert field in err.value.errors and text in " ".join(err.value.errors[field])
    else:
        assert err.value.context["field"] == field
    assert counts(engine) == before
    assert person(engine, pid) == register_before


def test_secondary_dwelling_relabels_and_move_out_promotes(engine, clerk, fixed_clock, add) -> None:  # type: ignore[no-untyped-def]
    pid = add("Zweithaus", "Zora", wohnungen=[home(RERIK)])
    giver = {"name": "Probe-Wohnbau GmbH", "bestaetigt_am": date(2026, 10, 2)}
    result = call(engine, clerk, "apply_move", {"person_ids": [str(pid)], "anschrift": LUETZOW,
                                                "eingezogen_am": date(2026, 10, 1), "wohnungsart": "nebenwohnung",
                                                "wohnungsgeber": giver})
    assert result["bisherige"] == [] and result["gefuehrt_von"] is None
    record = person(engine, pid)
    assert record["wohnungen"][1]["wohnungsgeber"] == {"name": "Probe-Wohnbau GmbH", "bestaetigt_am": "2026-10-02"}
    assert [(w["ort"], w["art"]) for w in record["wohnungen"]] == [("Rerik", "hauptwohnung"),
                                                                  ("Lützow", "nebenwohnung")]
    assert record["gefuehrt_von"] == "neubukow-salzhaff"  # the Nebenwohnung does not change the keeper

    ended = call(engine, clerk, "apply_move_out", {"person_ids": [str(pid)], "ausgezogen_am": date(2026, 11, 20)})
    assert [w["ort"] for w in ended["beendet"]] == ["Rerik"]
    record = person(engine, pid)
    assert record["hauptwohnung"]["ort"] == "Lützow" and record["hauptwohnung"]["art"] == "alleinige"

    wien = {"ort": "Wien", "staat": "151", "strasse": "Probegasse", "hausnummer": "1"}
    ended = call(engine, clerk, "apply_move_out", {"person_ids": [str(pid)], "ausgezogen_am": date(2026, 11, 22),
                                                   "neue_anschrift": wien})
    assert ended["beendet"][0]["neue_anschrift"] == wien
    record = person(engine, pid)
    assert record["hauptwohnung"] is None and not any(w["aktiv"] for w in record["wohnungen"])
    (event, _) = events(engine, "register_person_moved_out")[::-1]
    assert event["neue_anschrift"]["staat"] == "151" and event["after"]["wohnungen"] == []


def test_family_moves_together_and_move_out_by_dwelling(engine, clerk, fixed_clock, add) -> None:  # type: ignore[no-untyped-def]
    parent = add("Familie", "Frieda", "1980-01-01", wohnungen=[home(NEUBUKOW), home(RERIK, art="nebenwohnung")])
    child = add("Familie", "Fiete", "2015-01-01", wohnungen=[home(NEUBUKOW, "2015-01-01"),
                                                             home(RERIK, "2015-01-01", art="nebenwohnung")],
                gesetzliche_vertreter=[str(parent)])
    assert [k["vornamen"] for k in person(engine, parent)["kinder"]] == ["Fiete"]
    assert person(engine, child)["gesetzliche_vertreter"][0]["person_id"] == str(parent)
    secondary = next(w for w in person(engine, parent)["wohnungen"] if w["art"] == "nebenwohnung")
    result = call(engine, clerk, "apply_move_out", {"person_ids": [str(parent), str(child)],
                                                    "ausgezogen_am": date(2026, 11, 15),
                                                    "wohnung_id": secondary["wohnung_id"]})
    assert [w["ort"] for w in result["beendet"]] == ["Rerik", "Rerik"]
    for pid in (parent, child):
        assert [(w["ort"], w["art"]) for w in person(engine, pid)["wohnungen"] if w["aktiv"]] == [
            ("Neubukow", "alleinige")]


def test_move_out_at_the_earliest_one_week_ahead(engine, clerk, fixed_clock, add) -> None:  # type: ignore[no-untyped-def]
    pid = add("Frueh", "Fritz", wohnungen=[home(RERIK)])
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "apply_move_out", {"person_ids": [str(pid)], "ausgezogen_am": date(2026, 11, 23)})
    assert "frühestens eine Woche" in err.value.errors["ausgezogen_am"][0]
    call(engine, clerk, "apply_move_out", {"person_ids": [str(pid)], "ausgezogen_am": date(2026, 11, 22)})
    with pytest.raises(OperationFailed) as failed:
        call(engine, clerk, "apply_move_out", {"person_ids": [str(pid)], "ausgezogen_am": date(2026, 11, 22)})
    assert "nicht mit einer Haupt- oder alleinigen Wohnung gemeldet" in failed.value.user_message


def test_documents_serial_numbers_and_status(engine, clerk, fixed_clock, add) -> None:  # type: ignore[no-untyped-def]
    pid = add("Dokumenta", "Doris", dokumente=[
        {"art": "reisepass", "seriennummer": "TALT00001", "ausgestellt_am": "2010-01-01", "gueltig_bis": "2019-12-31"}])
    assert person(engine, pid)["dokumente"][0]["status"] == "abgelaufen"
    doc = {"person_id": str(pid), "art": "personalausweis", "seriennummer": "TNEU00001",
           "ausgestellt_am": date(2026, 11, 15), "gueltig_bis": date(2036, 11, 14)}
    created = call(engine, clerk, "record_document", doc)
    (recorded,) = events(engine, "register_document_recorded")
    assert recorded["dokument_id"] == created["dokument_id"] and recorded["after"]["behoerde"] == "Amt Neubukow-Salzhaff"
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "record_document", {**doc, "seriennummer": "talt00001"})
    assert err.value.errors["seriennummer"] == ["Die Seriennummer TALT00001 ist bereits im Melderegister eingetragen."]
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "record_document", {**doc, "seriennummer": "TNEU00002", "ausgestellt_am": date(2026, 11, 16),
                                                "gueltig_bis": date(2030, 1, 1)})
    assert "in der Zukunft" in err.value.errors["ausgestellt_am"][0]

    lost = call(engine, clerk, "set_document_status", {"dokument_id": created["dokument_id"], "status": "verloren",
                                                       "grund": "Verlustanzeige"})
    assert lost == {"dokument_id": created["dokument_id"], "status": "verloren"}
    (invalidated,) = events(engine, "register_document_invalidated")
    assert invalidated["before"]["status"] == "gueltig" and invalidated["after"] == {
        "status": "verloren", "status_seit": "2026-11-15", "grund": "Verlustanzeige"}
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "set_document_status", {"dokument_id": created["dokument_id"], "status": "gestohlen"})
    assert "bereits als „verloren“" in err.value.errors["status"][0]
    with pytest.raises(OperationFailed):
        call(engine, clerk, "set_document_status", {"dokument_id": str(uuid.uuid4()), "status": "ungueltig"})


def test_auskunftssperre_is_set_then_extended(engine, clerk, fixed_clock, add) -> None:  # type: ignore[no-untyped-def]
    pid = add("Gesperrt", "Gerda")
    result = call(engine, clerk, "set_auskunftssperre", {"person_id": str(pid), "grund": "Bedrohung",
                                                         "bis": date(2028, 11, 14)})
    assert result == {"person_id": str(pid), "bis": date(2028, 11, 14)}
    call(engine, clerk, "set_auskunftssperre", {"person_id": str(pid), "grund": "Bedrohung dauert an",
                                                "bis": date(2028, 12, 31)})
    assert person(engine, pid)["auskunftssperren"] == [{"art": "3", "grund": "Bedrohung dauert an",
                                                       "bis": date(2028, 12, 31)}]
    first, second = events(engine, "register_auskunftssperre_set")
    assert first["before"] is None and second["before"]["bis"] == "2028-11-14" and second["after"]["bis"] == "2028-12-31"
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "set_auskunftssperre", {"person_id": str(pid), "grund": "x", "bis": date(2026, 11, 15)})
    assert "in der Zukunft" in err.value.errors["bis"][0]
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "set_auskunftssperre", {"person_id": str(pid), "grund": "x", "bis": date(2027, 1, 1),
                                                    "art": "99"})
    assert "Auskunftssperre" in err.value.errors["art"][0]


def test_create_person_in_a_case(engine, clerk, fixed_clock, add) -> None:  # type: ignore[no-untyped-def]
    mother = add("Neumann", "Nele", "1985-01-01", wohnungen=[home(RERIK)])
    data = {"familienname": "Neumann", "vornamen": "Nils", "geburtsdatum": date(2026, 11, 1), "geschlecht": "m",
            "gesetzliche_vertreter": [{"person_id": str(mother)}], "wohnungen": [home(RERIK, "2026-11-01")],
            "religion": "ev", "familienstand": "LD"}
    result = call(engine, clerk, "create_person", {"person": data})
    record = person(engine, result["person_id"])
    assert record["gefuehrt_von"] == "neubukow-salzhaff" and record["hauptwohnung"]["art"] == "alleinige"
    assert [k["vornamen"] for k in person(engine, mother)["kinder"]] == ["Nils"]
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "create_person", {"person": {**data, "familienname": "NEUMANN"}})
    assert "bereits im Melderegister eingetragen" in err.value.errors["person"][0]
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "create_person", {"person": {**data, "vornamen": "Nina",
                                                         "gesetzliche_vertreter": [str(uuid.uuid4())]}})
    assert "nicht im Melderegister" in err.value.errors["person/gesetzliche_vertreter/0"][0]


def test_a_person_arriving_from_outside_is_kept_by_the_serving_authority(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    data = {"familienname": "Zuzug", "vornamen": "Zeno", "geburtsdatum": date(1990, 1, 1),
            "wohnungen": [home(SCHWERIN, "2010-01-01")]}
    pid = call(engine, clerk, "create_person", {"person": data}, authority="luetzow-luebstorf")["person_id"]
    assert person(engine, pid)["gefuehrt_von"] == "luetzow-luebstorf"
    moved = call(engine, clerk, "apply_move", {"person_ids": [pid], "anschrift": LUETZOW,
                                               "eingezogen_am": date(2026, 11, 2), "wohnungsart": "alleinige"},
                 authority="luetzow-luebstorf")
    # The Rückmeldung goes to the Meldebehörde of the former dwelling.
    assert moved["bisherige"][0]["gefuehrt_von"] == "schwerin"


def test_get_person_and_find_person_errors(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "get_person", {"person_id": "abc"})
    assert "keine gültige Kennung" in err.value.errors["person_id"][0]
    with pytest.raises(OperationFailed):
        call(engine, clerk, "get_person", {"person_id": str(uuid.uuid4())})
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "find_person", {"familienname": "  "})
    assert err.value.errors == {"familienname": ["Bitte einen Familiennamen angeben."]}
    assert call(engine, clerk, "find_person", {"familienname": "Niemand"}) == {
        "anzahl": 0, "treffer": [], "abgeschnitten": False}


def test_sandbox_cases_change_only_sandbox_persons(engine, clerk, fixed_clock, add) -> None:  # type: ignore[no-untyped-def]
    real = add("Echt", "Erwin", wohnungen=[home(RERIK)])
    move = {"person_ids": [str(real)], "anschrift": LUETZOW, "eingezogen_am": date(2026, 11, 1),
            "wohnungsart": "hauptwohnung"}
    with pytest.raises(OperationFailed) as err:
        call(engine, clerk, "apply_move", move, sandbox=True)
    assert "Testbetrieb" in err.value.user_message
    test_person = call(engine, clerk, "create_person", {"person": {"familienname": "Echt", "vornamen": "Erwin",
                                                                    "geburtsdatum": date(1970, 1, 1)}}, sandbox=True)
    call(engine, clerk, "apply_move", {**move, "person_ids": [test_person["person_id"]]}, sandbox=True)
    assert call(engine, clerk, "find_person", {"familienname": "Echt"})["anzahl"] == 1
    assert call(engine, clerk, "find_person", {"familienname": "Echt"}, sandbox=True)["anzahl"] == 2
    with pytest.raises(OperationFailed):
        call(engine, clerk, "get_person", {"person_id": test_person["person_id"]})


def test_objections_become_transfer_blocks_once(engine, clerk, fixed_clock, add) -> None:  # type: ignore[no-untyped-def]
    anna, ben = add("Widerspruch", "Anna", wohnungen=[home(LUETZOW)]), add("Widerspruch", "Ben", wohnungen=[home(LUETZOW)])
    call(engine, clerk, "apply_move", {"person_ids": [str(anna), str(ben)], "anschrift": RERIK,
                                       "eingezogen_am": date(2026, 11, 10), "wohnungsart": "hauptwohnung",
                                       "uebermittlungssperren": ["parteien", "adressbuch"]})
    assert person(engine, anna)["uebermittlungssperren"] == ["adressbuch", "parteien"]
    assert person(engine, ben)["uebermittlungssperren"] == ["adressbuch", "parteien"]
    # A later objection adds to what is there; repeating one changes nothing and records nothing.
    result = call(engine, clerk, "set_uebermittlungssperren", {"person_ids": [str(anna)],
                                                               "sperren": ["bundeswehr", "parteien"]})
    assert result == {"personen": [{"person_id": str(anna),
                                    "uebermittlungssperren": ["adressbuch", "bundeswehr", "parteien"]}]}
    call(engine, clerk, "set_uebermittlungssperren", {"person_ids": [str(anna)], "sperren": ["parteien"]})
    recorded = events(engine, "register_uebermittlungssperren_set")
    assert [(e["person_id"], e["before"], e["after"]) for e in recorded] == [
        (str(anna), [], ["adressbuch", "parteien"]),
        (str(ben), [], ["adressbuch", "parteien"]),
        (str(anna), ["adressbuch", "parteien"], ["adressbuch", "bundeswehr", "parteien"]),
    ]
    assert engine.audit.verify().ok


@pytest.mark.parametrize("eingabe", [
    {"sperren": ["presse"]},
    {"sperren": []},
    {"sperren": ["parteien", 7]},
])
def test_an_unknown_or_missing_objection_changes_nothing(engine, clerk, fixed_clock, add, eingabe) -> None:  # type: ignore[no-untyped-def]
    pid = add("Widerspruch", "Carl", wohnungen=[home(LUETZOW)])
    before = counts(engine)
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "set_uebermittlungssperren", {"person_ids": [str(pid)], **eingabe})
    assert err.value.user_message
    assert counts(engine) == before
    assert person(engine, pid)["uebermittlungssperren"] == []


def test_a_move_with_an_unknown_objection_moves_nobody(engine, clerk, fixed_clock, add) -> None:  # type: ignore[no-untyped-def]
    pid = add("Widerspruch", "Dora", wohnungen=[home(LUETZOW)])
    before, register_before = counts(engine), person(engine, pid)
    with pytest.raises(InputInvalid) as err:
        call(engine, clerk, "apply_move", {"person_ids": [str(pid)], "anschrift": RERIK,
                                           "eingezogen_am": date(2026, 11, 10), "wohnungsart": "hauptwohnung",
                                           "uebermittlungssperren": ["bundeswehr", "werbung"]})
    assert "„werbung“ ist keine bekannte Übermittlungssperre" in err.value.errors["uebermittlungssperren/1"][0]
    assert counts(engine) == before and person(engine, pid) == register_before
