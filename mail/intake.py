"""A received mail registered as a written message (W2–W6, G1): :meth:`MailIntake.deliver` is
the receiver's ``deliver``.

The message: intake «почта», registered by ``mail``; the sender's name and address from From
(the envelope sender's address when the mail has none), the subject, the text, the instant the
line received the mail (the deadlines count from it), the Message-ID and the files kept. What
the message's fields cannot hold is in the line's note after the text (``mail.intake_note``):
a mail without text, files not kept and why, a subject or a text too long (the text in full as
an attachment), a mail long on its way.

Registration runs in a worker thread: the database must not stall the loop that also serves
the web and FastAGI. A failure (the database away) is counted for /health and raised: the
receiver answers 451 and the sending server tries again later. A second delivery of the same
mail (its Message-ID) stores nothing and is answered 250: the store recognises it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from mail.intake_note import FULL_TEXT_FILENAME, NoteFacts, intake_note, with_note
from mail.intake_status import IntakeWatch
from mail.parse import AttachmentRules, ReceivedMail
from models.message_store import (
    BODY_MAX,
    SUBJECT_MAX,
    AttachmentDraft,
    MessageDraft,
    register_message,
)
from models.os_errors import os_error_reason
from models.settings import Settings
from models.tables import MessageIntake

log = logging.getLogger(__name__)

REGISTERED_BY = "mail"
_ERROR_CHARS = 200


def message_draft(
    mail: ReceivedMail, received_at: datetime, rules: AttachmentRules, tz: tzinfo
) -> MessageDraft:
    """The message ``mail`` becomes; ``tz``: the line's zone (dates in the note)."""
    facts = NoteFacts(
        text_empty=not mail.text.strip(),
        refused=mail.refused_attachments,
        rules=rules,
        full_subject=mail.subject if len(mail.subject) > SUBJECT_MAX else None,
        sent_at=mail.sent_at,
        received_at=received_at,
    )
    files = [AttachmentDraft(a.filename, a.content_type, a.content) for a in mail.attachments]
    body = with_note(mail.text, intake_note(facts, tz))
    if len(body) > BODY_MAX:
        note = intake_note(replace(facts, text_cut=True), tz)
        body = with_note(mail.text[: BODY_MAX - len(note) - 2], note)
        files.append(AttachmentDraft(FULL_TEXT_FILENAME, "text/plain", mail.text.encode()))
    return MessageDraft(
        intake=MessageIntake.EMAIL,
        received_at=received_at,
        registered_by=REGISTERED_BY,
        sender_name=mail.from_name,
        sender_email=mail.from_address,
        subject=mail.subject,
        body=body,
        email_message_id=mail.message_id,
        attachments=tuple(files),
    )


class MailNotStoredError(Exception):
    """The database refused the mail; the message says why, in Russian."""


class MailIntake:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        clock: Callable[[], datetime],
        watch: IntakeWatch | None = None,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._clock = clock
        self._rules = AttachmentRules.from_settings(settings)
        self._watch = watch or IntakeWatch()

    async def deliver(self, mail: ReceivedMail) -> None:
        """Registers ``mail``; raises when it could not be stored (the receiver's 451)."""
        draft = message_draft(mail, self._clock(), self._rules, self._settings.tz)
        try:
            registered = await asyncio.to_thread(
                register_message, self._engine, self._settings, draft
            )
        except SQLAlchemyError as exc:
            reason = failure_reason(exc)
            self._watch.deferred(reason)
            # Without the statement and its values (the sender's text) in the receiver's log.
            raise MailNotStoredError(reason) from None
        except Exception as exc:
            self._watch.deferred(failure_reason(exc))
            raise
        self._watch.stored(duplicate=registered.duplicate)
        if registered.duplicate:
            log.info("письмо %s уже зарегистрировано: %s", mail.message_id, registered.number)
        else:
            log.info("письмо %s зарегистрировано: %s", mail.message_id, registered.number)


def failure_reason(exc: BaseException) -> str:
    """Why a mail was not stored, in Russian, without the statement or its values (the
    sender's personal data)."""
    if isinstance(exc, OperationalError | InterfaceError):
        detail = str(exc.orig).strip().splitlines()[0][:_ERROR_CHARS] if exc.orig else ""
        return f"база данных недоступна: {detail}" if detail else "база данных недоступна"
    if isinstance(exc, SQLAlchemyError):
        return f"ошибка базы данных ({type(exc).__name__})"
    if isinstance(exc, OSError):
        return os_error_reason(exc)
    return f"внутренняя ошибка ({type(exc).__name__})"
