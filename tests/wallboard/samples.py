"""A day built by hand: calls and callback tasks written straight into their tables, as the
call log and the console leave them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.tables import Call, CallbackSource, CallbackTask

MSK = ZoneInfo("Europe/Moscow")


def msk(day: int, hour: int, minute: int = 0, *, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MSK)


class Calls:
    """Calls written straight into the table, as the call log leaves them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.count = 0

    def add(
        self,
        arrived_at: datetime,
        outcome: CallOutcome | None,
        *,
        wait_s: float | None = None,
        reason: MissedReason | None = None,
        in_hours: bool = True,
    ) -> None:
        self.count += 1
        self.session.add(
            Call(
                linkedid=f"1795000000.{self.count}",
                caller_number="79281234567",
                arrived_at=arrived_at,
                in_working_hours=in_hours,
                queue_wait_s=wait_s,
                outcome=outcome,
                missed_reason=reason,
            )
        )


def add_task(session: Session, promised_on: date, status: CallbackStatus) -> None:
    """A callback task of a missed call (C11), promised for ``promised_on``."""
    session.add(
        CallbackTask(
            phone_e164="+79281234567",
            source=CallbackSource.MISSED_CALL,
            requested_at=datetime(2026, 11, 25, 10, tzinfo=UTC),
            promised_on=promised_on,
            status=status,
        )
    )
