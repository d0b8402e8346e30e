"""The supervisors' page of a client's history (``templates/client_history.html``): who the
client is, how many calls, callback requests, written messages and visits there are, the history
newest first, a page at a time, with everything stored about each entry — the staff's details
included (the document for the client leaves them out: ``client_history.disclosure``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from agent_console.client_history_messages import (
    message_events,
    message_facts,
    message_title,
    message_tone,
)
from agent_console.client_history_visits import visit_events, visit_facts
from agent_console.client_texts import (
    NONE,
    date_text,
    duration_text,
    phone_text,
    time_text,
    when_text,
    window_text,
)
from agent_console.report_pages import Fact, Pager, pager, pages_of
from call_card.labels import (
    ANSWER_RECEIVED_LABELS_RU,
    ATTEMPT_RESULT_LABELS_RU,
    CALL_IN_PROGRESS_RU,
    CALL_OUTCOME_LABELS_RU,
    CALLBACK_SOURCE_LABELS_RU,
    CALLBACK_STATUS_LABELS_RU,
    LANGUAGE_LABELS_RU,
    QUALITY_LABELS_RU,
    TRANSFER_OUTCOME_LABELS_RU,
)
from call_card.spoken_question import confidence_of, percent
from client_history.labels import (
    CHANNEL_LABELS_RU,
    HANGUP_SIDE_LABELS_RU,
    IN_PROGRESS,
    SURVEY_CHANNEL_LABELS_RU,
)
from client_history.records import CallRecord, ClientRecord, Staff
from client_history.reference import JSON_VIEW, PRINT_VIEW, ref_path
from client_history.store import EntryKey
from client_history.timeline import (
    CallbackEntry,
    CallEntry,
    EntryKind,
    MessageEntry,
    Timeline,
    VisitEntry,
)
from models.message_labels import STATUS_RU as MESSAGE_STATUS_RU
from models.rules.missed import MISSED_REASON_LABELS_RU
from models.tables import CallbackChangeKind, Language
from models.topics import TOPIC_LABELS_RU
from reports.transfers import KIND_LABELS_RU as TRANSFER_KIND_LABELS_RU
from visits.visit_labels import VISIT_STATUS_RU

PAGE_ENTRIES = 100


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to an entry: a transfer, an attempt, the wrap-up."""

    at: str
    text: str
    href: str = ""  # a link to another entry of the page


@dataclass(frozen=True, slots=True)
class EntryView:
    anchor: str  # "call-12", "callback-5": the element's id
    when: str
    title: str
    status: str
    tone: str  # the status as a class: answered, missed, after_hours, in_progress; open, done…
    facts: list[Fact]
    events: list[Event] = field(default_factory=list)
    title_href: str = ""  # the title links there: a written message's own page


@dataclass(frozen=True, slots=True)
class HistoryPage:
    phone: str  # as people read it
    client: list[Fact]
    totals: list[Fact]
    entries: list[EntryView]  # newest first
    pager: Pager | None
    print_href: str
    json_href: str


def page_keys(keys: Sequence[EntryKey], page: int) -> list[EntryKey]:
    """The keys of page ``page`` (from 1) of the history shown newest first."""
    newest_first = list(reversed(keys))
    start = (page - 1) * PAGE_ENTRIES
    return newest_first[start : start + PAGE_ENTRIES]


def history_page(
    client: ClientRecord, keys: Sequence[EntryKey], timeline: Timeline, page: int, tz: tzinfo
) -> HistoryPage:
    """The page: ``keys`` are the whole history (for the totals), ``timeline`` the entries of
    page ``page``."""
    counted = [
        ("Звонков", EntryKind.CALL),
        ("Заявок на обратный звонок", EntryKind.CALLBACK),
        ("Письменных обращений", EntryKind.MESSAGE),
        ("Записей на личный приём", EntryKind.VISIT),
    ]
    totals = [Fact(label, str(sum(key.kind is kind for key in keys))) for label, kind in counted]
    if keys:
        totals.append(Fact("Первое обращение", when_text(keys[0].at, tz)))
        totals.append(Fact("Последнее обращение", when_text(keys[-1].at, tz)))
    return HistoryPage(
        phone=phone_text(client.phone),
        client=client_facts(client, tz),
        totals=totals,
        entries=[entry_view(entry, tz) for entry in reversed(timeline.entries)],
        pager=_pager(ref_path(client.id), page, len(keys)),
        print_href=ref_path(client.id, PRINT_VIEW),
        json_href=ref_path(client.id, JSON_VIEW),
    )


