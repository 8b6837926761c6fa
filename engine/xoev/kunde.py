"""Customers as message parties: the ``kunde`` mapping of a BPMN step → :class:`KundeRef`.

Contract: a customer (XMeld ``type.Kunde``) is a private person or an organisation – e.g. the
requester of an einfache Melderegisterauskunft – that receives (``b2privat``,
``dienstleister2kunde``) or writes (``privat2b``, ``kunde2dienstleister``) a message.
:func:`kunde_from_mapping` reads what a diagram passes; a wrong *shape* (not a mapping, unknown
keys) is a :class:`DesignError`. :func:`kunde_errors` checks the *values* and returns German
messages per field (``kunde/<feld>``), which :func:`~engine.xoev.generate.build_message` raises
as :class:`~engine.errors.InputInvalid` before any XML exists.

Keys (all text): either ``familienname`` (+ optional ``vornamen``) for a person
(``NAMENATUERLICHEPERSON``, DIN SPEC 91379 type A) or ``name`` for an organisation
(``NAMEJURISTISCHEPERSON``, type B); optional ``kundennummer`` (type C), ``email``, and a postal
address ``strasse``, ``hausnummer``, ``postleitzahl``, ``ort`` (flat or nested as ``anschrift``;
if any part is given, ``strasse``, ``postleitzahl`` and ``ort`` are required). The address is
written as ``kundenanschrift`` (XInneres ``Meldeanschrift``), a house number range such as
``2-6`` as part of ``strasse`` (the ``Meldeanschrift`` has no ``hausnummer.bis``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from engine import din91379
from engine.errors import DesignError
from engine.xoev.headers import EMAIL, HAUSNUMMER, HAUSNUMMER_RANGE, PLZ

KUNDE_KEYS = ("familienname", "vornamen", "name", "kundennummer", "strasse", "hausnummer", "postleitzahl",
              "ort", "email")
"""Keys of the ``kunde`` mapping (the address may also be nested as ``anschrift``)."""
_ADDRESS_KEYS = ("strasse", "hausnummer", "postleitzahl", "ort")
_DIN_TYPES = {"familienname": "A", "vornamen": "A", "name": "B", "kundennummer": "C", "strasse": "B", "ort": "B"}


@dataclass(frozen=True, slots=True, kw_only=True)
class KundeRef:
    """A customer as it appears in a message header (``type.Kunde``); ``""`` = not given."""

    familienname: str = ""
    """Family name of a natural person (then ``name`` stays empty)."""
    vornamen: str = ""
    """First names of a natural person, as one text."""
    name: str = ""
    """Name of an organisation (juristische Person, Firma, Stelle)."""
    kundennummer: str = ""
    """The office's or the customer's reference number, if there is one."""
    strasse: str = ""
    hausnummer: str = ""
    """Digits with an optional letter (``"12"``, ``"12a"``) or a range (``"2-6"``)."""
    postleitzahl: str = ""
    ort: str = ""
    email: str | None = None

    @property
    def display_name(self) -> str:
        """``Erika Mustermann`` or the organisation's name: the reader shown in the outbox."""
        if self.familienname:
            return f"{self.vornamen} {self.familienname}".strip()
        return self.name

    @property
    def has_address(self) -> bool:
        return any(getattr(self, k) for k in _ADDRESS_KEYS)


