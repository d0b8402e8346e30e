"""Registering written messages (W2–W6, G1–G2): a number, the client, the deadlines.

Every way in — the console's form, the public web form, the mailbox — hands a
:class:`MessageDraft` to :func:`register_message`, which in one transaction finds or creates
the client (by e-mail, then by phone), works out the deadlines on the line's calendar
(``models.rules.message_deadlines``), flags suspected abuse for a person to review (W5,
``models.rules.abuse``; the notice's deadline is set from registration), numbers the message
(``ПО-<year>-<n>``, n counting up within the year) and stores it with its attachments. A
mail delivered twice (the same Message-ID) is registered once: the second delivery gets the
first one's number back; so is the console's form sent twice (its one-time key,
:attr:`MessageDraft.form_key`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.calendar_store import load_calendar
from models.db import session_scope
from models.line_store import clean_lines, clean_text
from models.phones import normalize_phone
from models.rules.abuse import find_abuse
from models.rules.message_deadlines import deadlines
from models.settings import Settings
from models.tables import (
    AbuseCheck,
    Channel,
    Client,
    MessageAttachment,
    MessageIntake,
    WrittenMessage,
)

NUMBER_PREFIX = "ПО"
NAME_MAX, ADDRESS_MAX, SUBJECT_MAX, BODY_MAX = 255, 2000, 255, 200_000
ABUSE_WORDS_MAX = 255  # written_messages.abuse_words
ATTEMPTS = 5  # two registrations racing for one number: the later one takes the next


@dataclass(frozen=True, slots=True)
class AttachmentDraft:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class MessageDraft:
    """A message as it came in; every text is the sender's and is stored cleaned."""

    intake: MessageIntake
    received_at: datetime
    registered_by: str  # a login, "web" or "mail"
    sender_name: str = ""
    sender_email: str = ""
    sender_phone: str = ""
    sender_address: str = ""
    subject: str = ""
    body: str = ""
    email_message_id: str | None = None
    form_key: str | None = None  # the console form's one-time key
    consent: bool = False
    attachments: tuple[AttachmentDraft, ...] = ()


@dataclass(frozen=True, slots=True)
class Registered:
    id: int
    number: str
    duplicate: bool  # the same mail was registered before: nothing new was stored


def register_message(engine: Engine, settings: Settings, draft: MessageDraft) -> Registered:
    """Registers ``draft`` (see the module docstring)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with session_scope(engine) as session:
                return _register(session, settings, draft)
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            with session_scope(engine) as session:
                known = _known(session, draft)
            if known is not None:
                return known
    raise AssertionError("unreachable")


def _register(session: Session, settings: Settings, draft: MessageDraft) -> Registered:
    known = _known(session, draft)
    if known is not None:
        return known
    calendar = load_calendar(session=session, settings=settings)
    due = deadlines(draft.received_at, calendar, statutory_days=settings.message_answer_days)
    client = _client(session, draft)
    subject, body = clean_text(draft.subject, SUBJECT_MAX), _clean_body(draft.body)
    # W5: suspected abuse waits for a person; the notice's clock runs from registration.
    abuse = find_abuse(f"{subject}\n{body}")
    message = WrittenMessage(
        number=_next_number(session, draft.received_at.astimezone(settings.tz).year),
        received_at=draft.received_at,
        intake=draft.intake,
        client_id=client.id if client else None,
        sender_name=clean_text(draft.sender_name, NAME_MAX),
        sender_email=clean_text(draft.sender_email, NAME_MAX),
        sender_phone=clean_text(draft.sender_phone, 64),
        sender_address=clean_text(draft.sender_address, ADDRESS_MAX),
        subject=subject,
        body=body,
        email_message_id=draft.email_message_id,
        form_key=draft.form_key,
        consent=draft.consent,
        primary_due=due.primary_due,
        answer_due=due.answer_due,
        abuse=AbuseCheck.SUSPECTED if abuse.found else AbuseCheck.CLEAN,
        abuse_words=abuse.listed(ABUSE_WORDS_MAX),
        abuse_notice_due=due.abuse_notice_due if abuse.found else None,
        registered_by=clean_text(draft.registered_by, 64),
    )
    session.add(message)
    session.flush()
    assert message.id is not None
    for attachment in draft.attachments:
        session.add(
            MessageAttachment(
                message_id=message.id,
                filename=clean_text(attachment.filename, 255) or "attachment",
                content_type=clean_text(attachment.content_type, 127),
                size=len(attachment.data),
                data=attachment.data,
            )
        )
    return Registered(message.id, message.number, duplicate=False)


def _known(session: Session, draft: MessageDraft) -> Registered | None:
    """The message this draft was registered as before: the same mail (Message-ID) or the
    same console form (its one-time key)."""
    for column, value in (
        (WrittenMessage.email_message_id, draft.email_message_id),
        (WrittenMessage.form_key, draft.form_key),
    ):
        if value is None:
            continue
        known = session.exec(select(WrittenMessage).where(col(column) == value)).first()
        if known is not None:
            assert known.id is not None
            return Registered(known.id, known.number, duplicate=True)
    return None


def _next_number(session: Session, year: int) -> str:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = session.exec(
        select(func.max(col(WrittenMessage.number))).where(
            col(WrittenMessage.number).startswith(prefix)
        )
    ).one()
    count = int(last.removeprefix(prefix)) if last else 0
    return f"{prefix}{count + 1:06d}"


def _client(session: Session, draft: MessageDraft) -> Client | None:
    """The sender's client record: by e-mail, then by phone; a new one when neither is known
    and the sender left a way to reach them (G1: the channel they wrote by)."""
    email = clean_text(draft.sender_email, NAME_MAX).strip().lower()
    phone = normalize_phone(draft.sender_phone) if draft.sender_phone else None
    if email:
        found = session.exec(select(Client).where(func.lower(col(Client.email)) == email)).first()
        if found is not None:
            return found
    if phone:
        found = session.exec(select(Client).where(col(Client.phone_e164) == phone)).first()
        if found is not None:
            found.email = found.email or (email or None)
            return found
    if not (email or phone or draft.sender_address.strip()):
        return None
    channel = (
        Channel.EMAIL
        if email
        else Channel.POST
        if draft.sender_address.strip()
        else (Channel.PHONE)
    )
    client = Client(
        phone_e164=phone,
        full_name=clean_text(draft.sender_name, NAME_MAX) or None,
        email=email or None,
        preferred_channel=channel,
        created_at=draft.received_at,
    )
    session.add(client)
    session.flush()
    return client


def _clean_body(text: str) -> str:
    """The message's text without control characters other than line breaks and tabs."""
    return clean_lines(text, BODY_MAX)