def client_facts(client: ClientRecord, tz: tzinfo) -> list[Fact]:
    extra = client.extra_channel
    return [
        Fact("Телефон", phone_text(client.phone)),
        Fact("Имя", client.full_name or NONE),
        Fact("Электронная почта", client.email or NONE),
        Fact("Язык", LANGUAGE_LABELS_RU[client.language]),
        Fact("Канал связи", CHANNEL_LABELS_RU[client.preferred_channel]),
        Fact("Дополнительный канал", CHANNEL_LABELS_RU[extra] if extra else NONE),
        Fact("Запись клиента", f"№ {client.id} от {when_text(client.created_at, tz)}"),
    ]


def entry_view(
    entry: CallEntry | CallbackEntry | MessageEntry | VisitEntry, tz: tzinfo
) -> EntryView:
    if isinstance(entry, CallEntry):
        return call_view(entry, tz)
    if isinstance(entry, MessageEntry):
        return message_view(entry, tz)
    if isinstance(entry, VisitEntry):
        return visit_view(entry, tz)
    return callback_view(entry, tz)


def visit_view(entry: VisitEntry, tz: tzinfo) -> EntryView:
    visit = entry.visit
    return EntryView(
        anchor=f"visit-{visit.id}",
        when=when_text(visit.starts_at, tz),
        title=f"Личный приём, запись № {visit.id}",
        status=VISIT_STATUS_RU[visit.status],
        tone=visit.status.value,
        facts=visit_facts(entry, tz),
        events=[Event(at, text) for at, text in visit_events(entry, tz)],
    )


def message_view(entry: MessageEntry, tz: tzinfo) -> EntryView:
    message = entry.message
    title, href = message_title(message)
    owner = staff_text(message.owner) if message.owner else "нет"
    return EntryView(
        anchor=f"message-{message.id}",
        when=when_text(message.received_at, tz),
        title=title,
        status=MESSAGE_STATUS_RU[message.status],
        tone=message_tone(message),
        facts=message_facts(entry, tz, owner),
        events=[Event(at, text) for at, text in message_events(entry, tz)],
        title_href=href,
    )


def call_view(entry: CallEntry, tz: tzinfo) -> EntryView:
    call = entry.call
    status = CALL_OUTCOME_LABELS_RU[call.outcome] if call.outcome else CALL_IN_PROGRESS_RU
    if call.missed_reason is not None:
        status += f": {MISSED_REASON_LABELS_RU[call.missed_reason].lower()}"
    facts = [
        Fact("Номер", phone_text(call.caller)),
        Fact("Тема в меню", TOPIC_LABELS_RU[call.topic] if call.topic else "не выбрана"),
    ]
    if call.spoken_question.strip():
        facts.append(Fact("Вопрос со слов", spoken_text(call)))
    facts.append(Fact("Ожидание в очереди", duration_text(call.queue_wait_s)))
    if call.language is Language.EN:
        facts.append(Fact("Язык", LANGUAGE_LABELS_RU[call.language]))
    if call.operator is not None:
        facts.append(Fact("Оператор", staff_text(call.operator)))
    if call.answered_at is not None:
        facts.append(Fact("Ответ", time_text(call.answered_at, tz)))
    facts.append(Fact("Разговор", duration_text(call.talk_s)))
    facts.append(Fact("Конец", time_text(call.ended_at, tz)))
    if call.hangup_side is not None:
        facts.append(Fact("Положил трубку", HANGUP_SIDE_LABELS_RU[call.hangup_side]))
    if call.short_call:
        facts.append(Fact("Короткий звонок", "да"))
    if call.ivr_path:
        facts.append(Fact("Путь в меню", call.ivr_path))
    facts.append(Fact("Linkedid", call.linkedid))
    return EntryView(
        anchor=f"call-{call.id}",
        when=when_text(call.arrived_at, tz),
        title="Звонок" if call.in_working_hours else "Звонок в нерабочее время",
        status=status,
        tone=call.outcome.value if call.outcome else IN_PROGRESS,
        facts=facts,
        events=_call_events(entry, tz),
    )


def spoken_text(call: CallRecord) -> str:
    """The caller's words as the voice menu recognized them, and how sure it was."""
    sure = confidence_of(call.spoken_question_confidence)
    how = "распознан автоматически" + (f", уверенность {percent(sure)}" if sure is not None else "")
    return f"«{call.spoken_question.strip()}» ({how})"


