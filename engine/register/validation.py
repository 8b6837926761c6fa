"""Reading register input (plain data from task data or scenario files) into typed values.

Every ``parse_*`` function returns frozen dataclasses or raises :class:`~engine.errors.InputInvalid`
with *all* problems at once, German, keyed by a path such as ``person/wohnungen/0/postleitzahl``
or ``eingezogen_am`` (the operation parameter), so a designer's scenario can name the field.
Names must consist of DIN SPEC 91379 characters (data type A for persons, B for places and
streets); codes must be in the official code lists. Pure: ``today`` is passed in.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from engine import din91379
from engine.errors import InputInvalid
from engine.forms.dates import Period, format_date, shift
from engine.register.codes import (
    AUSKUNFTSSPERRE_51,
    GERMANY,
    DocumentStatus,
    RegisterCodes,
    ResidenceKind,
    document_kinds,
)
from engine.runtime.helpers import normalize_name

_PLZ = re.compile(r"\d{5}")
_AGS = re.compile(r"\d{8}")
_SERIAL = re.compile(r"[A-Z0-9]{5,12}")
MAX_AGE_YEARS = 130


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A domestic address with its municipality key."""

    strasse: str
    hausnummer: str
    postleitzahl: str
    ort: str
    ags: str
    """Amtlicher Gemeindeschlüssel (8 digits): decides the competent Meldebehörde."""
    zusatz: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResidenceInput:
    art: ResidenceKind
    anschrift: Address
    eingezogen_am: date
    ausgezogen_am: date | None = None
    wohnungsgeber: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentInput:
    art: str
    """Key of a document kind (``processes/register/dokumentarten.toml``)."""
    seriennummer: str
    """Upper-case letters and digits."""
    ausgestellt_am: date
    gueltig_bis: date
    behoerde: str | None = None
    """Issuing authority; None = the authority of the running case."""
    status: DocumentStatus = DocumentStatus.gueltig
    grund: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockInput:
    art: str
    grund: str
    bis: date


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonInput:
    familienname: str
    vornamen: str
    geschlecht: str
    geburtsdatum: date
    geburtsname: str | None = None
    doktorgrad: str | None = None
    ordens_kuenstlername: str | None = None
    geburtsort: str | None = None
    geburtsstaat: str = GERMANY
    staatsangehoerigkeiten: tuple[str, ...] = (GERMANY,)
    religion: str | None = None
    familienstand: str | None = None
    verstorben_am: date | None = None
    wohnungen: tuple[ResidenceInput, ...] = ()
    dokumente: tuple[DocumentInput, ...] = ()
    auskunftssperren: tuple[BlockInput, ...] = ()
    vertreter_ids: tuple[uuid.UUID, ...] = ()
    """Persons who are this person's gesetzliche Vertreter."""
    kinder_ids: tuple[uuid.UUID, ...] = ()
    """Persons whose gesetzlicher Vertreter this person is."""
    gefuehrt_von: str | None = None
    """Key of the keeping authority; None = derived from the Hauptwohnung."""


PERSON_FIELDS = (
    "familienname", "vornamen", "geburtsname", "doktorgrad", "ordens_kuenstlername", "geschlecht",
    "geburtsdatum", "geburtsort", "geburtsstaat", "staatsangehoerigkeiten", "religion", "familienstand",
    "verstorben_am", "hauptwohnung", "wohnungen", "dokumente", "auskunftssperren", "gesetzliche_vertreter",
    "kinder", "gefuehrt_von",
)
ADDRESS_FIELDS = ("strasse", "hausnummer", "postleitzahl", "ort", "ags", "zusatz")
RESIDENCE_FIELDS = ("art", *ADDRESS_FIELDS, "eingezogen_am", "ausgezogen_am", "wohnungsgeber")
DOCUMENT_FIELDS = ("art", "seriennummer", "ausgestellt_am", "gueltig_bis", "behoerde", "status", "grund")
BLOCK_FIELDS = ("art", "grund", "bis")


@dataclass
class Problems:
    """Collects German messages by path; :meth:`raise_if_any` turns them into one InputInvalid."""

    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, message: str) -> None:
        messages = self.errors.setdefault(path, [])
        if message not in messages:
            messages.append(message)

    def count(self) -> int:
        return sum(len(m) for m in self.errors.values())

    def raise_if_any(self, what: str) -> None:
        if not self.errors:
            return
        first_path, first = next(iter(self.errors.items()))
        count = sum(len(m) for m in self.errors.values())
        more = f" (und {count - 1} weitere Angaben)" if count > 1 else ""
        raise InputInvalid(
            # Paths only: values are personal data and must not reach the logs.
            f"{what}: invalid {', '.join(self.errors)}",
            errors=self.errors,
            user_message=f"{first[0]}{more}" if first else "Bitte prüfen Sie die Angaben.",
            field=first_path,
        )


