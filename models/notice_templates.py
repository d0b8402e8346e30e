"""The text of each notice about a written message, prefilled from the knowledge base (W5–W7,
W10–W12), for staff to read and edit before it goes out.

Each kind has its KB template; the letter is the part of the entry in «…» quotes that starts a
line (the rest of the entry is guidance for staff):

* the primary answer (W6) — ``messages-template-primary``: registered, its number and date,
  when and how the substantive answer will come, the survey link;
* the notice that abusive conduct is unacceptable (W5) — ``messages-refusal-insults``;
* the redirection (W7) — ``messages-template-redirect`` with the agency staff chose from the
  KB's directory and its contacts;
* a refusal (W10) — the refusal entry staff chose (grounds in plain words), in a letter that
  names the message, with the survey link;
* the substantive answer — the written answer of ``ministry-template-general-answer``, ending
  with the survey link (W12).

The slots are filled from the message: ``{caller_name}``, ``{received_date}``, ``{number}``,
``{promised_date}`` (the answer's deadline), ``{channels}`` (how the answer will come),
``{agency}``, ``{agency_contacts}``; what is not known is a bracketed blank. The survey link is
made only when the notice is sent (``models.survey_links``): until then the text holds
:data:`SURVEY_MARK` where it will go. A text still holding a blank or the KB's «…» is not ready
to send (:func:`unfilled`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Final

from sqlmodel import Session, col, select

from models.kb_agencies import Agency
from models.rules.notice_channels import NoticeRoute
from models.tables import Channel, Client, KbEntry, NoticeKind, WrittenMessage
from models.text_slots import drop_address, fill_slots, placeholders, russian_date

SURVEY_MARK: Final = "[ссылка на опрос]"
KB_BLANK: Final = "…"  # how the KB's templates mark what a person completes
SURVEY_KINDS: Final = frozenset({NoticeKind.PRIMARY, NoticeKind.REFUSAL, NoticeKind.ANSWER})
REFUSAL_KIND: Final = "refusal"

TEMPLATE_ENTRIES: Final[dict[NoticeKind, str]] = {
    NoticeKind.PRIMARY: "messages-template-primary",
    NoticeKind.ABUSE: "messages-refusal-insults",
    NoticeKind.REDIRECT: "messages-template-redirect",
    NoticeKind.ANSWER: "ministry-template-general-answer",
}  # a refusal's entry is chosen by staff
KIND_TITLES_RU: Final[dict[NoticeKind, str]] = {
    NoticeKind.PRIMARY: "Первичный ответ",
    NoticeKind.ABUSE: "Уведомление о недопустимости оскорблений",
    NoticeKind.REDIRECT: "Уведомление о переадресации",
    NoticeKind.REFUSAL: "Отказ",
    NoticeKind.ANSWER: "Ответ по существу",
}
_SUBJECTS: Final[dict[NoticeKind, str]] = {
    NoticeKind.PRIMARY: "Ваше обращение № {number} зарегистрировано",
    NoticeKind.ABUSE: "Обращение № {number} не рассмотрено по существу",
    NoticeKind.REDIRECT: "Обращение № {number} направлено в компетентный орган",
    NoticeKind.REFUSAL: "Ответ на обращение № {number}",
    NoticeKind.ANSWER: "Ответ на обращение № {number}",
}
# How the answer will come, as the primary answer says it: «до 11 января 2027 г. по …».
_BY_CHANNEL: Final[dict[Channel, str]] = {
    Channel.EMAIL: "по электронной почте",
    Channel.POST: "почтой",
    Channel.PHONE: "по телефону",
    Channel.SMS: "в SMS",
    Channel.PORTAL: "в личный кабинет на портале Госуслуг",
}
BLANKS: Final[dict[str, str]] = {
    "caller_name": "[имя заявителя]",
    "received_date": "[дата обращения]",
    "number": "[номер обращения]",
    "promised_date": "[срок ответа]",
    "channels": "[способ ответа]",
    "agency": "[ведомство]",
    "agency_contacts": "[контакты ведомства]",
    "survey_link": SURVEY_MARK,
}
SURVEY_LINE: Final = (
    "Пожалуйста, оцените, насколько Вы удовлетворены взаимодействием с Министерством: {survey_link}"
)
_REFUSAL_OPENING: Final = (
    "Уважаемый(ая) {caller_name}!\nВаше обращение от {received_date} № {number} рассмотрено."
)
_BARE_LETTER: Final = (
    f"Уважаемый(ая) {{caller_name}}!\nПо Вашему обращению от {{received_date}} № {{number}} "
    f"сообщаем: {KB_BLANK}"
)
_NAMELESS_GREETING: Final = re.compile(r"Уважаемый\(ая\)\s*\{caller_name\}!")


@dataclass(frozen=True, slots=True)
class Template:
    """A KB entry a notice can be written from."""

    entry_id: str
    title: str


@dataclass(frozen=True, slots=True)
class NoticeText:
    kind: NoticeKind
    subject: str
    body: str  # the letter, slots filled; SURVEY_MARK where the link will go
    entry_id: str  # the KB entry it was written from; "" when the KB has none


def notice_subject(kind: NoticeKind, number: str) -> str:
    """The letter's subject, ours alone: the client's text never goes into a header."""
    return _SUBJECTS[kind].format(number=number)


def refusal_templates(session: Session, topic: str | None = None) -> list[Template]:
    """The KB's refusals staff choose the grounds from (W10), those of the message's topic
    first; the abuse notice (W5) is a kind of its own and not among them."""
    rows = session.exec(
        select(KbEntry).where(
            col(KbEntry.kind) == REFUSAL_KIND,
            col(KbEntry.withdrawn_at).is_(None),
            col(KbEntry.id) != TEMPLATE_ENTRIES[NoticeKind.ABUSE],
        )
    ).all()
    ordered = sorted(rows, key=lambda e: (topic not in json.loads(e.topics), e.title, e.id))
    return [Template(entry.id, entry.title) for entry in ordered]


def template_entry(session: Session, kind: NoticeKind, refusal_id: str = "") -> KbEntry | None:
    """The KB entry a notice of ``kind`` is written from; None when the KB lacks it (not
    loaded, withdrawn) or ``refusal_id`` is not one of :func:`refusal_templates`."""
    entry_id = refusal_id if kind is NoticeKind.REFUSAL else TEMPLATE_ENTRIES[kind]
    entry = session.get(KbEntry, entry_id) if entry_id else None
    if entry is None or entry.withdrawn_at is not None:
        return None
    if kind is NoticeKind.REFUSAL and (
        entry.kind != REFUSAL_KIND or entry.id == TEMPLATE_ENTRIES[NoticeKind.ABUSE]
    ):
        return None
    return entry


def notice_text(
    *,
    kind: NoticeKind,
    entry: KbEntry | None,
    message: WrittenMessage,
    client: Client | None,
    routes: Sequence[NoticeRoute],
    agency: Agency | None,
    tz: tzinfo,
) -> NoticeText:
    """The notice as staff first see it. Without its KB entry the letter is a bare frame
    (the greeting, the message named, a blank) for staff to write."""
    if entry is None:
        letter = _BARE_LETTER
    elif kind is NoticeKind.REFUSAL:
        letter = f"{_REFUSAL_OPENING}\n\n{drop_address(letter_of(entry.body))}"
    else:
        letter = letter_of(entry.body)
    name = client_name(message, client)
    if not name:
        letter = _NAMELESS_GREETING.sub("Здравствуйте!", letter)
    values = {
        "caller_name": name,
        "received_date": russian_date(message.received_at.astimezone(tz).date()),
        "number": message.number,
        "promised_date": russian_date(message.answer_due),
        "channels": channels_phrase(routes),
        "agency": agency.title if agency else "",
        "agency_contacts": agency.contacts if agency else "",
    }
    body = fill_slots(letter, values, BLANKS)
    return NoticeText(
        kind=kind,
        subject=notice_subject(kind, message.number),
        body=with_survey_mark(body) if kind in SURVEY_KINDS else body,
        entry_id=entry.id if entry is not None else "",
    )


def client_name(message: WrittenMessage, client: Client | None) -> str:
    """The name the letter addresses: as the sender signed, else the client record's."""
    if message.sender_name.strip():
        return message.sender_name.strip()
    return (client.full_name or "").strip() if client is not None else ""


