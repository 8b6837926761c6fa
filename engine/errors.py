"""The one exception hierarchy of the engine.

Every error raised on purpose derives from :class:`AmtskofferError`. The exception text
(``str(err)``) is English and meant for logs and developers; ``user_message`` is the German
sentence shown to clerks, designers and auditors. ``context`` carries the structured details
(case id, element id, file, line, field …) so that callers can locate the problem without
parsing text. The web layer maps these classes to HTTP status codes in one place.
"""

from __future__ import annotations

from typing import Any, TypeVar

E = TypeVar("E", bound=BaseException)


class AmtskofferError(Exception):
    """Root of every error the engine raises on purpose."""

    user_message = "Der Schritt konnte nicht ausgeführt werden."

    def __init__(self, log_message: str, *, user_message: str | None = None, **context: Any) -> None:
        super().__init__(log_message)
        if user_message is not None:
            self.user_message = user_message
        self.context: dict[str, Any] = context


class DesignError(AmtskofferError):
    """A diagram, form, decision table or message template is wrong: the designer must fix it."""

    user_message = "Das Verfahren ist fehlerhaft modelliert."


class InputInvalid(AmtskofferError, ValueError):
    """Input from a clerk (or an API client) breaks a schema or a rule; nothing was changed.

    ``errors`` maps a field path (``"geburtsdatum"``, ``"personen/1/vorname"``; ``""`` for the
    whole form) to German messages.
    """

    user_message = "Bitte prüfen Sie Ihre Eingaben."

    def __init__(
        self,
        log_message: str,
        *,
        errors: dict[str, list[str]] | None = None,
        user_message: str | None = None,
        **context: Any,
    ) -> None:
        super().__init__(log_message, user_message=user_message, **context)
        self.errors: dict[str, list[str]] = errors or {}


class MessageInvalid(AmtskofferError, ValueError):
    """An XÖV/XMeld message does not validate against the official schema."""

    user_message = "Die Nachricht entspricht nicht dem XMeld-Schema und wurde nicht versendet."


class NotFound(AmtskofferError, LookupError):
    """The requested object does not exist or is not visible to the caller's authority."""

    user_message = "Der angeforderte Eintrag wurde nicht gefunden."


class Forbidden(AmtskofferError, PermissionError):
    """The caller may not do this (wrong role or authority)."""

    user_message = "Dafür fehlt Ihnen die Berechtigung."


class Conflict(AmtskofferError):
    """Someone else changed the same object first (optimistic locking); reload and retry."""

    user_message = (
        "Dieser Vorgang wurde inzwischen von jemand anderem bearbeitet. "
        "Bitte laden Sie die Seite neu."
    )


class ScriptError(AmtskofferError):
    """A BPMN script, condition or decision cell failed or was blocked by the sandbox."""

    user_message = "Ein Skript im Verfahren ist fehlgeschlagen."


class ScriptSecurityError(ScriptError):
    """A script tried something the restricted environment forbids (import, dunder access …)."""

    user_message = "Ein Skript im Verfahren verwendet eine nicht erlaubte Anweisung."


class ScriptLimitExceeded(ScriptError):
    """A script ran longer or allocated more than its limits allow."""

    user_message = "Ein Skript im Verfahren hat das Zeit- oder Speicherlimit überschritten."


class OperationFailed(AmtskofferError):
    """A service operation called from a BPMN service task failed."""

    user_message = "Ein Verarbeitungsschritt ist fehlgeschlagen."


class CaseCorrupted(AmtskofferError):
    """The stored state of a case is inconsistent; the case is stopped until an admin looks."""

    user_message = "Der Vorgang ist in einem inkonsistenten Zustand und wurde angehalten."


def find_cause(err: BaseException, kind: type[E]) -> E | None:
    """The first exception of type ``kind`` in ``err``'s cause/context chain (``err`` itself included).

    SpiffWorkflow wraps what a script or task raised into its own exceptions without keeping the
    original as an attribute; the original is only reachable through the chain.
    """
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