def kunde_from_mapping(value: Any) -> KundeRef:
    """The :class:`KundeRef` of a ``kunde`` mapping (see the module docstring for the keys)."""
    if not isinstance(value, Mapping):
        raise DesignError(f"kunde is a {type(value).__name__}, not a mapping",
                          user_message="„kunde“ muss ein Objekt sein, z. B. {\"familienname\": …, \"vornamen\": …, "
                          "\"strasse\": …, \"hausnummer\": …, \"postleitzahl\": …, \"ort\": …}.")
    values = {str(k): v for k, v in value.items()}
    nested = values.pop("anschrift", None)
    if nested is not None:
        if not isinstance(nested, Mapping):
            raise DesignError("kunde.anschrift is not a mapping",
                              user_message="„kunde.anschrift“ muss ein Objekt mit strasse, hausnummer, postleitzahl "
                              "und ort sein.")
        extra = sorted(set(map(str, nested)) - set(_ADDRESS_KEYS))
        if extra:
            raise DesignError(f"kunde.anschrift has unknown keys {extra}",
                              user_message=f"„kunde.anschrift“ enthält unbekannte Angaben ({', '.join(extra)}); "
                              f"erlaubt sind {', '.join(_ADDRESS_KEYS)}.")
        values.update({k: nested[k] for k in _ADDRESS_KEYS if k in nested and k not in values})
    unknown = sorted(set(values) - set(KUNDE_KEYS))
    if unknown:
        hints = [f"{k} → {m[0]}" for k in unknown if (m := difflib.get_close_matches(k, KUNDE_KEYS, n=1))]
        hint = f" Meinten Sie {', '.join(hints)}?" if hints else ""
        raise DesignError(f"kunde has unknown keys {unknown}",
                          user_message=f"„kunde“ enthält unbekannte Angaben ({', '.join(unknown)}); erlaubt sind "
                          f"{', '.join(KUNDE_KEYS)} und anschrift.{hint}")
    text = {k: ("" if v is None else str(v)) for k, v in values.items()}
    return KundeRef(**{k: v for k, v in text.items() if k != "email"}, email=text.get("email") or None)


def kunde_errors(kunde: KundeRef, bundle: Path) -> dict[str, list[str]]:
    """German messages per field (``kunde/<feld>``, ``kunde`` for the whole); empty if valid."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(f"kunde/{field}" if field else "kunde", []).append(message)

    values = normalized_kunde(kunde)
    person, organisation = bool(values["familienname"].strip()), bool(values["name"].strip())
    if not person and not organisation:
        add("", "Pflichtangabe fehlt: familienname (Person) oder name (Organisation).")
    elif organisation and (person or values["vornamen"].strip()):
        add("", "Entweder familienname und vornamen (Person) oder name (Organisation) angeben, nicht beides.")
    for field, datatype in _DIN_TYPES.items():
        value = values[field]
        if value and not din91379.is_valid(value, datatype, bundle=bundle):
            bad = ", ".join(din91379.invalid_characters(value, datatype, bundle=bundle))
            add(field, f"Enthält Zeichen, die nach DIN SPEC 91379 nicht zulässig sind: {bad}.")
    if kunde.has_address:
        for field in ("strasse", "ort"):
            if not values[field].strip():
                add(field, "Pflichtangabe fehlt (zur Anschrift gehören strasse, postleitzahl und ort).")
        if not PLZ.match(values["postleitzahl"]):
            add("postleitzahl", "Erwartet wird eine fünfstellige Postleitzahl.")
        if values["hausnummer"] and not HAUSNUMMER.match(values["hausnummer"]):
            add("hausnummer", "Erwartet wird eine Hausnummer wie 12 oder 12a.")
    email = values["email"]
    if email is not None and (not EMAIL.match(email) or not din91379.is_valid(email, "C", bundle=bundle)):
        add("email", "Erwartet wird eine E-Mail-Adresse.")
    return errors


def normalized_kunde(kunde: KundeRef) -> dict[str, Any]:
    """The fields NFC-normalised, plus ``anschrift`` as the header template writes it (or None)."""
    values: dict[str, Any] = {
        f.name: (din91379.normalize(v) if isinstance(v := getattr(kunde, f.name), str) else v) for f in fields(KundeRef)
    }
    values["anschrift"] = meldeanschrift(values) if kunde.has_address else None
    return values


def meldeanschrift(values: Mapping[str, Any]) -> dict[str, str]:
    """``strasse``/``hausnummer``/``postleitzahl``/``ort`` for an XInneres ``Meldeanschrift``.

    It has no ``hausnummer.bis``: a range (``2-6``) is written after the street, as the XMeld
    schema's note on ``ANSCHRIFT`` recommends for addresses it cannot express otherwise.
    """
    strasse, hausnummer = str(values.get("strasse") or ""), str(values.get("hausnummer") or "")
    if HAUSNUMMER_RANGE.match(hausnummer):
        strasse, hausnummer = f"{strasse} {hausnummer.replace(' ', '')}".strip(), ""
    return {"strasse": strasse, "hausnummer": hausnummer, "postleitzahl": str(values.get("postleitzahl") or ""),
            "ort": str(values.get("ort") or "")}
