"""One written message as the console shows it (``GET /messages/{number}``), and how its
attachments are handed out: always as a download, never shown in the console's origin.

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

from agent_console.message_list import (
    Due,
    answer_open,
    due,
    message_href,
    primary_open,
    sender_of,
)
from client_history.reference import ref_path
from models.message_labels import INTAKE_RU, STATUS_RU
from models.tables import Client, MessageAttachment, MessageStatus, WrittenMessage
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
    urgent: bool
    subject: str
    body: str
    primary: Due
    answer: Due
    abuse_notice: Due | None
    attachments: list[AttachmentLink]
    notice: str = ""


def load_message(session: Session, number: str) -> tuple[WrittenMessage, Client | None] | None:
    message = session.exec(
        select(WrittenMessage).where(col(WrittenMessage.number) == number)
    ).first()
    if message is None:
        return None
    client = session.get(Client, message.client_id) if message.client_id is not None else None
    return message, client


def message_page(
    session: Session, message: WrittenMessage, client: Client | None, today: date, tz: tzinfo
) -> MessagePage:
    assert message.id is not None
    attachments = session.exec(
        select(MessageAttachment)
        .where(col(MessageAttachment.message_id) == message.id)
        .order_by(col(MessageAttachment.id))
    ).all()
    abuse_open = message.status is not MessageStatus.ABUSIVE
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
        urgent=message.urgent,
        subject=message.subject,
        body=message.body,
        primary=due(message.primary_due, primary_open(message), today),
        answer=due(message.answer_due, answer_open(message), today),
        abuse_notice=due(message.abuse_notice_due, abuse_open, today)
        if message.abuse_notice_due
        else None,
        attachments=[
            AttachmentLink(
                href=f"{message_href(message.number)}/attachments/{a.id}",
                filename=a.filename,
                size=_size(a.size),
                content_type=a.content_type,
            )
            for a in attachments
        ],
    )


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
