"""The missed-call report (C13) over the sample days of ``tests.reports.samples``: its table,
its counts and its filters, each figure worked out by hand from the samples' list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.rules.missed import MissedReason
from reports.inputs import InputError
from reports.missed import CallbackState, MissedReport, MissedRow, missed_report
from tests.reports.samples import ALIEVA, MSK, OMAROV, PERIOD, add_sample_calls, msk

YEKATERINBURG = ZoneInfo("Asia/Yekaterinburg")


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    add_sample_calls(db_engine)
    with Session(db_engine) as session:
        yield session


def _report(tz: ZoneInfo = MSK, **filters: list[str]) -> MissedReport:
    return missed_report(PERIOD, filters, tz)


def _arrivals(session: Session, report: MissedReport) -> list[datetime]:
    return [row.arrived_at for row in report.page(session, offset=0, limit=100)]


def test_every_missed_call_of_the_local_days_in_order_of_arrival(session: Session) -> None:  # C13
    rows = _report().page(session, offset=0, limit=100)
    # m0 at local midnight is in; 04.10 23:59:59, 07.10 00:30, answered, after-hours and
    # unfinished calls are out; m7 (11:30) comes before m6 (17:59:59).
    assert [row.arrived_at for row in rows] == [
        msk(5, 0),
        msk(5, 9, 5),
        msk(5, 9, 40, 10),
        msk(5, 10, 15),
        msk(5, 10, 50),
        msk(6, 9, 10),
        msk(6, 11, 30),
        msk(6, 17, 59, 59),
    ]
    assert all(row.arrived_at.utcoffset() == MSK.utcoffset(row.arrived_at) for row in rows)


def test_a_row_carries_reason_wait_short_flag_and_callback_task(session: Session) -> None:
    rows = {row.arrived_at: row for row in _report().page(session, offset=0, limit=100)}
    m3 = rows[msk(5, 10, 15)]  # timed out in the queue; its task tried twice by Alieva, done
    assert m3 == MissedRow(
        arrived_at=msk(5, 10, 15),
        caller="+79280000003",
        topic="Меры государственной поддержки",
        reason="Истекло время ожидания в очереди",
        queue_wait_s=300.0,
        in_line_s=320.0,
        short=False,
        callback="Выполнена",
        task_id=m3.task_id,
        owner=ALIEVA,
        attempts=2,
        last_attempt_at=msk(6, 14),
        last_attempt="Дозвонились",
        closed_at=msk(6, 14, 5),
        result_note="Ответ дан",
    )
    assert m3.task_id is not None
    assert rows[msk(6, 9, 10)].task_id == m3.task_id  # m5, attached to m3's task
    m1 = rows[msk(5, 9, 5)]  # a short hang-up in the IVR: no task, no topic, no queue
    assert (m1.reason, m1.topic, m1.queue_wait_s, m1.in_line_s, m1.short) == (
        "Звонящий положил трубку в голосовом меню",
        "Тема не выбрана",
        None,
        3.0,
        True,
    )
    assert (m1.callback, m1.task_id, m1.owner, m1.attempts, m1.last_attempt_at) == (
        "Нет заявки",
        None,
        "",
        None,
        None,
    )
    m2 = rows[msk(5, 9, 40, 10)]  # an open task nobody has taken or tried yet
    assert (m2.queue_wait_s, m2.callback, m2.owner, m2.attempts, m2.last_attempt) == (
        45.3,  # 45.26 s, to a tenth
        "Открыта",
        "",
        0,
        "",
    )
    m6 = rows[msk(6, 17, 59, 59)]
    assert (m6.callback, m6.owner, m6.attempts, m6.last_attempt, m6.closed_at) == (
        "Не выполнена",
        OMAROV,
        2,
        "Не ответил",
        msk(7, 15, 5),
    )
    m0 = rows[msk(5, 0)]
    assert (m0.caller, m0.reason) == ("anonymous", "Причина не установлена")


def test_counts_in_all_by_reason_by_callback_state_and_short(session: Session) -> None:  # C13
    tally = _report().tally(session)
    assert (tally.total, tally.short) == (8, 2)  # m1 and m4
    assert dict(tally.by_reason) == {
        MissedReason.UNKNOWN: 1,  # m0
        MissedReason.ABANDONED_IN_IVR: 1,  # m1
        MissedReason.ABANDONED_IN_QUEUE: 2,  # m2, m5
        MissedReason.QUEUE_TIMEOUT: 2,  # m3, m6
        MissedReason.NO_OPERATORS: 1,  # m4
        MissedReason.LEFT_QUEUE_BY_KEY: 1,  # m7
    }
    assert dict(tally.by_callback) == {
        CallbackState.NONE: 2,  # m0, m1
        CallbackState.OPEN: 1,  # m2
        CallbackState.DONE: 2,  # m3 and m5, attached to m3's task
        CallbackState.IN_PROGRESS: 1,  # m4
        CallbackState.FAILED: 1,  # m6
        CallbackState.CANCELLED: 1,  # m7
    }


def test_counts_by_local_day_hour_of_day_and_hour(session: Session) -> None:
    tally = _report().tally(session)
    assert tally.hours.by_day(PERIOD, MSK) == [(date(2026, 10, 5), 5), (date(2026, 10, 6), 3)]
    by_hour_of_day = dict(tally.hours.by_hour_of_day(MSK))
    assert list(by_hour_of_day) == list(range(0, 18))  # from m0's midnight to m6's 17:59
    assert {hour: n for hour, n in by_hour_of_day.items() if n} == {0: 1, 9: 3, 10: 2, 11: 1, 17: 1}
    hourly = tally.hours.by_hour(PERIOD, MSK)
    assert len(hourly) == 48
    assert hourly[0] == (msk(5, 0), 1)
    assert hourly[9] == (msk(5, 9), 2)  # m1, m2
    assert hourly[24 + 17] == (msk(6, 17), 1)  # m6
    assert sum(count for _, count in hourly) == 8


def test_the_lines_zone_decides_days_and_hours(session: Session) -> None:  # C3
    # Two hours east of Moscow, 04.10 23:59:59 MSK is 05.10 01:59:59: inside the period.
    report = _report(YEKATERINBURG)
    tally = report.tally(session)
    assert tally.total == 9
    assert tally.hours.by_day(PERIOD, YEKATERINBURG) == [
        (date(2026, 10, 5), 6),
        (date(2026, 10, 6), 3),
    ]
    hours = {hour: n for hour, n in tally.hours.by_hour_of_day(YEKATERINBURG) if n}
    assert hours == {1: 1, 2: 1, 11: 3, 12: 2, 13: 1, 19: 1}
    first = report.page(session, offset=0, limit=1)[0]
    assert first.arrived_at.isoformat() == "2026-10-05T01:59:59+05:00"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"reason": ["queue_timeout"]}, ["m3", "m6"]),
        ({"reason": ["abandoned_in_queue", "abandoned_in_ivr"]}, ["m1", "m2", "m5"]),
        ({"topic": ["none"]}, ["m0", "m1", "m7"]),
        ({"topic": ["support_measures", "none"]}, ["m0", "m1", "m3", "m4", "m7"]),
        ({"callback": ["none"]}, ["m0", "m1"]),
        ({"callback": ["none", "failed"]}, ["m0", "m1", "m6"]),
        ({"callback": ["done"]}, ["m3", "m5"]),
        ({"short": ["only"]}, ["m1", "m4"]),
        ({"short": ["without"]}, ["m0", "m2", "m3", "m5", "m7", "m6"]),
        ({"reason": ["queue_timeout"], "callback": ["done"]}, ["m3"]),
        ({"reason": ["no_operators"], "short": ["without"]}, []),
        ({"reason": [""], "topic": [], "short": ["all"]}, ["m0", "m1", "m2", "m3", "m4"]),
    ],
)
def test_filters_select_the_calls_and_their_counts(
    session: Session, filters: dict[str, list[str]], expected: list[str]
) -> None:
    arrivals = {
        "m0": msk(5, 0),
        "m1": msk(5, 9, 5),
        "m2": msk(5, 9, 40, 10),
        "m3": msk(5, 10, 15),
        "m4": msk(5, 10, 50),
        "m5": msk(6, 9, 10),
        "m7": msk(6, 11, 30),
        "m6": msk(6, 17, 59, 59),
    }
    report = _report(**filters)
    found = _arrivals(session, report)
    if filters.get("short") == ["all"]:  # no filter at all: every call; checked by the first five
        found = found[:5]
    else:
        assert report.tally(session).total == len(expected)
    assert found == [arrivals[name] for name in expected]


def test_a_page_of_the_table_and_the_whole_of_it(session: Session) -> None:
    report = _report()
    page = report.page(session, offset=2, limit=3)
    assert [row.arrived_at for row in page] == [msk(5, 9, 40, 10), msk(5, 10, 15), msk(5, 10, 50)]
    assert report.page(session, offset=8, limit=3) == []
    every = list(report.rows(session))
    assert len(every) == 8
    assert every[3] == page[1].cells()


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (
            {"reason": ["hung_up"]},
            "Неизвестное значение «hung_up» фильтра «причина»; возможные: abandoned_in_ivr, "
            "abandoned_in_queue, queue_timeout, no_operators, left_queue_by_key, unknown.",
        ),
        ({"topic": ["taxes"]}, "Неизвестное значение «taxes» фильтра «тема»"),
        ({"callback": ["OPEN"]}, "Неизвестное значение «OPEN» фильтра «обратный звонок»"),
        ({"short": ["yes"]}, "Неизвестное значение «yes» фильтра «короткие звонки»"),
    ],
)
def test_an_unknown_filter_value_is_refused_by_name(
    filters: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(InputError) as refused:
        _report(**filters)
    assert refused.value.message.startswith(message)
    assert refused.value.field == next(iter(filters))


def test_the_audit_line_names_period_and_filters() -> None:
    report = _report(reason=["queue_timeout", "abandoned_in_ivr"], topic=["none"], short=["only"])
    assert report.describe() == (
        "since=2026-10-05 until=2026-10-06 reason=abandoned_in_ivr,queue_timeout topic=none "
        "short=only"
    )
