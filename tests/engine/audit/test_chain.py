"""The hash chain detects every single change: content, deletion, insertion, reordering."""

from __future__ import annotations

import dataclasses
import random
import uuid

import pytest

from engine.audit.chain import GENESIS, EventRecord, canonical, compute_hash, verify


def build_log(n: int, cases: int = 5, seed: int = 1) -> tuple[list[EventRecord], dict[str, tuple[int, str]]]:
    rnd = random.Random(seed)
    case_ids = [str(uuid.UUID(int=rnd.getrandbits(128))) for _ in range(cases)]
    case_heads: dict[str, tuple[int, str]] = {}
    prev = GENESIS
    log = []
    for i in range(1, n + 1):
        case_id = rnd.choice([*case_ids, None])
        case_seq, prev_case = (None, None)
        if case_id is not None:
            seq, h = case_heads.get(case_id, (0, GENESIS))
            case_seq, prev_case = seq + 1, h
        fields = dict(
            id=str(uuid.UUID(int=rnd.getrandbits(128))), global_seq=i, case_id=case_id, case_seq=case_seq,
            type=rnd.choice(["case_started", "step_completed", "case_read", "message_queued"]),
            actor=rnd.choice(["anna.schulz", "timer", "cli"]), at=f"2026-11-15T10:{i % 60:02d}:00.000000+00:00",
            payload=canonical({"feld": f"Wert {i}", "zahl": i, "umlaut": "Müller"}),
            prev_global_hash=prev, prev_case_hash=prev_case,
        )
        rec = EventRecord(**fields, hash=compute_hash(**fields))
        log.append(rec)
        prev = rec.hash
        if case_id is not None:
            case_heads[case_id] = (case_seq, rec.hash)  # type: ignore[assignment]
    return log, case_heads


def check(log: list[EventRecord], heads: dict[str, tuple[int, str]], head: tuple[int, str] | None):
    return verify(log, head=head, case_heads=heads)


def test_untouched_log_verifies() -> None:
    log, heads = build_log(300)
    result = check(log, heads, (log[-1].global_seq, log[-1].hash))
    assert result.ok, result.breaks
    assert result.events == 300


def test_empty_log_verifies_and_missing_head_is_detected() -> None:
    assert verify([], head=None).ok
    log, heads = build_log(3)
    assert not verify(log, head=None, case_heads=heads).ok


def _flip_char(value: str, rnd: random.Random) -> str:
    if not value:
        return "x"
    i = rnd.randrange(len(value))
    ch = value[i]
    new = chr(ord(ch) ^ 1) if ch.isascii() else "?"
    return value[:i] + new + value[i + 1:]


STRING_FIELDS = ("id", "type", "actor", "at", "payload", "prev_global_hash", "hash")


def mutate(log: list[EventRecord], rnd: random.Random) -> tuple[list[EventRecord], str, int]:
    """One random single mutation; returns the new log, its kind and the affected position."""
    log = list(log)
    kind = rnd.choice(["byte", "byte", "number", "delete", "insert", "swap", "case_link"])
    pos = rnd.randrange(len(log))
    e = log[pos]
    if kind == "byte":
        field = rnd.choice(STRING_FIELDS + (("case_id", "prev_case_hash") if e.case_id else ()))
        log[pos] = dataclasses.replace(e, **{field: _flip_char(getattr(e, field), rnd)})
    elif kind == "number":
        field = rnd.choice(["global_seq", "case_seq"] if e.case_seq else ["global_seq"])
        log[pos] = dataclasses.replace(e, **{field: getattr(e, field) + rnd.choice([-2, -1, 1, 2, 1000])})
    elif kind == "delete":
        del log[pos]
    elif kind == "insert":
        # A forged event with a correct hash over its own content, placed anywhere.
        fake = dict(id=str(uuid.uuid4()), global_seq=e.global_seq, case_id=e.case_id, case_seq=e.case_seq,
                    type="case_read", actor="eindringling", at=e.at, payload=canonical({}),
                    prev_global_hash=e.prev_global_hash, prev_case_hash=e.prev_case_hash)
        log.insert(pos, EventRecord(**fake, hash=compute_hash(**fake)))
    elif kind == "swap":
        other = rnd.randrange(len(log))
        while other == pos:
            other = rnd.randrange(len(log))
        a, b = log[pos], log[other]
        # Swap the contents but keep each row's place in the sequence (what reordering rows does).
        log[pos] = dataclasses.replace(b, global_seq=a.global_seq)
        log[other] = dataclasses.replace(a, global_seq=b.global_seq)
    else:  # case_link: move an event to another case
        log[pos] = dataclasses.replace(e, case_id=str(uuid.uuid4()), case_seq=1, prev_case_hash=GENESIS)
    return log, kind, pos


def test_thousand_random_single_mutations_are_all_detected() -> None:
    log, heads = build_log(120, cases=6)
    head = (log[-1].global_seq, log[-1].hash)
    rnd = random.Random(20261125)
    kinds: dict[str, int] = {}
    for _ in range(1000):
        mutated, kind, pos = mutate(log, rnd)
        kinds[kind] = kinds.get(kind, 0) + 1
        result = check(mutated, heads, head)
        assert not result.ok, f"{kind} at {pos} went unnoticed"
    assert set(kinds) == {"byte", "number", "delete", "insert", "swap", "case_link"}


@pytest.mark.parametrize("position", [0, 57, 119])
def test_first_break_names_the_changed_event(position: int) -> None:
    log, heads = build_log(120)
    head = (log[-1].global_seq, log[-1].hash)
    log[position] = dataclasses.replace(log[position], payload=canonical({"feld": "geändert"}))
    result = check(log, heads, head)
    assert result.first is not None
    assert result.first.global_seq == position + 1
    assert "hash" in result.first.reason


def test_deleting_the_newest_event_is_detected_by_the_head() -> None:
    log, heads = build_log(50)
    head = (log[-1].global_seq, log[-1].hash)
    result = check(log[:-1], heads, head)
    assert not result.ok
    assert any("head" in b.reason for b in result.breaks)


def test_deleting_a_case_s_newest_event_is_detected_by_the_case_head() -> None:
    """Even if the attacker also moves the global head back, the case row's head still notices."""
    log, heads = build_log(60, cases=2)
    while log[-1].case_id is None:
        log, heads = log[:-1], heads
    removed = log[-1]
    rest = log[:-1]
    result = verify(rest, head=(rest[-1].global_seq, rest[-1].hash), case_heads=heads)
    assert [b.case_id for b in result.breaks] == [removed.case_id]
    assert "case head" in result.breaks[0].reason
