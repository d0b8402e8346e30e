"""The console's form for registering a paper letter or a message taken by phone: what was
typed, and the reasons it cannot be registered yet (field → a Russian message).

The form carries a one-time key (``form_key``) made when it is opened; registering with a key
already used finds the message registered with it (``models.message_store``), so a double click
or a form sent again registers one message.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from models.message_labels import INTAKE_RU
from models.message_store import ADDRESS_MAX, NAME_MAX, SUBJECT_MAX, MessageDraft
from models.phones import normalize_phone
from models.tables import MessageIntake

STAFF_INTAKES: Final = (MessageIntake.PAPER, MessageIntake.PHONE)
KEY_BYTES = 24
_KEY = re.compile(r"[A-Za-z0-9_-]{20,64}")
# One address, no spaces, a dot in the domain: what a reply by e-mail needs.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
TEXT_MAX = 200_000


@dataclass(frozen=True, slots=True)
class IntakeChoice:
    value: str
    label: str
    chosen: bool


@dataclass(frozen=True, slots=True)
class MessageForm:
    form_key: str
    intake: str = MessageIntake.PAPER.value
    sender_name: str = ""
    sender_email: str = ""
    sender_phone: str = ""
    sender_address: str = ""
    subject: str = ""
    body: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def intakes(self) -> list[IntakeChoice]:
        return [IntakeChoice(i.value, INTAKE_RU[i], i.value == self.intake) for i in STAFF_INTAKES]


def blank_form() -> MessageForm:
    return MessageForm(form_key=secrets.token_urlsafe(KEY_BYTES))


def form_errors(form: MessageForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if form.intake not in {i.value for i in STAFF_INTAKES}:
        errors["intake"] = "Выберите, как пришло обращение: письмо или телефон."
    if not form.sender_name.strip():
        errors["sender_name"] = "Укажите, от кого обращение."
    elif len(form.sender_name) > NAME_MAX:
        errors["sender_name"] = f"Имя — не длиннее {NAME_MAX} символов."
    email = form.sender_email.strip()
    if email and (len(email) > NAME_MAX or _EMAIL.fullmatch(email) is None):
        errors["sender_email"] = "Это не адрес электронной почты (пример: ivanova@mail.ru)."
    phone = form.sender_phone.strip()
    if phone and normalize_phone(phone) is None:
        errors["sender_phone"] = "Это не номер телефона (пример: 8 928 123-45-67)."
    if len(form.sender_address) > ADDRESS_MAX:
        errors["sender_address"] = f"Адрес — не длиннее {ADDRESS_MAX} символов."
    if not (email or phone or form.sender_address.strip()) and "sender_email" not in errors:
        errors["sender_address"] = "Укажите, куда ответить: e-mail, телефон или почтовый адрес."
    if len(form.subject) > SUBJECT_MAX:
        errors["subject"] = f"Тема — не длиннее {SUBJECT_MAX} символов."
    if not form.body.strip():
        errors["body"] = "Текст обращения не может быть пустым."
    elif len(form.body) > TEXT_MAX:
        errors["body"] = f"Текст — не длиннее {TEXT_MAX} символов."
    if _KEY.fullmatch(form.form_key) is None:
        errors["form"] = "Форма устарела: откройте регистрацию обращения заново."
    return errors


def draft_of(form: MessageForm, *, now: datetime, login: str) -> MessageDraft:
    """The checked form as a message to register (``form_errors`` found nothing)."""
    return MessageDraft(
        intake=MessageIntake(form.intake),
        received_at=now,
        registered_by=login,
        sender_name=form.sender_name.strip(),
        sender_email=form.sender_email.strip(),
        sender_phone=form.sender_phone.strip(),
        sender_address=form.sender_address.strip(),
        subject=form.subject.strip(),
        body=form.body.strip(),
        form_key=form.form_key,
    )
