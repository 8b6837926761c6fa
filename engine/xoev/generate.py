"""Building XMeld messages from message types and designer-mapped data.

Contract of :func:`build_message`: it returns only messages that validate against the
configured XSD bundle. In order, it

1. finds the message type (:class:`DesignError` if unknown, with a suggestion);
2. checks author and reader against the type's header family (:mod:`engine.xoev.headers`):
   an authority (:class:`AuthorityRef`) or a customer (:class:`~engine.xoev.kunde.KundeRef`)
   where the family expects one (:class:`DesignError` otherwise), and their values
   (:class:`InputInvalid`, fields ``author/…``, ``reader/…``, ``kunde/…``);
3. normalises ``data`` (NFC, ISO dates) and checks it against the type's input schema,
   including DIN SPEC 91379 characters and code lists (:class:`InputInvalid` with German
   messages per field) – no XML has been produced when this fails;
4. renders the payload template and wraps it in the centrally built root element and
   header: ``nachrichtenkopf.g2g``, ``anschrift.leser``, ``anschrift.autor`` for ``g2g``
   types; ``xmeld:nachrichtenkopf`` with the family's parties for the basisnachricht families;
5. validates the result against the XSD (:class:`MessageInvalid` – a template bug).

It has no side effects: storing the message in an outbox and delivering it is the
caller's business. Clock and UUID come in as arguments, so results are reproducible.
"""

from __future__ import annotations

import difflib
import functools
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment

from engine import din91379
from engine.errors import DesignError, InputInvalid, MessageInvalid
from engine.settings import Settings
from engine.xoev.codelists import CodeListRegistry
from engine.xoev.headers import (
    BASIS_ENVELOPE,
    DVDV_KENNUNG,
    EMAIL,
    FAMILIES,
    G2G,
    HAUSNUMMER,
    HAUSNUMMER_RANGE,
    KUNDE,
    PLZ,
    HeaderFamily,
    schema_headers,
    tagesvorgangszaehler,
)
from engine.xoev.input_schema import normalize
from engine.xoev.kunde import KundeRef, kunde_errors, kunde_from_mapping, meldeanschrift, normalized_kunde
from engine.xoev.message_types import (
    EXAMPLE_FILE,
    TEMPLATE_FILE,
    LoadedTypes,
    MessageType,
    load_message_types,
    load_one,
    type_directories,
)
from engine.xoev.templating import build_environment, xsd_datetime
from engine.xoev.validate import XMeldValidator

NACHRICHTEN_LIST = "urn:de:xmeld:schluesseltabelle:xmeld.nachrichten"
VERZEICHNISDIENST_LIST = "urn:xoev-de:kosit:codeliste:verzeichnisdienst"
ERREICHBARKEIT_LIST = "urn:de:xoev:codeliste:erreichbarkeit"
DVDV_PRAEFIX_LIST = "urn:xoev-de:bund:bmi:bit:codeliste:dvdv.praefix"
KANAL_EMAIL = "01"
TEST_ATTRIBUTE = "Testnachricht - nicht fachlich verarbeiten"  # DIN SPEC 91379 has no en dash

# The header is the same for every G2G message; only the payload differs per type.
_ENVELOPE = """\
<?xml version="1.0" encoding="UTF-8"?>
<xmeld:{{ root }} xmlns:xmeld="{{ namespace }}" standard="XMeld" version="{{ version }}" \
produkt="{{ product }}" produkthersteller="{{ vendor }}"\
{% if product_version %} produktversion="{{ product_version }}"{% endif %}\
{% if test %} test="{{ test }}"{% endif %}>
  <nachrichtenkopf.g2g>
    <identifikation.nachricht>
      <nachrichtenUUID>{{ message_id }}</nachrichtenUUID>
      {{ code("nachrichtentyp", nachrichten_list, message_code) }}
      <erstellungszeitpunkt>{{ created_at }}</erstellungszeitpunkt>
    </identifikation.nachricht>
{% for role, authority in (("leser", reader), ("autor", author)) %}
    <{{ role }}>
      {{ code("verzeichnisdienst", verzeichnisdienst_list, "DVDV") }}
      <kennung>{{ authority.dvdv_kennung }}</kennung>
      <name>{{ authority.name }}</name>
{% if authority.email %}
      <erreichbarkeit>{{ code("kanal", erreichbarkeit_list, kanal_email) }}<kennung>{{ authority.email }}</kennung>\
</erreichbarkeit>
{% endif %}
    </{{ role }}>
{% endfor %}
  </nachrichtenkopf.g2g>
{% for role, authority in (("leser", reader), ("autor", author)) %}
  <anschrift.{{ role }}>
    <gebaeude>{{ hausnummer(authority.hausnummer) }}<postleitzahl>{{ authority.postleitzahl }}</postleitzahl>\
<strasse>{{ authority.strasse }}</strasse><wohnort>{{ authority.ort }}</wohnort>\
{% if authority.hausnummer_bis %}<hausnummern.bis><hausnummer.bis>{{ authority.hausnummer_bis }}</hausnummer.bis>\
{% if authority.hausnummer_bis_zusatz %}<hausnummerbuchstabezusatzziffer.bis>{{ authority.hausnummer_bis_zusatz }}\
</hausnummerbuchstabezusatzziffer.bis>{% endif %}</hausnummern.bis>{% endif %}</gebaeude>
  </anschrift.{{ role }}>
{% endfor %}
{{ payload }}
</xmeld:{{ root }}>
"""


