"""A written message on the supervisors' page of a client's history (G3): its number linking to
the message's own page, when and how it came, the sender, topic, deadlines and state, the
staff's details (owner, abuse check, who registered it), every notice and answer sent for it,
and the client's survey answers. The text is shown in part; the message's page has it whole."""

from __future__ import annotations

from datetime import tzinfo

from agent_console.client_texts import date_text, size_text, when_text
from agent_console.message_list import message_href
from agent_console.report_pages import Fact
from call_card.labels import ANSWER_RECEIVED_LABELS_RU, QUALITY_LABELS_RU
from client_history.labels import CHANNEL_LABELS_RU
from client_history.records import MessageRecord, MessageSurveyRecord, NoticeRecord
from client_history.timeline import MessageEntry
from models.message_labels import (
    ABUSE_RU,
    INTAKE_RU,
    NOTICE_KIND_RU,
    NOTICE_STATE_RU,
)
from models.rules.message_states import OPEN_STATES
from models.tables import AbuseCheck
from models.topics import TOPIC_LABELS_RU

TEXT_SHOWN = 300  # characters of the message's text on the history page
OPEN_TONE = "open"  # the class of an entry still waiting for an answer (as an open task)


def message_facts(entry: MessageEntry, tz: tzinfo, owner: str) -> list[Fact]:
    """What the page says of the message; ``owner`` names its owner (or says nobody)."""
    message = entry.message
    facts = [Fact("Способ", INTAKE_RU[message.intake])]
    facts += [
        Fact(label, value)
        for label, value in (
            ("Отправитель", message.sender_name),
            ("Электронная почта", message.sender_email),
            ("Телефон", message.sender_phone),
            ("Адрес", message.sender_address),
        )
        if value
    ]
    facts.append(Fact("Тема", TOPIC_LABELS_RU[message.topic] if message.topic else "не указана"))
    if message.need:
        facts.append(Fact("Потребность", message.need))
    if message.urgent:
        facts.append(Fact("Срочное", message.urgency_note or "да"))
    facts += _deadlines(message)
    facts.append(Fact("Ответственный", owner))
    if message.registered_by:
        facts.append(Fact("Зарегистрировал", message.registered_by))
    if message.closed_at is not None:
        facts.append(Fact("Закрыто", when_text(message.closed_at, tz)))
    if message.subject:
        facts.append(Fact("Тема письма", message.subject))
    if message.body.strip():
        facts.append(Fact("Текст", excerpt(message.body)))
    if entry.attachments:
        files = "; ".join(f"{row.filename} ({size_text(row.size)})" for row in entry.attachments)
        facts.append(Fact("Вложения", files))
    return facts


def _deadlines(message: MessageRecord) -> list[Fact]:
    facts = [
        Fact("Первичный ответ до", date_text(message.primary_due)),
        Fact("Ответ по существу до", date_text(message.answer_due)),
    ]
    if message.abuse is not AbuseCheck.CLEAN:
        found = f" ({message.abuse_words})" if message.abuse_words else ""
        facts.append(Fact("Оскорбления", ABUSE_RU[message.abuse] + found))
    if message.abuse_notice_due is not None and message.abuse in (
        AbuseCheck.SUSPECTED,
        AbuseCheck.CONFIRMED,
    ):
        facts.append(Fact("Уведомление об оскорблениях до", date_text(message.abuse_notice_due)))
    return facts


def excerpt(text: str) -> str:
    """The first :data:`TEXT_SHOWN` characters of ``text`` on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= TEXT_SHOWN else flat[:TEXT_SHOWN].rstrip() + "…"


def notice_text(row: NoticeRecord) -> str:
    """``Первичный ответ → электронная почта maryam@example.ru: отправлено — clerk``."""
    where = CHANNEL_LABELS_RU[row.channel] + (f" {row.to_address}" if row.to_address else "")
    state = NOTICE_STATE_RU[row.state] + (f" ({row.error})" if row.error else "")
    by = f" — {row.by}" if row.by else ""
    return f"{NOTICE_KIND_RU[row.kind].capitalize()} → {where}: {state}{by}"


def message_events(entry: MessageEntry, tz: tzinfo) -> list[tuple[str, str]]:
    """The notices sent and the survey, in time order: (when, what)."""
    dated = [(row.at, notice_text(row)) for row in entry.notices]
    dated += [(row.answered_at or row.issued_at, survey_text(row)) for row in entry.surveys]
    dated.sort(key=lambda item: item[0])
    return [(when_text(at, tz), text) for at, text in dated]


def survey_text(row: MessageSurveyRecord) -> str:
    if row.answered_at is None:
        return "Ссылка на опрос отправлена, ответа нет"
    answers = [
        ANSWER_RECEIVED_LABELS_RU[row.answer_received] if row.answer_received else "",
        QUALITY_LABELS_RU[row.quality] if row.quality else "",
    ]
    shown = ", ".join(answer for answer in answers if answer) or "нет ответов"
    comment = f"; «{row.comment}»" if row.comment else ""
    return f"Опрос: {shown}{comment}"


def message_tone(message: MessageRecord) -> str:
    return OPEN_TONE if message.status in OPEN_STATES else message.status.value


def message_title(message: MessageRecord) -> tuple[str, str]:
    """The entry's title and the address it links to (the message's page)."""
    return f"Письменное обращение № {message.number}", message_href(message.number)
