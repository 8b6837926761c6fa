"""DIN SPEC 91379 end to end: what the form (``"x-din91379": "A"``) accepts always gives a valid
message; what it refuses is refused *at the form*, with the field named, and never reaches XML.

The form is the fixture form of ``nachricht_test``; the message is the 0006 that the package's
script builds from it.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from lxml import etree

from engine.clock import FixedClock
from engine.errors import InputInvalid
from engine.forms import validate_submission
from engine.forms.definition import read_form
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import Settings
from engine.xoev import build_message, generate, message_types
from engine.xoev.generate import example_authorities
from tests.conftest import FIXTURES
from tests.engine.messaging.conftest import PERSON, outbox_rows, start_case
from tests.engine.xoev.test_generate import NAME_CHARS, OUTSIDE_A

SETTINGS = Settings()
FORM = read_form(FIXTURES / "forms" / "nachricht_test" / "person.schema.json")
TYPE = "fortschreibung.dokument.0006"
NS = {"xmeld": "http://www.osci.de/xmeld2511a"}
CREATED = datetime.fromisoformat("2026-11-15T10:00:00.000+01:00")


def names(chars: list[str]) -> st.SearchStrategy[str]:
    # A name of spaces only is an empty field to the form; that is not what these tests are about.
    return st.lists(st.sampled_from(chars), min_size=1, max_size=20).map("".join).filter(str.strip)


def message_from(cleaned: dict[str, Any]) -> bytes:
    """The 0006 as the fixture package's script would build it (names from the form)."""
    mtype = message_types(SETTINGS)[TYPE]
    data = copy.deepcopy(dict(mtype.example.data))
    data["betroffener"]["familienname"] = cleaned["familienname"]
    data["betroffener"]["vornamen"] = cleaned["vornamen"]
    data["betroffener"]["geburtsdatum"] = cleaned["geburtsdatum"]
    author, reader = example_authorities(mtype)
    return build_message(TYPE, author=author, reader=reader, data=data, created_at=CREATED,
                         message_id=uuid.uuid4(), settings=SETTINGS).xml


@hypothesis_settings(max_examples=40, deadline=None)
@given(familienname=names(NAME_CHARS), vornamen=names(NAME_CHARS))
def test_names_the_form_accepts_always_give_valid_messages(familienname: str, vornamen: str) -> None:
    cleaned = validate_submission(FORM, {**PERSON, "familienname": familienname, "vornamen": vornamen})
    root = etree.fromstring(message_from(cleaned))  # build_message validated it against the XSD
    written = root.findtext("xmeld:betroffener/xmeld:name/xmeld:familienname.unstrukturiert/xmeld:nachname/name",
                            namespaces=NS)
    assert written == cleaned["familienname"]


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=names(NAME_CHARS), bad=st.sampled_from(OUTSIDE_A), field=st.sampled_from(["familienname", "vornamen"]))
def test_characters_outside_the_set_are_refused_at_the_form(prefix: str, bad: str, field: str) -> None:
    with (mock.patch.object(generate, "_envelope", side_effect=AssertionError("XML was rendered")),
          pytest.raises(InputInvalid) as info):
        validate_submission(FORM, {**PERSON, field: prefix + bad})
    [message] = info.value.errors[field]
    assert "ist in Namen nicht zulässig (DIN SPEC 91379)." in message
    assert f"„{bad}“" in message or f"U+{ord(bad[0]):04X}" in message  # invisible characters by code point


def test_the_step_is_refused_before_any_message_exists(engine: Engine, clerk: Actor,
                                                       fixed_clock: FixedClock) -> None:
    case_id, task_id = start_case(engine, clerk)
    with pytest.raises(InputInvalid) as info:
        engine.cases.submit(case_id, task_id, {**PERSON, "vornamen": "Ǆenan"}, clerk)
    assert list(info.value.errors) == ["vornamen"]
    assert outbox_rows(engine) == []