def _join(path: str, key: str | int) -> str:
    return f"{path}/{key}" if path else str(key)


def as_date(value: Any) -> date | None:
    """A ``date`` from a date or an ISO ``YYYY-MM-DD`` text; None for anything else."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def read_date(p: Problems, data: Mapping[str, Any], key: str, path: str, label: str, *,
              required: bool = True) -> date | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            p.add(_join(path, key), f"Bitte {label} angeben.")
        return None
    day = as_date(value)
    if day is None:
        p.add(_join(path, key), f"„{value}“ ist kein gültiges Datum für {label} (erwartet: JJJJ-MM-TT).")
    return day


def read_text(p: Problems, data: Mapping[str, Any], key: str, path: str, label: str, *, required: bool = True,
              max_length: int = 120, din: str | None = None, pattern: re.Pattern[str] | None = None,
              pattern_hint: str = "") -> str | None:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # postal codes or house numbers written without quotes in YAML
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            p.add(_join(path, key), f"Bitte {label} angeben.")
        return None
    if not isinstance(value, str):
        p.add(_join(path, key), f"{label[0].upper()}{label[1:]} muss ein Text sein.")
        return None
    text = normalize_name(value)
    where = _join(path, key)
    if len(text) > max_length:
        p.add(where, f"{label[0].upper()}{label[1:]} darf höchstens {max_length} Zeichen lang sein.")
    if din is not None:
        bad = din91379.invalid_characters(text, din)
        if bad:
            shown = ", ".join(f"„{c}“" for c in bad[:5])
            p.add(where, f"{label[0].upper()}{label[1:]} enthält Zeichen, die nach DIN SPEC 91379 nicht "
                         f"zulässig sind: {shown}.")
    if pattern is not None and not pattern.fullmatch(text):
        p.add(where, f"„{text}“ ist {pattern_hint}.")
    return text


def _check_unknown(p: Problems, data: Mapping[str, Any], allowed: Sequence[str], path: str) -> None:
    for key in data:
        if key not in allowed:
            p.add(_join(path, key) if path else str(key),
                  f"Die Angabe „{key}“ ist unbekannt; erlaubt sind: {', '.join(allowed)}.")


def _mapping(p: Problems, value: Any, path: str, label: str) -> Mapping[str, Any] | None:
    if not isinstance(value, Mapping):
        p.add(path, f"{label} muss ein Objekt mit Feldern sein.")
        return None
    return value


def read_address(p: Problems, data: Any, path: str, *, check_unknown: bool = True) -> Address | None:
    data = _mapping(p, data, path, "Die Anschrift")
    if data is None:
        return None
    if check_unknown:
        _check_unknown(p, data, ADDRESS_FIELDS, path)
    strasse = read_text(p, data, "strasse", path, "die Straße", din="B")
    hausnummer = read_text(p, data, "hausnummer", path, "die Hausnummer", max_length=20, din="B")
    plz = read_text(p, data, "postleitzahl", path, "die Postleitzahl", max_length=5, pattern=_PLZ,
                    pattern_hint="keine Postleitzahl (5 Ziffern)")
    ort = read_text(p, data, "ort", path, "den Ort", din="B")
    ags = read_text(p, data, "ags", path, "den Gemeindeschlüssel (AGS)", max_length=8, pattern=_AGS,
                    pattern_hint="kein Amtlicher Gemeindeschlüssel (8 Ziffern)")
    zusatz = read_text(p, data, "zusatz", path, "den Anschriftenzusatz", required=False, din="B")
    if None in (strasse, hausnummer, plz, ort, ags):
        return None
    return Address(strasse=strasse or "", hausnummer=hausnummer or "", postleitzahl=plz or "", ort=ort or "",
                   ags=ags or "", zusatz=zusatz)


FOREIGN_ADDRESS_FIELDS = ("strasse", "hausnummer", "postleitzahl", "ort", "zusatz", "staat")


def read_foreign_address(p: Problems, data: Any, path: str, codes: RegisterCodes) -> dict[str, Any] | None:
    """An address abroad (``neue_anschrift`` of an Abmeldung): ``ort`` and ``staat`` are required."""
    data = _mapping(p, data, path, "Die neue Anschrift")
    if data is None:
        return None
    _check_unknown(p, data, FOREIGN_ADDRESS_FIELDS, path)
    values = {
        "strasse": read_text(p, data, "strasse", path, "die Straße", required=False, din="B"),
        "hausnummer": read_text(p, data, "hausnummer", path, "die Hausnummer", required=False, max_length=20,
                                din="B"),
        "postleitzahl": read_text(p, data, "postleitzahl", path, "die Postleitzahl", required=False, max_length=20,
                                  din="B"),
        "ort": read_text(p, data, "ort", path, "den Ort", din="B"),
        "zusatz": read_text(p, data, "zusatz", path, "den Anschriftenzusatz", required=False, din="B"),
    }
    staat = read_code(p, str(data.get("staat") or ""), _join(path, "staat"), "Staatsgebiete (Destatis)",
                      codes.staaten)
    if staat == GERMANY:
        p.add(_join(path, "staat"), "Bei einem Umzug innerhalb Deutschlands gibt es keine Abmeldung: die Person "
                                    "meldet sich bei der neuen Meldebehörde an (§ 17 Abs. 2 BMG).")
        staat = None
    if values["ort"] is None or staat is None:
        return None
    return {**{k: v for k, v in values.items() if v is not None}, "staat": staat}


def read_choice(p: Problems, value: Any, path: str, label: str, choices: Sequence[str]) -> str | None:
    if value not in choices:
        p.add(path, f"„{value}“ ist {label} nicht bekannt; erlaubt: {', '.join(choices)}.")
        return None
    return str(value)


def read_code(p: Problems, value: Any, path: str, label: str, codes: Mapping[str, str]) -> str | None:
    if not isinstance(value, str) or value not in codes:
        p.add(path, f"„{value}“ ist kein Schlüssel der Codeliste {label}.")
        return None
    return value


def read_residence(p: Problems, data: Any, path: str, today: date) -> ResidenceInput | None:
    data = _mapping(p, data, path, "Die Wohnung")
    if data is None:
        return None
    problems_before = p.count()
    _check_unknown(p, data, RESIDENCE_FIELDS, path)
    art = read_choice(p, data.get("art", ResidenceKind.hauptwohnung), _join(path, "art"), "als Wohnungsart",
                      list(ResidenceKind))
    address = read_address(p, {k: data[k] for k in ADDRESS_FIELDS if k in data}, path, check_unknown=False)
    moved_in = read_date(p, data, "eingezogen_am", path, "das Einzugsdatum")
    moved_out = read_date(p, data, "ausgezogen_am", path, "das Auszugsdatum", required=False)
    if moved_in and moved_in > today:
        p.add(_join(path, "eingezogen_am"), f"Das Einzugsdatum {format_date(moved_in)} liegt in der Zukunft.")
    if moved_in and moved_out and moved_out < moved_in:
        p.add(_join(path, "ausgezogen_am"), "Das Auszugsdatum liegt vor dem Einzugsdatum.")
    giver = data.get("wohnungsgeber")
    if giver is not None and not isinstance(giver, Mapping):
        p.add(_join(path, "wohnungsgeber"), "Der Wohnungsgeber muss ein Objekt mit Feldern sein.")
        giver = None
    if p.count() != problems_before or art is None or address is None or moved_in is None:
        return None
    return ResidenceInput(art=ResidenceKind(art), anschrift=address, eingezogen_am=moved_in,
                          ausgezogen_am=moved_out, wohnungsgeber=dict(giver) if giver else None)


def serial_number(value: Any) -> str:
    """A serial number as stored: upper case, no spaces."""
    return "".join(str(value).split()).upper() if value is not None else ""


def check_document_dates(p: Problems, kind: str, issued: date, valid_until: date, path: str,
                         today: date, *, issued_key: str = "ausgestellt_am", until_key: str = "gueltig_bis") -> None:
    if issued > today:
        p.add(_join(path, issued_key), f"Das Ausstellungsdatum {format_date(issued)} liegt in der Zukunft.")
    if valid_until <= issued:
        p.add(_join(path, until_key), "Das Ablaufdatum muss nach dem Ausstellungsdatum liegen.")
        return
    spec = document_kinds()[kind]
    months = spec.max_validity_months
    latest = shift(issued, Period(months=months))
    if valid_until > latest:
        span = "1 Jahr" if months == 12 else f"{months // 12} Jahre" if months > 12 else f"{months} Monate"
        p.add(_join(path, until_key), f"Ein {spec.label} gilt höchstens {span} ({spec.legal_basis}); "
                                      f"{format_date(valid_until)} liegt nach dem {format_date(latest)}.")


def read_document(p: Problems, data: Any, path: str, today: date) -> DocumentInput | None:
    data = _mapping(p, data, path, "Das Dokument")
    if data is None:
        return None
    problems_before = p.count()
    _check_unknown(p, data, DOCUMENT_FIELDS, path)
    art = read_choice(p, data.get("art"), _join(path, "art"), "als Dokumentart", list(document_kinds()))
    serial = serial_number(data.get("seriennummer"))
    if not _SERIAL.fullmatch(serial):
        p.add(_join(path, "seriennummer"), f"„{data.get('seriennummer')}“ ist keine gültige Seriennummer "
                                           "(5 bis 12 Buchstaben und Ziffern).")
    issued = read_date(p, data, "ausgestellt_am", path, "das Ausstellungsdatum")
    until = read_date(p, data, "gueltig_bis", path, "das Ablaufdatum")
    behoerde = read_text(p, data, "behoerde", path, "die ausstellende Behörde", required=False, max_length=200,
                         din="B")
    status = read_choice(p, data.get("status", DocumentStatus.gueltig), _join(path, "status"), "als Status",
                         [s for s in DocumentStatus if s != DocumentStatus.abgelaufen])
    grund = read_text(p, data, "grund", path, "den Grund", required=False, max_length=500, din="C")
    if art and issued and until:
        check_document_dates(p, art, issued, until, path, today)
    if p.count() != problems_before or art is None or issued is None or until is None or status is None:
        return None
    return DocumentInput(art=art, seriennummer=serial, ausgestellt_am=issued, gueltig_bis=until,
                         behoerde=behoerde, status=DocumentStatus(status), grund=grund)


def read_block(p: Problems, data: Any, path: str, today: date, codes: RegisterCodes) -> BlockInput | None:
    data = _mapping(p, data, path, "Die Auskunftssperre")
    if data is None:
        return None
    _check_unknown(p, data, BLOCK_FIELDS, path)
    art = read_code(p, str(data.get("art", AUSKUNFTSSPERRE_51)), _join(path, "art"), "Auskunftssperre",
                    codes.sperren)
    grund = read_text(p, data, "grund", path, "den Grund", max_length=500, din="C")
    bis = read_date(p, data, "bis", path, "das Ende der Sperre")
    if art is None or grund is None or bis is None:
        return None
    return BlockInput(art=art, grund=grund, bis=bis)


def read_person_ids(p: Problems, value: Any, path: str) -> tuple[uuid.UUID, ...]:
    """Person ids from a list of ids or of ``{person_id: …}`` objects."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        p.add(path, "Erwartet wird eine Liste von Personen.")
        return ()
    ids = []
    for i, item in enumerate(value):
        raw = item.get("person_id") if isinstance(item, Mapping) else item
        pid = parse_uuid(raw)
        if pid is None:
            p.add(_join(path, i), f"„{raw}“ ist keine gültige Personenkennung.")
        else:
            ids.append(pid)
    return tuple(ids)


