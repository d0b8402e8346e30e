"""Transfer cap (C10): at most two transfers per call, counted over all of its legs.

Only completed transfers count: an attempt the employee refused or that failed to connect
left the caller where they were.
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


@dataclass(frozen=True, slots=True)
class TransferRecord:
    at: datetime
    outcome: TransferOutcome


@dataclass(frozen=True, slots=True)
class TransferDecision:
    allowed: bool
    done: int
    remaining: int
    reason: str | None


def may_transfer(
    history: Sequence[TransferRecord], cap: int = MAX_TRANSFERS_PER_CALL
) -> TransferDecision:
    if cap < 0:
        raise ValueError(f"transfer cap must not be negative: {cap}")
    for record in history:
        require_aware(record.at, "TransferRecord.at")
    done = sum(1 for record in history if record.outcome is TransferOutcome.COMPLETED)
    remaining = max(cap - done, 0)
    if remaining:
        return TransferDecision(allowed=True, done=done, remaining=remaining, reason=None)
    reason = (
        f"Перевод невозможен: звонок уже переведён {done} раз(а), допускается не более {cap}. "
        "Предложите звонящему обратный звонок."
    )
    return TransferDecision(allowed=False, done=done, remaining=0, reason=reason)
