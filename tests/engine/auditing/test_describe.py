"""German descriptions of audit events, with before/after."""

from __future__ import annotations

import re

from engine.auditing.describe import DESCRIBERS, describe
from engine.settings import PROJECT_ROOT

# Events that never belong to a case (users, authorities, packages, demo data): not in timelines.
NOT_CASE_EVENTS = re.compile(r"^(user_|login_|api_token_|authority_|package_|register_demo_loaded$)")
WRITTEN = re.compile(r'(?:NewEvent\(type=|\.record\(|event_type=|, event = "\w+", )"([a-z]+(?:_[a-z]+)+)"')


def test_every_case_event_the_engine_writes_has_a_german_description() -> None:
    written = set()
    for path in (PROJECT_ROOT / "engine").rglob("*.py"):
        written.update(WRITTEN.findall(path.read_text(encoding="utf-8")))
    case_events = {t for t in written if not NOT_CASE_EVENTS.match(t)}
    assert {"case_started", "step_completed", "message_queued", "message_delivered"} <= case_events
    assert sorted(case_events - set(DESCRIBERS)) == []


def test_corrections_show_before_and_after() -> None:
    d = describe("step_corrected", {"task": "antrag_erfassen", "name": "Antrag erfassen", "corrects_state_seq": 2,
                                    "changes": {"name": {"before": "Erika", "after": "Erika Maria"}}}, "clerk")
    assert d.title == "Schritt korrigiert"
    assert d.text == ("Schritt „Antrag erfassen“ korrigiert; die Angaben ersetzen den Stand 2 und alle "
                      "späteren Schritte.")
    assert [(c.field, c.before, c.after) for c in d.changes] == [("name", "Erika", "Erika Maria")]


def test_register_snapshots_become_field_changes() -> None:
    d = describe("register_person_moved", {
        "person_id": "p1", "before": {"gefuehrt_von": "luetzow-luebstorf", "wohnungen": [{"ort": "Lützow"}]},
        "after": {"gefuehrt_von": "neubukow-salzhaff", "wohnungen": [{"ort": "Rerik"}]}}, "clerk")
    assert d.title == "Umzug eingetragen" and "p1" in d.text
    assert [(c.field, c.before, c.after) for c in d.changes] == [
        ("gefuehrt_von", "luetzow-luebstorf", "neubukow-salzhaff"),
        ("wohnungen", [{"ort": "Lützow"}], [{"ort": "Rerik"}])]


def test_reads_name_their_purpose_and_unknown_types_still_describe() -> None:
    assert describe("case_read", {"purpose": "dossier"}, "pruefer").text == (
        "pruefer hat den Vorgang eingesehen (Akte (Dossier) exportiert).")
    assert describe("case_read", {}, "clerk").text == "clerk hat den Vorgang eingesehen (Vorgang geöffnet)."
    other = describe("something_happened", {"before": 1, "after": 2}, "x")
    assert other.text == "Ereignis „something_happened“." and other.changes[0].after == 2
