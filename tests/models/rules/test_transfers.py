"""Transfer cap (C10): at most two completed transfers per call, counted over all legs."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from models.rules.transfers import (
    TransferOutcome,
    TransferRecord,
    may_transfer,
)

MSK = ZoneInfo("Europe/Moscow")
AT = datetime(2025, 3, 11, 10, 0, tzinfo=MSK)
DONE = TransferRecord(AT, TransferOutcome.COMPLETED)
REFUSED = TransferRecord(AT, TransferOutcome.REFUSED)
FAILED = TransferRecord(AT, TransferOutcome.FAILED)


@pytest.mark.parametrize(
    ("history", "allowed", "done", "remaining"),
    [
        ((), True, 0, 2),
        ((DONE,), True, 1, 1),
        ((DONE, DONE), False, 2, 0),  # the third transfer is refused
        ((DONE, DONE, DONE), False, 3, 0),  # already over the cap (e.g. a phone-key transfer)
        ((REFUSED, FAILED, REFUSED), True, 0, 2),  # attempts that did not connect are free
        ((DONE, REFUSED, FAILED), True, 1, 1),
        ((FAILED, DONE, REFUSED, DONE), False, 2, 0),
    ],
    ids=["none", "one", "two", "three", "only-attempts", "one-and-attempts", "two-mixed"],
)
def test_only_completed_transfers_count_towards_the_cap_of_two(
    history: tuple[TransferRecord, ...], allowed: bool, done: int, remaining: int
) -> None:
    # C10
    decision = may_transfer(history)  # the default cap: C10 says two
    assert (decision.allowed, decision.done, decision.remaining) == (allowed, done, remaining)


def test_refusal_explains_in_russian_and_offers_a_callback() -> None:
    # C10: the console shows the reason and the caller is offered a callback instead.
    decision = may_transfer((DONE, DONE))
    assert decision.reason is not None
    assert "не более 2" in decision.reason
    assert "обратный звонок" in decision.reason


def test_allowed_transfer_has_no_reason() -> None:
    assert may_transfer((DONE,)).reason is None


@pytest.mark.parametrize(("cap", "allowed"), [(0, False), (1, True), (3, True)])
def test_cap_can_be_configured(cap: int, allowed: bool) -> None:
    assert may_transfer((), cap=cap).allowed is allowed


def test_negative_cap_is_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        may_transfer((), cap=-1)


def test_naive_transfer_time_is_rejected() -> None:
    naive = TransferRecord(datetime(2025, 3, 11, 10), TransferOutcome.COMPLETED)  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        may_transfer((naive,))