# The header depends on the authorities and the settings, not on the message: it is rendered
# once per combination with placeholders for id and time stamp (DIN SPEC 91379 text, never
# produced by data) and split around the payload. Output is byte-identical to rendering it
# every time; a header costs about a tenth of a typical message that way.
_ID_PLACEHOLDER = "amtskoffer-nachricht-id-platzhalter"
_TIME_PLACEHOLDER = "amtskoffer-zeitpunkt-platzhalter"
_PAYLOAD_PLACEHOLDER = "amtskoffer-nutzdaten-platzhalter"
_ENVELOPE_CACHE_SIZE = 256
_envelopes: weakref.WeakKeyDictionary[SandboxedEnvironment, tuple[Template, dict[tuple[Any, ...], tuple[str, str]]]] = (
    weakref.WeakKeyDictionary()
)


def _envelope(env: SandboxedEnvironment, mtype: MessageType, author: AuthorityRef, reader: AuthorityRef,
              validator: XMeldValidator, settings: Settings) -> tuple[str, str]:
    """The message before and after the payload, with the id and time placeholders."""
    entry = _envelopes.get(env)
    if entry is None:
        entry = _envelopes[env] = (env.from_string(_ENVELOPE), {})  # compiling costs as much as rendering
    template, rendered = entry
    key = (mtype.root_element, mtype.code, author, reader, validator.namespace, validator.version,
           settings.product_name, settings.product_vendor, settings.product_version, settings.test_messages)
    parts = rendered.get(key)
    if parts is None:
        text = template.render(
            root=mtype.root_element,
            namespace=validator.namespace,
            version=validator.version,
            product=settings.product_name,
            vendor=settings.product_vendor,
            product_version=settings.product_version,
            test=TEST_ATTRIBUTE if settings.test_messages else "",
            message_id=_ID_PLACEHOLDER,
            message_code=mtype.code,
            created_at=_TIME_PLACEHOLDER,
            author=_normalized_authority(author),
            reader=_normalized_authority(reader),
            payload=_PAYLOAD_PLACEHOLDER,
            nachrichten_list=NACHRICHTEN_LIST,
            verzeichnisdienst_list=VERZEICHNISDIENST_LIST,
            erreichbarkeit_list=ERREICHBARKEIT_LIST,
            kanal_email=KANAL_EMAIL,
        )
        # The payload comes last and id and time first, so even an authority named like a
        # placeholder cannot be mistaken for one (rpartition here, replace(…, 1) for the others).
        head, _, tail = text.rpartition(_PAYLOAD_PLACEHOLDER)
        if len(rendered) >= _ENVELOPE_CACHE_SIZE:
            rendered.clear()
        parts = rendered[key] = (head, tail)
    return parts


_COUNTER_PLACEHOLDER = "amtskoffer-vorgangszaehler-platzhalter"
_basis_envelopes: weakref.WeakKeyDictionary[
    SandboxedEnvironment, tuple[Template, dict[tuple[Any, ...], tuple[str, str]]]
] = weakref.WeakKeyDictionary()


