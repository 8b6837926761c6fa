"""Chain status for auditors: verified, or broken at event N, in German (from ``engine.audit``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.audit.chain import VerifyResult

_REASONS_DE = (
    ("event content does not match its hash", "der Inhalt des Ereignisses passt nicht zu seinem Hashwert "
                                              "(nachträglich verändert)"),
    ("link to the previous event is broken", "die Verkettung zum vorherigen Ereignis ist unterbrochen"),
    ("link to the previous case event is broken", "die Verkettung zum vorherigen Ereignis des Vorgangs ist "
                                                  "unterbrochen"),
    ("global sequence jumps", "in der Nummernfolge fehlen Ereignisse (gelöscht)"),
    ("case sequence jumps", "in der Nummernfolge des Vorgangs fehlen Ereignisse (gelöscht)"),
    ("chain head is at", "die neuesten Ereignisse fehlen (gelöscht)"),
    ("case head is at", "die neuesten Ereignisse des Vorgangs fehlen (gelöscht)"),
    ("chain head is missing", "der Kettenanfang fehlt"),
    ("case fields set on an event without case", "ein Ereignis ohne Vorgang trägt Vorgangsangaben"),
)


def reason_de(reason: str) -> str:
    for english, german in _REASONS_DE:
        if english in reason:
            return german
    return reason


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainStatus:
    verified: bool
    events: int
    """How many events were checked."""
    broken_at: int | None = None
    """Number of the first broken event: the case's event number for a case chain, the global
    number for the whole log (None when verified, or when only the stored head disagrees)."""
    broken_at_global: int | None = None
    reason: str = ""
    """German reason of the first break."""
    breaks: tuple[dict[str, Any], ...] = ()

    @property
    def text(self) -> str:
        if self.verified:
            return f"Protokoll unverändert: {self.events} Ereignisse geprüft."
        where = f"bei Ereignis Nr. {self.broken_at}" if self.broken_at is not None else "am Ende der Kette"
        return f"Protokoll verändert: Kette gebrochen {where} ({self.reason})."

    def as_dict(self) -> dict[str, Any]:
        return {"verified": self.verified, "events": self.events, "broken_at": self.broken_at,
                "broken_at_global": self.broken_at_global, "reason": self.reason, "text": self.text,
                "breaks": list(self.breaks)}


def chain_status(result: VerifyResult, case_seq_of: dict[str, int] | None = None) -> ChainStatus:
    """German status of a verification; ``case_seq_of`` maps event ids to case numbers (case chains)."""
    if result.ok:
        return ChainStatus(verified=True, events=result.events)
    first = result.first
    assert first is not None
    case_seq = (case_seq_of or {}).get(first.event_id or "")
    breaks = tuple({"global_seq": b.global_seq, "case_seq": (case_seq_of or {}).get(b.event_id or ""),
                    "event_id": b.event_id, "case_id": b.case_id, "reason": reason_de(b.reason)}
                   for b in result.breaks)
    return ChainStatus(verified=False, events=result.events,
                       broken_at=case_seq if case_seq_of is not None else first.global_seq,
                       broken_at_global=first.global_seq, reason=reason_de(first.reason), breaks=breaks)
