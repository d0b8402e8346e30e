"""Which rows of the interaction history are past their term (G3), as SQL conditions.

The history is kept by *case*: a call, or a callback task with the calls it came from or
gathered (``callback_tasks.origin_call_id``, ``calls.callback_task_id``). A case stays whole
while any part of it is younger than the cut-off, so the handling of a question is never kept
without the question, nor the question without its handling:

* a call is dated by its arrival; what hangs off it (transfers, the wrap-up, the referral, a
  dismissed wrap-up, the survey answer) shares the call's fate;
* a callback task is past its term when it is closed (an open task is live work, whatever its
  age) and its request, closing, every attempt, change, agreed window and linked call all
  lie before the cut-off; its windows, attempts and changes share its fate;
* a call linked to a task that is not past its term stays;
* a written message is dated by its closing (``closed_at``), or by its arrival when it was
  never closed, and is past its term when that instant and every notice sent for it and every
  survey link of it (issued or answered) lie before the cut-off; its attachments, notices and
  survey share its fate;
* a personal visit's booking is dated by the visit (``starts_at``) and is past its term when
  that instant, its cancellation and its rating (issued or answered) lie before the cut-off;
  its cancellation links, rating and reminders (every table whose foreign key names
  ``visit_bookings``: :func:`visit_children`) share its fate;
* a client record goes when it is older than the cut-off and none of its calls, tasks and
  messages stays. A client the audit log names is anonymised instead of deleted (phone, name
  and e-mail blanked): the log of who read or exported personal data is kept as it is. A
  client with a visit booking still kept stays.

Every subquery works on its own alias, so a condition can be nested in another (a task's
calls inside a call's tasks) without correlating to the wrong row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, FromClause, Table, and_, exists, func, or_
from sqlmodel import SQLModel

import models.tables  # noqa: F401 — every table in the metadata
from models.rules.callbacks import ACTIVE_STATUSES


def table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


CALLS = table("calls")
TASKS = table("callback_tasks")
CLIENTS = table("clients")
AUDIT = table("audit_log")
MESSAGES = table("written_messages")
NOTICES = table("message_notices")
SURVEY_LINKS = table("message_surveys")
VISITS = table("visit_bookings")
VISIT_SURVEYS = table("visit_surveys")
ACTIVE = tuple(ACTIVE_STATUSES)


class Part(StrEnum):
    """What the purge removes or blanks, in the order it is reported."""

    CALLS = "calls"
    CALL_TRANSFERS = "call_transfers"
    CALL_WRAPUPS = "call_wrapups"
    CALL_REFERRALS = "call_referrals"
    WRAPUP_DISMISSALS = "wrapup_dismissals"
    SURVEY_RESPONSES = "survey_responses"
    CALLBACK_TASKS = "callback_tasks"
    CALLBACK_WINDOWS = "callback_windows"
    CALLBACK_ATTEMPTS = "callback_attempts"
    CALLBACK_TASK_CHANGES = "callback_task_changes"
    WRITTEN_MESSAGES = "written_messages"
    MESSAGE_ATTACHMENTS = "message_attachments"
    MESSAGE_NOTICES = "message_notices"
    MESSAGE_SURVEYS = "message_surveys"
    VISIT_BOOKINGS = "visit_bookings"
    VISIT_CANCEL_LINKS = "visit_cancel_links"
    VISIT_SURVEYS = "visit_surveys"
    VISIT_REMINDERS = "visit_reminders"
    CLIENTS_DELETED = "clients_deleted"
    CLIENTS_ANONYMISED = "clients_anonymised"


@dataclass(frozen=True, slots=True)
class Child:
    """A table whose rows each belong to one row of a parent and go with it; a row without a
    date of its own (``date_column`` None) is dated by its parent."""

    part: Part
    table: Table
    parent_key: str
    date_column: str | None


CALL_CHILDREN: tuple[Child, ...] = (
    Child(Part.CALL_TRANSFERS, table("call_transfers"), "call_id", "at"),
    Child(Part.CALL_WRAPUPS, table("call_wrapups"), "call_id", "created_at"),
    Child(Part.CALL_REFERRALS, table("call_referrals"), "call_id", "at"),
    Child(Part.WRAPUP_DISMISSALS, table("wrapup_dismissals"), "call_id", "at"),
    Child(Part.SURVEY_RESPONSES, table("survey_responses"), "call_id", "created_at"),
)
TASK_CHILDREN: tuple[Child, ...] = (
    Child(Part.CALLBACK_WINDOWS, table("callback_windows"), "task_id", "starts_at"),
    Child(Part.CALLBACK_ATTEMPTS, table("callback_attempts"), "task_id", "at"),
    Child(Part.CALLBACK_TASK_CHANGES, table("callback_task_changes"), "task_id", "at"),
)
MESSAGE_CHILDREN: tuple[Child, ...] = (
    Child(Part.MESSAGE_ATTACHMENTS, table("message_attachments"), "message_id", None),
    Child(Part.MESSAGE_NOTICES, NOTICES, "message_id", "at"),
    Child(Part.MESSAGE_SURVEYS, SURVEY_LINKS, "message_id", "issued_at"),
)


# The tables of a booking's rows with a part of their own; any other table whose foreign key
# names ``visit_bookings`` (added later) would go unreported: ``visit_children`` refuses it.
_VISIT_PARTS: dict[str, tuple[Part, str | None]] = {
    "visit_cancel_links": (Part.VISIT_CANCEL_LINKS, "issued_at"),
    "visit_surveys": (Part.VISIT_SURVEYS, "issued_at"),
    "visit_reminders": (Part.VISIT_REMINDERS, None),  # dated by the visit
}


def visit_children() -> tuple[Child, ...]:
    """Every table with a foreign key to ``visit_bookings``, by that key: the cancellation
    links, the rating, the reminders. A table named there without a part is an error, so that
    a new one is not left behind by the purge (its foreign key would refuse the delete)."""
    found = []
    for child in SQLModel.metadata.sorted_tables:
        for key in child.foreign_keys:
            if key.column.table is not VISITS:
                continue
            if child.name not in _VISIT_PARTS:
                raise LookupError(f"{child.name} names visit_bookings but has no retention part")
            part, date_column = _VISIT_PARTS[child.name]
            found.append(Child(part, child, key.parent.name, date_column))
    return tuple(found)


VISIT_CHILDREN: tuple[Child, ...] = visit_children()


def task_expired(task: FromClause, cutoff: datetime) -> ColumnElement[bool]:
    """``task`` (an alias of callback_tasks) is closed and nothing of its case is recent."""
    windows, attempts, changes = (child.table.alias() for child in TASK_CHILDREN)
    attached, origin = CALLS.alias(), CALLS.alias()
    return and_(
        # "Not active" rather than "one of the closed ones": also keeps the status index out
        # of the purge's scan in id order (SQLite would sort all closed tasks per batch).
        task.c.status.not_in(ACTIVE),
        task.c.requested_at < cutoff,
        or_(task.c.closed_at.is_(None), task.c.closed_at < cutoff),
        ~exists().where(windows.c.task_id == task.c.id, windows.c.starts_at >= cutoff),
        ~exists().where(attempts.c.task_id == task.c.id, attempts.c.at >= cutoff),
        ~exists().where(changes.c.task_id == task.c.id, changes.c.at >= cutoff),
        ~exists().where(attached.c.callback_task_id == task.c.id, attached.c.arrived_at >= cutoff),
        ~exists().where(origin.c.id == task.c.origin_call_id, origin.c.arrived_at >= cutoff),
    )


def call_expired(call: FromClause, cutoff: datetime) -> ColumnElement[bool]:
    """``call`` (an alias of calls) arrived before the cut-off and no task it belongs to stays."""
    attached_to, opened = TASKS.alias(), TASKS.alias()
    return and_(
        call.c.arrived_at < cutoff,
        ~exists().where(
            attached_to.c.id == call.c.callback_task_id, ~task_expired(attached_to, cutoff)
        ),
        ~exists().where(opened.c.origin_call_id == call.c.id, ~task_expired(opened, cutoff)),
    )


def message_dated(message: FromClause) -> ColumnElement[datetime]:
    """The instant a message's term counts from: its closing, or its arrival if never closed."""
    return func.coalesce(message.c.closed_at, message.c.received_at)