def _basis_envelope(env: SandboxedEnvironment, mtype: MessageType, family: HeaderFamily,
                    author: AuthorityRef | KundeRef, reader: AuthorityRef | KundeRef, validator: XMeldValidator,
                    settings: Settings, fassung: str) -> tuple[str, str]:
    """Like :func:`_envelope`, for the basisnachricht families, with time and counter placeholders.

    Headers between authorities are remembered like G2G headers; a customer rarely receives two
    messages, so headers with one are rendered every time and do not crowd out the others.
    """
    entry = _basis_envelopes.get(env)
    if entry is None:
        entry = _basis_envelopes[env] = (env.from_string(BASIS_ENVELOPE), {})
    template, rendered = entry
    cacheable = not isinstance(author, KundeRef) and not isinstance(reader, KundeRef)
    key = (family.name, mtype.root_element, mtype.code, author, reader, validator.namespace, validator.version,
           fassung, settings.product_name, settings.product_vendor, settings.product_version, settings.test_messages)
    parts = rendered.get(key) if cacheable else None
    if parts is None:
        given = {"author": author, "reader": reader}
        text = template.render(
            root=mtype.root_element,
            namespace=validator.namespace,
            fassung=fassung,
            version=validator.version,
            product=settings.product_name,
            vendor=settings.product_vendor,
            product_version=settings.product_version,
            test=TEST_ATTRIBUTE if settings.test_messages else "",
            message_code=mtype.code,
            created_at=_TIME_PLACEHOLDER,
            counter=_COUNTER_PLACEHOLDER,
            parties=[{"element": p.element, "form": p.form, "value": _party_values(given[p.role])}
                     for p in family.parties],
            payload=_PAYLOAD_PLACEHOLDER,
            nachrichten_list=NACHRICHTEN_LIST,
            erreichbarkeit_list=ERREICHBARKEIT_LIST,
            kanal_email=KANAL_EMAIL,
        )
        # Time and counter come before every party, the payload after them (see _envelope).
        head, _, tail = text.rpartition(_PAYLOAD_PLACEHOLDER)
        parts = (head, tail)
        if cacheable:
            if len(rendered) >= _ENVELOPE_CACHE_SIZE:
                rendered.clear()
            rendered[key] = parts
    return parts


