"""An operator's training as the report of operators says it (C4), decided by the console's own
rule (``models.rules.training.training_status``, the one that refuses "ready"), with the date
that matters and, for a new service, which one.

* ``no_initial`` — no training before the first shift;
* ``new_service`` — a service introduced on or before today with no training since: the first
  such service (the rule is asked about each service alone to find it);
* ``expired`` — two years since the last training, on ``on``;
* ``due_soon`` — may take calls today, but within :data:`DUE_SOON_DAYS` days the two years
  run out or a new service is introduced (a training before its introduction does not count
  for it, so it is due from that day);
* ``trained`` — may take calls, until ``on``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from models.rules.training import TrainingBlock, TrainingRecord, training_status

DUE_SOON_DAYS = 30


class TrainingState(StrEnum):
    TRAINED = "trained"
    DUE_SOON = "due_soon"
    EXPIRED = "expired"
    NEW_SERVICE = "new_service"
    NO_INITIAL = "no_initial"


TRAINING_STATE_LABELS_RU: dict[TrainingState, str] = {
    TrainingState.TRAINED: "Обучение в силе",
    TrainingState.DUE_SOON: "Скоро нужно обучение",
    TrainingState.EXPIRED: "Срок обучения истёк",
    TrainingState.NEW_SERVICE: "Не обучен по новой услуге",
    TrainingState.NO_INITIAL: "Нет обучения перед первой сменой",
}


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    title: str
    introduced_on: date


@dataclass(frozen=True, slots=True)
class TrainingView:
    state: TrainingState
    on: date | None  # in force until / due on / lapsed on / service introduced on
    last_training_on: date | None
    service: Service | None = None  # new_service, or due_soon for a coming service

    @property
    def may_take_calls(self) -> bool:
        return self.state in (TrainingState.TRAINED, TrainingState.DUE_SOON)

    def describe(self) -> str:
        """The state with its date, as the page says it: «Срок обучения истёк 11.03.2026»."""
        when = f"{self.on:%d.%m.%Y}" if self.on else ""
        about = f" «{self.service.title}»" if self.service else ""
        match self.state:
            case TrainingState.TRAINED:
                return f"Обучение в силе до {when}"
            case TrainingState.DUE_SOON if self.service:
                return f"Нужно обучение по новой услуге{about} с {when}"
            case TrainingState.DUE_SOON:
                return f"Срок обучения истекает {when}"
            case TrainingState.EXPIRED:
                return f"Срок обучения истёк {when}"
            case TrainingState.NEW_SERVICE:
                return f"Не обучен по новой услуге{about}, введена {when}"
            case TrainingState.NO_INITIAL:
                return TRAINING_STATE_LABELS_RU[self.state]


def training_view(
    records: Sequence[TrainingRecord], services: Sequence[Service], today: date
) -> TrainingView:
    status = training_status(records, [service.introduced_on for service in services], today)
    last = status.last_training_on
    if status.block is TrainingBlock.NO_INITIAL:
        return TrainingView(TrainingState.NO_INITIAL, None, last)
    if status.block is TrainingBlock.NEW_SERVICE_PENDING:
        pending = next(
            service
            for service in sorted(services, key=_by_introduction)
            if training_status(records, [service.introduced_on], today).block
            is TrainingBlock.NEW_SERVICE_PENDING
        )
        return TrainingView(TrainingState.NEW_SERVICE, pending.introduced_on, last, pending)
    if status.block is TrainingBlock.EXPIRED:
        return TrainingView(TrainingState.EXPIRED, status.lapses_on, last)
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    coming = [s for s in services if today < s.introduced_on <= horizon]
    first = min(coming, key=_by_introduction, default=None)
    lapses_on = status.lapses_on
    lapse_first = first is None or (lapses_on is not None and lapses_on <= first.introduced_on)
    if lapses_on is not None and lapses_on <= horizon and lapse_first:
        return TrainingView(TrainingState.DUE_SOON, lapses_on, last)
    if first is not None:
        return TrainingView(TrainingState.DUE_SOON, first.introduced_on, last, first)
    return TrainingView(TrainingState.TRAINED, lapses_on, last)


def _by_introduction(service: Service) -> tuple[date, str]:
    return service.introduced_on, service.code
