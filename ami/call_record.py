"""What the call log learns about one finished (or still running) call, whatever the source.

The live projector (AMI events) and the reconciliation (queue_log, CDR) both produce a
``CallLogEntry``; ``models.call_log_store`` merges it into the ``calls`` row idempotently and
applies the missed-call rule (C13) once, when the call has ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from models.rules.missed import QueueExit
from models.rules.transfers import TransferOutcome
from models.tables.calls import HangupSide, TransferKind


class EntrySource(StrEnum):
    AMI = "ami"  # live events: the most detailed source
    QUEUE_LOG = "queue_log"  # reconciliation after an AMI outage
    CDR = "cdr"  # reconciliation for calls that never reached the queue


@dataclass(frozen=True, slots=True)
class TransferEntry:
    at: datetime
    kind: TransferKind
    to_extension: str  # the dialled internal number ("" when unknown)
    from_interface: str  # transferring operator's device, e.g. "PJSIP/201" ("" when unknown)
    outcome: TransferOutcome


@dataclass(frozen=True, slots=True)
class CallLogEntry:
    linkedid: str  # the inbound channel's Linkedid (= its Uniqueid): the call's key
    source: EntrySource
    arrived_at: datetime  # aware
    caller_number: str = ""  # raw caller ID as Asterisk reported it
    caller_name: str = ""
    did: str = ""
    queue_joined_at: datetime | None = None
    queue_wait_s: float | None = None
    queue_exit: QueueExit = QueueExit.NOT_QUEUED
    answered_at: datetime | None = None
    operator_interface: str = ""  # the queue member's device that answered, "" if none
    transfers: tuple[TransferEntry, ...] = field(default=())
    ended_at: datetime | None = None  # None while the call is still up
    talk_s: float | None = None
    hangup_side: HangupSide | None = None
    hangup_cause: int | None = None
    hangup_cause_text: str = ""

    @property
    def finished(self) -> bool:
        return self.ended_at is not None

    @property
    def reached_operator(self) -> bool:
        return self.answered_at is not None
