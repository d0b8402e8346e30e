"""Missed calls (C13): calls that arrived during working hours and were left unanswered.

Whether the call arrived in working hours is decided by the caller of the rule at the
arrival instant (calendar.is_open), so a call arriving at 17:59:59 and abandoned at 18:05
is missed.

Every missed call is recorded (short ones flagged, never hidden). Whether it also opens an
automatic callback task is ``opens_callback``: a caller who hung up themselves after less
than the supervisor's minimum time in the line (a wrong number, a mind changed at the
greeting) gets none; a call the line failed (no operators, the queue's time limit) always
gets one, however short.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from models.rules.calendar import require_aware


class CallOutcome(StrEnum):
    ANSWERED = "answered"
    MISSED = "missed"
    AFTER_HOURS = "after_hours"


class MissedReason(StrEnum):
    ABANDONED_IN_IVR = "abandoned_in_ivr"
    ABANDONED_IN_QUEUE = "abandoned_in_queue"
    QUEUE_TIMEOUT = "queue_timeout"
    NO_OPERATORS = "no_operators"
    LEFT_QUEUE_BY_KEY = "left_queue_by_key"
    UNKNOWN = "unknown"


class QueueExit(StrEnum):
    NOT_QUEUED = "not_queued"
    ABANDONED = "abandoned"
    TIMEOUT = "timeout"
    EMPTY = "empty"
    KEY = "key"
    CONNECTED = "connected"


MISSED_REASON_LABELS_RU: dict[MissedReason, str] = {
    MissedReason.ABANDONED_IN_IVR: "Звонящий положил трубку в голосовом меню",
    MissedReason.ABANDONED_IN_QUEUE: "Звонящий положил трубку в очереди",
    MissedReason.QUEUE_TIMEOUT: "Истекло время ожидания в очереди",
    MissedReason.NO_OPERATORS: "Нет операторов на линии",
    MissedReason.LEFT_QUEUE_BY_KEY: "Звонящий вышел из очереди клавишей",
    MissedReason.UNKNOWN: "Причина не установлена",
}

_REASON_BY_EXIT: dict[QueueExit, MissedReason] = {
    QueueExit.NOT_QUEUED: MissedReason.ABANDONED_IN_IVR,
    QueueExit.ABANDONED: MissedReason.ABANDONED_IN_QUEUE,
    QueueExit.TIMEOUT: MissedReason.QUEUE_TIMEOUT,
    QueueExit.EMPTY: MissedReason.NO_OPERATORS,
    QueueExit.KEY: MissedReason.LEFT_QUEUE_BY_KEY,
    # The queue says "connected" but no operator was reached: the log cannot say why.
    QueueExit.CONNECTED: MissedReason.UNKNOWN,
}

DEFAULT_SHORT_CALL_THRESHOLD_S = 5.0
# Missed calls the caller ended: those the minimum time in the line applies to.
CALLER_ENDED: frozenset[MissedReason] = frozenset(
    {
        MissedReason.ABANDONED_IN_IVR,
        MissedReason.ABANDONED_IN_QUEUE,
        MissedReason.LEFT_QUEUE_BY_KEY,
    }
)


@dataclass(frozen=True, slots=True)
class CallFacts:
    arrived_at: datetime
    ended_at: datetime
    in_working_hours: bool  # decided at arrival
    reached_operator: bool
    queue_exit: QueueExit


@dataclass(frozen=True, slots=True)
class CallVerdict:
    outcome: CallOutcome
    missed_reason: MissedReason | None
    short: bool  # a flag for reports only: a short missed call is still missed
    duration_s: float


def classify_call(
    facts: CallFacts, *, short_call_threshold_s: float = DEFAULT_SHORT_CALL_THRESHOLD_S
) -> CallVerdict:
    if short_call_threshold_s < 0:
        raise ValueError(f"short-call threshold must not be negative: {short_call_threshold_s}")
    require_aware(facts.arrived_at, "arrived_at")
    require_aware(facts.ended_at, "ended_at")
    if facts.ended_at < facts.arrived_at:
        raise ValueError("a call cannot end before it arrived")
    duration_s = (facts.ended_at - facts.arrived_at).total_seconds()
    short = duration_s < short_call_threshold_s
    if facts.reached_operator:
        return CallVerdict(CallOutcome.ANSWERED, None, short, duration_s)
    if not facts.in_working_hours:
        return CallVerdict(CallOutcome.AFTER_HOURS, None, short, duration_s)
    return CallVerdict(CallOutcome.MISSED, _REASON_BY_EXIT[facts.queue_exit], short, duration_s)


def opens_callback(verdict: CallVerdict, *, min_time_in_line_s: float = 0.0) -> bool:
    """C13/C11: whether a finished call gets an automatic callback task (if its number is
    identifiable: the caller of the rule checks that). ``min_time_in_line_s`` (0: every
    missed call) applies only to calls the caller ended."""
    if min_time_in_line_s < 0:
        raise ValueError(f"minimum time in the line must not be negative: {min_time_in_line_s}")
    if verdict.outcome is not CallOutcome.MISSED:
        return False
    if verdict.missed_reason in CALLER_ENDED:
        return verdict.duration_s >= min_time_in_line_s
    return True
