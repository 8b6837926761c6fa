"""A problem found in a service package, located by file, line and element id."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    code: str
    """Stable kind of problem, e.g. ``bpmn-schema``, ``unknown-operation`` (tests and docs use it)."""
    file: str
    message: str
    """English, for logs and developers."""
    user_message: str
    """German, for the designer."""
    line: int | None = None
    element_id: str | None = None
    severity: str = "error"

    def location(self) -> str:
        loc = self.file
        if self.line:
            loc += f":{self.line}"
        if self.element_id:
            loc += f" [{self.element_id}]"
        return loc

    def __str__(self) -> str:
        return f"{self.location()}: {self.code}: {self.user_message}"
