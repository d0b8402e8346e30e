"""The written messages as the console lists them (``GET /messages``): the view model.

The database finds, orders and pages the messages (``models.message_queue``): the soonest
deadline still owed first, closed ones last. Views: every message, «Мои» (the signed-in
employee owns them), «Просроченные» (a deadline still owed has passed: the supervisor's list,
with how many working and calendar days) and «Без исполнителя». Whether a deadline is owed
and overdue is the rule of ``models.rules.message_deadlines``, against the line's local today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from agent_console.report_pages import Pager, href, pager
from models.message_labels import ABUSE_RU, INTAKE_RU, STATUS_RU
from models.message_queue import PAGE_SIZE, QueuePage, QueueRow, View
from models.rules.calendar import ProductionCalendar
from models.rules.message_deadlines import (
    Duty,
    DutyState,
    duty_state,
    lateness,
    next_due,
    overdue,
)
from models.rules.message_states import ABUSE_HELD
from models.tables import Client, MessageStatus, WrittenMessage
from models.topics import TOPIC_LABELS_RU

LIST_PATH = "/messages"
VIEW_LABELS_RU: dict[View, str] = {
    View.ALL: "Все",
    View.MINE: "Мои",
    View.OVERDUE: "Просроченные",
    View.UNASSIGNED: "Без исполнителя",
}


@dataclass(frozen=True, slots=True)
class Due:
    """A deadline as shown: the day; still owed, already past, or not needed at all."""

    day: str  # «dd.mm.yyyy»
    open: bool
    overdue: bool
    not_needed: bool = False  # W5: no answer on the merits


@dataclass(frozen=True, slots=True)
class Row:
    number: str
    href: str
    received: str
    intake: str
    sender: str
    contact: str
    topic: str
    urgent: bool
    primary: Due
    answer: Due
    state: str
    abuse: str  # "" unless suspected or confirmed
    abuse_due: Due | None  # W5: the notice's deadline, when there is one
    owner: str  # "" without one
    late: str  # «3 раб. дн. (5 кал. дн.)» in the overdue view, else ""


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    chosen: bool


@dataclass(frozen=True, slots=True)
class ViewTab:
    href: str
    label: str
    current: bool


@dataclass(frozen=True, slots=True)
class ListPage:
    rows: list[Row]
    query: str
    view: str
    states: list[Choice]
    tabs: list[ViewTab]
    pager: Pager
    lateness: bool  # the overdue view: the column of how late


def message_href(number: str) -> str:
    return f"{LIST_PATH}/{quote(number)}"


def due(day: date, state: DutyState, today: date) -> Due:
    owed = state is DutyState.OWED
    return Due(
        day=f"{day:%d.%m.%Y}",
        open=owed,
        overdue=owed and overdue(day, today),
        not_needed=state is DutyState.NOT_NEEDED,
    )


def duty_due(duty: Duty, day: date, message: WrittenMessage, today: date) -> Due:
    return due(day, duty_state(duty, message.status, message.abuse), today)


def abuse_due(message: WrittenMessage, today: date) -> Due | None:
    """The abuse notice's deadline (W5), when the message has one."""
    day = message.abuse_notice_due
    return duty_due(Duty.ABUSE_NOTICE, day, message, today) if day is not None else None


def sender_of(message: WrittenMessage, client: Client | None) -> str:
    if message.sender_name:
        return message.sender_name
    return (client.full_name or "") if client is not None else ""


def chosen_view(value: str) -> View:
    return View(value) if value in {v.value for v in View} else View.ALL


def chosen_status(value: str) -> MessageStatus | None:
    return MessageStatus(value) if value in {s.value for s in MessageStatus} else None


def page_of(text: str) -> int:
    return int(text) if text.isdigit() and len(text) <= 6 else 1


def list_page(
    found: QueuePage,
    *,
    view: View,
    status: MessageStatus | None,
    query: str,
    today: date,
    calendar: ProductionCalendar,
) -> ListPage:
    values = {
        name: [value]
        for name, value in (
            ("view", view.value if view is not View.ALL else ""),
            ("state", status.value if status else ""),
            ("q", query),
        )
        if value
    }
    late = view is View.OVERDUE
    return ListPage(
        rows=[_row(row, today, calendar, late) for row in found.rows],
        query=query,
        view=view.value,
        states=[Choice(s.value, STATUS_RU[s], s is status) for s in MessageStatus],
        tabs=[
            ViewTab(
                href(LIST_PATH, values, view=v.value if v is not View.ALL else ""), label, v is view
            )
            for v, label in VIEW_LABELS_RU.items()
        ],
        pager=pager(LIST_PATH, values, found.page, found.total, rows=PAGE_SIZE),
        lateness=late,
    )


def _row(found: QueueRow, today: date, calendar: ProductionCalendar, late: bool) -> Row:
    message, client = found.message, found.client
    contact = message.sender_email or message.sender_phone
    return Row(
        number=message.number,
        href=message_href(message.number),
        received=f"{message.received_at.astimezone(calendar.tz):%d.%m.%Y %H:%M}",
        intake=INTAKE_RU[message.intake],
        sender=sender_of(message, client) or "—",
        contact=contact,
        topic=TOPIC_LABELS_RU[message.topic] if message.topic else "—",
        urgent=message.urgent,
        primary=duty_due(Duty.PRIMARY, message.primary_due, message, today),
        answer=duty_due(Duty.ANSWER, message.answer_due, message, today),
        state=STATUS_RU[message.status],
        abuse=ABUSE_RU[message.abuse] if message.abuse in ABUSE_HELD else "",
        abuse_due=abuse_due(message, today),
        owner=found.owner.full_name if found.owner is not None else "",
        late=_late(message, today, calendar) if late else "",
    )


def _late(message: WrittenMessage, today: date, calendar: ProductionCalendar) -> str:
    day = next_due(message)
    if day is None:
        return ""
    passed = lateness(day, today, calendar)
    # No-break spaces: a number never parts from its unit at a line's end.
    working, days = passed.working_days, passed.calendar_days
    return f"{working}\u00a0раб.\u00a0дн. ({days}\u00a0кал.\u00a0дн.)"
