"""The written messages as the console lists them (``GET /messages``): the view model.

A message's next deadline is the earliest one still open: the primary answer (W6) until it
went out, the substantive answer (W3–W4) until the message is closed. The list is sorted by it,
soonest first; closed messages come last, newest first. A deadline before the line's local
today is overdue. The search matches the number, the sender's name and e-mail (any case) and
the phone number, however it was typed (``models.phones.normalize_phone``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from urllib.parse import quote

from sqlmodel import Session, col, select

from models.message_labels import INTAKE_RU, OPEN_STATES, STATUS_RU
from models.phones import normalize_phone
from models.tables import Client, MessageStatus, WrittenMessage
from models.topics import TOPIC_LABELS_RU

OVERDUE = "просрочено"


@dataclass(frozen=True, slots=True)
class Due:
    """A deadline as shown: the day, and whether it is still owed and already past."""

    day: str  # «dd.mm.yyyy»
    open: bool
    overdue: bool


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


@dataclass(frozen=True, slots=True)
class StateChoice:
    value: str
    label: str
    chosen: bool


@dataclass(frozen=True, slots=True)
class ListPage:
    rows: list[Row]
    query: str
    states: list[StateChoice]
    notice: str = ""


def message_href(number: str) -> str:
    return f"/messages/{quote(number)}"


def primary_open(message: WrittenMessage) -> bool:
    return message.status is MessageStatus.REGISTERED


def answer_open(message: WrittenMessage) -> bool:
    return message.status in OPEN_STATES


def due(day: date, still_open: bool, today: date) -> Due:
    return Due(f"{day:%d.%m.%Y}", still_open, still_open and day < today)


def next_due(message: WrittenMessage) -> date | None:
    """The earliest deadline still open; None for a closed message."""
    owed = [
        day
        for day, still_open in (
            (message.primary_due, primary_open(message)),
            (message.answer_due, answer_open(message)),
        )
        if still_open
    ]
    return min(owed, default=None)


def matches(message: WrittenMessage, client: Client | None, query: str) -> bool:
    """The search (see the module's doc); an empty query matches every message."""
    wanted = query.strip().casefold()
    if not wanted:
        return True
    texts = [message.number, message.sender_name, message.sender_email]
    if client is not None:
        texts += [client.full_name or "", client.email or ""]
    if any(wanted in text.casefold() for text in texts if text):
        return True
    phone = normalize_phone(query)
    if phone is None:
        return False
    phones = {normalize_phone(message.sender_phone) if message.sender_phone else None}
    if client is not None:
        phones.add(client.phone_e164)
    return phone in phones


def load_rows(
    session: Session, *, state: MessageStatus | None, query: str, today: date, tz: tzinfo
) -> list[Row]:
    select_all = select(WrittenMessage, Client).outerjoin(
        Client, col(Client.id) == col(WrittenMessage.client_id)
    )
    if state is not None:
        select_all = select_all.where(col(WrittenMessage.status) == state)
    found = [(m, c) for m, c in session.exec(select_all) if matches(m, c, query)]
    opened = sorted(
        ((m, c) for m, c in found if next_due(m) is not None),
        key=lambda pair: (next_due(pair[0]), pair[0].received_at, pair[0].id),
    )
    closed = sorted(
        ((m, c) for m, c in found if next_due(m) is None),
        key=lambda pair: (pair[0].received_at, pair[0].id),
        reverse=True,
    )
    return [_row(m, c, today, tz) for m, c in (*opened, *closed)]


def sender_of(message: WrittenMessage, client: Client | None) -> str:
    if message.sender_name:
        return message.sender_name
    return (client.full_name or "") if client is not None else ""


def _row(message: WrittenMessage, client: Client | None, today: date, tz: tzinfo) -> Row:
    contact = message.sender_email or message.sender_phone
    return Row(
        number=message.number,
        href=message_href(message.number),
        received=f"{message.received_at.astimezone(tz):%d.%m.%Y %H:%M}",
        intake=INTAKE_RU[message.intake],
        sender=sender_of(message, client) or "—",
        contact=contact,
        topic=TOPIC_LABELS_RU[message.topic] if message.topic else "—",
        urgent=message.urgent,
        primary=due(message.primary_due, primary_open(message), today),
        answer=due(message.answer_due, answer_open(message), today),
        state=STATUS_RU[message.status],
    )


def state_choices(chosen: MessageStatus | None) -> list[StateChoice]:
    return [StateChoice(s.value, STATUS_RU[s], s is chosen) for s in MessageStatus]
