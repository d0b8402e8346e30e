"""A received message (its bytes as the SMTP DATA carried them) as a ``ReceivedMail``.

Never raises on the message's content: a header the email package cannot read is read
leniently or left empty, a body in an unknown or broken charset is decoded with replacement,
a mail with no text has text "". Nothing is silently dropped: an attachment of a type not
allowed or over the size limit is listed in ``refused_attachments`` with the reason, and the
message is registered all the same.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr
from enum import StrEnum

from mail.clean import body_text, one_line, safe_filename
from mail.message_id import normalised_message_id, synthesized_message_id
from mail.parts import file_bytes, sort_parts, unescaped
from mail.sizes import human_size
from models.mail_settings import MailSettings

log = logging.getLogger(__name__)

_GENERIC_TYPE = "application/octet-stream"


class RefusalReason(StrEnum):
    TYPE_NOT_ALLOWED = "type_not_allowed"
    TOO_LARGE = "too_large"


@dataclass(frozen=True)
class AttachmentRules:
    allowed_types: frozenset[str]
    max_bytes: int

    @classmethod
    def from_settings(cls, settings: MailSettings) -> AttachmentRules:
        return cls(settings.allowed_attachment_types, settings.mail_attachment_max_bytes)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class RefusedAttachment:
    filename: str
    content_type: str
    size: int
    reason: RefusalReason

    def explanation(self, rules: AttachmentRules) -> str:
        """Why the file was not kept, for the people handling the message."""
        if self.reason is RefusalReason.TOO_LARGE:
            return f"файл больше {human_size(rules.max_bytes)}"
        return f"тип файла {self.content_type} не разрешён"


@dataclass(frozen=True)
class ReceivedMail:
    message_id: str
    from_name: str
    from_address: str
    subject: str
    sent_at: datetime | None
    text: str
    attachments: tuple[Attachment, ...]
    refused_attachments: tuple[RefusedAttachment, ...]


def parse_mail(raw: bytes, rules: AttachmentRules, *, envelope_sender: str = "") -> ReceivedMail:
    """``envelope_sender`` (SMTP MAIL FROM) is the address when the mail has no From."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # policy.default's message class
    from_name, from_address = _sender(message)
    sorted_parts = sort_parts(message)
    kept, refused = _files(sorted_parts.files, rules)
    return ReceivedMail(
        message_id=normalised_message_id(_header(message, "Message-ID"))
        or synthesized_message_id(raw),
        from_name=from_name,
        from_address=from_address or one_line(envelope_sender),
        subject=one_line(_header(message, "Subject")),
        sent_at=_sent_at(message),
        text=body_text(
            "\n\n".join(text.strip("\r\n") for text in sorted_parts.texts if text.strip())
        ),
        attachments=kept,
        refused_attachments=refused,
    )


def _header(message: EmailMessage, name: str) -> str:
    """A header's decoded value; a header the strict parser trips on, decoded leniently."""
    raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), "")
    if raw != unescaped(raw):  # raw 8-bit (UTF-8 or a Russian 8-bit charset), not RFC 2047
        return unescaped(raw)
    try:
        return str(message.get(name, ""))
    except Exception:  # the email package has raised on malformed headers before
        log.warning("mail header %s unreadable, decoded leniently", name)
    try:
        return str(make_header(decode_header(raw)))
    except Exception:
        return raw


def _sender(message: EmailMessage) -> tuple[str, str]:
    try:
        addresses = getattr(message.get("From"), "addresses", ())
        first = addresses[0] if addresses else None
        if isinstance(first, Address) and first.addr_spec:
            return one_line(unescaped(first.display_name)), one_line(unescaped(first.addr_spec))
    except Exception:
        log.warning("mail From header unreadable, read leniently")
    name, address = parseaddr(_header(message, "From"))
    return one_line(name), one_line(address)


def _sent_at(message: EmailMessage) -> datetime | None:
    try:
        sent = getattr(message.get("Date"), "datetime", None)
    except Exception:
        return None
    if not isinstance(sent, datetime):
        return None
    # "-0000" (RFC 5322: the time is UTC, the sender's zone unknown) parses as naive.
    return sent if sent.tzinfo is not None else sent.replace(tzinfo=UTC)


def _files(
    parts: list[Message], rules: AttachmentRules
) -> tuple[tuple[Attachment, ...], tuple[RefusedAttachment, ...]]:
    kept: list[Attachment] = []
    refused: list[RefusedAttachment] = []
    for number, part in enumerate(parts, start=1):
        raw_name = _filename(part)
        content_type = _content_type(part, raw_name)
        filename = safe_filename(raw_name, content_type, number)
        content = file_bytes(part)
        if content_type not in rules.allowed_types:
            reason: RefusalReason | None = RefusalReason.TYPE_NOT_ALLOWED
        else:
            reason = RefusalReason.TOO_LARGE if len(content) > rules.max_bytes else None
        if reason is None:
            kept.append(Attachment(filename, content_type, content))
        else:
            refused.append(RefusedAttachment(filename, content_type, len(content), reason))
    return tuple(kept), tuple(refused)


def _filename(part: Message) -> str | None:
    try:
        return part.get_filename()
    except Exception:
        return None


def _content_type(part: Message, filename: str | None) -> str:
    """The declared type; for the generic ``application/octet-stream`` (many mailers send
    every file so), the type its file name's extension says."""
    declared = part.get_content_type().lower()
    if declared == _GENERIC_TYPE and filename:
        guessed, _ = mimetypes.guess_type(filename, strict=False)
        return guessed.lower() if guessed else declared
    return declared
