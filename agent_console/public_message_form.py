"""The public message form's fields: what the sender typed, and what is wrong with it.

Pure: :func:`read_form` takes the submitted texts and returns them (trimmed, to be shown again)
with an error per field in Russian; the route registers the message only when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.emails import BAD_EMAIL, looks_like_email
from models.phones import normalize_phone

TEXT_MAX = 10_000  # characters; a longer letter goes by post or mail with attachments
NAME_MAX, EMAIL_MAX, PHONE_MAX, ADDRESS_MAX, SUBJECT_MAX = 200, 254, 32, 500, 200
FIELD_LIMITS = {
    "name": NAME_MAX,
    "email": EMAIL_MAX,
    "phone": PHONE_MAX,
    "address": ADDRESS_MAX,
    "subject": SUBJECT_MAX,
    "text": TEXT_MAX,
}

NO_TEXT = "Напишите текст обращения."
TOO_LONG = "Слишком длинно: не больше {limit} знаков (сейчас {length})."
NO_REPLY_WAY = "Укажите хотя бы один способ ответа: e-mail, телефон или почтовый адрес."
BAD_PHONE = "Номер телефона не распознан (пример: +7 912 345-67-89)."
NO_CONSENT = "Без согласия на обработку персональных данных обращение не может быть принято."


@dataclass(frozen=True, slots=True)
class MessageForm:
    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    subject: str = ""
    text: str = ""
    consent: bool = False
    errors: dict[str, str] = field(default_factory=dict)  # field name → what is wrong

    @property
    def valid(self) -> bool:
        return not self.errors


def read_form(values: dict[str, str], *, consent: bool) -> MessageForm:
    """The form as sent (``values`` by field name; missing ones are empty)."""
    texts = {name: normalized(values.get(name, "")) for name in FIELD_LIMITS}
    errors: dict[str, str] = {}
    for name, limit in FIELD_LIMITS.items():
        if len(texts[name]) > limit:
            errors[name] = TOO_LONG.format(limit=limit, length=len(texts[name]))
    if not texts["text"]:
        errors["text"] = NO_TEXT
    if texts["email"] and "email" not in errors and not looks_like_email(texts["email"]):
        errors["email"] = BAD_EMAIL
    if texts["phone"] and "phone" not in errors and normalize_phone(texts["phone"]) is None:
        errors["phone"] = BAD_PHONE
    if not (texts["email"] or texts["phone"] or texts["address"]):
        errors["reply"] = NO_REPLY_WAY
    if not consent:
        errors["consent"] = NO_CONSENT
    return MessageForm(**texts, consent=consent, errors=errors)


def normalized(text: str) -> str:
    """Trimmed, with the browser's CR LF line ends as LF (a textarea sends CR LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
