"""Transfers from the card (C9, C10): competent targets with their availability, and the
refusals before anything is sent, the third transfer with the offer of a callback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from ami.events import QueueMember
from ami.live_state import LiveState
from call_card.refusals import Refusal, RefusalKind
from call_card.transfers import (
    Availability,
    TransferPlan,
    live_availability,
    plan_transfer,
    transfer_targets,
)
from models.db import session_scope
from models.rules.transfers import TransferOutcome
from models.tables import CallTransfer, Language, TransferKind
from models.topics import Topic
from tests.call_card.samples import NOW, add_call, add_department, add_person

AT = datetime(2026, 12, 3, 6, 55, tzinfo=UTC)


def _member(interface: str, *, status: int = 1, paused: bool = False) -> QueueMember:
    return QueueMember(
        at=AT,
        queue="consult-line",
        interface=interface,
        member_name=interface,
        status=status,
        paused=paused,
    )


def _snapshot() -> dict[str, object]:
    """A real live-state snapshot: 301 ready, 302 talking, 303 paused, 304 unreachable."""
    state = LiveState("consult-line")
    state.resync(
        [],
        [
            _member("PJSIP/301"),
            _member("PJSIP/302", status=2),
            _member("PJSIP/303", paused=True),
            _member("PJSIP/304", status=5),
        ],
    )
    return state.snapshot(AT)


def _add_transfer(engine: Engine, call_id: int, seq: int, outcome: TransferOutcome) -> None:
    with session_scope(engine) as session:
        session.add(
            CallTransfer(
                call_id=call_id,
                seq=seq,
                kind=TransferKind.BLIND,
                outcome=outcome,
                to_extension="301",
                at=NOW - timedelta(minutes=4 - seq),
            )
        )


def test_snapshot_gives_each_device_its_availability() -> None:
    assert live_availability(_snapshot()) == {
        "PJSIP/301": Availability.READY,
        "PJSIP/302": Availability.TALKING,
        "PJSIP/303": Availability.PAUSED,
        "PJSIP/304": Availability.NOT_SIGNED_IN,
    }


def test_snapshot_entries_that_cannot_be_read_are_skipped() -> None:
    snapshot = {"operators": [{"interface": "PJSIP/1", "activity": "dancing"}, "junk", {}]}
    assert live_availability(snapshot) == {}
    assert live_availability({"operators": "junk"}) == {}


def test_targets_are_active_competent_colleagues_available_first(engine: Engine) -> None:
    # C9: transfer to the competent employee
    licensing = add_department(engine, "licensing", "Отдел лицензирования")
    operator = add_person(engine, "201", "Оператор Один", topics=[Topic.STATE_SERVICES])
    add_person(engine, "301", "Бабаев Ядр", department_id=licensing, topics=[Topic.STATE_SERVICES])
    add_person(engine, "302", "Алиев Аслан", topics=[Topic.STATE_SERVICES, Topic.MESSAGES])
    add_person(engine, "303", "Гусейнова Вера", topics=[Topic.STATE_SERVICES])
    add_person(engine, "305", "Абакаров Нет", topics=[Topic.STATE_SERVICES])  # not in the queue
    add_person(engine, "306", "Ахмедов Ушёл", topics=[Topic.STATE_SERVICES], active=False)
    add_person(engine, "307", "Другой Тематика", topics=[Topic.CONTROL_SUPERVISION])
    live = live_availability(_snapshot())
    with session_scope(engine) as session:
        targets = transfer_targets(
            session, topic=Topic.STATE_SERVICES, operator_id=operator, live=live
        )
    assert [(t.internal_number, t.availability) for t in targets] == [
        ("301", Availability.READY),
        ("303", Availability.PAUSED),
        ("302", Availability.TALKING),
        ("305", Availability.NOT_SIGNED_IN),
    ]
    first = targets[0]
    assert (first.full_name, first.department, first.availability_label) == (
        "Бабаев Ядр",
        "Отдел лицензирования",
        "Свободен",
    )
    assert targets[2].topics == (Topic.STATE_SERVICES, Topic.MESSAGES)


def test_without_a_topic_every_competent_colleague_is_offered(engine: Engine) -> None:
    operator = add_person(engine, "201", "Оператор Один", topics=[Topic.GENERAL])
    add_person(engine, "301", "Эксперт А", topics=[Topic.MESSAGES])
    add_person(engine, "302", "Эксперт Б", topics=[Topic.CONTROL_SUPERVISION])
    add_person(engine, "303", "Без Компетенций")
    with session_scope(engine) as session:
        targets = transfer_targets(session, topic=None, operator_id=operator, live={})
    assert [t.internal_number for t in targets] == ["301", "302"]


def _plan(engine: Engine, linkedid: str, operator: int, extension: str) -> TransferPlan | Refusal:
    with session_scope(engine) as session:
        return plan_transfer(
            session, linkedid=linkedid, operator_id=operator, extension=extension, live={}
        )


def test_plan_names_the_target_and_what_to_tell_the_caller_first(engine: Engine) -> None:
    # C9: the caller is told before the transfer, with the department
    licensing = add_department(engine, "licensing", "отдел лицензирования")
    operator = add_person(engine, "201", "Оператор Один")
    add_person(engine, "301", "Эксперт Лицензий", department_id=licensing)
    call_id = add_call(engine, "call-1", operator_id=operator)
    _add_transfer(engine, call_id, 1, TransferOutcome.FAILED)  # a failed attempt does not count
    plan = _plan(engine, "call-1", operator, "301")
    assert isinstance(plan, TransferPlan), plan
    assert (plan.extension, plan.target.full_name, plan.left_after) == (
        "301",
        "Эксперт Лицензий",
        1,
    )
    assert [record.outcome for record in plan.history] == [TransferOutcome.FAILED]
    assert plan.warning is not None
    assert plan.warning.entry_id == "script-transfer"
    assert "я переключу Вас на специалиста — отдел лицензирования." in plan.warning.text


def test_english_call_is_warned_in_english(engine: Engine) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_person(engine, "301", "Эксперт")
    add_call(engine, "call-en", operator_id=operator, language=Language.EN)
    plan = _plan(engine, "call-en", operator, "301")
    assert isinstance(plan, TransferPlan)
    assert plan.warning is not None
    assert plan.warning.entry_id == "script-transfer-en"


def test_third_transfer_is_refused_with_the_offer_of_a_callback(engine: Engine) -> None:
    # C10: at most two transfers per call; the caller is offered a callback instead
    operator = add_person(engine, "201", "Оператор Один")
    add_person(engine, "301", "Эксперт")
    call_id = add_call(engine, "call-1", operator_id=operator)
    _add_transfer(engine, call_id, 1, TransferOutcome.COMPLETED)
    assert isinstance(_plan(engine, "call-1", operator, "301"), TransferPlan)  # the second
    _add_transfer(engine, call_id, 2, TransferOutcome.COMPLETED)
    refused = _plan(engine, "call-1", operator, "301")
    assert isinstance(refused, Refusal)
    assert refused.kind is RefusalKind.CONFLICT
    assert "уже переведён 2 раз(а)" in refused.reason
    assert "Оформите заявку на обратный звонок в карточке звонка" in refused.reason


def test_transfer_in_flight_holds_the_last_slot_and_asks_to_wait(engine: Engine) -> None:
    # C10: an attempt not yet settled holds a slot; no callback is offered while it runs
    operator = add_person(engine, "201", "Оператор Один")
    add_person(engine, "301", "Эксперт")
    call_id = add_call(engine, "call-1", operator_id=operator)
    _add_transfer(engine, call_id, 1, TransferOutcome.COMPLETED)
    _add_transfer(engine, call_id, 2, TransferOutcome.PENDING)
    refused = _plan(engine, "call-1", operator, "301")
    assert isinstance(refused, Refusal)
    assert "Дождитесь его завершения" in refused.reason
    assert "обратный звонок" not in refused.reason


@pytest.mark.parametrize(
    ("extension", "kind", "words"),
    [
        ("999", RefusalKind.NOT_FOUND, "Сотрудника с внутренним номером '999' нет в справочнике."),
        ("302", RefusalKind.CONFLICT, "Ушедший Эксперт отключён(а) в справочнике"),
        ("201", RefusalKind.INVALID, "Нельзя перевести звонок на самого себя."),
        ("303", RefusalKind.CONFLICT, "не указан телефон"),
    ],
)
def test_transfer_to_an_unknown_inactive_or_unusable_employee_is_refused(
    engine: Engine, extension: str, kind: RefusalKind, words: str
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_person(engine, "302", "Ушедший Эксперт", active=False)
    add_person(engine, "303", "Без Телефона", device="")
    add_call(engine, "call-1", operator_id=operator)
    refused = _plan(engine, "call-1", operator, extension)
    assert isinstance(refused, Refusal)
    assert refused.kind is kind
    assert words in refused.reason


def test_ended_unanswered_or_unknown_call_is_not_transferred(engine: Engine) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_person(engine, "301", "Эксперт")
    add_call(engine, "ended", operator_id=operator, ended=True)
    add_call(engine, "waiting")
    ended = _plan(engine, "ended", operator, "301")
    waiting = _plan(engine, "waiting", operator, "301")
    unknown = _plan(engine, "nope", operator, "301")
    assert isinstance(ended, Refusal)
    assert ended.reason == "Звонок уже завершён: переводить некого."
    assert isinstance(waiting, Refusal)
    assert waiting.reason == "Звонок ещё не принят оператором: переводить нечего."
    assert isinstance(unknown, Refusal)
    assert unknown.kind is RefusalKind.NOT_FOUND


def test_planning_records_nothing(engine: Engine) -> None:
    # The dialplan guard records the attempt; the console's check must not count it twice.
    operator = add_person(engine, "201", "Оператор Один")
    add_person(engine, "301", "Эксперт")
    add_call(engine, "call-1", operator_id=operator)
    assert isinstance(_plan(engine, "call-1", operator, "301"), TransferPlan)
    with session_scope(engine) as session:
        assert session.exec(select(CallTransfer)).all() == []
