"""Reading register input: every problem at once, German, keyed by path; DIN SPEC 91379 names; code lists."""

from __future__ import annotations

from datetime import date

import pytest

from engine.errors import InputInvalid
from engine.register.codes import ResidenceKind, register_codes
from engine.register.validation import Problems, parse_person, read_document, read_foreign_address
from engine.settings import Settings

TODAY = date(2026, 11, 15)
CODES = register_codes(Settings())
HOME = {"art": "hauptwohnung", "strasse": "Testweg", "hausnummer": "3a", "postleitzahl": "18230", "ort": "Rerik",
        "ags": "13072085", "eingezogen_am": "2020-01-01"}


def person(**changes: object) -> dict[str, object]:
    return {"familienname": "Testfrau", "vornamen": "Erika", "geburtsdatum": "1990-05-01", **changes}


def errors_of(data: object) -> dict[str, list[str]]:
    with pytest.raises(InputInvalid) as err:
        parse_person(data, today=TODAY, codes=CODES)
    return err.value.errors


def test_a_minimal_person_gets_the_documented_defaults() -> None:
    p = parse_person(person(), today=TODAY, codes=CODES)
    assert (p.geschlecht, p.geburtsstaat, p.staatsangehoerigkeiten) == ("x", "000", ("000",))
    assert p.geburtsdatum == date(1990, 5, 1) and p.wohnungen == () and p.gefuehrt_von is None


def test_names_are_normalised_and_may_carry_din_91379_letters() -> None:
    p = parse_person(person(familienname="  Łukasiewicz-Müller ", vornamen="Zoë  Ŀuisa", doktorgrad="Dr. med."),
                     today=TODAY, codes=CODES)
    assert (p.familienname, p.vornamen, p.doktorgrad) == ("Łukasiewicz-Müller", "Zoë Ŀuisa", "Dr. med.")


def test_all_problems_are_reported_together_with_paths() -> None:
    errors = errors_of(person(familienname="Smith 😀", vornamen="", geburtsdatum="2027-01-01", geschlecht="q",
                              staatsangehoerigkeiten=["999", "abc"], religion="xx", familienstand="ZZ",
                              hobby="Angeln", wohnungen=[{**HOME, "postleitzahl": "1823", "ags": "1307"}]))
    assert "„😀“" in errors["person/familienname"][0] and "DIN SPEC 91379" in errors["person/familienname"][0]
    assert errors["person/vornamen"] == ["Bitte die Vornamen angeben."]
    assert "in der Zukunft" in errors["person/geburtsdatum"][0]
    assert "Geschlecht" in errors["person/geschlecht"][0]
    assert "person/staatsangehoerigkeiten/1" in errors and "person/staatsangehoerigkeiten/0" not in errors
    assert "Religion" in errors["person/religion"][0] and "Familienstand" in errors["person/familienstand"][0]
    assert "unbekannt" in errors["person/hobby"][0]
    assert "5 Ziffern" in errors["person/wohnungen/0/postleitzahl"][0]
    assert "8 Ziffern" in errors["person/wohnungen/0/ags"][0]


def test_the_exception_message_names_paths_but_no_personal_data() -> None:
    with pytest.raises(InputInvalid) as err:
        parse_person(person(familienname="Geheim 😀"), today=TODAY, codes=CODES)
    assert "Geheim" not in str(err.value) and "person/familienname" in str(err.value)
    assert err.value.user_message.startswith("Familienname enthält Zeichen") or "DIN" in err.value.user_message


def test_only_one_main_dwelling_and_consistent_dates() -> None:
    second = {**HOME, "strasse": "Musterstraße"}
    errors = errors_of(person(wohnungen=[HOME, second, {**HOME, "eingezogen_am": "2021-01-01",
                                                         "ausgezogen_am": "2020-01-01"}]))
    assert "nur eine Haupt" in errors["person/wohnungen"][0]
    assert "vor dem Einzugsdatum" in errors["person/wohnungen/2/ausgezogen_am"][0]


def test_hauptwohnung_shortcut_and_numbers_written_without_quotes() -> None:
    p = parse_person(person(hauptwohnung={**HOME, "postleitzahl": 18230, "hausnummer": 3}), today=TODAY, codes=CODES)
    (home,) = p.wohnungen
    assert home.art == ResidenceKind.hauptwohnung
    assert (home.anschrift.postleitzahl, home.anschrift.hausnummer) == ("18230", "3")


@pytest.mark.parametrize(
    ("kind", "until", "message"),
    [
        ("personalausweis", "2036-11-16", "höchstens 10 Jahre"),
        ("vorl_personalausweis", "2027-03-01", "höchstens 3 Monate"),
        ("vorl_reisepass", "2027-11-16", "höchstens 1 Jahr (§ 5 Abs. 3 PassG);"),
        ("reisepass", "2026-11-01", "nach dem Ausstellungsdatum"),
    ],
)
def test_document_validity_is_limited_by_law(kind: str, until: str, message: str) -> None:
    p = Problems()
    doc = {"art": kind, "seriennummer": "t 123 45x", "ausgestellt_am": "2026-11-15", "gueltig_bis": until}
    assert read_document(p, doc, "", TODAY) is None
    assert message in p.errors["gueltig_bis"][0]


def test_document_serial_numbers_are_normalised() -> None:
    p = Problems()
    doc = read_document(p, {"art": "reisepass", "seriennummer": "c01 x00t47", "ausgestellt_am": date(2026, 1, 2),
                            "gueltig_bis": date(2036, 1, 1)}, "", TODAY)
    assert p.errors == {} and doc is not None
    assert (doc.art, doc.seriennummer) == ("reisepass", "C01X00T47")


def test_an_address_abroad_needs_a_foreign_state() -> None:
    p = Problems()
    assert read_foreign_address(p, {"ort": "Wien", "staat": "151"}, "neue_anschrift", CODES) == {
        "ort": "Wien", "staat": "151"}
    assert read_foreign_address(p, {"ort": "Schwerin", "staat": "000"}, "neue_anschrift", CODES) is None
    assert "innerhalb Deutschlands" in p.errors["neue_anschrift/staat"][0]