def _call_events(entry: CallEntry, tz: tzinfo) -> list[Event]:
    events = [
        Event(
            time_text(row.at, tz),
            f"Перевод {row.seq} ({TRANSFER_KIND_LABELS_RU[row.kind].lower()}) → "
            f"{staff_text(row.to_employee) if row.to_employee else row.to_extension or NONE}: "
            f"{TRANSFER_OUTCOME_LABELS_RU[row.outcome].lower()}",
        )
        for row in entry.transfers
    ]
    wrapup = entry.wrapup
    if wrapup is not None:
        found = "ответ в базе знаний найден" if wrapup.kb_answer_found else "ответа в базе нет"
        if wrapup.kb_entry_title:
            found += f" («{wrapup.kb_entry_title}»)"
        topic = f"; тема: {TOPIC_LABELS_RU[wrapup.topic]}" if wrapup.topic else ""
        events.append(
            Event(
                when_text(wrapup.created_at, tz),
                f"Итог звонка: «{wrapup.question or NONE}»{topic}; {found}" + _by(wrapup.operator),
            )
        )
    if entry.dismissal is not None:
        row = entry.dismissal
        events.append(
            Event(when_text(row.at, tz), f"Итог не нужен: {row.reason}" + _by(row.employee))
        )
    for referral in entry.referrals:
        agency = referral.agency_title or "ведомство не названо"
        contacts = f"; контакты: {referral.contacts}" if referral.contacts else ""
        events.append(
            Event(
                time_text(referral.at, tz),
                f"Вне полномочий: {agency}{contacts}" + _by(referral.employee),
            )
        )
    survey = entry.survey
    if survey is not None:
        answers = [
            ANSWER_RECEIVED_LABELS_RU[survey.answer_received] if survey.answer_received else "",
            QUALITY_LABELS_RU[survey.quality] if survey.quality else "",
        ]
        shown = ", ".join(answer for answer in answers if answer) or "нет ответов"
        channel = SURVEY_CHANNEL_LABELS_RU[survey.channel]
        events.append(Event(time_text(survey.created_at, tz), f"Опрос ({channel}): {shown}"))
    events += [
        Event("", f"Открыта заявка на обратный звонок № {task_id}", f"#callback-{task_id}")
        for task_id in entry.task_ids
    ]
    return events


def callback_view(entry: CallbackEntry, tz: tzinfo) -> EntryView:
    task = entry.task
    windows = "; ".join(window_text(row.starts_at, row.ends_at, tz) for row in entry.windows)
    facts = [
        Fact("Номер для ответа", phone_text(task.phone)),
        Fact("Как появилась", CALLBACK_SOURCE_LABELS_RU[task.source]),
        Fact("Вопрос", task.question or NONE),
        Fact("Тема", TOPIC_LABELS_RU[task.topic] if task.topic else NONE),
        Fact("Срок ответа", date_text(task.promised_on)),
        Fact("Окна", windows or NONE),
        Fact("Ответственный", staff_text(task.owner) if task.owner else "нет"),
    ]
    if task.closed_at is not None:
        facts.append(Fact("Закрыта", when_text(task.closed_at, tz)))
    if task.result_note:
        facts.append(Fact("Итог", task.result_note))
    dated: list[tuple[datetime, str]] = [
        (row.at, f"Попытка: {ATTEMPT_RESULT_LABELS_RU[row.result].lower()}" + _by(row.employee))
        for row in entry.attempts
    ]
    for change in entry.changes:
        if change.kind is CallbackChangeKind.RESCHEDULED:
            text = (
                f"Перенос: срок {date_text(change.promised_before)} → "
                f"{date_text(change.promised_after)}; {change.detail} Причина: {change.reason}"
            )
        else:
            text = f"Закрыта: {change.detail.lower()}" + (
                f"; {change.reason}" if change.reason else ""
            )
        dated.append((change.at, text + _by(change.employee)))
    dated.sort(key=lambda item: item[0])
    events = [Event(when_text(at, tz), text) for at, text in dated]
    if task.origin_call_id is not None:
        events.insert(0, Event("", "Открыта звонком", f"#call-{task.origin_call_id}"))
    return EntryView(
        anchor=f"callback-{task.id}",
        when=when_text(task.requested_at, tz),
        title=f"Заявка на обратный звонок № {task.id}",
        status=CALLBACK_STATUS_LABELS_RU[task.status],
        tone=task.status.value,
        facts=facts,
        events=events,
    )


def staff_text(person: Staff) -> str:
    """``Алиева Патимат (201, Отдел консультаций)``."""
    return f"{person.full_name} ({person.internal_number}, {person.department})"


def _by(person: Staff | None) -> str:
    return f" — {person.full_name}" if person is not None else ""


def _pager(path: str, page: int, total: int) -> Pager | None:
    if pages_of(total, rows=PAGE_ENTRIES) == 1:
        return None
    return pager(path, {}, page, total, rows=PAGE_ENTRIES)