def parse_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def parse_person(data: Any, *, today: date, codes: RegisterCodes, path: str = "person") -> PersonInput:
    """A new person (the ``person`` parameter of ``register.create_person``, a scenario resident)."""
    p = Problems()
    if not isinstance(data, Mapping):
        p.add(path, "Die Person muss als Objekt mit Feldern angegeben werden.")
        p.raise_if_any("person")
    assert isinstance(data, Mapping)
    _check_unknown(p, data, PERSON_FIELDS, path)
    familienname = read_text(p, data, "familienname", path, "den Familiennamen", din="A")
    vornamen = read_text(p, data, "vornamen", path, "die Vornamen", din="A")
    geburtsname = read_text(p, data, "geburtsname", path, "den Geburtsnamen", required=False, din="A")
    doktorgrad = read_text(p, data, "doktorgrad", path, "den Doktorgrad", required=False, max_length=40, din="A")
    ordensname = read_text(p, data, "ordens_kuenstlername", path, "den Ordens- oder Künstlernamen",
                           required=False, din="A")
    geburtsort = read_text(p, data, "geburtsort", path, "den Geburtsort", required=False, din="B")
    geschlecht = read_code(p, data.get("geschlecht", "x"), _join(path, "geschlecht"), "Geschlecht (m, w, d, x)",
                           codes.geschlecht)
    born = read_date(p, data, "geburtsdatum", path, "das Geburtsdatum")
    if born is not None:
        if born > today:
            p.add(_join(path, "geburtsdatum"), f"Das Geburtsdatum {format_date(born)} liegt in der Zukunft.")
        elif born < shift(today, Period(years=MAX_AGE_YEARS), -1):
            p.add(_join(path, "geburtsdatum"), f"Das Geburtsdatum {format_date(born)} liegt mehr als "
                                               f"{MAX_AGE_YEARS} Jahre zurück.")
    died = read_date(p, data, "verstorben_am", path, "das Sterbedatum", required=False)
    if died is not None and (died > today or (born is not None and died < born)):
        p.add(_join(path, "verstorben_am"), "Das Sterbedatum muss zwischen Geburt und heute liegen.")
    staat = read_code(p, str(data.get("geburtsstaat") or GERMANY), _join(path, "geburtsstaat"),
                      "Staatsgebiete (Destatis)", codes.staaten)
    nationalities_raw = data.get("staatsangehoerigkeiten", [GERMANY])
    nationalities: list[str] = []
    if not isinstance(nationalities_raw, list | tuple) or not nationalities_raw:
        p.add(_join(path, "staatsangehoerigkeiten"), "Bitte mindestens eine Staatsangehörigkeit (Liste von "
                                                     "Destatis-Schlüsseln, 000 = deutsch) angeben.")
    else:
        for i, code in enumerate(nationalities_raw):
            ok = read_code(p, str(code), _join(_join(path, "staatsangehoerigkeiten"), i),
                           "Staatsangehörigkeit (Destatis)", codes.staatsangehoerigkeiten)
            if ok and ok not in nationalities:
                nationalities.append(ok)
    religion = data.get("religion")
    if religion is not None:
        religion = read_code(p, religion, _join(path, "religion"), "Religion (DSMeld)", codes.religion)
    familienstand = data.get("familienstand")
    if familienstand is not None:
        familienstand = read_code(p, familienstand, _join(path, "familienstand"), "Familienstand (DSMeld)",
                                  codes.familienstand)

    residences: list[ResidenceInput] = []
    raw_residences = list(data.get("wohnungen") or [])
    if not isinstance(data.get("wohnungen") or [], list | tuple):
        p.add(_join(path, "wohnungen"), "Die Wohnungen müssen als Liste angegeben werden.")
        raw_residences = []
    if data.get("hauptwohnung") is not None:
        raw_residences.insert(0, {"art": ResidenceKind.hauptwohnung, **dict(data["hauptwohnung"])}
                              if isinstance(data["hauptwohnung"], Mapping) else data["hauptwohnung"])
    for i, raw in enumerate(raw_residences):
        res = read_residence(p, raw, _join(_join(path, "wohnungen"), i), today)
        if res is not None:
            residences.append(res)
    active_main = [r for r in residences if r.ausgezogen_am is None and r.art != ResidenceKind.nebenwohnung]
    if len(active_main) > 1:
        p.add(_join(path, "wohnungen"), "Eine Person kann nur eine Haupt- oder alleinige Wohnung haben.")

    documents = []
    for i, raw in enumerate(_list(p, data, "dokumente", path)):
        doc = read_document(p, raw, _join(_join(path, "dokumente"), i), today)
        if doc is not None:
            documents.append(doc)
    serials = [d.seriennummer for d in documents]
    if len(set(serials)) != len(serials):
        p.add(_join(path, "dokumente"), "Eine Seriennummer ist mehrfach angegeben.")
    blocks = []
    for i, raw in enumerate(_list(p, data, "auskunftssperren", path)):
        block = read_block(p, raw, _join(_join(path, "auskunftssperren"), i), today, codes)
        if block is not None:
            blocks.append(block)
    vertreter = read_person_ids(p, data.get("gesetzliche_vertreter"), _join(path, "gesetzliche_vertreter"))
    kinder = read_person_ids(p, data.get("kinder"), _join(path, "kinder"))
    gefuehrt_von = data.get("gefuehrt_von")
    if gefuehrt_von is not None and not isinstance(gefuehrt_von, str):
        p.add(_join(path, "gefuehrt_von"), "„gefuehrt_von“ muss die Kennung einer Behörde sein.")
    p.raise_if_any("person")
    assert familienname and vornamen and geschlecht and born and staat
    return PersonInput(
        familienname=familienname, vornamen=vornamen, geschlecht=geschlecht, geburtsdatum=born,
        geburtsname=geburtsname, doktorgrad=doktorgrad, ordens_kuenstlername=ordensname, geburtsort=geburtsort,
        geburtsstaat=staat, staatsangehoerigkeiten=tuple(nationalities), religion=religion,
        familienstand=familienstand, verstorben_am=died, wohnungen=tuple(residences), dokumente=tuple(documents),
        auskunftssperren=tuple(blocks), vertreter_ids=vertreter, kinder_ids=kinder, gefuehrt_von=gefuehrt_von,
    )


def _list(p: Problems, data: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        p.add(_join(path, key), "Erwartet wird eine Liste.")
        return []
    return list(value)
