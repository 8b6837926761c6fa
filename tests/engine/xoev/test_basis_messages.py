"""build_message with the basisnachricht headers (b2b, b2privat, privat2b, kunde2dienstleister,
dienstleister2kunde): valid against the XSD, header written centrally, customers checked first."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from lxml import etree

from engine.errors import DesignError, InputInvalid
from engine.settings import Settings
from engine.xoev import KundeRef, party_from_mapping, write_examples
from engine.xoev.generate import (
    AuthorityRef,
    GeneratedMessage,
    build_message,
    check_message_types,
    example_authorities,
    message_types,
)
from engine.xoev.headers import tagesvorgangszaehler
from engine.xoev.validate import XMeldValidator
from tests.engine.xoev.basis_types import (
    ANFORDERUNG,
    ANFORDERUNG_GU,
    ANTWORT,
    ERIKA,
    FIRMA,
    NEUBUKOW,
    QUITTUNG,
    RTS,
    TYPES,
    types_folder,
    write_type,
)

CREATED_AT = datetime.fromisoformat("2025-11-03T10:15:30.123+01:00")
MESSAGE_ID = UUID("0f8fad5b-d9cb-469f-a165-70867728950e")
NS = {"x": "http://www.osci.de/xmeld2511a"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings().with_(message_types_dir=types_folder(tmp_path_factory.mktemp("basis")))


def build(settings: Settings, name: str, *, author: Any = None, reader: Any = None, data: Any = None,
          **changes: Any) -> GeneratedMessage:
    mtype = message_types(settings)[name]
    example_author, example_reader = example_authorities(mtype)
    return build_message(name, author=example_author if author is None else author,
                         reader=example_reader if reader is None else reader,
                         data=copy.deepcopy(dict(mtype.example.data)) if data is None else data,
                         created_at=CREATED_AT, message_id=MESSAGE_ID, settings=settings.with_(**changes))


def test_the_folder_with_the_test_types_passes_the_catalog_check(settings: Settings) -> None:
    assert check_message_types(settings) == []
    assert {n: t.header for n, t in message_types(settings).items() if n in TYPES} == {
        n: spec["header"] for n, spec in TYPES.items()}


@pytest.mark.parametrize("name", sorted(TYPES))
def test_every_family_builds_a_valid_message_with_the_basis_header(settings: Settings, name: str) -> None:
    message = build(settings, name)
    XMeldValidator.for_bundle(settings.xoev_schema_dir).validate(message.xml)
    root = etree.fromstring(message.xml)
    assert root.tag == f"{{{NS['x']}}}{name}"
    assert dict(root.attrib) == {"fassung": "2025-02-17", "version": "25.11a", "produkt": "Amtskoffer",
                                 "produkthersteller": "Amtskoffer-Entwicklungsteam", "produktversion": "0.1.0"}
    head = root[0]
    assert head.tag == f"{{{NS['x']}}}nachrichtenkopf"
    ident = head.find("x:identifikation.nachricht", NS)
    assert ident.findtext("x:nachrichtennummer/code", namespaces=NS) == name[-4:]
    assert ident.find("x:nachrichtennummer", NS).get("listVersionID") == "25.11a"
    assert ident.findtext("x:erstellungszeitpunkt", namespaces=NS) == "2025-11-03T10:15:30.123+01:00"
    assert int(ident.findtext("x:tagesvorgangszaehler", namespaces=NS)) == tagesvorgangszaehler(CREATED_AT, MESSAGE_ID)
    assert root.find("nachrichtenkopf.g2g") is None and b"nachrichtenUUID" not in message.xml
    assert (message.header, message.code) == (TYPES[name]["header"], name[-4:])


def test_b2privat_goes_from_the_authority_to_a_person(settings: Settings) -> None:
    message = build(settings, ANTWORT)
    head = etree.fromstring(message.xml).find("x:nachrichtenkopf", NS)
    absender, empfaenger = head.find("x:absender", NS), head.find("x:empfaenger", NS)
    assert absender.findtext("x:behoerdenkennung", namespaces=NS) == "ags:13072074"
    assert absender.findtext("x:ORGANISATIONSEINHEIT/x:bezeichnung", namespaces=NS) == NEUBUKOW["name"]
    assert absender.findtext("x:erreichbarkeit/kennung", namespaces=NS) == NEUBUKOW["email"]
    assert absender.findtext("x:ANSCHRIFT/postleitzahl", namespaces=NS) == "18233"
    person = empfaenger.find("x:kunde.bezeichnung/x:NAMENATUERLICHEPERSON", NS)
    assert person.findtext("x:familienname.unstrukturiert/x:nachname/name", namespaces=NS) == "Beispielfrau"
    assert person.findtext("x:vornamen/x:vornamen/name", namespaces=NS) == "Erika"
    address = empfaenger.find("x:kundenanschrift", NS)
    assert [(c.tag, c.text) for c in address] == [("hausnummer", "12"), ("hausnummerBuchstabeZusatzziffer", "a"),
                                                  ("postleitzahl", "18233"), ("strasse", "Lindenweg"),
                                                  ("wohnort", "Neubukow")]
    assert empfaenger.findtext("x:erreichbarkeit/kennung", namespaces=NS) == ERIKA["email"]
    assert isinstance(message.reader, KundeRef) and message.reader.display_name == "Erika Beispielfrau"


def test_an_organisation_as_customer_and_a_house_number_range(settings: Settings) -> None:
    head = etree.fromstring(build(settings, QUITTUNG).xml).find("x:nachrichtenkopf", NS)
    assert head.findtext("x:dienstleister", namespaces=NS) == NEUBUKOW["name"]
    kunde = head.find("x:kunde", NS)
    assert kunde.findtext("x:kunde.bezeichnung/x:NAMEJURISTISCHEPERSON/x:name", namespaces=NS) == FIRMA["name"]
    assert kunde.findtext("x:kundennummer", namespaces=NS) == "K-2026/17"
    # the Meldeanschrift has no hausnummer.bis: a range stays with the street
    assert kunde.findtext("x:kundenanschrift/strasse", namespaces=NS) == "Hafenstraße 4-8"
    assert kunde.find("x:kundenanschrift/hausnummer", NS) is None


def test_b2b_and_the_customer_as_author(settings: Settings) -> None:
    head = etree.fromstring(build(settings, RTS).xml).find("x:nachrichtenkopf", NS)
    assert head.findtext("x:empfaenger/x:behoerdenkennung", namespaces=NS) == "ags:13004000"
    assert head.findtext("x:empfaenger/x:ANSCHRIFT/strasse", namespaces=NS) == "Am Packhof 2-6"
    assert head.find("x:empfaenger/x:erreichbarkeit", NS) is None  # the reader's e-mail is optional
    head = etree.fromstring(build(settings, ANFORDERUNG).xml).find("x:nachrichtenkopf", NS)
    assert head.findtext("x:absender/x:kunde.bezeichnung/x:NAMEJURISTISCHEPERSON/x:name", namespaces=NS) == FIRMA["name"]
    assert head.findtext("x:empfaenger/x:behoerdenkennung", namespaces=NS) == "ags:13072074"
    head = etree.fromstring(build(settings, ANFORDERUNG_GU).xml).find("x:nachrichtenkopf", NS)
    assert [c.tag.split("}")[1] for c in head] == ["identifikation.nachricht", "kunde", "dienstleister"]


def test_test_messages_are_marked_and_text_is_escaped(settings: Settings) -> None:
    kunde = party_from_mapping({"kunde": {**FIRMA, "name": "Müller & Söhne <Inkasso>"}})
    message = build(settings, QUITTUNG, reader=kunde, test_messages=True)
    root = etree.fromstring(message.xml)
    assert root.get("test")
    assert root.findtext("x:nachrichtenkopf/x:kunde/x:kunde.bezeichnung/x:NAMEJURISTISCHEPERSON/x:name",
                         namespaces=NS) == "Müller & Söhne <Inkasso>"


def test_headers_between_authorities_are_reused_and_customers_are_not_mixed_up(settings: Settings) -> None:
    first, second = build(settings, RTS), build(settings, RTS)
    assert first.xml == second.xml
    other = party_from_mapping({"kunde": {"familienname": "Zweitfrau", "vornamen": "Ida"}})
    one, two = build(settings, ANTWORT), build(settings, ANTWORT, reader=other)
    assert b"Beispielfrau" in one.xml and b"Zweitfrau" not in one.xml
    assert b"Zweitfrau" in two.xml and b"Beispielfrau" not in two.xml
    assert b"kundenanschrift" not in two.xml  # the address is optional


@pytest.mark.parametrize(("kunde", "errors"), [
    ({"vornamen": "Erika"}, {"kunde": ["Pflichtangabe fehlt: familienname (Person) oder name (Organisation)."]}),
    ({"familienname": "Beispielfrau", "name": "Beispiel GmbH"},
     {"kunde": ["Entweder familienname und vornamen (Person) oder name (Organisation) angeben, nicht beides."]}),
    ({"familienname": "Beispiel™"}, {"kunde/familienname": [
        "Enthält Zeichen, die nach DIN SPEC 91379 nicht zulässig sind: ™."]}),
    ({"familienname": "Beispielfrau", "postleitzahl": "1823", "hausnummer": "zwölf"}, {
        "kunde/strasse": ["Pflichtangabe fehlt (zur Anschrift gehören strasse, postleitzahl und ort)."],
        "kunde/ort": ["Pflichtangabe fehlt (zur Anschrift gehören strasse, postleitzahl und ort)."],
        "kunde/postleitzahl": ["Erwartet wird eine fünfstellige Postleitzahl."],
        "kunde/hausnummer": ["Erwartet wird eine Hausnummer wie 12 oder 12a."]}),
    ({"name": "Beispiel GmbH", "email": "keine-adresse"}, {"kunde/email": ["Erwartet wird eine E-Mail-Adresse."]}),
])
def test_the_customer_is_checked_before_any_xml_exists(settings: Settings, kunde: dict[str, Any],
                                                       errors: dict[str, list[str]]) -> None:
    with pytest.raises(InputInvalid) as info:
        build(settings, ANTWORT, reader=party_from_mapping({"kunde": kunde}), data={"antwortstatus": "99"})
    assert info.value.errors == {**errors, "antwortstatus": [
        "Der Schlüssel „99“ ist in der Codeliste urn:de:xmeld:schluesseltabelle:antwortstatus (Version 2) "
        "nicht enthalten."]}


def test_a_customer_mapping_with_unknown_keys_is_a_design_error() -> None:
    with pytest.raises(DesignError) as info:
        party_from_mapping({"kunde": {"familienname": "Beispielfrau", "vorname": "Erika", "plz": "18233"}})
    assert "unbekannte Angaben (plz, vorname)" in info.value.user_message
    assert "vorname → vornamen" in info.value.user_message
    with pytest.raises(DesignError) as info:
        party_from_mapping({"kunde": "Erika Beispielfrau"})
    assert info.value.user_message.startswith("„kunde“ muss ein Objekt sein")
    with pytest.raises(DesignError) as info:
        party_from_mapping({"kunde": ERIKA, "name": "Stadt Neubukow"})
    assert info.value.user_message == "Neben „kunde“ sind keine weiteren Angaben erlaubt (name)."
    nested = party_from_mapping({"kunde": {"name": "X GmbH", "anschrift": {"strasse": "A", "postleitzahl": "18233",
                                                                           "ort": "B"}}})
    assert (nested.strasse, nested.postleitzahl, nested.ort, nested.display_name) == ("A", "18233", "B", "X GmbH")


@pytest.mark.parametrize(("name", "role", "wrong"), [
    (ANTWORT, "reader", AuthorityRef(**NEUBUKOW)),           # b2privat goes to a customer
    (RTS, "reader", KundeRef(familienname="Beispielfrau")),  # b2b goes to an authority
    (ANFORDERUNG, "author", AuthorityRef(**NEUBUKOW)),       # privat2b is written by a customer
])
def test_an_authority_where_a_customer_belongs_is_a_design_error(settings: Settings, name: str, role: str,
                                                                 wrong: Any) -> None:
    with pytest.raises(DesignError) as info:
        build(settings, name, **{role: wrong})
    assert info.value.context["field"] == role
    assert f"Nachrichtenkopf „{TYPES[name]['header']}“" in info.value.user_message


def test_a_g2g_type_refuses_a_customer(settings: Settings) -> None:
    with pytest.raises(DesignError) as info:
        build(settings, "fortschreibung.dokument.0006", reader=KundeRef(familienname="Beispielfrau"))
    assert "Empfänger muss eine Behörde, keine Person oder Stelle (kunde) sein" in info.value.user_message


def test_the_example_of_a_customer_type_is_checked(tmp_path: Path) -> None:
    root = types_folder(tmp_path, ANTWORT)
    example = copy.deepcopy(TYPES[ANTWORT]["example"])
    example["reader"]["kunde"]["postleitzahl"] = "123"
    write_type(root, ANTWORT, example=example)
    problems = check_message_types(Settings().with_(message_types_dir=root))
    assert [(p.message_type, Path(p.file).name) for p in problems] == [(ANTWORT, "example.json")]
    assert "kunde/postleitzahl" in problems[0].message


def test_examples_are_written_for_every_family(settings: Settings, tmp_path: Path) -> None:
    written = {p.stem: p.read_bytes() for p in write_examples(tmp_path, settings)}
    assert set(TYPES) <= set(written)
    validator = XMeldValidator.for_bundle(settings.xoev_schema_dir)
    assert all(validator.is_valid(xml) for xml in written.values())
