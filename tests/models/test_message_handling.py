"""Handling a written message (W2–W5): classification, urgency and its deadline, the abuse
verdict, the owner; a refusal changes nothing, the same change twice is one change, and every
change is in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.message_handling import (
    CLOSED,
    Actor,
    Handled,
    Outcome,
    Refused,
    assign,
    classify,
    locked_message,
    review_abuse,
    set_urgency,
    take,
)
from models.message_store import MessageDraft, register_message
from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from models.settings import Settings
from models.tables import (
    AbuseCheck,
    AuditEntry,
    MessageIntake,
    MessageStatus,
    WrittenMessage,
)
from models.topics import Topic
from tests.factories import add_employee

MSK = ZoneInfo("Europe/Moscow")
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=MSK)
LATER = datetime(2026, 12, 8, 9, 0, tzinfo=MSK)
CALENDAR = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)
STATUTORY = date(2027, 1, 11)  # 30 days from 07.12.2026: 06.01.2027, a holiday, moved on
Change = Callable[[Session, WrittenMessage], Outcome]


@pytest.fixture
def number(db_engine: Engine) -> str:
    settings = Settings(database_url=db_engine.url.render_as_string(hide_password=False))
    draft = MessageDraft(
        intake=MessageIntake.PAPER,
        received_at=MONDAY,
        registered_by="clerk",
        sender_name="Магомедов Ахмед",
        sender_email="ahmed@example.ru",
        body="Прошу разъяснить порядок получения лицензии на продажу алкоголя.",
    )
    return register_message(db_engine, settings, draft).number


@pytest.fixture
def expert(db_engine: Engine) -> Actor:
    return Actor(add_employee(db_engine, "301", "PJSIP/301"), "web:expert")


def _change(engine: Engine, number: str, change: Change) -> Outcome:
    with session_scope(engine) as session:
        message = locked_message(session, number)
        assert message is not None
        return change(session, message)


def _stored(engine: Engine, number: str) -> WrittenMessage:
    with Session(engine) as session:
        return session.exec(
            select(WrittenMessage).where(col(WrittenMessage.number) == number)
        ).one()


def _audit(engine: Engine) -> list[tuple[str, str, str, str]]:
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))
        return [(e.actor, e.action, e.subject, e.detail) for e in entries]


def _set(engine: Engine, number: str, **fields: object) -> None:
    with session_scope(engine) as session:
        message = locked_message(session, number)
        assert message is not None
        for name, value in fields.items():
            setattr(message, name, value)
        session.add(message)


# --------------------------------------------------------------------------- W2


def test_classification_is_stored_with_who_confirmed_it_and_audited(
    db_engine: Engine, number: str, expert: Actor
) -> None:  # W2
    def confirm(session: Session, message: WrittenMessage) -> Outcome:
        return classify(
            session,
            message,
            topic="state_services",
            need="  Получить\nлицензию  ",
            actor=expert,
            at=LATER,
        )

    assert _change(db_engine, number, confirm) == Handled(changed=True)
    assert _change(db_engine, number, confirm) == Handled(changed=False)  # sent twice
    stored = _stored(db_engine, number)
    assert (stored.topic, stored.need, stored.classified_by_id) == (
        Topic.STATE_SERVICES,
        "Получить лицензию",
        expert.employee_id,
    )
    assert _audit(db_engine) == [
        (
            "web:expert",
            "message_classified",
            f"message:{number}",
            "topic=-->state_services; need=Получить лицензию",
        )
    ]


@pytest.mark.parametrize(
    ("topic", "need", "field", "reason"),
    [
        ("", "Получить лицензию", "topic", "Выберите тему обращения из списка."),
        ("weather", "Получить лицензию", "topic", "Выберите тему обращения из списка."),
        ("general", "  \n ", "need", "Укажите типовую потребность клиента"),
        ("general", "ы" * 256, "need", "Потребность — не длиннее 255 символов."),
    ],
)
def test_a_bad_classification_changes_nothing(
    db_engine: Engine, number: str, expert: Actor, topic: str, need: str, field: str, reason: str
) -> None:
    outcome = _change(
        db_engine,
        number,
        lambda session, m: classify(session, m, topic=topic, need=need, actor=expert, at=LATER),
    )
    assert isinstance(outcome, Refused)
    assert (outcome.field, outcome.reason.startswith(reason)) == (field, True)
    stored = _stored(db_engine, number)
    assert (stored.topic, stored.need, stored.classified_by_id) == (None, "", None)
    assert _audit(db_engine) == []


# --------------------------------------------------------------------------- W3–W4


def _urgency(actor: Actor, *, urgent: bool, term: str = "", reason: str = "") -> Change:
    return lambda session, message: set_urgency(
        session,
        message,
        urgent=urgent,
        term=term,
        reason=reason,
        actor=actor,
        at=LATER,
        calendar=CALENDAR,
        statutory_days=30,
    )


def test_urgent_gets_its_term_in_working_days_and_unmarked_the_statutory_one_back(
    db_engine: Engine, number: str, expert: Actor
) -> None:  # W3–W4
    assert _stored(db_engine, number).answer_due == STATUTORY
    mark = _urgency(expert, urgent=True, term="10", reason="Отбор заканчивается 20.12")
    assert _change(db_engine, number, mark) == Handled(changed=True)
    assert _change(db_engine, number, mark) == Handled(changed=False)
    stored = _stored(db_engine, number)
    # From Mon 07.12.2026: 08, 09, 10, 11, 14, 15, 16, 17, 18, 21.12 — the 10th working day.
    assert (stored.urgent, stored.urgency_note, stored.answer_due) == (
        True,
        "Отбор заканчивается 20.12",
        date(2026, 12, 21),
    )
    assert stored.primary_due == date(2026, 12, 10)  # the primary answer's term is W6's
    unmark = _urgency(expert, urgent=False, term="ignored", reason="ignored")
    assert _change(db_engine, number, unmark) == Handled(changed=True)
    stored = _stored(db_engine, number)
    assert (stored.urgent, stored.urgency_note, stored.answer_due) == (False, "", STATUTORY)
    details = [detail for _, action, _, detail in _audit(db_engine) if action == "message_urgency"]
    assert details == [
        "urgent=0->1; days=10; answer_due=2027-01-11->2026-12-21; reason=Отбор заканчивается 20.12",
        "urgent=1->0; days=; answer_due=2026-12-21->2027-01-11; reason=",
    ]


@pytest.mark.parametrize(
    ("term", "reason", "field", "says"),
    [
        ("0", "Срочно", "term", "от 1 до 15 рабочих дней, указано 0."),
        ("16", "Срочно", "term", "от 1 до 15 рабочих дней, указано 16."),
        ("через неделю", "Срочно", "term", "укажите целое число, указано «через неделю»."),
        ("5", "   ", "reason", "Укажите, почему обращение срочное"),
    ],
)
def test_a_bad_urgent_term_or_no_reason_changes_nothing(
    db_engine: Engine, number: str, expert: Actor, term: str, reason: str, field: str, says: str
) -> None:
    outcome = _change(db_engine, number, _urgency(expert, urgent=True, term=term, reason=reason))
    assert isinstance(outcome, Refused)
    assert outcome.field == field
    assert says in outcome.reason
    stored = _stored(db_engine, number)
    assert (stored.urgent, stored.answer_due) == (False, STATUTORY)
    assert _audit(db_engine) == []


def test_a_closed_message_keeps_its_urgency_abuse_verdict_and_owner(
    db_engine: Engine, number: str, expert: Actor
) -> None:
    _set(db_engine, number, status=MessageStatus.ANSWERED)
    changes: list[Change] = [
        _urgency(expert, urgent=True, term="5", reason="Срочно"),
        lambda s, m: review_abuse(
            s, m, verdict="confirm", note="", actor=expert, at=LATER, calendar=CALENDAR
        ),
        lambda s, m: take(s, m, actor=expert, at=LATER),
        lambda s, m: assign(s, m, owner=str(expert.employee_id), actor=expert, at=LATER),
    ]
    for change in changes:
        assert _change(db_engine, number, change) == Refused(CLOSED)
    stored = _stored(db_engine, number)
    assert (stored.urgent, stored.abuse, stored.owner_id) == (False, AbuseCheck.CLEAN, None)
    # Classification stays possible: the topics of closed messages still count.
    outcome = _change(
        db_engine,
        number,
        lambda s, m: classify(s, m, topic="general", need="Справка", actor=expert, at=LATER),
    )
    assert outcome == Handled(changed=True)


# --------------------------------------------------------------------------- W5


def _verdict(actor: Actor, verdict: str, note: str = "") -> Change:
    return lambda session, message: review_abuse(
        session, message, verdict=verdict, note=note, actor=actor, at=LATER, calendar=CALENDAR
    )


def test_a_suspicion_confirmed_keeps_the_notice_deadline_from_registration(
    db_engine: Engine, number: str, expert: Actor
) -> None:  # W5
    _set(
        db_engine,
        number,
        abuse=AbuseCheck.SUSPECTED,
        abuse_words="идиоты",
        abuse_notice_due=date(2026, 12, 14),
    )
    assert _change(db_engine, number, _verdict(expert, "confirm")) == Handled(changed=True)
    assert _change(db_engine, number, _verdict(expert, "confirm")) == Handled(changed=False)
    stored = _stored(db_engine, number)
    assert (stored.abuse, stored.abuse_notice_due) == (AbuseCheck.CONFIRMED, date(2026, 12, 14))
    assert [a for _, a, _, _ in _audit(db_engine)] == ["message_abuse_review"]


def test_a_suspicion_dismissed_owes_no_notice(
    db_engine: Engine, number: str, expert: Actor
) -> None:  # W5
    _set(db_engine, number, abuse=AbuseCheck.SUSPECTED, abuse_notice_due=date(2026, 12, 14))
    outcome = _change(
        db_engine, number, _verdict(expert, "dismiss", "«козлы» — про козлы для пилки")
    )
    assert outcome == Handled(changed=True)
    stored = _stored(db_engine, number)
    assert (stored.abuse, stored.abuse_notice_due) == (AbuseCheck.DISMISSED, None)
    assert _audit(db_engine)[-1][3] == (
        "abuse=suspected->dismissed; notice_due=-; note=«козлы» — про козлы для пилки"
    )


def test_a_person_flags_what_the_lexicon_let_through(
    db_engine: Engine, number: str, expert: Actor
) -> None:  # W5
    assert _stored(db_engine, number).abuse is AbuseCheck.CLEAN
    assert _change(db_engine, number, _verdict(expert, "dismiss")) == Refused(
        "Подозрения на оскорбления нет: снимать нечего."
    )
    assert _change(db_engine, number, _verdict(expert, "confirm", "угроза")) == Handled(True)
    stored = _stored(db_engine, number)
    # 5 working days from Mon 07.12.2026: 08, 09, 10, 11, 14.12.
    assert (stored.abuse, stored.abuse_notice_due) == (AbuseCheck.CONFIRMED, date(2026, 12, 14))


def test_an_unknown_verdict_changes_nothing(db_engine: Engine, number: str, expert: Actor) -> None:
    outcome = _change(db_engine, number, _verdict(expert, "maybe"))
    assert isinstance(outcome, Refused)
    assert "Выберите решение" in outcome.reason
    assert _stored(db_engine, number).abuse is AbuseCheck.CLEAN
    assert _audit(db_engine) == []


# --------------------------------------------------------------------------- owner


def test_taking_a_message_nobody_owns(db_engine: Engine, number: str, expert: Actor) -> None:
    take_it: Change = lambda s, m: take(s, m, actor=expert, at=LATER)  # noqa: E731
    assert _change(db_engine, number, take_it) == Handled(changed=True)
    assert _change(db_engine, number, take_it) == Handled(changed=False)
    assert _stored(db_engine, number).owner_id == expert.employee_id
    colleague = Actor(add_employee(db_engine, "302", "PJSIP/302"), "web:colleague")
    refused = _change(db_engine, number, lambda s, m: take(s, m, actor=colleague, at=LATER))
    assert refused == Refused(
        "Обращение уже у исполнителя: Сотрудник 301. Передать его другому может руководитель."
    )
    assert _stored(db_engine, number).owner_id == expert.employee_id
    assert [d for _, a, _, d in _audit(db_engine)] == [f"owner=-->{expert.employee_id}"]


def test_a_supervisor_gives_a_message_to_an_active_employee_or_nobody(
    db_engine: Engine, number: str, expert: Actor
) -> None:
    supervisor = Actor(add_employee(db_engine, "303", "PJSIP/303"), "web:supervisor")
    away = add_employee(db_engine, "304", "PJSIP/304", active=False)

    def give(owner: str) -> Outcome:
        return _change(
            db_engine, number, lambda s, m: assign(s, m, owner=owner, actor=supervisor, at=LATER)
        )

    assert give(str(expert.employee_id)) == Handled(changed=True)
    assert give(str(expert.employee_id)) == Handled(changed=False)
    for bad in (str(away), "999999", "x", "-1", "9" * 40):
        outcome = give(bad)
        assert isinstance(outcome, Refused)
        assert outcome.field == "owner"
    assert _stored(db_engine, number).owner_id == expert.employee_id
    assert give("") == Handled(changed=True)
    assert _stored(db_engine, number).owner_id is None
    owners = [d for actor, a, _, d in _audit(db_engine) if actor == "web:supervisor"]
    assert owners == [f"owner=-->{expert.employee_id}", f"owner={expert.employee_id}->-"]
