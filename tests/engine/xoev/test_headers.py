"""engine/xoev/headers.py: families, what the XSD says about them, the day counter; refusal at load."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from engine.errors import DesignError
from engine.settings import Settings
from engine.xoev.generate import message_types
from engine.xoev.headers import FAMILIES, header_family, schema_headers, tagesvorgangszaehler
from engine.xoev.validate import XMeldValidator
from tests.engine.xoev.basis_types import ANFORDERUNG, ANTWORT, QUITTUNG, RTS, types_folder, write_type

SETTINGS = Settings()
BERLIN = ZoneInfo("Europe/Berlin")


def test_every_message_element_of_the_bundle_has_a_family() -> None:
    known = schema_headers(SETTINGS.xoev_schema_dir)
    registry_codes = 138  # Code.XMeld.Nachrichten, one element per code (xoev/messages.md)
    assert len(known.families) == registry_codes
    basis = {name: family for name, family in known.families.items() if family != "g2g"}
    assert basis == {
        "melderegisterauskunfteinfach.anforderung.0600": "privat2b",
        "melderegisterauskunfteinfach.antwort.0601": "b2privat",
        "melderegisterauskunfteinfach.anforderunggemeindeuebergreifend.0602": "kunde2dienstleister",
        "melderegisterauskunfteinfach.quittunggemeindeuebergreifend.0603": "dienstleister2kunde",
        "melderegisterauskunfteinfach.antwortgemeindeuebergreifend.0604": "dienstleister2kunde",
        "administration.returntosender.0900": "b2b",
    }
    # G2G through an intermediate type (type.fortschreibung → type.Nachricht.G2G)
    assert known.families["fortschreibung.dokument.0006"] == "g2g"
    assert known.fassung == "2025-02-17"
    assert XMeldValidator.for_bundle(SETTINGS.xoev_schema_dir).version == "25.11a"


def test_families_say_who_writes_to_whom() -> None:
    summary = {name: (f.author, f.reader, [p.element for p in f.parties]) for name, f in FAMILIES.items()}
    assert summary == {
        "g2g": ("behoerde", "behoerde", []),
        "b2b": ("behoerde", "behoerde", ["absender", "empfaenger"]),
        "b2privat": ("behoerde", "kunde", ["absender", "empfaenger"]),
        "privat2b": ("kunde", "behoerde", ["absender", "empfaenger"]),
        "kunde2dienstleister": ("kunde", "behoerde", ["kunde", "dienstleister"]),
        "dienstleister2kunde": ("behoerde", "kunde", ["dienstleister", "kunde"]),
    }


def test_an_unknown_family_is_refused_with_a_suggestion() -> None:
    with pytest.raises(DesignError) as info:
        header_family("b2privatt")
    assert "Meinten Sie „b2privat“?" in info.value.user_message


def _load_error(tmp_path: Path, name: str, header: str) -> DesignError:
    root = types_folder(tmp_path, name)
    write_type(root, name, header=header)
    with pytest.raises(DesignError) as info:
        message_types(SETTINGS.with_(message_types_dir=root))
    return info.value


def test_a_type_without_its_header_is_refused_with_the_value_to_write(tmp_path: Path) -> None:
    err = _load_error(tmp_path, ANTWORT, header="")  # header left out: g2g by default
    assert err.user_message == (f"Laut XSD hat {ANTWORT} den Nachrichtenkopf „b2privat“: in message.toml "
                                "header = \"b2privat\" angeben. (angegeben: „g2g“)")
    assert err.context["file"].endswith(f"{ANTWORT}/message.toml")


def test_a_type_with_another_familys_header_is_refused(tmp_path: Path) -> None:
    assert "header = \"b2b\"" in _load_error(tmp_path, RTS, header="b2privat").user_message
    err = _load_error(tmp_path / "zwei", QUITTUNG, header="gtg")
    assert "Den Nachrichtenkopf „gtg“ gibt es nicht" in err.user_message and "Meinten Sie „g2g“?" in err.user_message


def test_a_g2g_type_must_not_declare_a_basis_header(tmp_path: Path) -> None:
    root = types_folder(tmp_path, ANFORDERUNG)
    toml = root / "statistik.wanderung.0810" / "message.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + 'header = "b2b"\n', encoding="utf-8")
    with pytest.raises(DesignError) as info:
        message_types(SETTINGS.with_(message_types_dir=root))
    assert "die Angabe header weglassen" in info.value.user_message


def test_the_day_counter_grows_within_a_day_and_differs_within_a_millisecond() -> None:
    a, b = UUID(int=1), UUID(int=2)
    morning = datetime(2026, 11, 15, 8, 0, 0, 123_000, tzinfo=BERLIN)
    assert tagesvorgangszaehler(morning, a) == (8 * 3600 * 1000 + 123) * 1_000_000 + 1
    assert tagesvorgangszaehler(morning, a) != tagesvorgangszaehler(morning, b)
    later = morning + timedelta(milliseconds=1)
    assert tagesvorgangszaehler(later, UUID(int=0)) > tagesvorgangszaehler(morning, UUID(int=999_999))
    midnight = datetime(2026, 11, 15, tzinfo=BERLIN)
    assert tagesvorgangszaehler(midnight, UUID(int=7)) == 7  # a new day starts at 0


def test_the_day_counter_keeps_growing_when_the_clocks_go_back() -> None:
    # 25 Oct 2026, Berlin: 02:59 CEST is followed by 02:00 CET
    summer = datetime(2026, 10, 25, 2, 59, tzinfo=BERLIN, fold=0)
    winter = datetime(2026, 10, 25, 2, 0, tzinfo=BERLIN, fold=1)
    assert winter.astimezone(ZoneInfo("UTC")) > summer.astimezone(ZoneInfo("UTC"))
    assert tagesvorgangszaehler(winter, UUID(int=0)) > tagesvorgangszaehler(summer, UUID(int=0))
    last = datetime(2026, 10, 25, 23, 59, 59, 999_000, tzinfo=BERLIN)
    assert tagesvorgangszaehler(last, UUID(int=0)) < 25 * 3600 * 1000 * 1_000_000  # unsignedLong, and small
