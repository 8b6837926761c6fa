"""Operations on cases and authorities, called the way a service task calls them."""

from __future__ import annotations

from engine.operations.context import OperationContext
from engine.store.models import Authority, Case

ANTRAG = {"name": "Erika Beispielfrau", "geburtsdatum": "1990-05-01", "dringend": False}


def _ctx(engine, case_id) -> OperationContext:  # type: ignore[no-untyped-def]
    s = engine.db.sessions()
    case = s.get(Case, case_id)
    return OperationContext(session=s, settings=engine.settings, case_id=case.id, case_number=case.number,
                            service_id=case.service_id, authority=s.get(Authority, case.authority_id),
                            actor="test", now=case.started_at)


def _case_with_name(engine, clerk, name: str):  # type: ignore[no-untyped-def]
    view = engine.cases.start("beispiel", "neubukow-salzhaff", clerk)
    engine.cases.submit(view.case.id, view.ready[0].task_id, {**ANTRAG, "name": name}, clerk)
    return view.case.id


def test_find_open_finds_other_open_cases_by_label(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    first = _case_with_name(engine, clerk, "Erika Beispielfrau")
    _case_with_name(engine, clerk, "Otto Anders")
    third = _case_with_name(engine, clerk, "Erika Beispielfrau")
    ctx = _ctx(engine, third)
    try:
        result = engine.registry.invoke("case.find_open", {"schluessel": "name", "wert": "Erika Beispielfrau"}, ctx)
        none = engine.registry.invoke("case.find_open", {"schluessel": "name", "wert": "Erika Beispielfrau",
                                                         "verfahren": "schleife"}, ctx)
    finally:
        ctx.session.close()
    with engine.db.read() as s:
        number = s.get(Case, first).number
    assert result["anzahl"] == 1 and result["vorgaenge"][0]["nummer"] == number
    assert none == {"anzahl": 0, "vorgaenge": []}


def test_competent_authority_for_a_member_municipality(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    case_id = _case_with_name(engine, clerk, "Erika Beispielfrau")
    ctx = _ctx(engine, case_id)
    try:
        own = engine.registry.invoke("authority.competent_for", {"ags": "13072085"}, ctx)  # Rerik
        other = engine.registry.invoke("authority.competent_for", {"ags": "13074012", "rolle": "passbehoerde"}, ctx)
        nobody = engine.registry.invoke("authority.competent_for", {"ags": "09162000"}, ctx)  # München
    finally:
        ctx.session.close()
    assert own["selbst_zustaendig"] is True and own["behoerde"]["key"] == "neubukow-salzhaff"
    assert other["selbst_zustaendig"] is False and other["behoerde"]["key"] == "luetzow-luebstorf"
    assert nobody == {"gefunden": False, "selbst_zustaendig": False, "behoerde": None}
