"""Operator training (C4): before the first shift, on a new service, at least every two years."""

from datetime import date

import pytest

from models.rules.training import (
    TRAINING_BLOCK_LABELS_RU,
    TrainingBlock,
    TrainingKind,
    TrainingRecord,
    TrainingStatus,
    training_status,
)

INITIAL = TrainingKind.INITIAL
NEW_SERVICE = TrainingKind.NEW_SERVICE
PERIODIC = TrainingKind.PERIODIC


def trained(*records: tuple[TrainingKind, date]) -> list[TrainingRecord]:
    return [TrainingRecord(kind, day) for kind, day in records]


@pytest.mark.parametrize(
    ("records", "today", "expected"),
    [
        # C4: two years after the last training: the day before is fine, the anniversary is not.
        (
            trained((INITIAL, date(2024, 3, 11))),
            date(2026, 3, 10),
            TrainingStatus(True, None, date(2024, 3, 11), date(2026, 3, 11)),
        ),
        (
            trained((INITIAL, date(2024, 3, 11))),
            date(2026, 3, 11),
            TrainingStatus(False, TrainingBlock.EXPIRED, date(2024, 3, 11), date(2026, 3, 11)),
        ),
        # Trained on a leap day: lapses on 28 February.
        (
            trained((INITIAL, date(2024, 2, 29))),
            date(2026, 2, 27),
            TrainingStatus(True, None, date(2024, 2, 29), date(2026, 2, 28)),
        ),
        (
            trained((INITIAL, date(2024, 2, 29))),
            date(2026, 2, 28),
            TrainingStatus(False, TrainingBlock.EXPIRED, date(2024, 2, 29), date(2026, 2, 28)),
        ),
        # Any kind of later training renews the two years.
        (
            trained((INITIAL, date(2022, 5, 1)), (PERIODIC, date(2024, 4, 30))),
            date(2025, 3, 11),
            TrainingStatus(True, None, date(2024, 4, 30), date(2026, 4, 30)),
        ),
        (
            trained((INITIAL, date(2022, 5, 1)), (NEW_SERVICE, date(2024, 4, 30))),
            date(2026, 4, 29),
            TrainingStatus(True, None, date(2024, 4, 30), date(2026, 4, 30)),
        ),
    ],
    ids=["day-before-lapse", "lapse-day", "leap-day-before", "leap-day-lapse", "periodic", "new"],
)
def test_training_lapses_on_the_second_anniversary_of_the_last_training(
    records: list[TrainingRecord], today: date, expected: TrainingStatus
) -> None:
    # C4
    assert training_status(records, [], today) == expected


@pytest.mark.parametrize(
    ("records", "today"),
    [
        ([], date(2025, 3, 11)),  # never trained
        (trained((PERIODIC, date(2025, 1, 10))), date(2025, 3, 11)),  # only other kinds
        (trained((INITIAL, date(2025, 3, 12))), date(2025, 3, 11)),  # initial is tomorrow
    ],
    ids=["none", "no-initial-kind", "initial-in-the-future"],
)
def test_operator_without_initial_training_cannot_take_calls(
    records: list[TrainingRecord], today: date
) -> None:
    # C4: trained before the first shift.
    status = training_status(records, [], today)
    assert (status.may_take_calls, status.block) == (False, TrainingBlock.NO_INITIAL)


def test_initial_training_completed_today_allows_calls_today() -> None:
    # C4
    status = training_status(trained((INITIAL, date(2025, 3, 11))), [], date(2025, 3, 11))
    assert (status.may_take_calls, status.block) == (True, None)


def test_future_records_are_ignored_for_the_last_training_date() -> None:
    records = trained((INITIAL, date(2024, 3, 11)), (PERIODIC, date(2026, 6, 1)))
    status = training_status(records, [], date(2026, 3, 11))
    assert status == TrainingStatus(
        False, TrainingBlock.EXPIRED, date(2024, 3, 11), date(2026, 3, 11)
    )


JAN_10 = trained((INITIAL, date(2025, 1, 10)))
PENDING = TrainingBlock.NEW_SERVICE_PENDING


@pytest.mark.parametrize(
    ("records", "introduced", "block"),
    [
        # A service introduced after the last training blocks until retrained.
        (JAN_10, date(2025, 3, 1), PENDING),
        # Training on the day the service is introduced covers it.
        (JAN_10 + trained((NEW_SERVICE, date(2025, 3, 1))), date(2025, 3, 1), None),
        # Training of any kind after the introduction covers it.
        (JAN_10 + trained((PERIODIC, date(2025, 3, 5))), date(2025, 3, 1), None),
        # An initial training after the introduction covers it too.
        (trained((INITIAL, date(2025, 3, 2))), date(2025, 3, 1), None),
        # A service introduced today already blocks.
        (JAN_10, date(2025, 3, 11), PENDING),
        # A service announced for a later date does not block yet.
        (JAN_10, date(2025, 3, 12), None),
    ],
    ids=["after-training", "same-day", "periodic-after", "initial-after", "today", "future"],
)
def test_new_service_requires_training_on_or_after_its_introduction(
    records: list[TrainingRecord], introduced: date, block: TrainingBlock | None
) -> None:
    # C4: again when a new service or function appears.
    status = training_status(records, [introduced], date(2025, 3, 11))
    assert (status.may_take_calls, status.block) == (block is None, block)


def test_lapse_date_is_reported_while_blocked_for_a_new_service() -> None:
    records = trained((INITIAL, date(2025, 1, 10)))
    status = training_status(records, [date(2025, 2, 1)], date(2025, 3, 11))
    assert status == TrainingStatus(
        False, TrainingBlock.NEW_SERVICE_PENDING, date(2025, 1, 10), date(2027, 1, 10)
    )


def test_every_block_has_a_russian_label() -> None:
    # C4: the supervisor sees who is due and why.
    assert set(TRAINING_BLOCK_LABELS_RU) == set(TrainingBlock)
    assert all(label and label[0].isupper() for label in TRAINING_BLOCK_LABELS_RU.values())
