"""Operator training (C4): before the first shift, again when a new service or function
appears, and at least every two years. An operator who is blocked cannot go "ready".
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

TRAINING_VALIDITY_YEARS = 2


class TrainingKind(StrEnum):
    INITIAL = "initial"
    NEW_SERVICE = "new_service"
    PERIODIC = "periodic"


class TrainingBlock(StrEnum):
    NO_INITIAL = "no_initial"
    NEW_SERVICE_PENDING = "new_service_pending"
    EXPIRED = "expired"


TRAINING_BLOCK_LABELS_RU: dict[TrainingBlock, str] = {
    TrainingBlock.NO_INITIAL: "Не пройдено обучение перед первой сменой на линии",
    TrainingBlock.NEW_SERVICE_PENDING: "Не пройдено обучение по новой услуге или функции",
    TrainingBlock.EXPIRED: "Истёк двухлетний срок с последнего обучения",
}


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    kind: TrainingKind
    completed_on: date


@dataclass(frozen=True, slots=True)
class TrainingStatus:
    may_take_calls: bool
    block: TrainingBlock | None
    last_training_on: date | None
    lapses_on: date | None


def training_status(
    records: Sequence[TrainingRecord], service_introductions: Sequence[date], today: date
) -> TrainingStatus:
    """Whether the operator may take calls today; blocks are checked in TrainingBlock order."""
    done = [record for record in records if record.completed_on <= today]
    last = max((record.completed_on for record in done), default=None)
    lapses_on = None if last is None else _anniversary(last, TRAINING_VALIDITY_YEARS)
    block = _block(done, service_introductions, today, lapses_on)
    return TrainingStatus(block is None, block, last, lapses_on)


def _block(
    done: Sequence[TrainingRecord],
    service_introductions: Sequence[date],
    today: date,
    lapses_on: date | None,
) -> TrainingBlock | None:
    if not any(record.kind is TrainingKind.INITIAL for record in done):
        return TrainingBlock.NO_INITIAL
    if any(_untrained_since(done, introduced, today) for introduced in service_introductions):
        return TrainingBlock.NEW_SERVICE_PENDING
    if lapses_on is not None and today >= lapses_on:
        return TrainingBlock.EXPIRED
    return None


def _untrained_since(done: Sequence[TrainingRecord], introduced: date, today: date) -> bool:
    if introduced > today:
        return False
    return not any(record.completed_on >= introduced for record in done)


def _anniversary(day: date, years: int) -> date:
    """The same date ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
