"""Message addresses: configured rows or explicit dicts → :class:`AuthorityRef`, customers → :class:`KundeRef`.

Contract: :func:`authority_ref` turns an ``authority`` row into the header form XMeld needs
(DVDV identifier, name, postal address, e-mail). :func:`reader_ref` accepts what a diagram
passes as ``empfaenger``: an authority key, the ``behoerde`` dict of ``authority.competent_for``
(looked up by its ``key``), an explicit dict ``{name, dvdv_kennung, strasse, hausnummer,
postleitzahl, ort, email?}`` for authorities that are not configured, or ``{"kunde": {…}}`` for
a private person or organisation (the reader of ``b2privat``/``dienstleister2kunde`` messages;
keys in :mod:`engine.xoev.kunde`). Problems raise :class:`OperationFailed` (data) or
:class:`DesignError` (wrong mapping) with German messages; the customer's values are checked
when the message is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import DesignError, OperationFailed
from engine.store.models import Authority
from engine.xoev import AuthorityRef, KundeRef, party_from_mapping

EXPLICIT_KEYS = ("name", "dvdv_kennung", "strasse", "hausnummer", "postleitzahl", "ort", "email")
_ADDRESS_KEYS = ("strasse", "hausnummer", "postleitzahl", "ort")


def authority_ref(authority: Authority) -> AuthorityRef:
    """The header form of a configured authority."""
    if not authority.dvdv_kennung:
        raise OperationFailed(
            f"authority {authority.key} has no DVDV identifier",
            user_message=f"Für „{authority.name}“ ist keine DVDV-Kennung hinterlegt; ohne sie kann keine "
            "XMeld-Nachricht adressiert werden.",
            authority=authority.key,
        )
    address = dict(authority.address or {})
    return AuthorityRef(
        name=authority.name,
        dvdv_kennung=authority.dvdv_kennung,
        strasse=str(address.get("strasse") or ""),
        hausnummer=str(address.get("hausnummer") or ""),
        postleitzahl=str(address.get("postleitzahl") or ""),
        ort=str(address.get("ort") or ""),
        email=authority.email or None,
    )


def by_key(session: Session, key: str) -> Authority:
    found = session.execute(select(Authority).where(Authority.key == key)).scalar_one_or_none()
    if found is None:
        raise OperationFailed(f"no authority with key {key!r}",
                              user_message=f"Die Empfängerbehörde „{key}“ ist nicht eingerichtet.", authority=key)
    return found


def reader_ref(session: Session, empfaenger: str | Mapping[str, Any]
               ) -> tuple[AuthorityRef | KundeRef, Authority | None]:
    """The reader and, if it is a configured authority, its row."""
    if isinstance(empfaenger, str):
        row = by_key(session, empfaenger)
        return authority_ref(row), row
    if not isinstance(empfaenger, Mapping):
        raise DesignError(f"empfaenger is a {type(empfaenger).__name__}",
                          user_message="„empfaenger“ muss der Schlüssel einer Behörde, ein Objekt mit "
                          "name, dvdv_kennung und Anschrift oder {\"kunde\": {…}} sein.")
    if "kunde" in empfaenger:
        return party_from_mapping(empfaenger), None
    if empfaenger.get("key"):
        row = by_key(session, str(empfaenger["key"]))
        return authority_ref(row), row
    values = dict(empfaenger)
    nested = values.pop("address", None) or values.pop("anschrift", None)
    if isinstance(nested, Mapping):
        values.update({k: nested[k] for k in _ADDRESS_KEYS if k in nested and k not in values})
    unknown = sorted(set(values) - set(EXPLICIT_KEYS))
    if unknown:
        raise DesignError(f"empfaenger has unknown keys {unknown}",
                          user_message=f"„empfaenger“ enthält unbekannte Angaben ({', '.join(unknown)}); "
                          f"erlaubt sind {', '.join(EXPLICIT_KEYS)} – oder {{\"kunde\": {{…}}}} für eine Person "
                          "oder Stelle.")
    return AuthorityRef(
        name=str(values.get("name") or ""),
        dvdv_kennung=str(values.get("dvdv_kennung") or ""),
        strasse=str(values.get("strasse") or ""),
        hausnummer=str(values.get("hausnummer") or ""),
        postleitzahl=str(values.get("postleitzahl") or ""),
        ort=str(values.get("ort") or ""),
        email=str(values["email"]) if values.get("email") else None,
    ), None
