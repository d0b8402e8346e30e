"""Transfer cap (C10): at most two transfers per call, counted over all of its legs.

Only completed transfers count: an attempt the employee refused, that failed to connect, or
an attended consultation the operator cancelled left the caller where they were.

An attempt the dialplan guard has allowed is PENDING until the line learns how it ended
(:func:`settle`): while it is in flight it holds one of the call's slots, so two attempts
made at the same moment cannot together exceed the cap. It then becomes COMPLETED (it
counts) or FAILED (the slot is free again).

* Blind transfer (the guard runs on the caller's own channel): completed when the employee
  answers the guard's Dial.
* Attended transfer (the guard runs on the consultation leg, the operator listening): the
  employee answering only starts the consultation; the transfer is completed when Asterisk
  hands the caller over (AMI ``AttendedTransfer`` success), and released when the
  consultation leg ends without that (the operator cancelled, or the employee hung up).
* Either: a Dial that was not answered releases it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from models.rules.calendar import require_aware

MAX_TRANSFERS_PER_CALL = 2


class TransferOutcome(StrEnum):
    COMPLETED = "completed"
    REFUSED = "refused"
    FAILED = "failed"
    PENDING = "pending"  # allowed by the guard, not settled yet: holds a slot


# What uses up one of the call's transfers (C10).
COUNTED_OUTCOMES: frozenset[TransferOutcome] = frozenset(
    {TransferOutcome.COMPLETED, TransferOutcome.PENDING}
)


class TransferEvidence(StrEnum):
    """What the line learns about an allowed attempt after the guard's decision."""

    ANSWERED = "answered"  # the employee answered the guard's Dial
    NOT_ANSWERED = "not_answered"  # that Dial ended unanswered (busy, no answer, cancelled)
    HANDED_OVER = "handed_over"  # AttendedTransfer success: the caller went to the consultation
    LEG_ENDED = "leg_ended"  # the channel the guard ran on hung up


@dataclass(frozen=True, slots=True)
class TransferRecord:
    at: datetime
    outcome: TransferOutcome


@dataclass(frozen=True, slots=True)
class TransferDecision:
    allowed: bool
    done: int  # completed transfers
    remaining: int
    reason: str | None
    pending: int = 0  # attempts in flight, each holding a slot


def may_transfer(
    history: Sequence[TransferRecord], cap: int = MAX_TRANSFERS_PER_CALL
) -> TransferDecision:
    if cap < 0:
        raise ValueError(f"transfer cap must not be negative: {cap}")
    for record in history:
        require_aware(record.at, "TransferRecord.at")
    done = sum(1 for record in history if record.outcome is TransferOutcome.COMPLETED)
    pending = sum(1 for record in history if record.outcome is TransferOutcome.PENDING)
    remaining = max(cap - done - pending, 0)
    if remaining:
        return TransferDecision(True, done, remaining, None, pending)
    if pending:
        reason = (
            f"Перевод невозможен: звонок переведён {done} раз(а) и ещё {pending} перевод(а) "
            f"сейчас выполняется, допускается не более {cap}. Дождитесь его завершения."
        )
    else:
        reason = (
            f"Перевод невозможен: звонок уже переведён {done} раз(а), допускается не более "
            f"{cap}. Предложите звонящему обратный звонок."
        )
    return TransferDecision(False, done, 0, reason, pending)


def settle(
    outcome: TransferOutcome, evidence: TransferEvidence, *, attended: bool
) -> TransferOutcome:
    """The attempt's outcome once ``evidence`` is known (see the module docstring).

    REFUSED and FAILED are final. An unanswered Dial always releases the attempt, also an
    attended one that was handed over while the employee's phone still rang (Asterisk lets
    the operator hang up before the answer) and then nobody answered."""
    if outcome in (TransferOutcome.REFUSED, TransferOutcome.FAILED):
        return outcome
    if evidence is TransferEvidence.NOT_ANSWERED:
        return TransferOutcome.FAILED
    if outcome is TransferOutcome.COMPLETED:
        return outcome
    match evidence:
        case TransferEvidence.ANSWERED if not attended:
            return TransferOutcome.COMPLETED
        case TransferEvidence.HANDED_OVER if attended:
            return TransferOutcome.COMPLETED
        case TransferEvidence.LEG_ENDED:
            return TransferOutcome.FAILED
        case _:
            return outcome  # an attended consultation under way
