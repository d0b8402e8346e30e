"""Missed calls (C13): unanswered calls that arrived during working hours, with a reason."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.rules.missed import (
    MISSED_REASON_LABELS_RU,
    CallFacts,
    CallOutcome,
    MissedReason,
    QueueExit,
    classify_call,
    opens_callback,
)

MSK = ZoneInfo("Europe/Moscow")
ARRIVED = datetime(2025, 3, 11, 12, 0, tzinfo=MSK)


def facts(
    *,
    in_hours: bool = True,
    reached: bool = False,
    exit_: QueueExit = QueueExit.ABANDONED,
    seconds: float = 60.0,
) -> CallFacts:
    return CallFacts(ARRIVED, ARRIVED + timedelta(seconds=seconds), in_hours, reached, exit_)


@pytest.mark.parametrize(
    ("exit_", "reason"),
    [
        (QueueExit.NOT_QUEUED, MissedReason.ABANDONED_IN_IVR),
        (QueueExit.ABANDONED, MissedReason.ABANDONED_IN_QUEUE),
        (QueueExit.TIMEOUT, MissedReason.QUEUE_TIMEOUT),
        (QueueExit.EMPTY, MissedReason.NO_OPERATORS),
        (QueueExit.KEY, MissedReason.LEFT_QUEUE_BY_KEY),
        (QueueExit.CONNECTED, MissedReason.UNKNOWN),  # connected, yet no operator reached
    ],
)
def test_unanswered_call_in_working_hours_is_missed_with_its_reason(
    exit_: QueueExit, reason: MissedReason
) -> None:
    # C13
    verdict = classify_call(facts(exit_=exit_))
    assert (verdict.outcome, verdict.missed_reason) == (CallOutcome.MISSED, reason)


@pytest.mark.parametrize("in_hours", [True, False])
def test_call_that_reached_an_operator_is_answered_even_after_hours(in_hours: bool) -> None:
    # C13
    verdict = classify_call(facts(in_hours=in_hours, reached=True, exit_=QueueExit.CONNECTED))
    assert (verdict.outcome, verdict.missed_reason) == (CallOutcome.ANSWERED, None)


@pytest.mark.parametrize("exit_", list(QueueExit))
def test_unanswered_call_after_hours_is_never_missed(exit_: QueueExit) -> None:
    # C13: only calls that arrived during working hours are recorded as missed.
    verdict = classify_call(facts(in_hours=False, exit_=exit_))
    assert (verdict.outcome, verdict.missed_reason) == (CallOutcome.AFTER_HOURS, None)


def test_call_arriving_at_17_59_59_and_abandoned_after_closing_is_missed() -> None:
    # C13: the in-hours flag is taken at arrival (calendar.is_open(arrived_at)).
    arrived = datetime(2025, 3, 11, 17, 59, 59, tzinfo=MSK)
    ended = datetime(2025, 3, 11, 18, 5, tzinfo=MSK)
    verdict = classify_call(CallFacts(arrived, ended, True, False, QueueExit.ABANDONED))
    assert verdict.outcome is CallOutcome.MISSED
    assert verdict.duration_s == 301.0


@pytest.mark.parametrize(
    ("seconds", "short"), [(0.0, True), (4.999, True), (5.0, False), (120.0, False)]
)
def test_short_flag_is_set_below_the_threshold_and_the_call_stays_missed(
    seconds: float, short: bool
) -> None:
    # C13: a short missed call is still missed; the flag only helps reports.
    verdict = classify_call(facts(seconds=seconds))
    assert (verdict.outcome, verdict.short, verdict.duration_s) == (
        CallOutcome.MISSED,
        short,
        seconds,
    )


def test_short_call_threshold_can_be_configured() -> None:
    assert classify_call(facts(seconds=8.0), short_call_threshold_s=10.0).short is True


def test_call_ending_before_it_arrived_is_rejected() -> None:
    with pytest.raises(ValueError, match="before"):
        classify_call(facts(seconds=-1.0))


def test_naive_call_times_are_rejected() -> None:
    naive = datetime(2025, 3, 11, 12)  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        classify_call(CallFacts(naive, naive, True, False, QueueExit.ABANDONED))


def test_every_missed_reason_has_a_russian_label() -> None:
    # C13: the supervisor report shows the reason in Russian.
    assert set(MISSED_REASON_LABELS_RU) == set(MissedReason)
    assert MISSED_REASON_LABELS_RU[MissedReason.NO_OPERATORS] == "Нет операторов на линии"


@pytest.mark.parametrize(
    ("exit_", "seconds", "minimum", "opens"),
    [
        # C13 as before: with no minimum (the default) every missed call gets a callback
        (QueueExit.NOT_QUEUED, 3.0, 0.0, True),
        # hung up in the IVR after 3 s, the supervisor wants 10 s: recorded, no callback
        (QueueExit.NOT_QUEUED, 3.0, 10.0, False),
        (QueueExit.NOT_QUEUED, 9.999, 10.0, False),
        (QueueExit.NOT_QUEUED, 10.0, 10.0, True),
        (QueueExit.ABANDONED, 5.0, 10.0, False),
        (QueueExit.KEY, 5.0, 10.0, False),
        # the line failed the caller: a callback however short the call was
        (QueueExit.EMPTY, 2.0, 10.0, True),
        (QueueExit.TIMEOUT, 2.0, 10.0, True),
        (QueueExit.CONNECTED, 2.0, 10.0, True),  # reason unknown: not the caller's choice
    ],
)
def test_automatic_callback_after_the_minimum_time_in_the_line(
    exit_: QueueExit, seconds: float, minimum: float, opens: bool
) -> None:
    verdict = classify_call(facts(seconds=seconds, exit_=exit_))
    assert verdict.outcome is CallOutcome.MISSED
    assert opens_callback(verdict, min_time_in_line_s=minimum) is opens


@pytest.mark.parametrize("in_hours", [True, False])
def test_no_automatic_callback_for_answered_or_after_hours_calls(in_hours: bool) -> None:
    answered = classify_call(facts(in_hours=in_hours, reached=True))
    assert opens_callback(answered) is False
    after_hours = classify_call(facts(in_hours=False))
    assert opens_callback(after_hours) is False


def test_negative_minimum_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        opens_callback(classify_call(facts()), min_time_in_line_s=-1.0)
