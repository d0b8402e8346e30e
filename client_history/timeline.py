"""A client's history as a timeline: each call with what happened on it (transfers, wrap-up,
referral to another agency, survey answers), each callback task with its windows, attempts and
changes, each written message with its attachments, the notices sent for it and its survey,
each personal visit with its rating (dated by the visit), in the order they happened.

Pure: built from :class:`client_history.records.Records`, nothing read here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from client_history.records import (
    AttachmentRecord,
    AttemptRecord,
    CallRecord,
    ChangeRecord,
    ClientRecord,
    DismissalRecord,
    MessageRecord,
    MessageSurveyRecord,
    NoticeRecord,
    Records,
    ReferralRecord,
    SurveyRecord,
    TaskRecord,
    TransferRecord,
    VisitRecord,
    VisitSurveyRecord,
    WindowRecord,
    WrapupRecord,
)

_R = TypeVar("_R")


class EntryKind(StrEnum):
    CALL = "call"
    CALLBACK = "callback"
    MESSAGE = "message"
    VISIT = "visit"


# At one instant: a call before the task it opened, then a written message, then a visit.
_KIND_ORDER = {EntryKind.CALL: 0, EntryKind.CALLBACK: 1, EntryKind.MESSAGE: 2, EntryKind.VISIT: 3}


@dataclass(frozen=True, slots=True)
class CallEntry:
    call: CallRecord
    transfers: tuple[TransferRecord, ...]  # in order (seq)
    wrapup: WrapupRecord | None
    dismissal: DismissalRecord | None
    referrals: tuple[ReferralRecord, ...]  # in time order
    survey: SurveyRecord | None
    task_ids: tuple[int, ...]  # callback tasks this call opened

    kind = EntryKind.CALL

    @property
    def at(self) -> datetime:
        return self.call.arrived_at

    @property
    def ref_id(self) -> int:
        return self.call.id


@dataclass(frozen=True, slots=True)
class CallbackEntry:
    task: TaskRecord
    windows: tuple[WindowRecord, ...]  # by start
    attempts: tuple[AttemptRecord, ...]  # in time order
    changes: tuple[ChangeRecord, ...]  # in time order

    kind = EntryKind.CALLBACK

    @property
    def at(self) -> datetime:
        return self.task.requested_at

    @property
    def ref_id(self) -> int:
        return self.task.id


@dataclass(frozen=True, slots=True)
class MessageEntry:
    message: MessageRecord
    attachments: tuple[AttachmentRecord, ...]  # as they came
    notices: tuple[NoticeRecord, ...]  # in time order
    surveys: tuple[MessageSurveyRecord, ...]  # by the instant the link was issued

    kind = EntryKind.MESSAGE

    @property
    def at(self) -> datetime:
        return self.message.received_at

    @property
    def ref_id(self) -> int:
        return self.message.id


@dataclass(frozen=True, slots=True)
class VisitEntry:
    visit: VisitRecord
    rating: VisitSurveyRecord | None  # V13

    kind = EntryKind.VISIT

    @property
    def at(self) -> datetime:
        return self.visit.starts_at

    @property
    def ref_id(self) -> int:
        return self.visit.id


Entry = CallEntry | CallbackEntry | MessageEntry | VisitEntry


@dataclass(frozen=True, slots=True)
class Timeline:
    client: ClientRecord
    entries: tuple[Entry, ...]  # oldest first

    @property
    def calls(self) -> list[CallEntry]:
        return [entry for entry in self.entries if isinstance(entry, CallEntry)]

    @property
    def callbacks(self) -> list[CallbackEntry]:
        return [entry for entry in self.entries if isinstance(entry, CallbackEntry)]

    @property
    def messages(self) -> list[MessageEntry]:
        return [entry for entry in self.entries if isinstance(entry, MessageEntry)]

    @property
    def visits(self) -> list[VisitEntry]:
        return [entry for entry in self.entries if isinstance(entry, VisitEntry)]


def entry_order(kind: EntryKind, at: datetime, ref_id: int) -> tuple[datetime, int, int]:
    """Oldest first; at one instant a call before the task it opened, then by id."""
    return (at, _KIND_ORDER[kind], ref_id)


def build_timeline(client: ClientRecord, records: Records) -> Timeline:
    """The calls, tasks and messages of ``records`` with what belongs to each, oldest first.
    Rows that belong to a call, task or message not in ``records`` are left out."""
    transfers = _grouped(records.transfers, lambda row: row.call_id, lambda row: row.seq)
    referrals = _grouped(records.referrals, lambda row: row.call_id, lambda row: row.at)
    wrapups = {row.call_id: row for row in records.wrapups}
    dismissals = {row.call_id: row for row in records.dismissals}
    surveys = {row.call_id: row for row in records.surveys}
    opened = _grouped(
        (task for task in records.tasks if task.origin_call_id is not None),
        lambda task: task.origin_call_id or 0,
        lambda task: task.id,
    )
    windows = _grouped(records.windows, lambda row: row.task_id, lambda row: row.starts_at)
    attempts = _grouped(records.attempts, lambda row: row.task_id, lambda row: row.at)
    changes = _grouped(records.changes, lambda row: row.task_id, lambda row: row.at)
    entries: list[Entry] = [
        CallEntry(
            call=call,
            transfers=transfers.get(call.id, ()),
            wrapup=wrapups.get(call.id),
            dismissal=dismissals.get(call.id),
            referrals=referrals.get(call.id, ()),
            survey=surveys.get(call.id),
            task_ids=tuple(task.id for task in opened.get(call.id, ())),
        )
        for call in records.calls
    ]
    entries += [
        CallbackEntry(
            task=task,
            windows=windows.get(task.id, ()),
            attempts=attempts.get(task.id, ()),
            changes=changes.get(task.id, ()),
        )
        for task in records.tasks
    ]
    entries += _message_entries(records)
    ratings = {row.booking_id: row for row in records.visit_surveys}
    entries += [VisitEntry(visit, ratings.get(visit.id)) for visit in records.visits]
    entries.sort(key=lambda entry: entry_order(entry.kind, entry.at, entry.ref_id))
    return Timeline(client=client, entries=tuple(entries))


def _message_entries(records: Records) -> list[MessageEntry]:
    attachments = _grouped(records.attachments, lambda row: row.message_id, lambda row: row.id)
    notices = _grouped(records.notices, lambda row: row.message_id, lambda row: (row.at, row.id))
    surveys = _grouped(
        records.message_surveys, lambda row: row.message_id, lambda row: row.issued_at
    )
    return [
        MessageEntry(
            message=message,
            attachments=attachments.get(message.id, ()),
            notices=notices.get(message.id, ()),
            surveys=surveys.get(message.id, ()),
        )
        for message in records.messages
    ]


def _grouped(
    rows: Iterable[_R], key: Callable[[_R], int], order: Callable[[_R], Any]
) -> dict[int, tuple[_R, ...]]:
    found: dict[int, list[_R]] = defaultdict(list)
    for row in rows:
        found[key(row)].append(row)
    return {owner: tuple(sorted(items, key=order)) for owner, items in found.items()}