def message_expired(message: FromClause, cutoff: datetime) -> ColumnElement[bool]:
    """``message`` (an alias of written_messages) and everything sent for it lie before the
    cut-off."""
    notices, surveys = NOTICES.alias(), SURVEY_LINKS.alias()
    return and_(
        message_dated(message) < cutoff,
        ~exists().where(notices.c.message_id == message.c.id, notices.c.at >= cutoff),
        ~exists().where(
            surveys.c.message_id == message.c.id,
            or_(surveys.c.issued_at >= cutoff, surveys.c.answered_at >= cutoff),
        ),
    )


def visit_expired(visit: FromClause, cutoff: datetime) -> ColumnElement[bool]:
    """``visit`` (an alias of visit_bookings) was booked, held or cancelled and rated before
    the cut-off."""
    surveys = VISIT_SURVEYS.alias()
    return and_(
        visit.c.starts_at < cutoff,
        visit.c.booked_at < cutoff,
        or_(visit.c.cancelled_at.is_(None), visit.c.cancelled_at < cutoff),
        ~exists().where(
            surveys.c.booking_id == visit.c.id,
            or_(surveys.c.issued_at >= cutoff, surveys.c.answered_at >= cutoff),
        ),
    )


def client_expired(client: FromClause, cutoff: datetime) -> ColumnElement[bool]:
    """``client`` (an alias of clients) is older than the cut-off and none of its calls, tasks,
    messages and visit bookings stays. Other channels' tables that name a client belong here
    too."""
    calls, tasks, messages = CALLS.alias(), TASKS.alias(), MESSAGES.alias()
    visits = VISITS.alias()
    return and_(
        client.c.created_at < cutoff,
        ~exists().where(visits.c.client_id == client.c.id, ~visit_expired(visits, cutoff)),
        ~exists().where(calls.c.client_id == client.c.id, ~call_expired(calls, cutoff)),
        ~exists().where(tasks.c.client_id == client.c.id, ~task_expired(tasks, cutoff)),
        ~exists().where(messages.c.client_id == client.c.id, ~message_expired(messages, cutoff)),
    )


def audited(client: FromClause) -> ColumnElement[bool]:
    """The audit log names ``client``: its row must stay for the log's sake."""
    audit = AUDIT.alias()
    return exists().where(audit.c.client_id == client.c.id)


def anonymised(client: FromClause) -> ColumnElement[bool]:
    return and_(
        client.c.phone_e164.is_(None), client.c.full_name.is_(None), client.c.email.is_(None)
    )


ANONYMOUS_CLIENT = {"phone_e164": None, "full_name": None, "email": None}
