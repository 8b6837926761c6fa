"""Test-only message types with non-G2G headers, written into a temporary copy of the types folder.

One type per basisnachricht family, each with the smallest payload its XSD element accepts –
they prove the *header*, not a complete Fachlichkeit:

- ``melderegisterauskunfteinfach.antwort.0601`` (``b2privat``): authority → customer;
- ``administration.returntosender.0900`` (``b2b``): authority → authority;
- ``melderegisterauskunfteinfach.quittunggemeindeuebergreifend.0603`` (``dienstleister2kunde``);
- ``melderegisterauskunfteinfach.anforderung.0600`` (``privat2b``) and
  ``melderegisterauskunfteinfach.anforderunggemeindeuebergreifend.0602`` (``kunde2dienstleister``):
  written by a customer, so ``build_message`` only (``message.send`` refuses them).

The test 0601 is smaller than the shipped one (written from ``docs/process-authoring.md``
alone) and replaces it in the temporary copy, so these tests do not depend on its content.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from engine.settings import Settings

ANTWORT = "melderegisterauskunfteinfach.antwort.0601"
RTS = "administration.returntosender.0900"
QUITTUNG = "melderegisterauskunfteinfach.quittunggemeindeuebergreifend.0603"
ANFORDERUNG = "melderegisterauskunfteinfach.anforderung.0600"
ANFORDERUNG_GU = "melderegisterauskunfteinfach.anforderunggemeindeuebergreifend.0602"

NEUBUKOW = {"name": "Stadt Neubukow (Beispiel)", "dvdv_kennung": "ags:13072074", "strasse": "Am Markt",
            "hausnummer": "1", "postleitzahl": "18233", "ort": "Neubukow",
            "email": "meldebehoerde@neubukow.example"}
SCHWERIN = {"name": "Landeshauptstadt Schwerin (Beispiel)", "dvdv_kennung": "ags:13004000", "strasse": "Am Packhof",
            "hausnummer": "2-6", "postleitzahl": "19053", "ort": "Schwerin"}
ERIKA = {"familienname": "Beispielfrau", "vornamen": "Erika",
         "anschrift": {"strasse": "Lindenweg", "hausnummer": "12a", "postleitzahl": "18233", "ort": "Neubukow"},
         "email": "erika@beispiel.example"}
FIRMA = {"name": "Beispiel Inkasso GmbH & Co. KG", "kundennummer": "K-2026/17", "strasse": "Hafenstraße",
         "hausnummer": "4-8", "postleitzahl": "18055", "ort": "Rostock"}

_ANFORDERUNG_TEMPLATE = """\
{#- Smallest auskunft.anforderung the XSD accepts: one person searched by name. -#}
<xmeld:auskunft.anforderung>
  <xmeld:anfragedaten><xmeld:zumZweckDerWerbungOderAdresshandel>false</xmeld:zumZweckDerWerbungOderAdresshandel></xmeld:anfragedaten>
  <xmeld:datenZurAnfrage><xmeld:name>{{ allgemeiner_name("xmeld:nachname", data.gesucht.familienname) }}\
{{ allgemeiner_name("xmeld:vornamen", data.gesucht.vornamen) }}</xmeld:name></xmeld:datenZurAnfrage>
  <xmeld:technische.einzelidentifikation><xmeld:ereigniszeitpunkt>{{ data.zeitpunkt | xsd_datetime }}</xmeld:ereigniszeitpunkt>\
<xmeld:zeicheneinzelfall>{{ data.zeichen }}</xmeld:zeicheneinzelfall></xmeld:technische.einzelidentifikation>
</xmeld:auskunft.anforderung>
"""
_ANFORDERUNG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "additionalProperties": False,
    "required": ["gesucht", "zeitpunkt", "zeichen"],
    "properties": {
        "gesucht": {"type": "object", "additionalProperties": False, "required": ["familienname", "vornamen"],
                    "properties": {"familienname": {"type": "string", "minLength": 1, "x-din91379": "A"},
                                   "vornamen": {"type": "string", "minLength": 1, "x-din91379": "A"}}},
        "zeitpunkt": {"type": "string", "format": "date-time"},
        "zeichen": {"type": "string", "minLength": 1, "maxLength": 100, "x-din91379": "C"},
    },
}
_ANFORDERUNG_DATA = {"gesucht": {"familienname": "Mustermann", "vornamen": "Max"},
                     "zeitpunkt": "2025-11-03T09:00:00.000+01:00", "zeichen": "ANF-1"}

TYPES: dict[str, dict[str, Any]] = {
    ANTWORT: {
        "header": "b2privat", "title": "Antwort zur einfachen Melderegisterauskunft (Testtyp)",
        "template": """\
{{ code("xmeld:antwortstatus", "urn:de:xmeld:schluesseltabelle:antwortstatus", data.antwortstatus) }}
{% if data.zeichen is defined %}<xmeld:zeichennachricht>{{ data.zeichen }}</xmeld:zeichennachricht>{% endif %}
""",
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "additionalProperties": False, "required": ["antwortstatus"],
            "properties": {
                "antwortstatus": {"type": "string", "x-codelist": "urn:de:xmeld:schluesseltabelle:antwortstatus"},
                "zeichen": {"type": "string", "minLength": 1, "maxLength": 90, "x-din91379": "C"},
            },
        },
        "example": {"author": NEUBUKOW, "reader": {"kunde": ERIKA},
                    "data": {"antwortstatus": "00", "zeichen": "MRA-2026-000017"}},
    },
    RTS: {
        "header": "b2b", "title": "ReturnToSender (Testtyp)",
        "template": """\
<xmeld:rts.container>
  <xmeld:begruendung>{{ code("xmeld:grund", "urn:de:xmeld:schluesseltabelle:ruecksendung.einer.nachricht", \
data.grund) }}</xmeld:begruendung>
  <xmeld:nachricht>{{ data.nachricht }}</xmeld:nachricht>
</xmeld:rts.container>
""",
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "additionalProperties": False, "required": ["grund", "nachricht"],
            "properties": {
                "grund": {"type": "string",
                          "x-codelist": "urn:de:xmeld:schluesseltabelle:ruecksendung.einer.nachricht"},
                "nachricht": {"type": "string", "pattern": "^[A-Za-z0-9+/]+={0,2}$"},
            },
        },
        "example": {"author": NEUBUKOW, "reader": SCHWERIN, "data": {"grund": "S999", "nachricht": "PHg+PC94Pg=="}},
    },
    QUITTUNG: {
        "header": "dienstleister2kunde", "title": "Quittung gemeindeübergreifende Auskunft (Testtyp)",
        "template": "<xmeld:auftragsnummer>{{ data.auftragsnummer }}</xmeld:auftragsnummer>\n",
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "additionalProperties": False, "required": ["auftragsnummer"],
            "properties": {"auftragsnummer": {"type": "string", "minLength": 1, "x-din91379": "C"}},
        },
        "example": {"author": NEUBUKOW, "reader": {"kunde": FIRMA}, "data": {"auftragsnummer": "A-2026-17"}},
    },
    ANFORDERUNG: {
        "header": "privat2b", "title": "Anfrage einfache Melderegisterauskunft (Testtyp)",
        "template": _ANFORDERUNG_TEMPLATE, "schema": _ANFORDERUNG_SCHEMA,
        "example": {"author": {"kunde": FIRMA}, "reader": NEUBUKOW, "data": _ANFORDERUNG_DATA},
    },
    ANFORDERUNG_GU: {
        "header": "kunde2dienstleister", "title": "Anfrage gemeindeübergreifend (Testtyp)",
        "template": _ANFORDERUNG_TEMPLATE, "schema": _ANFORDERUNG_SCHEMA,
        "example": {"author": {"kunde": ERIKA}, "reader": NEUBUKOW, "data": _ANFORDERUNG_DATA},
    },
}


def write_type(root: Path, name: str, *, header: str | None = None, **changes: Any) -> Path:
    """Write the test type ``name`` into ``root``; ``header=""`` leaves the key out of message.toml."""
    spec = {**TYPES[name], **changes}
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    chosen = spec["header"] if header is None else header
    header_line = f'header = "{chosen}"\n' if chosen else ""
    (folder / "message.toml").write_text(
        f'message_type = "{name}"\ncode = "{name[-4:]}"\n{header_line}title_de = "{spec["title"]}"\n'
        'description_de = "Nur für Tests: der kleinste Inhalt, den das XSD annimmt."\n'
        'rechtsgrundlage = "§ 44 BMG"\nauthor_role = "meldebehoerde"\ndefault_reader_role = "kunde"\n',
        encoding="utf-8")
    (folder / "input.schema.json").write_text(json.dumps(spec["schema"], ensure_ascii=False, indent=2),
                                              encoding="utf-8")
    (folder / "template.xml.j2").write_text(spec["template"], encoding="utf-8")
    (folder / "example.json").write_text(json.dumps(spec["example"], ensure_ascii=False, indent=2),
                                         encoding="utf-8")
    return folder


def types_folder(tmp_path: Path, *names: str) -> Path:
    """A copy of the shipped types (and the code lists beside them) plus the test types ``names``."""
    shipped = Settings().message_types_dir
    root = tmp_path / "messages"
    shutil.copytree(shipped, root)
    if not (tmp_path / "codelists").exists():
        shutil.copytree(shipped.parent / "codelists", tmp_path / "codelists")
    for name in names or tuple(TYPES):
        shutil.rmtree(root / name, ignore_errors=True)
        write_type(root, name)
    return root
