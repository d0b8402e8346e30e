"""Demo data: every outcome, reason and status, all of it consistent with the rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from argon2 import profiles
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent_console.auth.passwords import Passwords
from consult_line.demo import DEMO_LINKEDID_PREFIX, DemoSummary, seed_demo
from consult_line.demo.common import row_id
from consult_line.demo.reception import seed_reception
from consult_line.demo.users import create_demo_accounts
from models.accounts import find_account, list_accounts
from models.exports import ExportKind, export_rows
from models.phones import normalize_phone
from models.rules.calendar import ProductionCalendar, WorkingHours
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallFacts, CallOutcome, MissedReason, QueueExit, classify_call
from models.rules.training import TrainingRecord, training_status
from models.rules.transfers import TransferOutcome
from models.tables import (
    Call,
    CallbackAttempt,
    CallbackSource,
    CallbackTask,
    CallbackWindow,
    CallTransfer,
    Client,
    Department,
    Employee,
    EmployeeRole,
    ReceptionHours,
    Role,
    SurveyResponse,
    TrainingEntry,
)
from visits.store import list_free_slots

CHEAP = Passwords(profiles.CHEAPEST)
MSK = ZoneInfo("Europe/Moscow")
# Monday 16 November 2026, 12:30 in Makhachkala: the month covers 4 November (a holiday).
NOW = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)

EngineFactory = Callable[[], Engine]


@pytest.fixture
def calendar() -> ProductionCalendar:
    return ProductionCalendar(tz=MSK, hours=WorkingHours(time(9), time(18)))


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    with Session(db_engine) as session:
        yield session


@pytest.fixture
def seeded(session: Session, calendar: ProductionCalendar) -> DemoSummary:
    summary = seed_demo(session=session, calendar=calendar, now=NOW)
    session.commit()
    return summary


def _calls(session: Session) -> list[Call]:
    return list(session.exec(select(Call).order_by(col(Call.arrived_at), col(Call.id))))


def _local_day(moment: datetime) -> date:
    return moment.astimezone(MSK).date()


def test_seed_demo_covers_every_outcome_and_missed_reason(
    session: Session, seeded: DemoSummary
) -> None:
    calls = _calls(session)

    assert {call.outcome for call in calls} == set(CallOutcome)
    reasons = {call.missed_reason for call in calls if call.outcome is CallOutcome.MISSED}
    assert reasons == set(MissedReason) - {MissedReason.UNKNOWN}  # C13
    assert any(c.short_call for c in calls if c.outcome is CallOutcome.MISSED)
    assert all(call.linkedid.startswith(DEMO_LINKEDID_PREFIX) for call in calls)
    assert seeded.calls == len(calls)


def test_seed_demo_call_flags_come_from_the_rules(
    session: Session, seeded: DemoSummary, calendar: ProductionCalendar
) -> None:
    for call in _calls(session):
        assert call.in_working_hours == calendar.is_open(call.arrived_at), call.linkedid  # C3
        assert call.ended_at is not None
        facts = CallFacts(
            call.arrived_at,
            call.ended_at,
            call.in_working_hours,
            reached_operator=call.answered_at is not None,
            queue_exit=QueueExit.CONNECTED if call.answered_at else QueueExit.NOT_QUEUED,
        )
        verdict = classify_call(facts)  # C13
        assert call.outcome is verdict.outcome, call.linkedid
        assert call.short_call == verdict.short, call.linkedid
        # Only a caller who never reached the queue can have hung up in the IVR.
        in_ivr = call.missed_reason is MissedReason.ABANDONED_IN_IVR
        assert in_ivr == (call.outcome is CallOutcome.MISSED and call.queue_joined_at is None)


def test_seed_demo_covers_the_period_with_weekdays_busier_than_days_off(
    session: Session, seeded: DemoSummary, calendar: ProductionCalendar
) -> None:
    assert not calendar.is_working_day(date(2026, 11, 4))  # precondition: a holiday
    per_day = Counter(_local_day(call.arrived_at) for call in _calls(session))
    first, last = date(2026, 10, 17), date(2026, 11, 15)

    assert min(per_day) >= first
    assert max(per_day) <= last
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        if calendar.is_working_day(day):
            assert 15 <= per_day[day] <= 40, day
        else:
            assert 1 <= per_day[day] <= 4, day
    holiday_calls = [c for c in _calls(session) if _local_day(c.arrived_at) == date(2026, 11, 4)]
    assert all(c.outcome is CallOutcome.AFTER_HOURS for c in holiday_calls)
    evenings = [c for c in _calls(session) if c.arrived_at.astimezone(MSK).time() >= time(18)]
    assert any(c.outcome is CallOutcome.AFTER_HOURS for c in evenings)


def test_seed_demo_transfers_respect_the_cap_and_refused_third_opens_a_callback(
    session: Session, seeded: DemoSummary
) -> None:
    calls = {call.id: call for call in _calls(session)}
    transfers = list(session.exec(select(CallTransfer)))
    by_call: dict[int, list[CallTransfer]] = {}
    for transfer in transfers:
        by_call.setdefault(transfer.call_id, []).append(transfer)

    counts = Counter(call.transfer_count for call in calls.values())
    assert {0, 1, 2} <= set(counts)
    assert max(counts) == 2  # C10
    refused = [t for t in transfers if t.outcome is TransferOutcome.REFUSED]
    assert refused
    for transfer in refused:
        assert transfer.seq == 3
        assert calls[transfer.call_id].transfer_count == 2
    for call_id, legs in by_call.items():
        completed = sum(1 for t in legs if t.outcome is TransferOutcome.COMPLETED)
        assert calls[call_id].transfer_count == completed
    capped = session.exec(
        select(CallbackTask).where(CallbackTask.source == CallbackSource.TRANSFER_CAP)
    ).all()
    assert {task.origin_call_id for task in capped} == {t.call_id for t in refused}


def test_seed_demo_callbacks_have_every_status_and_windows_in_working_hours(
    session: Session, seeded: DemoSummary, calendar: ProductionCalendar
) -> None:
    tasks = list(session.exec(select(CallbackTask)))
    windows = list(session.exec(select(CallbackWindow)))
    attempts = list(session.exec(select(CallbackAttempt)))
    by_id = {task.id: task for task in tasks}

    assert {task.status for task in tasks} == set(CallbackStatus)
    assert {task.source for task in tasks} == set(CallbackSource)
    assert seeded.callbacks == len(tasks)
    assert windows
    for window in windows:  # C11: agreed windows lie inside the day's working hours
        day = _local_day(window.starts_at)
        hours = calendar.hours_on(day)
        assert hours is not None
        assert datetime.combine(day, hours.opens, tzinfo=MSK) <= window.starts_at
        assert window.ends_at <= datetime.combine(day, hours.closes, tzinfo=MSK)
        assert by_id[window.task_id].requested_at < window.starts_at
    for task in tasks:
        assert calendar.is_working_day(task.promised_on)
        assert task.promised_on > _local_day(task.requested_at)
        assert (task.closed_at is not None) == (
            task.status not in (CallbackStatus.OPEN, CallbackStatus.IN_PROGRESS)
        )
    for attempt in attempts:
        assert by_id[attempt.task_id].requested_at < attempt.at < NOW
        assert calendar.is_open(attempt.at)
    tried: Counter[int | None] = Counter(attempt.task_id for attempt in attempts)
    assert all(tried[t.id] == 3 for t in tasks if t.status is CallbackStatus.FAILED)
    assert all(tried[t.id] == 0 for t in tasks if t.status is CallbackStatus.OPEN)


def test_seed_demo_after_hours_requests_and_missed_calls_become_callbacks(  # C11, C13
    session: Session, seeded: DemoSummary
) -> None:
    query = select(CallbackTask, Call).join(Call, col(Call.id) == col(CallbackTask.origin_call_id))
    pairs = session.exec(query).all()
    after_hours = [(t, c) for t, c in pairs if t.source is CallbackSource.AFTER_HOURS]
    missed = [(t, c) for t, c in pairs if t.source is CallbackSource.MISSED_CALL]

    assert after_hours
    assert missed
    assert all(call.outcome is CallOutcome.AFTER_HOURS for _, call in after_hours)
    assert all(task.phone_e164 == call.caller_e164 for task, call in after_hours + missed)
    # a missed call points at the task it opened, as the call log's does
    assert all(call.outcome is CallOutcome.MISSED for _, call in missed)
    assert all(call.callback_task_id == task.id for task, call in missed)


def test_seed_demo_surveys_complete_and_partial_on_answered_calls(
    session: Session, seeded: DemoSummary
) -> None:
    pairs = session.exec(
        select(SurveyResponse, Call).join(Call, col(Call.id) == col(SurveyResponse.call_id))
    ).all()
    answered = [c for c in _calls(session) if c.outcome is CallOutcome.ANSWERED]

    assert seeded.surveys == len(pairs)
    assert len(pairs) > len(answered) / 2  # most answered calls
    assert all(call.outcome is CallOutcome.ANSWERED for _, call in pairs)
    assert all(survey.operator_id == call.operator_id for survey, call in pairs)
    completeness = Counter(survey.completed for survey, _ in pairs)
    assert completeness[True]
    assert completeness[False]  # C15: partial = hung up after the first question
    assert all(s.answer_received is not None for s, _ in pairs)


def test_seed_demo_clients_repeat_callers_and_anonymous(
    session: Session, seeded: DemoSummary
) -> None:
    clients = list(session.exec(select(Client)))
    calls = _calls(session)

    assert seeded.clients == len(clients)
    for client in clients:
        assert client.phone_e164 is not None
        assert normalize_phone(client.phone_e164) == client.phone_e164
        assert client.phone_e164[2:5] in {"928", "988", "963", "964", "965", "989"}
    per_client = Counter(call.client_id for call in calls if call.client_id is not None)
    assert max(per_client.values()) > 1
    anonymous = [call for call in calls if call.client_id is None]
    assert anonymous
    assert all(call.caller_e164 is None for call in anonymous)


def test_seed_demo_creates_staff_and_only_trained_operators_answer(
    session: Session, seeded: DemoSummary
) -> None:
    employees = {e.id: e for e in session.exec(select(Employee))}
    operators = session.exec(
        select(Employee)
        .join(EmployeeRole, col(EmployeeRole.employee_id) == col(Employee.id))
        .where(EmployeeRole.role == Role.OPERATOR)
    ).all()
    training: dict[int, list[TrainingRecord]] = {}
    for entry in session.exec(select(TrainingEntry)):
        training.setdefault(entry.employee_id, []).append(
            TrainingRecord(entry.kind, entry.completed_on)
        )

    assert seeded.employees == len(employees)
    assert sorted(o.internal_number for o in operators) == ["201", "202", "203", "204", "205"]
    assert all(o.device == f"PJSIP/{o.internal_number}" for o in operators)
    answered = [c for c in _calls(session) if c.outcome is CallOutcome.ANSWERED]
    for call in answered:  # C4: an operator without valid training cannot go "ready"
        assert call.operator_id is not None
        status = training_status(
            training.get(call.operator_id, []), [], _local_day(call.arrived_at)
        )
        assert status.may_take_calls, (employees[call.operator_id].internal_number, call.linkedid)
    answering = {employees[c.operator_id].internal_number for c in answered if c.operator_id}
    assert {"203", "205"}.isdisjoint(answering)
    assert {"201", "202", "204"} <= answering


def test_seed_demo_uses_existing_operators_without_creating_staff(
    session: Session, calendar: ProductionCalendar
) -> None:
    department = Department(code="line", name="Консультационная линия")
    session.add(department)
    session.flush()
    assert department.id is not None
    mine = [
        Employee(
            internal_number=number,
            full_name=f"Оператор {number}",
            device=f"PJSIP/{number}",
            department_id=department.id,
            updated_at=NOW,
        )
        for number in ("101", "102")
    ]
    session.add_all(mine)
    session.flush()
    session.add_all(
        EmployeeRole(employee_id=employee.id, role=Role.OPERATOR)
        for employee in mine
        if employee.id is not None
    )
    session.flush()

    summary = seed_demo(session=session, calendar=calendar, now=NOW, days=7)

    assert summary.employees == 0
    assert len(session.exec(select(Employee)).all()) == 2
    answered_by = {c.operator_id for c in _calls(session) if c.operator_id is not None}
    assert answered_by == {employee.id for employee in mine}


def test_seed_demo_second_run_writes_nothing(
    session: Session, seeded: DemoSummary, calendar: ProductionCalendar
) -> None:
    before = len(_calls(session))

    again = seed_demo(session=session, calendar=calendar, now=NOW + timedelta(days=3), seed=99)
    session.commit()

    assert again.already_present
    assert (again.calls, again.callbacks, again.surveys, again.clients, again.employees) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert len(_calls(session)) == before
    assert again.lines() == [
        "Демонстрационные данные уже есть в базе (звонки demo-*): ничего не записано."
    ]


def _fingerprint(engine: Engine, calendar: ProductionCalendar, seed: int) -> tuple[object, ...]:
    with Session(engine) as session:
        summary = seed_demo(session=session, calendar=calendar, now=NOW, seed=seed)
        session.commit()
        calls = [
            (c.linkedid, c.outcome, c.missed_reason, c.caller_e164, c.transfer_count)
            for c in _calls(session)
        ]
        statuses = sorted(str(t.status) for t in session.exec(select(CallbackTask)))
        return summary, calls, statuses


def test_seed_demo_is_deterministic_for_seed_and_now(
    engine_factory: EngineFactory, calendar: ProductionCalendar
) -> None:
    first = _fingerprint(engine_factory(), calendar, seed=7)
    second = _fingerprint(engine_factory(), calendar, seed=7)
    other = _fingerprint(engine_factory(), calendar, seed=8)

    assert first == second
    assert first != other


def test_seed_demo_summary_lines_are_russian(seeded: DemoSummary) -> None:
    lines = seeded.lines()

    assert lines[0] == "Записаны демонстрационные данные:"
    assert f"  звонков: {seeded.calls}" in lines
    assert f"  сотрудников (демонстрационные отделы): {seeded.employees}" in lines


def test_seed_demo_refuses_an_empty_period(session: Session, calendar: ProductionCalendar) -> None:
    with pytest.raises(ValueError, match="days"):
        seed_demo(session=session, calendar=calendar, now=NOW, days=0)


def test_seed_demo_data_exports(session: Session, seeded: DemoSummary) -> None:
    counts = {
        kind: sum(
            1 for _ in export_rows(session=session, kind=kind, since=None, until=None, tz=MSK)
        )
        for kind in ExportKind
    }

    assert counts == {
        ExportKind.CALLS: seeded.calls,
        ExportKind.CALLBACKS: seeded.callbacks,
        ExportKind.SURVEYS: seeded.surveys,
    }


# --- demo accounts ----------------------------------------------------------------------------


def test_demo_accounts_one_per_role_for_the_demo_staff(
    session: Session, seeded: DemoSummary
) -> None:
    accounts = create_demo_accounts(session=session, passwords=CHEAP, now=NOW, actor="cli:test")
    session.commit()
    assert [(account.login, account.role) for account in accounts] == [
        ("operator", Role.OPERATOR),
        ("expert", Role.EXPERT),
        ("supervisor", Role.SUPERVISOR),
        ("kb-editor", Role.KB_EDITOR),
        ("admin", Role.ADMIN),
    ]
    views = {view.login: view for view in list_accounts(session)}
    assert {login: (v.employee_number, v.roles) for login, v in views.items()} == {
        "admin": ("100", (Role.ADMIN,)),
        "expert": ("301", (Role.EXPERT,)),
        "kb-editor": ("102", (Role.KB_EDITOR,)),
        "operator": ("201", (Role.OPERATOR,)),
        "supervisor": ("101", (Role.SUPERVISOR,)),
    }
    for account in accounts:
        found = find_account(session, account.login)
        assert found is not None
        assert CHEAP.verify(found.password_hash, account.password)
        assert len(account.password) == 16
    assert len({account.password for account in accounts}) == 5
    # A second run leaves the accounts and their passwords alone.
    assert create_demo_accounts(session=session, passwords=CHEAP, now=NOW, actor="t") == []


def test_no_demo_accounts_for_a_deployers_own_staff(
    session: Session, calendar: ProductionCalendar
) -> None:
    department = Department(code="line", name="Консультационная линия")
    session.add(department)
    session.flush()
    assert department.id is not None
    employee = Employee(
        internal_number="201",  # the demo operator's number, but not a demo employee
        full_name="Оператор 201",
        device="PJSIP/201",
        department_id=department.id,
        updated_at=NOW,
    )
    session.add(employee)
    session.flush()
    assert employee.id is not None
    session.add(EmployeeRole(employee_id=employee.id, role=Role.OPERATOR))
    seed_demo(session=session, calendar=calendar, now=NOW, days=3)
    assert create_demo_accounts(session=session, passwords=CHEAP, now=NOW, actor="t") == []
    assert list_accounts(session) == []


def test_the_demo_experts_receive_visitors(  # V1–V2: a fresh demo offers free times
    session: Session, calendar: ProductionCalendar, seeded: DemoSummary
) -> None:
    assert seeded.reception_hours == 5
    tuesday = date(2026, 11, 17)
    slots = list_free_slots(
        session=session, calendar=calendar, first=tuesday, last=tuesday, now=NOW
    )
    receiving = {row_id(e): e.internal_number for e in session.exec(select(Employee))}
    assert {receiving[slot.employee_id] for slot in slots} == {"301"}
    assert [s.starts_at.astimezone(MSK).time() for s in slots][:2] == [time(10), time(10, 30)]
    assert len(slots) == 6  # 10:00–13:00 in half-hours


def test_the_demo_leaves_a_deployers_reception_schedule_alone(
    session: Session, calendar: ProductionCalendar, seeded: DemoSummary
) -> None:
    hours = session.exec(select(ReceptionHours)).all()
    session.delete(hours[0])
    session.flush()
    assert seed_reception(session, NOW) == 0  # somebody receives already
    assert len(session.exec(select(ReceptionHours)).all()) == len(hours) - 1
