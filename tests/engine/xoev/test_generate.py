"""engine/xoev/generate.py: valid messages from every type, central header, input errors before XML."""

from __future__ import annotations

import copy
import re
import unicodedata
from datetime import datetime
from typing import Any
from unittest import mock
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from lxml import etree

from engine import din91379
from engine.errors import DesignError, InputInvalid
from engine.settings import Settings
from engine.xoev import generate
from engine.xoev.generate import AuthorityRef, build_message, example_authorities, message_types
from engine.xoev.validate import XMeldValidator

SETTINGS = Settings()
CREATED_AT = datetime.fromisoformat("2025-11-03T10:15:30.123+01:00")
MESSAGE_ID = UUID("0f8fad5b-d9cb-469f-a165-70867728950e")
NS = {"xmeld": "http://www.osci.de/xmeld2511a"}
RUECKMELDUNG = "rueckmeldung.anmeldunginland.0201"
G2G_TYPES = {RUECKMELDUNG, "fortschreibung.dokument.0006", "fortschreibung.dokument.0065",
             "statistik.wanderung.0810"}
EXPECTED_TYPES = G2G_TYPES | {"melderegisterauskunfteinfach.antwort.0601"}


def build(message_type: str, data: Any = None, *, author: AuthorityRef | None = None,
          reader: AuthorityRef | None = None, settings: Settings = SETTINGS) -> generate.GeneratedMessage:
    mtype = message_types(settings)[message_type]
    example_author, example_reader = example_authorities(mtype)
    return build_message(message_type, author=author or example_author, reader=reader or example_reader,
                         data=mtype.example.data if data is None else data, created_at=CREATED_AT,
                         message_id=MESSAGE_ID, settings=settings)


def example_data(message_type: str) -> dict[str, Any]:
    return copy.deepcopy(dict(message_types(SETTINGS)[message_type].example.data))


def test_the_required_message_types_exist() -> None:
    assert set(message_types(SETTINGS)) == EXPECTED_TYPES


@pytest.mark.parametrize("message_type", sorted(G2G_TYPES))
def test_example_builds_a_valid_message_with_the_central_header(message_type: str) -> None:
    message = build(message_type)
    mtype = message_types(SETTINGS)[message_type]
    assert XMeldValidator.for_bundle(SETTINGS.xoev_schema_dir).is_valid(message.xml)
    root = etree.fromstring(message.xml)
    assert root.tag == f"{{{NS['xmeld']}}}{message_type}"
    assert (root.get("standard"), root.get("version"), root.get("produkt")) == ("XMeld", "25.11a", "Amtskoffer")
    assert root.get("test") is None
    head = root.find("nachrichtenkopf.g2g")
    assert head.findtext("identifikation.nachricht/nachrichtenUUID") == str(MESSAGE_ID)
    typ = head.find("identifikation.nachricht/nachrichtentyp")
    assert (typ.get("listVersionID"), typ.findtext("code")) == ("25.11a", mtype.code)
    assert head.findtext("identifikation.nachricht/erstellungszeitpunkt") == "2025-11-03T10:15:30.123+01:00"
    assert head.findtext("autor/kennung") == mtype.example.author["dvdv_kennung"]
    assert head.findtext("leser/kennung") == mtype.example.reader["dvdv_kennung"]
    assert head.find("autor/verzeichnisdienst").get("listVersionID") == "3"
    assert head.findtext("autor/erreichbarkeit/kennung") == mtype.example.author["email"]
    assert root.findtext("anschrift.autor/gebaeude/postleitzahl") == mtype.example.author["postleitzahl"]
    assert (message.code, message.message_type) == (mtype.code, message_type)


def test_rueckmeldung_carries_the_whole_family() -> None:
    root = etree.fromstring(build(RUECKMELDUNG).xml)
    people = root.findall("xmeld:umzugsverband/xmeld:betroffener", NS)
    assert len(people) == 3
    first_names = [p.findtext("xmeld:zuzugsperson/xmeld:NAMENATUERLICHEPERSON/xmeld:vornamen/xmeld:vornamen/name",
                              namespaces=NS) for p in people]
    assert first_names == ["Erika", "Max", "Lotta Ŀuisa"]
    signs = [p.findtext("xmeld:identifikation.ereignis/ereignis.zeichen", namespaces=NS) for p in people]
    assert len(set(signs)) == 3  # an event sign identifies one person within the message
    # the partially known birth date of Max is written as jahrMonat
    assert people[1].findtext("xmeld:zuzugsperson/xmeld:GEBURT/xmeld:geburtsdatum/teilbekanntesDatum/jahrMonat",
                              namespaces=NS) == "1982-01"


