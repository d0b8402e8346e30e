"""The training state the report of operators shows (C4): the console's rule, plus what falls
due within 30 days and which new service is pending."""

from __future__ import annotations

from datetime import date

import pytest

from models.rules.training import TrainingKind, TrainingRecord
from reports.training_state import Service, TrainingState, TrainingView, training_view

TODAY = date(2026, 10, 14)
OLD = Service("grant-2024", "Грант 2024", date(2024, 6, 1))
RECENT = Service("alco-epgu", "Лицензия через ЕПГУ", date(2026, 9, 1))
COMING = Service("port-2026", "Порт 2026", date(2026, 11, 13))  # 30 days ahead
LATER = Service("port-2027", "Порт 2027", date(2026, 11, 14))  # 31 days ahead


def _done(*days: date) -> list[TrainingRecord]:
    kinds = [TrainingKind.INITIAL] + [TrainingKind.PERIODIC] * (len(days) - 1)
    return [TrainingRecord(kind, day) for kind, day in zip(kinds, days, strict=True)]


@pytest.mark.parametrize(
    ("records", "services", "expected"),
    [
        # No lapse, no service within 30 days: trained until the anniversary.
        (
            _done(date(2025, 1, 10)),
            [OLD, LATER],
            TrainingView(TrainingState.TRAINED, date(2027, 1, 10), date(2025, 1, 10)),
        ),
        # A service introduced in 30 days: due from its introduction (training before it
        # does not count for it, C4).
        (
            _done(date(2025, 1, 10)),
            [OLD, COMING],
            TrainingView(TrainingState.DUE_SOON, date(2026, 11, 13), date(2025, 1, 10), COMING),
        ),
        # Lapses in 30 days, before the coming service: the lapse is what is due first.
        (
            _done(date(2024, 11, 13)),
            [OLD, COMING],
            TrainingView(TrainingState.DUE_SOON, date(2026, 11, 13), date(2024, 11, 13)),
        ),
        # Lapsed today.
        (
            _done(date(2024, 10, 14)),
            [OLD],
            TrainingView(TrainingState.EXPIRED, date(2026, 10, 14), date(2024, 10, 14)),
        ),
        # Two services pending: the first introduced is named.
        (
            _done(date(2024, 1, 10)),
            [RECENT, OLD],
            TrainingView(TrainingState.NEW_SERVICE, date(2024, 6, 1), date(2024, 1, 10), OLD),
        ),
        (
            [TrainingRecord(TrainingKind.PERIODIC, date(2026, 1, 10))],
            [],
            TrainingView(TrainingState.NO_INITIAL, None, date(2026, 1, 10)),
        ),
    ],
)
def test_training_view(
    records: list[TrainingRecord], services: list[Service], expected: TrainingView
) -> None:  # C4
    view = training_view(records, services, TODAY)
    assert view == expected
    assert view.may_take_calls == (
        expected.state in (TrainingState.TRAINED, TrainingState.DUE_SOON)
    )
