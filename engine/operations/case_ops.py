"""Operations on the case itself and on the authorities (no register, no messages)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.operations.context import OperationContext
from engine.operations.registry import REGISTRY, Param
from engine.store.authority import authority_data, competent_for
from engine.store.models import Case


@REGISTRY.operation(
    "authority.competent_for",
    title_de="Zuständige Behörde ermitteln",
    description_de=(
        "Ermittelt die örtlich zuständige Behörde für eine Gemeinde (Regel L2: Meldebehörde der Wohnung, "
        "Pass-/Personalausweisbehörde der Hauptwohnung) und ob die bedienende Behörde selbst zuständig ist."
    ),
    params=[
        Param(name="ags", type="str", description_de="Amtlicher Gemeindeschlüssel (8 Ziffern) der Wohnung"),
        Param(name="rolle", type="str", required=False,
              choices=("meldebehoerde", "passbehoerde", "personalausweisbehoerde"),
              description_de="Geforderte Behördenrolle (Standard: meldebehoerde)"),
    ],
    result_de=(
        "{gefunden: bool, selbst_zustaendig: bool, behoerde: {key, name, ags, dvdv_kennung, …} | None}"
    ),
    example='<spiffworkflow:parameter id="ags" type="str" value="person[\'anschrift\'][\'ags\']" />',
)
def competent_authority(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    found = competent_for(ctx.session, params["ags"], params.get("rolle") or "meldebehoerde")
    return {
        "gefunden": found is not None,
        "selbst_zustaendig": found is not None and found.id == ctx.authority.id,
        "behoerde": authority_data(found) if found is not None else None,
    }


@REGISTRY.operation(
    "case.find_open",
    title_de="Offene Vorgänge suchen",
    description_de=(
        "Sucht andere offene (nicht abgeschlossene) Vorgänge, deren Suchmerkmal `schluessel` (aus der "
        "Variable `labels`) den Wert `wert` hat – z. B. um doppelte Anträge derselben Person zu erkennen. "
        "Der laufende Vorgang selbst wird nicht mitgezählt; Sandbox-Vorgänge zählen nur in der Sandbox."
    ),
    params=[
        Param(name="schluessel", type="str", description_de="Name des Suchmerkmals in `labels`, z. B. \"person_id\""),
        Param(name="wert", type="str", description_de="Gesuchter Wert des Suchmerkmals"),
        Param(name="verfahren", type="str", required=False,
              description_de="Nur Vorgänge dieses Verfahrens (Kennung); Standard: alle Verfahren"),
    ],
    result_de="{anzahl: int, vorgaenge: [{nummer, verfahren, status, gestartet_am}]}",
    example=(
        '<spiffworkflow:parameter id="schluessel" type="str" value="\'person_id\'" />\n'
        '<spiffworkflow:parameter id="wert" type="str" value="person_id" />\n'
        '<spiffworkflow:parameter id="verfahren" type="str" value="vorgang[\'verfahren\']" />'
    ),
)
def find_open_cases(ctx: OperationContext, params: dict[str, Any]) -> dict[str, Any]:
    stmt = select(Case).where(
        Case.status.in_(("active", "waiting")), Case.id != ctx.case_id, Case.sandbox.is_(ctx.sandbox)
    )
    if params.get("verfahren"):
        stmt = stmt.where(Case.service_id == params["verfahren"])
    wanted = str(params["wert"])
    found = []
    # Labels are a small JSON document per case; comparing in Python keeps this portable
    # between SQLite and PostgreSQL (no JSON path operators needed).
    for case in ctx.session.execute(stmt.order_by(Case.started_at)).scalars():
        if str((case.labels or {}).get(params["schluessel"], "")) == wanted:
            found.append({"nummer": case.number, "verfahren": case.service_id, "status": case.status,
                          "gestartet_am": case.started_at.date()})
    return {"anzahl": len(found), "vorgaenge": found}