def test_abmeldung_ins_ausland_to_unknown_destination() -> None:
    data = example_data("statistik.wanderung.0810")
    del data["zielstaat"]
    root = etree.fromstring(build("statistik.wanderung.0810", data).xml)
    assert root.findtext("xmeld:aktuelleWohnung/xmeld:ausland/xmeld:ausland.unbekannt", namespaces=NS) == "true"
    assert root.findtext("xmeld:anlass/code", namespaces=NS) == "7"


def test_test_messages_are_marked() -> None:
    message = build("fortschreibung.dokument.0006", settings=SETTINGS.with_(test_messages=True))
    assert etree.fromstring(message.xml).get("test")


def test_input_errors_name_the_fields_in_german() -> None:
    data = example_data(RUECKMELDUNG)
    person = data["umzugsverbaende"][0]["personen"][1]
    del person["vornamen"]
    person["geschlecht"] = "q"
    person["geburtsdatum"] = "1982-13"
    with pytest.raises(InputInvalid) as info:
        build(RUECKMELDUNG, data)
    prefix = "umzugsverbaende/0/personen/1/"
    assert info.value.errors == {
        prefix + "geburtsdatum": ["Bitte ein Datum als JJJJ, JJJJ-MM oder JJJJ-MM-TT angeben."],
        prefix + "geschlecht": ["Der Schlüssel „q“ ist in der Codeliste urn:xoev-de:xinneres:codeliste:geschlecht "
                                "(Version 1) nicht enthalten."],
        prefix + "vornamen": ["Pflichtangabe fehlt."],
    }
    assert "Rückmeldung (Inland)" in info.value.user_message


def test_authorities_are_checked() -> None:
    mtype = message_types(SETTINGS)[RUECKMELDUNG]
    _, reader = example_authorities(mtype)
    bad_author = AuthorityRef(**{**mtype.example.author, "email": None, "dvdv_kennung": "xyz:1",
                                 "postleitzahl": "1823"})
    with pytest.raises(InputInvalid) as info:
        build(RUECKMELDUNG, author=bad_author, reader=reader)
    assert set(info.value.errors) == {"author/email", "author/dvdv_kennung", "author/postleitzahl"}


def test_unknown_message_type_suggests_the_closest() -> None:
    with pytest.raises(DesignError) as info:
        build_message("rueckmeldung.anmeldunginland.0210", author=None, reader=None, data={},  # type: ignore[arg-type]
                      created_at=CREATED_AT, message_id=MESSAGE_ID, settings=SETTINGS)
    assert "Meinten Sie rueckmeldung.anmeldunginland.0201?" in info.value.user_message


def test_naive_creation_time_is_refused() -> None:
    mtype = message_types(SETTINGS)[RUECKMELDUNG]
    author, reader = example_authorities(mtype)
    with pytest.raises(ValueError, match="timezone"):
        build_message(RUECKMELDUNG, author=author, reader=reader, data=mtype.example.data,
                      created_at=datetime(2025, 11, 3, 10, 15), message_id=MESSAGE_ID, settings=SETTINGS)


def test_free_text_with_markup_characters_is_escaped_and_valid() -> None:
    tricky = 'A&B <C> "D" \'E\''
    data = example_data("fortschreibung.dokument.0006")
    data["dokument"]["behoerde"] = tricky
    mtype = message_types(SETTINGS)["fortschreibung.dokument.0006"]
    author = AuthorityRef(**{**mtype.example.author, "name": f"Amt {tricky}"})
    message = build("fortschreibung.dokument.0006", data, author=author)
    assert b"A&amp;B &lt;C&gt; &#34;D&#34; &#39;E&#39;" in message.xml
    root = etree.fromstring(message.xml)
    assert root.findtext("xmeld:ausweisdokument/xmeld:behoerde", namespaces=NS) == tricky
    assert root.findtext("nachrichtenkopf.g2g/autor/name") == f"Amt {tricky}"


def test_nfc_is_applied_before_writing() -> None:
    data = example_data(RUECKMELDUNG)
    data["umzugsverbaende"][0]["personen"][0]["familienname"] = "Mu\u0308ller"  # u + combining diaeresis
    message = build(RUECKMELDUNG, data)
    assert "Müller".encode() in message.xml
    assert "Mu\u0308ller".encode() not in message.xml