def letter_of(body: str) -> str:
    """The letter in a KB entry: the first «…» that starts a line, nested quotes kept; the
    whole body when there is none."""
    start = next(
        (i for i, char in enumerate(body) if char == "«" and (i == 0 or body[i - 1] == "\n")),
        None,
    )
    if start is None:
        return body.strip()
    depth = 0
    for i in range(start, len(body)):
        depth += {"«": 1, "»": -1}.get(body[i], 0)
        if depth == 0:
            return body[start + 1 : i].strip()
    return body[start + 1 :].strip()


def channels_phrase(routes: Sequence[NoticeRoute]) -> str:
    """«по электронной почте и почтой»: the channels that can carry the answer."""
    words = [_BY_CHANNEL[route.channel] for route in routes if not route.missing]
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " и " + words[-1]


def unfilled(kind: NoticeKind, text: str) -> list[str]:
    """The blanks ``text`` still holds (in the order of :data:`BLANKS`, the KB's «…» last):
    such a letter is not sent. The survey mark is no blank where the link is due."""
    allowed = {SURVEY_MARK} if kind in SURVEY_KINDS else set()
    left = [blank for blank in BLANKS.values() if blank in text and blank not in allowed]
    left += [f"{{{name}}}" for name in sorted(placeholders(text)) if name in BLANKS]
    if KB_BLANK in text:
        left.append(KB_BLANK)
    return left


def with_survey_mark(text: str) -> str:
    """W12: ``text`` holding the survey mark; the survey line is added when staff took it out."""
    if SURVEY_MARK in text:
        return text
    return f"{text.rstrip()}\n\n{SURVEY_LINE.format(survey_link=SURVEY_MARK)}"


def with_survey_link(text: str, link: str) -> str:
    """The text as it is sent: the survey mark replaced by the link."""
    return with_survey_mark(text).replace(SURVEY_MARK, link)
