"""Operations on the case itself and on the authorities (no register, no messages)."""

from __future__ import annotations

from typing import Any

from engine.operations.context import OperationContext
from engine.operations.registry import REGISTRY, Param
from engine.store.authority import authority_data, competent_for


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
