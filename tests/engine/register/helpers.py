"""Register test data: addresses in the demo authorities' areas and a dwelling builder."""

from __future__ import annotations

from typing import Any

RERIK = {"strasse": "Testweg", "hausnummer": "1", "postleitzahl": "18230", "ort": "Rerik", "ags": "13072085"}
LUETZOW = {"strasse": "Musterstraße", "hausnummer": "7", "postleitzahl": "19209", "ort": "Lützow", "ags": "13074050"}
BRUESEWITZ = {"strasse": "Probeweg", "hausnummer": "5", "postleitzahl": "19071", "ort": "Brüsewitz",
              "ags": "13074012"}
NEUBUKOW = {"strasse": "Probeallee", "hausnummer": "2", "postleitzahl": "18233", "ort": "Neubukow",
            "ags": "13072074"}
SCHWERIN = {"strasse": "Testufer", "hausnummer": "9", "postleitzahl": "19053", "ort": "Schwerin", "ags": "13004000"}


def home(address: dict[str, str], since: str = "2015-01-01", art: str = "hauptwohnung") -> dict[str, Any]:
    return {"art": art, **address, "eingezogen_am": since}