# -- DIN SPEC 91379 property tests --------------------------------------------------------

def _alphabet(datatype: str) -> list[str]:
    singles = [chr(c) for c in [*range(0x20, 0x250), *range(0x1E00, 0x1F00)]
               if not unicodedata.combining(chr(c)) and din91379.is_valid(chr(c), datatype)]
    # sequences with combining marks that have no precomposed form (they stay two code points after NFC)
    bases = [chr(c) for c in [*range(0x41, 0x5B), *range(0x61, 0x7B)]]
    sequences = [b + chr(m) for b in bases for m in range(0x300, 0x370)
                 if len(unicodedata.normalize("NFC", b + chr(m))) == 2 and din91379.is_valid(b + chr(m), datatype)]
    return singles + sequences


NAME_CHARS = _alphabet("A")
STREET_CHARS = _alphabet("B")
OUTSIDE_A = ["Ǆ", "ǅ", "Ж", "Ω", "–", "€", "1", "@", "\x07", "\u200b", "😀", "Q\u0308"]


def test_alphabets_contain_the_special_letters() -> None:
    assert {"Ŀ", "ẞ", "ŀ"} <= set(NAME_CHARS)
    assert any(len(c) == 2 for c in NAME_CHARS)  # combining sequences such as "A̋"
    # U+01C4 (and its title/lower case forms) are not in the official datatype patterns
    assert not {"Ǆ", "ǅ", "ǆ"} & set(NAME_CHARS)
    assert all(not din91379.is_valid(c, "A") for c in OUTSIDE_A)


def text(chars: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(chars), min_size=1, max_size=24).map("".join)


@hypothesis_settings(max_examples=40, deadline=None)
@given(familienname=text(NAME_CHARS), vornamen=text(NAME_CHARS), strasse=text(STREET_CHARS))
def test_names_and_streets_from_the_din_sets_always_give_valid_messages(
    familienname: str, vornamen: str, strasse: str
) -> None:
    data = example_data(RUECKMELDUNG)
    person = data["umzugsverbaende"][0]["personen"][0]
    person["familienname"], person["vornamen"] = familienname, vornamen
    data["umzugsverbaende"][0]["neue_wohnung"]["anschrift"]["strasse"] = strasse
    message = build(RUECKMELDUNG, data)
    root = etree.fromstring(message.xml)
    first = root.find("xmeld:umzugsverband/xmeld:betroffener/xmeld:zuzugsperson/xmeld:NAMENATUERLICHEPERSON", NS)
    assert first.findtext("xmeld:familienname.unstrukturiert/xmeld:nachname/name", namespaces=NS) == \
        unicodedata.normalize("NFC", familienname)


@hypothesis_settings(max_examples=40, deadline=None)
@given(prefix=text(NAME_CHARS), bad=st.sampled_from(OUTSIDE_A), field=st.sampled_from(["familienname", "vornamen"]))
def test_characters_outside_the_set_are_rejected_before_any_xml(prefix: str, bad: str, field: str) -> None:
    data = example_data(RUECKMELDUNG)
    data["umzugsverbaende"][0]["personen"][2][field] = prefix + bad
    with (mock.patch.object(generate, "_envelope", side_effect=AssertionError("XML was rendered")),
          pytest.raises(InputInvalid) as info):
        build(RUECKMELDUNG, data)
    key = f"umzugsverbaende/0/personen/2/{field}"
    assert list(info.value.errors) == [key]
    assert re.search("DIN SPEC 91379", info.value.errors[key][0])


def test_the_shipped_0601_answers_the_requester_with_the_basis_header() -> None:
    mtype = message_types(SETTINGS)["melderegisterauskunfteinfach.antwort.0601"]
    message = build(mtype.name)
    XMeldValidator.for_bundle(SETTINGS.xoev_schema_dir).validate(message.xml)
    head = etree.fromstring(message.xml).find("xmeld:nachrichtenkopf", NS)
    assert mtype.header == "b2privat" and head is not None
    assert head.findtext("xmeld:absender/xmeld:behoerdenkennung", namespaces=NS) == \
        mtype.example.author["dvdv_kennung"]
    assert head.findtext("xmeld:empfaenger/xmeld:kundennummer", namespaces=NS) == \
        mtype.example.reader["kunde"]["kundennummer"]
