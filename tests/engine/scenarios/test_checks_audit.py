"""Scenario expectations on the audit history, and instructions that fail to render."""

from __future__ import annotations

from engine.scenarios.checks import check_audit


def test_audit_expectation_is_an_ordered_subsequence() -> None:
    history = ["case_started", "step_completed", "register_auskunft_blocked", "message_queued", "case_completed"]
    assert check_audit(["register_auskunft_blocked", "case_completed"], history) == []
    assert check_audit(["case_completed", "register_auskunft_blocked"], history)[0].endswith(
        "case_started, step_completed, register_auskunft_blocked, message_queued, case_completed.")
    assert "kein Eintrag „register_auskunft_given“" in check_audit(["register_auskunft_given"], history)[0]
