"""The handling forms of a message's page (W2–W5), for experts, supervisors and administrators:
classification (the knowledge base's suggestion beside it), urgency, the abuse verdict, the
owner. Plain HTML forms: each posts to its own address (``agent_console.routes.
message_handling``) and comes back to the page. A refused form comes back with what was typed
and the reason by its field (:class:`Sent`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from agent_console.message_list import Choice, message_href
from models.message_handling import Verdict
from models.message_labels import ABUSE_RU
from models.rules.calendar import ProductionCalendar
from models.rules.message_actions import handling_open
from models.rules.message_deadlines import URGENT_MAX_WORKING_DAYS, urgent_term_of
from models.rules.message_states import ABUSE_HELD, AbuseCheck
from models.tables import Employee, WrittenMessage
from models.topics import TOPIC_LABELS_RU, Topic
from scripts_kb.suggestion import Suggestion


class HandlingForm(StrEnum):
    """The forms' names: the address each posts to, and the page's anchor."""

    CLASSIFICATION = "classification"
    URGENCY = "urgency"
    ABUSE = "abuse"
    TAKE = "take"
    OWNER = "owner"


DONE_RU: dict[HandlingForm, str] = {
    HandlingForm.CLASSIFICATION: "Классификация сохранена.",
    HandlingForm.URGENCY: "Срочность и срок ответа сохранены.",
    HandlingForm.ABUSE: "Решение о проверке на оскорбления сохранено.",
    HandlingForm.TAKE: "Обращение закреплено за вами.",
    HandlingForm.OWNER: "Исполнитель сохранён.",
}


@dataclass(frozen=True, slots=True)
class Sent:
    """A form that was refused: what was typed, the reason and the field at fault."""

    form: HandlingForm
    values: dict[str, str]
    error: str
    field: str = ""

    def error_for(self, form: HandlingForm) -> str:
        return self.error if self.form == form else ""


@dataclass(frozen=True, slots=True)
class ClassificationForm:
    action: str
    topics: list[Choice]
    need: str
    needs: list[str]  # the suggested needs, offered as the field's list
    suggestion: str  # what the knowledge base suggests, in words
    error: str = ""
    error_field: str = ""


@dataclass(frozen=True, slots=True)
class UrgencyForm:
    action: str
    urgent: bool
    term: str
    reason: str
    max_term: int = URGENT_MAX_WORKING_DAYS
    error: str = ""
    error_field: str = ""


@dataclass(frozen=True, slots=True)
class AbuseForm:
    action: str
    state: str
    words: str  # what the lexicon found
    can_confirm: bool
    can_dismiss: bool
    note: str
    error: str = ""
    confirm: str = Verdict.CONFIRM.value
    dismiss: str = Verdict.DISMISS.value


@dataclass(frozen=True, slots=True)
class OwnerForm:
    take_action: str
    assign_action: str
    owner: str  # "" nobody
    mine: bool
    can_take: bool
    employees: list[Choice] = field(default_factory=list)  # empty: may not assign to others
    error: str = ""


@dataclass(frozen=True, slots=True)
class Handling:
    classification: ClassificationForm
    open: bool  # urgency, abuse verdict and owner may change
    urgency: UrgencyForm
    abuse: AbuseForm
    owner: OwnerForm


def handling(
    message: WrittenMessage,
    *,
    suggestion: Suggestion | None,
    me: int,
    owner: Employee | None,
    employees: list[Employee] | None,
    calendar: ProductionCalendar,
    sent: Sent | None = None,
) -> Handling:
    """The forms for ``message``; ``employees`` those it may be given to (None: the viewer
    may only take it for themself)."""
    return Handling(
        classification=_classification(message, suggestion, sent),
        open=handling_open(message.status),
        urgency=_urgency(message, calendar, sent),
        abuse=_abuse(message, sent),
        owner=_owner(message, me, owner, employees, sent),
    )


def _action(message: WrittenMessage, form: HandlingForm) -> str:
    return f"{message_href(message.number)}/{form}"


def _typed(sent: Sent | None, form: HandlingForm, name: str, stored: str) -> str:
    return sent.values.get(name, "") if sent is not None and sent.form == form else stored


def _classification(
    message: WrittenMessage, suggestion: Suggestion | None, sent: Sent | None
) -> ClassificationForm:
    suggested_topic = suggestion.topic if suggestion is not None else None
    suggested_needs = [need.text for need in suggestion.needs] if suggestion is not None else []
    stored_topic = message.topic.value if message.topic else ""
    topic = _typed(sent, HandlingForm.CLASSIFICATION, "topic", stored_topic)
    if not topic and suggested_topic is not None:
        topic = suggested_topic.value
    need = _typed(sent, HandlingForm.CLASSIFICATION, "need", message.need)
    if not need and not message.need and suggested_needs:
        need = suggested_needs[0]
    return ClassificationForm(
        action=_action(message, HandlingForm.CLASSIFICATION),
        topics=[Choice(t.value, TOPIC_LABELS_RU[t], t.value == topic) for t in Topic],
        need=need,
        needs=suggested_needs,
        suggestion=_suggestion_text(suggestion),
        error=sent.error_for(HandlingForm.CLASSIFICATION) if sent else "",
        error_field=sent.field if sent and sent.form == HandlingForm.CLASSIFICATION else "",
    )


def _suggestion_text(suggestion: Suggestion | None) -> str:
    if suggestion is None or (suggestion.topic is None and not suggestion.needs):
        return "База знаний ничего не подсказала: выберите тему и опишите потребность сами."
    parts = []
    if suggestion.topic is not None:
        parts.append(f"тема «{TOPIC_LABELS_RU[suggestion.topic]}»")
    if suggestion.needs:
        parts.append(f"потребность «{suggestion.needs[0].text}»")
    return "Предложение базы знаний: " + ", ".join(parts) + "."


def _urgency(
    message: WrittenMessage, calendar: ProductionCalendar, sent: Sent | None
) -> UrgencyForm:
    refused = sent is not None and sent.form == HandlingForm.URGENCY
    term = urgent_term_of(message.received_at, message.answer_due, calendar)
    return UrgencyForm(
        action=_action(message, HandlingForm.URGENCY),
        urgent=message.urgent,
        term=_typed(
            sent, HandlingForm.URGENCY, "term", str(term) if message.urgent and term else ""
        ),
        reason=_typed(sent, HandlingForm.URGENCY, "reason", message.urgency_note),
        error=sent.error if sent and refused else "",
        error_field=sent.field if sent and refused else "",
    )


def _abuse(message: WrittenMessage, sent: Sent | None) -> AbuseForm:
    return AbuseForm(
        action=_action(message, HandlingForm.ABUSE),
        state=ABUSE_RU[message.abuse],
        words=message.abuse_words,
        can_confirm=message.abuse is not AbuseCheck.CONFIRMED,
        can_dismiss=message.abuse in ABUSE_HELD,
        note=_typed(sent, HandlingForm.ABUSE, "note", ""),
        error=sent.error_for(HandlingForm.ABUSE) if sent else "",
    )


def _owner(
    message: WrittenMessage,
    me: int,
    owner: Employee | None,
    employees: list[Employee] | None,
    sent: Sent | None,
) -> OwnerForm:
    chosen = _typed(sent, HandlingForm.OWNER, "owner", str(message.owner_id or ""))
    return OwnerForm(
        take_action=_action(message, HandlingForm.TAKE),
        assign_action=_action(message, HandlingForm.OWNER),
        owner=owner.full_name if owner is not None else "",
        mine=message.owner_id == me,
        can_take=message.owner_id is None,
        employees=[Choice(str(e.id), e.full_name, str(e.id) == chosen) for e in (employees or [])],
        error=_owner_error(sent),
    )


def _owner_error(sent: Sent | None) -> str:
    if sent is None:
        return ""
    return sent.error_for(HandlingForm.TAKE) or sent.error_for(HandlingForm.OWNER)
