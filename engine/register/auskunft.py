"""Einfache Melderegisterauskunft (§ 44 BMG) with the neutral answer of § 51 BMG.

Decision, in this order:

1. The request must name family name, first names and a birth date or an address;
   otherwise the answer is ``nicht_eindeutig`` without looking anything up (§ 44 Abs. 3 Nr. 1:
   the person must be identified unambiguously by the request; test case 25 of the domain
   rules: "Max Müller" alone is refused). The register is not read, so the answer cannot
   depend on who is in it.
2. Candidates must match strictly: family (or birth) name and first names with the same
   letters apart from case, umlauts and accents (Müller = Mueller), the birth date exactly,
   and the address (if given) one of the person's current or former dwellings. Phonetic
   similarity is *not* enough here: it would disclose the data of a different person.
3. No candidate → ``keine_auskunft``; several → ``nicht_eindeutig``.
4. One candidate with an Auskunftssperre in force → ``keine_auskunft``, exactly the answer for
   "nobody found", so the requester cannot tell a block from an unknown person (§ 51 Abs. 1,
   2 BMG). The audit event ``register_auskunft_blocked`` records that the person must be
   informed of the request (§ 51 Abs. 3 BMG).
5. Otherwise ``eindeutig`` with family name, first names, Doktorgrad, current addresses and
   whether the person has died (§ 44 Abs. 1 BMG); event ``register_auskunft_given``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.audit.chain import jsonable
from engine.register.changes import ChangeContext
from engine.register.models import Person, Residence
from engine.register.names import folded_words
from engine.register.query import blocks_of, candidates, residences_of
from engine.register.validation import Problems, read_date, read_text
from engine.register.views import active_blocks, address_data, ordered_residences

EINDEUTIG = "eindeutig"
NICHT_EINDEUTIG = "nicht_eindeutig"
KEINE_AUSKUNFT = "keine_auskunft"
REQUEST_FIELDS = ("familienname", "vornamen", "geburtsdatum", "anschrift")


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    familienname: str
    vornamen: str | None
    geburtsdatum: date | None
    anschrift: Mapping[str, Any] | None
    zweck: str


def parse_request(anfrage: Any, zweck: Any) -> Request:
    p = Problems()
    if not isinstance(anfrage, Mapping):
        p.add("anfrage", "Die Anfrage muss als Objekt mit Feldern angegeben werden.")
        p.raise_if_any("auskunft")
    assert isinstance(anfrage, Mapping)
    for key in anfrage:
        if key not in REQUEST_FIELDS:
            p.add(f"anfrage/{key}", f"Die Angabe „{key}“ ist unbekannt; erlaubt sind: {', '.join(REQUEST_FIELDS)}.")
    familienname = read_text(p, anfrage, "familienname", "anfrage", "den Familiennamen", din="A")
    vornamen = read_text(p, anfrage, "vornamen", "anfrage", "die Vornamen", required=False, din="A")
    born = read_date(p, anfrage, "geburtsdatum", "anfrage", "das Geburtsdatum", required=False)
    address = anfrage.get("anschrift")
    if address is not None and not isinstance(address, Mapping):
        p.add("anfrage/anschrift", "Die Anschrift muss ein Objekt mit Feldern sein.")
    purpose = read_text(p, {"zweck": zweck}, "zweck", "", "den Zweck der Auskunft", max_length=500, din="C")
    p.raise_if_any("auskunft")
    assert familienname and purpose
    return Request(familienname=familienname, vornamen=vornamen, geburtsdatum=born,
                   anschrift=dict(address) if address else None, zweck=purpose)


def _address_matches(wanted: Mapping[str, Any], res: Residence) -> bool:
    checks = (("strasse", res.strasse), ("hausnummer", res.hausnummer), ("postleitzahl", res.postleitzahl),
              ("ort", res.ort))
    given = [(str(wanted[k]), v) for k, v in checks if wanted.get(k) not in (None, "")]
    return bool(given) and all(folded_words(w) == folded_words(v) for w, v in given)


def _identified(req: Request, person: Person, residences: list[Residence]) -> bool:
    wanted = folded_words(req.familienname)
    if wanted not in (folded_words(person.familienname), folded_words(person.geburtsname or "")):
        return False
    first = set(folded_words(req.vornamen or ""))
    if not first or not first <= set(folded_words(person.vornamen)):
        return False
    if req.geburtsdatum is not None and person.geburtsdatum != req.geburtsdatum:
        return False
    return req.anschrift is None or any(_address_matches(req.anschrift, r) for r in residences)


def answer(cx: ChangeContext, req: Request) -> dict[str, Any]:
    """The answer to an einfache Melderegisterauskunft (see the module docstring)."""
    if not req.vornamen or (req.geburtsdatum is None and not req.anschrift):
        return {"ergebnis": NICHT_EINDEUTIG}
    found = []
    for person in candidates(cx.session, req.familienname, geburtsdatum=req.geburtsdatum, sandbox=cx.sandbox):
        residences = residences_of(cx.session, person.id)
        if _identified(req, person, residences):
            found.append((person, residences))
    if not found:
        return {"ergebnis": KEINE_AUSKUNFT}
    if len(found) > 1:
        return {"ergebnis": NICHT_EINDEUTIG}
    person, residences = found[0]
    blocks = active_blocks(blocks_of(cx.session, person.id), cx.today)
    if blocks:
        cx.record("register_auskunft_blocked", {
            "person_id": str(person.id), "zweck": req.zweck, "sperren": [b.art for b in blocks],
            "betroffene_person_unterrichten": True,
            "hinweis": "Auskunft wegen Auskunftssperre nicht erteilt; die betroffene Person ist über die Anfrage "
                       "zu unterrichten (§ 51 Abs. 3 BMG).",
        })
        return {"ergebnis": KEINE_AUSKUNFT}
    data = {
        "familienname": person.familienname,
        "vornamen": person.vornamen,
        "doktorgrad": person.doktorgrad,
        "anschriften": [address_data(r) for r in ordered_residences(residences) if r.ausgezogen_am is None],
        "verstorben": person.verstorben_am is not None,
    }
    cx.record("register_auskunft_given", {"person_id": str(person.id), "zweck": req.zweck, "daten": jsonable(data)})
    return {"ergebnis": EINDEUTIG, "daten": data}