def _party_values(party: AuthorityRef | KundeRef) -> dict[str, Any]:
    if isinstance(party, KundeRef):
        return normalized_kunde(party)
    values = {f.name: normalize(getattr(party, f.name)) for f in fields(AuthorityRef)}
    values["anschrift"] = meldeanschrift(values)
    return values


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorityRef:
    """An authority as it appears in a message header (``leser``/``autor`` + postal address)."""

    name: str
    """Name as registered in the DVDV, e.g. ``Stadt Neubukow - Meldebehörde``."""
    dvdv_kennung: str
    """DVDV organisation key ``<praefix>:<key>``, e.g. ``ags:13072074``."""
    strasse: str
    hausnummer: str
    """Digits with an optional letter (``"1"``, ``"12a"``), or a range (``"2-6"``, written as
    ``hausnummer`` and ``hausnummern.bis``); ``""`` if the address has none."""
    postleitzahl: str
    ort: str
    email: str | None = None
    """Functional mailbox; required for the author (``autor/erreichbarkeit`` is 1..n)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneratedMessage:
    """A message that validated against the XSD bundle."""

    message_id: UUID
    """``nachrichtenUUID`` of a G2G header; a basisnachricht header has no id (the outbox and
    the transports still use this one)."""
    message_type: str
    code: str
    author: AuthorityRef | KundeRef
    reader: AuthorityRef | KundeRef
    """A :class:`~engine.xoev.kunde.KundeRef` where the header family has a customer there."""
    created_at: datetime
    xml: bytes
    """UTF-8 encoded document with XML declaration."""
    header: str = G2G
    """The header family (``message.toml`` ``header``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageTypeProblem:
    """One finding of :func:`check_message_types`."""

    message_type: str
    file: str
    message: str
    """German, for the designer."""
    detail: str
    """English, for logs."""


def codelists_dir(settings: Settings) -> Path:
    # Settings has no field of its own for this yet; the folder sits next to the message types.
    configured = getattr(settings, "codelists_dir", None)
    return Path(configured) if configured else settings.message_types_dir.parent / "codelists"


_registries: dict[tuple[Path, Path, object], CodeListRegistry] = {}


def _registry(settings: Settings) -> CodeListRegistry:
    # Keyed by the settings' own path objects (their hash is cached): no path arithmetic per message.
    key = (settings.message_types_dir, settings.xoev_schema_dir, getattr(settings, "codelists_dir", None))
    registry = _registries.get(key)
    if registry is None:
        registry = _registries[key] = CodeListRegistry.load(codelists_dir(settings), settings.xoev_schema_dir)
    return registry


def _loaded(settings: Settings) -> LoadedTypes:
    return load_message_types(settings.message_types_dir, _registry(settings), settings.xoev_schema_dir)


def message_types(settings: Settings) -> dict[str, MessageType]:
    """All message types of ``settings.message_types_dir`` by name (cached, reloaded on change)."""
    return dict(_loaded(settings).types)


def _authority_errors(role: str, authority: AuthorityRef, registry: CodeListRegistry, bundle: Path,
                      *, email_required: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(f"{role}/{field}", []).append(message)

    for field in ("name", "strasse", "ort"):
        value = din91379.normalize(getattr(authority, field) or "")
        if not value.strip():
            add(field, "Pflichtangabe fehlt.")
        elif not din91379.is_valid(value, "B", bundle=bundle):
            bad = ", ".join(din91379.invalid_characters(value, "B", bundle=bundle))
            add(field, f"Enthält Zeichen, die nach DIN SPEC 91379 nicht zulässig sind: {bad}.")
    match = DVDV_KENNUNG.match(authority.dvdv_kennung or "")
    if match is None:
        add("dvdv_kennung", "Erwartet wird eine DVDV-Kennung der Form präfix:schlüssel, z. B. ags:13072074.")
    elif match.group(1) not in registry.get(DVDV_PRAEFIX_LIST):
        add("dvdv_kennung", f"Das DVDV-Präfix „{match.group(1)}“ ist nicht in der Präfix-Codeliste.")
    if not PLZ.match(authority.postleitzahl or ""):
        add("postleitzahl", "Erwartet wird eine fünfstellige Postleitzahl.")
    if authority.hausnummer and not HAUSNUMMER.match(authority.hausnummer):
        add("hausnummer", "Erwartet wird eine Hausnummer wie 12 oder 12a.")
    if authority.email is None:
        if email_required:
            add("email", "Pflichtangabe fehlt (der Absender muss erreichbar sein).")
    elif not EMAIL.match(authority.email) or not din91379.is_valid(authority.email, "C", bundle=bundle):
        add("email", "Erwartet wird eine E-Mail-Adresse.")
    return errors


@functools.lru_cache(maxsize=256)
def _authority_problems(role: str, authority: AuthorityRef, registry: CodeListRegistry, bundle: Path,
                        email_required: bool) -> tuple[tuple[str, tuple[str, ...]], ...]:
    found = _authority_errors(role, authority, registry, bundle, email_required=email_required)
    return tuple((k, tuple(v)) for k, v in found.items())


def _checked_authority(role: str, authority: AuthorityRef, registry: CodeListRegistry, bundle: Path,
                       *, email_required: bool) -> dict[str, list[str]]:
    """:func:`_authority_errors`, remembered: the same few authorities send every message."""
    return {k: list(v) for k, v in _authority_problems(role, authority, registry, bundle, email_required)}


def _normalized_authority(authority: AuthorityRef) -> dict[str, Any]:
    values = {f.name: normalize(getattr(authority, f.name)) for f in fields(AuthorityRef)}
    values["hausnummer_bis"] = values["hausnummer_bis_zusatz"] = ""
    match = HAUSNUMMER_RANGE.match(values["hausnummer"] or "")
    if match is not None:  # "2-6": house number 2, hausnummern.bis 6 (XInneres postal address)
        values["hausnummer"] = match.group("start")
        values["hausnummer_bis"] = match.group("end")
        values["hausnummer_bis_zusatz"] = match.group("end_suffix")
    return values


def build_message(
    message_type: str,
    *,
    author: AuthorityRef | KundeRef,
    reader: AuthorityRef | KundeRef,
    data: Mapping[str, Any],
    created_at: datetime,
    message_id: UUID,
    settings: Settings,
) -> GeneratedMessage:
    """Build one valid message (see the module docstring for the steps and errors).

    ``author`` and ``reader`` are what the type's header family expects
    (:data:`engine.xoev.headers.FAMILIES`): authorities for ``g2g`` and ``b2b``, a
    :class:`~engine.xoev.kunde.KundeRef` as reader for ``b2privat``/``dienstleister2kunde`` and as
    author for ``privat2b``/``kunde2dienstleister``.
    """
    loaded = _loaded(settings)
    mtype = loaded.types.get(message_type)
    if mtype is None:
        close = difflib.get_close_matches(message_type, list(loaded.types), n=1)
        hint = f" Meinten Sie {close[0]}?" if close else ""
        raise DesignError(f"unknown message type {message_type!r}",
                          user_message=f"Den Nachrichtentyp „{message_type}“ gibt es nicht.{hint}",
                          message_type=message_type)
    return _build(mtype, loaded.env, author=author, reader=reader, data=data, created_at=created_at,
                  message_id=message_id, settings=settings)


def _build(
    mtype: MessageType,
    env: SandboxedEnvironment,
    *,
    author: AuthorityRef | KundeRef,
    reader: AuthorityRef | KundeRef,
    data: Mapping[str, Any],
    created_at: datetime,
    message_id: UUID,
    settings: Settings,
) -> GeneratedMessage:
    if created_at.tzinfo is None or created_at.utcoffset() is None:
        raise ValueError("created_at must be timezone-aware (XÖV time stamps carry a zone)")
    registry = _registry(settings)
    bundle = settings.xoev_schema_dir
    family = FAMILIES[mtype.header]  # checked when the type was loaded

    _require_parties(mtype, family, author, reader)
    if family.is_g2g:
        errors = _checked_authority("author", author, registry, bundle, email_required=True)  # type: ignore[arg-type]
        errors |= _checked_authority("reader", reader, registry, bundle, email_required=False)  # type: ignore[arg-type]
    else:
        errors = _party_errors(family, author, reader, registry, bundle)
    payload_data = normalize(data)
    errors |= mtype.input_errors(payload_data)
    if errors:
        raise InputInvalid(
            f"input for {mtype.name} is invalid: {sorted(errors)}",
            errors=errors,
            user_message="Die Angaben für die Nachricht „" + mtype.title_de + "“ sind unvollständig "
            "oder enthalten unzulässige Zeichen.",
            message_type=mtype.name,
        )

    validator = XMeldValidator.for_bundle(bundle)
    payload = mtype.template.render(data=payload_data)  # escaped by the sandboxed, autoescaping template
    if family.is_g2g:
        head, tail = _envelope(env, mtype, author, reader, validator, settings)  # type: ignore[arg-type]
        # A UUID and an xs:dateTime contain nothing to escape.
        head = head.replace(_ID_PLACEHOLDER, str(message_id), 1).replace(_TIME_PLACEHOLDER,
                                                                          xsd_datetime(created_at), 1)
    else:
        head, tail = _basis_envelope(env, mtype, family, author, reader, validator, settings,
                                     _fassung(bundle, mtype))
        head = head.replace(_TIME_PLACEHOLDER, xsd_datetime(created_at), 1).replace(
            _COUNTER_PLACEHOLDER, str(tagesvorgangszaehler(created_at, message_id)), 1)
    xml = (head + payload + tail).encode("utf-8")
    validator.validate(xml, message_type=mtype.name, message_id=str(message_id))
    return GeneratedMessage(
        message_id=message_id,
        message_type=mtype.name,
        code=mtype.code,
        author=author,
        reader=reader,
        created_at=created_at,
        xml=xml,
        header=family.name,
    )


def _require_parties(mtype: MessageType, family: HeaderFamily, author: object, reader: object) -> None:
    """An authority or a customer where the family expects one: otherwise the mapping is wrong."""
    for role, party, expected in (("author", author, family.author), ("reader", reader, family.reader)):
        is_kunde = isinstance(party, KundeRef)
        if is_kunde == (expected == KUNDE) and (is_kunde or isinstance(party, AuthorityRef)):
            continue
        side = "Absender" if role == "author" else "Empfänger"
        if expected == KUNDE:
            wanted = 'eine Person oder Stelle ({"kunde": {…}}), keine Behörde'
        else:
            wanted = "eine Behörde, keine Person oder Stelle (kunde)"
        raise DesignError(
            f"{mtype.name} (header {family.name}) needs a {expected} as {role}, got {type(party).__name__}",
            user_message=f"Der Nachrichtentyp „{mtype.name}“ hat den Nachrichtenkopf „{family.name}“ "
            f"({family.title_de}): {side} muss {wanted} sein.",
            message_type=mtype.name, field=role,
        )


def _party_errors(family: HeaderFamily, author: AuthorityRef | KundeRef, reader: AuthorityRef | KundeRef,
                  registry: CodeListRegistry, bundle: Path) -> dict[str, list[str]]:
    given = {"author": author, "reader": reader}
    errors: dict[str, list[str]] = {}
    for party in family.parties:
        value = given[party.role]
        if isinstance(value, KundeRef):
            errors |= kunde_errors(value, bundle)
            continue
        found = _checked_authority(party.role, value, registry, bundle, email_required=party.form == "erreichbar")
        if party.form == "dienstleister":  # only the name is written
            found = {k: v for k, v in found.items() if k == f"{party.role}/name"}
        errors |= found
    return errors


def _fassung(bundle: Path, mtype: MessageType) -> str:
    fassung = schema_headers(bundle).fassung
    if not fassung:
        raise DesignError(f"the XSD bundle {bundle} fixes no fassung on type.basisnachricht",
                          user_message=f"Das XMeld-Schemapaket kennt keine Basisnachricht; der Nachrichtenkopf "
                          f"„{mtype.header}“ lässt sich damit nicht schreiben.", message_type=mtype.name)
    return fassung


def party_from_mapping(value: Mapping[str, Any]) -> AuthorityRef | KundeRef:
    """A party of ``example.json`` (or of ``message.send``): ``{"kunde": {…}}`` or authority fields."""
    if isinstance(value, Mapping) and "kunde" in value:
        extra = sorted(set(value) - {"kunde"})
        if extra:
            raise DesignError(f"a kunde party has further keys {extra}",
                              user_message=f"Neben „kunde“ sind keine weiteren Angaben erlaubt ({', '.join(extra)}).")
        return kunde_from_mapping(value["kunde"])
    return AuthorityRef(**value)


def example_authorities(mtype: MessageType) -> tuple[AuthorityRef | KundeRef, AuthorityRef | KundeRef]:
    """Author and reader of the type's ``example.json`` (a customer is given as ``{"kunde": {…}}``)."""
    return party_from_mapping(mtype.example.author), party_from_mapping(mtype.example.reader)


def check_message_types(settings: Settings) -> list[MessageTypeProblem]:
    """Everything wrong with the message types, for the catalog check (empty: all good).

    Per folder: files readable, ``message.toml`` complete, input schema a valid JSON Schema
    with checked text fields, template syntax, and the example builds a valid message.
    Also reports inconsistencies between the copied code lists and the XSD bundle.
    """
    problems: list[MessageTypeProblem] = []
    registry = _registry(settings)
    bundle = settings.xoev_schema_dir
    for text in registry.problems:
        problems.append(MessageTypeProblem(message_type="", file=str(registry.codelists_dir), detail=text,
                                           message=f"Codelisten: {text}"))
    try:
        directories = type_directories(settings.message_types_dir)
    except DesignError as err:
        return [*problems, MessageTypeProblem(message_type="", file=str(settings.message_types_dir),
                                              message=err.user_message, detail=str(err))]
    # A fresh environment: one broken folder must not stop the others from being checked.
    env = build_environment(settings.message_types_dir.resolve(), registry, bundle.resolve())
    for directory in directories:
        try:
            mtype = load_one(directory, env, registry, bundle)
            author, reader = example_authorities(mtype)
            _build(mtype, env, author=author, reader=reader, data=mtype.example.data,
                   created_at=datetime.fromisoformat("2025-11-03T10:15:30.123+01:00"),
                   message_id=UUID("00000000-0000-4000-8000-000000000000"), settings=settings)
        except InputInvalid as err:
            listed = "; ".join(f"{k}: {' '.join(v)}" for k, v in err.errors.items())
            problems.append(MessageTypeProblem(message_type=directory.name, file=str(directory / EXAMPLE_FILE),
                                               message=f"Das Beispiel ist ungültig – {listed}", detail=str(err)))
        except MessageInvalid as err:  # the template wrote XML the XSD rejects
            problems.append(MessageTypeProblem(message_type=directory.name, file=str(directory / TEMPLATE_FILE),
                                               message=err.user_message, detail=str(err)))
        except (DesignError, TypeError) as err:
            user = getattr(err, "user_message", str(err))
            file = getattr(err, "context", {}).get("file", str(directory))
            problems.append(MessageTypeProblem(message_type=directory.name, file=file, message=user,
                                               detail=str(err)))
        except Exception as err:  # a folder broken in an unforeseen way must not hide the others' findings
            problems.append(MessageTypeProblem(message_type=directory.name, file=str(directory),
                                               message=getattr(err, "user_message", str(err)), detail=repr(err)))
    return problems
