"""Transfer cap (C10): at most two completed transfers per call, counted over all legs; an
attempt in flight holds a slot until it is settled."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from models.rules.transfers import (
    TransferEvidence,
    TransferOutcome,
    TransferRecord,
    may_transfer,
    settle,
)

MSK = ZoneInfo("Europe/Moscow")
AT = datetime(2025, 3, 11, 10, 0, tzinfo=MSK)
DONE = TransferRecord(AT, TransferOutcome.COMPLETED)
REFUSED = TransferRecord(AT, TransferOutcome.REFUSED)
FAILED = TransferRecord(AT, TransferOutcome.FAILED)
PENDING = TransferRecord(AT, TransferOutcome.PENDING)


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


@pytest.mark.parametrize(
    ("history", "allowed", "done", "pending"),
    [
        ((PENDING,), True, 0, 1),
        ((PENDING, PENDING), False, 0, 2),  # two at once cannot exceed the cap together
        ((DONE, PENDING), False, 1, 1),
        ((FAILED, FAILED, PENDING), True, 0, 1),  # released attempts (cancelled) are free
    ],
)
def test_attempts_in_flight_hold_their_slots(
    history: tuple[TransferRecord, ...], allowed: bool, done: int, pending: int
) -> None:
    # C10
    decision = may_transfer(history)
    assert (decision.allowed, decision.done, decision.pending) == (allowed, done, pending)


def test_refusal_while_a_transfer_is_in_flight_says_to_wait() -> None:
    decision = may_transfer((DONE, PENDING))
    assert decision.reason is not None
    assert "выполняется" in decision.reason
    assert "Дождитесь" in decision.reason


P, C, F, R = (
    TransferOutcome.PENDING,
    TransferOutcome.COMPLETED,
    TransferOutcome.FAILED,
    TransferOutcome.REFUSED,
)
E = TransferEvidence


@pytest.mark.parametrize(
    ("outcome", "evidence", "attended", "expected"),
    [
        # blind: the caller is connected once the employee answers the guard's Dial
        (P, E.ANSWERED, False, C),
        (P, E.NOT_ANSWERED, False, F),
        (P, E.LEG_ENDED, False, F),  # the caller hung up while it rang
        (C, E.LEG_ENDED, False, C),  # the caller hangs up after talking: it happened
        # attended: answering starts the consultation; the hand-over completes it
        (P, E.ANSWERED, True, P),
        (P, E.HANDED_OVER, True, C),
        (P, E.LEG_ENDED, True, F),  # consultation cancelled: not a transfer
        (C, E.LEG_ENDED, True, C),  # the Local leg goes away after the hand-over
        (C, E.ANSWERED, True, C),  # handed over while ringing, then answered
        (C, E.NOT_ANSWERED, True, F),  # handed over while ringing, nobody answered
        (P, E.NOT_ANSWERED, True, F),
        # final outcomes never change
        (F, E.ANSWERED, False, F),
        (F, E.HANDED_OVER, True, F),
        (R, E.ANSWERED, False, R),
        (R, E.LEG_ENDED, True, R),
    ],
)
def test_settle(
    outcome: TransferOutcome, evidence: TransferEvidence, attended: bool, expected: TransferOutcome
) -> None:
    # C10: a transfer counts when it completes; an attempt that did not is released
    assert settle(outcome, evidence, attended=attended) is expected


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
