"""One written message as the console shows it (``GET /messages/{number}``): its facts and
deadlines, the notices sent for it, and how its attachments are handed out: always as a
download, never shown in the console's origin. The handling forms are
``agent_console.message_handling_forms``'s.

A stored content type is kept only for PDF, PNG and JPEG; anything else (HTML and SVG above
all: the sender's files) goes out as ``application/octet-stream``. The file name is the
sender's: the header gets an ASCII stand-in and the real name percent-encoded (RFC 6266).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Final
from urllib.parse import quote

from sqlmodel import Session, col, select

from agent_console.message_handling_forms import Handling
from agent_console.message_list import Due, abuse_due, duty_due, message_href, sender_of
from client_history.labels import CHANNEL_LABELS_RU
from client_history.reference import ref_path
from models.message_labels import (
    ABUSE_RU,
    INTAKE_RU,
    NOTICE_KIND_RU,
    NOTICE_STATE_RU,
    STATUS_RU,
)
from models.rules.message_actions import allowed_notices
from models.rules.message_deadlines import Duty
from models.tables import (
    Client,
    Employee,
    MessageAttachment,
    MessageNotice,
    NoticeKind,
    NoticeState,
    WrittenMessage,
)
from models.topics import TOPIC_LABELS_RU

SERVED_AS_IS: Final = frozenset({"application/pdf", "image/png", "image/jpeg"})
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class AttachmentLink:
    href: str
    filename: str
    size: str
    content_type: str


@dataclass(frozen=True, slots=True)
class NoticeRow:
    """A notice or answer sent for the message by one channel (G1–G2)."""

    kind: str
    channel: str
    to: str
    state: str
    failed: bool
    at: str
    by: str
    error: str


@dataclass(frozen=True, slots=True)
class NoticeLink:
    href: str
    label: str


@dataclass(frozen=True, slots=True)
class MessagePage:
    number: str
    received: str
    intake: str
    registered_by: str
    state: str
    sender_name: str
    sender_email: str
    sender_phone: str
    sender_address: str
    client_href: str  # "" without a client record
    client_label: str
    topic: str
    need: str
    urgent: bool
    urgency_note: str
    abuse: str
    abuse_words: str
    owner: str
    subject: str
    body: str
    primary: Due
    answer: Due
    abuse_notice: Due | None
    attachments: list[AttachmentLink]
    notices: list[NoticeRow]
    notice_links: list[NoticeLink]  # empty for those who do not send notices
    notice: str = ""
    forms: Handling | None = None  # the handling forms; None for those who do not handle


def load_message(session: Session, number: str) -> tuple[WrittenMessage, Client | None] | None:
    message = session.exec(
        select(WrittenMessage).where(col(WrittenMessage.number) == number)
    ).first()
    if message is None:
        return None
    client = session.get(Client, message.client_id) if message.client_id is not None else None
    return message, client


def message_page(
    session: Session,
    message: WrittenMessage,
    client: Client | None,
    today: date,
    tz: tzinfo,
    *,
    sends_notices: bool,
) -> MessagePage:
    """The page's facts; ``sends_notices``: the viewer may send notices (links to them)."""
    assert message.id is not None
    attachments = session.exec(
        select(MessageAttachment)
        .where(col(MessageAttachment.message_id) == message.id)
        .order_by(col(MessageAttachment.id))
    ).all()
    owner = session.get(Employee, message.owner_id) if message.owner_id is not None else None
    return MessagePage(
        number=message.number,
        received=f"{message.received_at.astimezone(tz):%d.%m.%Y %H:%M}",
        intake=INTAKE_RU[message.intake],
        registered_by=message.registered_by,
        state=STATUS_RU[message.status],
        sender_name=sender_of(message, client),
        sender_email=message.sender_email,
        sender_phone=message.sender_phone,
        sender_address=message.sender_address,
        client_href=ref_path(client.id) if client is not None and client.id else "",
        client_label=f"Клиент № {client.id}" if client is not None else "",
        topic=TOPIC_LABELS_RU[message.topic] if message.topic else "не указана",
        need=message.need,
        urgent=message.urgent,
        urgency_note=message.urgency_note,
        abuse=ABUSE_RU[message.abuse],
        abuse_words=message.abuse_words,
        owner=owner.full_name if owner is not None else "",
        subject=message.subject,
        body=message.body,
        primary=duty_due(Duty.PRIMARY, message.primary_due, message, today),
        answer=duty_due(Duty.ANSWER, message.answer_due, message, today),
        abuse_notice=abuse_due(message, today),
        attachments=[
            AttachmentLink(
                href=f"{message_href(message.number)}/attachments/{a.id}",
                filename=a.filename,
                size=_size(a.size),
                content_type=a.content_type,
            )
            for a in attachments
        ],
        notices=_notices(session, message.id, tz),
        notice_links=notice_links(message) if sends_notices else [],
    )


def notice_links(message: WrittenMessage) -> list[NoticeLink]:
    """Links to send the notices allowed now (``models.rules.message_actions``), in the
    order of :class:`NoticeKind`."""
    allowed = allowed_notices(message.status, message.abuse)
    base = f"{message_href(message.number)}/notices/new"
    return [
        NoticeLink(f"{base}?kind={kind.value}", NOTICE_KIND_RU[kind].capitalize())
        for kind in NoticeKind
        if kind in allowed
    ]


def _notices(session: Session, message_id: int, tz: tzinfo) -> list[NoticeRow]:
    sent = session.exec(
        select(MessageNotice)
        .where(col(MessageNotice.message_id) == message_id)
        .order_by(col(MessageNotice.at), col(MessageNotice.id))
    ).all()
    return [
        NoticeRow(
            kind=NOTICE_KIND_RU[notice.kind],
            channel=CHANNEL_LABELS_RU[notice.channel],
            to=notice.to_address,
            state=NOTICE_STATE_RU[notice.state],
            failed=notice.state is NoticeState.FAILED,
            at=f"{notice.at.astimezone(tz):%d.%m.%Y %H:%M}",
            by=notice.by,
            error=notice.error,
        )
        for notice in sent
    ]


def served_type(stored: str) -> str:
    kind = stored.split(";", 1)[0].strip().lower()
    return kind if kind in SERVED_AS_IS else "application/octet-stream"


def disposition(filename: str) -> str:
    """``Content-Disposition`` for a download of the sender's file ``filename``."""
    ascii_name = _UNSAFE_ASCII.sub("_", filename).strip("._") or "attachment"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} Б"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} КБ"
    return f"{size / 1024 / 1024:.1f} МБ"
