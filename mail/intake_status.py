"""How mail intake is doing, for ``/health`` and ``check-config``: whether the receiver listens
and what became of the mails it was given.

States: ``off`` (no port set, or on the training line), ``starting``, ``listening``,
``failed`` (the port could not be had: the reason in Russian; the rest of the service works
on, and the Ministry's mail server keeps the letters and tries again). Counts since the
start: messages stored, deliveries of a mail already registered, mails answered 451;
``failing`` counts the 451s since the last mail stored, so a database that is back clears the
alarm with the next letter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

PORT_SETTING = "CONSULT_LINE_SMTP_IN_PORT"
DOMAIN_SETTING = "CONSULT_LINE_SMTP_IN_DOMAIN"


class IntakeState(StrEnum):
    OFF = "off"
    STARTING = "starting"
    LISTENING = "listening"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class IntakeStatus:
    state: IntakeState
    reason: str | None = None  # why off or failed, in Russian
    address: str | None = None  # host:port the receiver listens on
    stored: int = 0
    duplicates: int = 0
    deferred: int = 0
    failing: int = 0
    last_error: str | None = None  # why the last mail answered 451 was not stored

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "state": self.state.value}


def off_status(domains_set: bool) -> IntakeStatus:
    """The receiver when no port is set; named domains then are probably a mistake."""
    if domains_set:
        return IntakeStatus(
            IntakeState.OFF,
            f"{PORT_SETTING} не задан, хотя задан {DOMAIN_SETTING}: письма не принимаются",
        )
    return IntakeStatus(IntakeState.OFF, f"{PORT_SETTING} не задан")


class IntakeWatch:
    """The receiver's status, kept up to date by the lifespan and by ``MailIntake``.

    Changed on the event loop and read from /health's worker thread: every change replaces
    one immutable snapshot, so a reader never sees half of one."""

    def __init__(self, initial: IntakeStatus = IntakeStatus(IntakeState.OFF)) -> None:
        self._status = initial

    def status(self) -> IntakeStatus:
        return self._status

    def listening(self, address: str) -> None:
        self._status = replace(self._status, state=IntakeState.LISTENING, address=address)

    def failed(self, reason: str) -> None:
        self._status = replace(self._status, state=IntakeState.FAILED, reason=reason)

    def stopped(self) -> None:
        self._status = replace(self._status, state=IntakeState.OFF, reason="служба остановлена")

    def stored(self, *, duplicate: bool) -> None:
        now = self._status
        if duplicate:
            self._status = replace(now, duplicates=now.duplicates + 1, failing=0)
        else:
            self._status = replace(now, stored=now.stored + 1, failing=0)

    def deferred(self, reason: str) -> None:
        now = self._status
        self._status = replace(
            now, deferred=now.deferred + 1, failing=now.failing + 1, last_error=reason
        )
