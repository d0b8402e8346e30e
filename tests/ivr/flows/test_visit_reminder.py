"""Route ``visit-reminder``: the reminder call to a visitor (V3, V4, V6, V11) through the real
AgiServer and the fake Asterisk: 1 confirms, 2 cancels the booking, a wrong key or silence is
asked once more, a hang-up is recorded, and only the channel holding the reminder's
reservation hears anything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ivr.flows.context import FlowContext
from ivr.route_names import VISIT_REMINDER
from models.db import session_scope
from models.rules.mailing_delivery import STALE_CLAIM
from models.rules.visit_reminders import CallResult, MessageKind, ReminderState
from models.rules.visit_slots import ReminderChannel
from models.tables import Language, VisitBooking, VisitChannel, VisitReminder, VisitStatus
from tests.ivr.flows.conftest import FixedClock, Line, prompts_played
from tests.visits.reminder_samples import book
from tests.visits.samples import CALENDAR, TUESDAY, at, load_examples
from visits import reminder_store
from visits.reminder_store import ClaimedCall

DUE = at(TUESDAY, 10, 30) - timedelta(days=1)  # Monday 10:30: the day-before call is due
HEARD = ["", "", "", "", ""]  # the intro, date, time, place: listened to the end
INTRO = ["visit-reminder-intro", "visit-reminder-time", "visit-reminder-place"]


def _claimed(line: Line, context: FlowContext, clock: FixedClock, **choices: object) -> ClaimedCall:
    load_examples(line.engine)
    book(line.engine, context.settings, remind_by_email=False, **choices)
    clock.now = DUE
    with session_scope(line.engine) as session:
        reminder_store.plan_new(session, now=DUE, calendar=CALENDAR)
        claimed = reminder_store.claim_call(session, DUE, CALENDAR)
    assert claimed is not None
    return claimed


async def _call(line: Line, claimed: ClaimedCall, **kwargs: object) -> list[str]:
    record = await line.call(
        VISIT_REMINDER,
        [str(claimed.reminder_id), claimed.channel_id],
        uniqueid=claimed.channel_id,
        **kwargs,  # type: ignore[arg-type]
    )
    return prompts_played(record)


def _row(engine: Engine, claimed: ClaimedCall) -> VisitReminder:
    with Session(engine) as session:
        row = session.get(VisitReminder, claimed.reminder_id)
        assert row is not None
        assert row.channel is ReminderChannel.CALL
        return row


def _booking(engine: Engine) -> VisitBooking:
    with Session(engine) as session:
        (booking,) = session.exec(select(VisitBooking)).all()
        return booking


async def test_one_confirms_the_visit(  # V4
    line: Line, context: FlowContext, clock: FixedClock
) -> None:
    claimed = _claimed(line, context, clock)
    played = await _call(line, claimed, digits=[*HEARD, "1"])
    assert played == [
        f"ru/{p}" for p in (*INTRO, "visit-reminder-menu", "visit-reminder-confirmed")
    ]
    row = _row(line.engine, claimed)
    assert (row.state, row.call_result) == (ReminderState.SENT, CallResult.CONFIRMED)
    assert _booking(line.engine).status is VisitStatus.BOOKED


async def test_two_cancels_the_booking_and_says_so(  # V6
    line: Line, context: FlowContext, clock: FixedClock
) -> None:
    claimed = _claimed(line, context, clock)
    played = await _call(line, claimed, digits=["2"])  # pressed during the greeting
    assert played == ["ru/visit-reminder-intro", "ru/visit-reminder-cancelled"]
    booking = _booking(line.engine)
    assert booking.status is VisitStatus.CANCELLED
    assert booking.cancelled_via is VisitChannel.LINE
    assert booking.cancelled_by == f"reminder-call:{claimed.reminder_id}"
    assert _row(line.engine, claimed).call_result is CallResult.CANCELLED


async def test_the_date_and_time_are_said_in_the_line_zone(  # V3
    line: Line, context: FlowContext, clock: FixedClock
) -> None:
    claimed = _claimed(line, context, clock)
    record = await line.call(
        VISIT_REMINDER,
        [str(claimed.reminder_id), claimed.channel_id],
        uniqueid=claimed.channel_id,
        digits=[*HEARD, "1"],
    )
    said = [c for c in record.commands if c.startswith("SAY DATETIME")]
    epoch = int(at(TUESDAY, 10, 30).timestamp())
    assert said == [
        f'SAY DATETIME {epoch} "0123456789*#" "AdB" Europe/Moscow',
        f'SAY DATETIME {epoch} "0123456789*#" "kM" Europe/Moscow',
    ]


async def test_a_wrong_key_is_asked_once_more_then_the_call_ends_politely(  # V4
    line: Line, context: FlowContext, clock: FixedClock
) -> None:
    claimed = _claimed(line, context, clock)
    played = await _call(line, claimed, digits=[*HEARD, "7", "", ""])
    assert played[-4:] == [
        "ru/visit-reminder-menu",
        "ru/invalid-choice",
        "ru/visit-reminder-menu",
        "ru/visit-reminder-no-answer",
    ]
    assert _row(line.engine, claimed).call_result is CallResult.NO_ANSWER
    assert _booking(line.engine).status is VisitStatus.BOOKED


async def test_a_wrong_key_then_one_confirms(  # V4
    line: Line, context: FlowContext, clock: FixedClock
) -> None:
    claimed = _claimed(line, context, clock)
    await _call(line, claimed, digits=[*HEARD, "9", "", "1"])
    assert _row(line.engine, claimed).call_result is CallResult.CONFIRMED


async def test_hanging_up_mid_prompt_is_recorded_as_no_answer(  # V4
    line: Line, context: FlowContext, clock: FixedClock
) -> None:
    claimed = _claimed(line, context, clock)
    await _call(line, claimed, hang_up_after=2)  # during the date
    row = _row(line.engine, claimed)
    assert (row.state, row.call_result) == (ReminderState.SENT, CallResult.NO_ANSWER)
    assert _booking(line.engine).status is VisitStatus.BOOKED


async def test_an_english_booking_hears_english(  # V11
    line: Line, context: FlowContext, clock: FixedClock
) -> None:
    claimed = _claimed(line, context, clock, language=Language.EN)
    record = await line.call(
        VISIT_REMINDER,
        [str(claimed.reminder_id), claimed.channel_id],
        uniqueid=claimed.channel_id,
        digits=[*HEARD, "1"],
    )
    assert prompts_played(record)[0] == "en/visit-reminder-intro"
    assert any("SAY DATETIME" in c and ' "ABd" ' in c for c in record.commands)


@pytest.mark.parametrize(
    "other", ["1795867285.3", "6f1d2c1e-0000-4000-8000-000000000000"], ids=["asterisk", "uuid"]
)
async def test_another_channel_hears_nothing_and_changes_nothing(  # V4, V6
    line: Line, context: FlowContext, clock: FixedClock, other: str
) -> None:
    claimed = _claimed(line, context, clock)
    for reminder_id in (claimed.reminder_id, claimed.reminder_id + 1, 1):
        record = await line.call(
            VISIT_REMINDER, [str(reminder_id), other], uniqueid=other, expect_failure=True,
            digits=["2"],
        )  # fmt: skip
        assert record.commands == ['SET VARIABLE LINE_AGI_FAILED "1"']
    assert _row(line.engine, claimed).call_result is None
    assert _booking(line.engine).status is VisitStatus.BOOKED


async def test_a_second_session_or_a_lapsed_reservation_is_refused(  # V6
    line: Line, context: FlowContext, clock: FixedClock
) -> None:
    claimed = _claimed(line, context, clock)
    await _call(line, claimed, digits=[*HEARD, "1"])
    record = await line.call(
        VISIT_REMINDER,
        [str(claimed.reminder_id), claimed.channel_id],
        uniqueid=claimed.channel_id,
        digits=["2"],
        expect_failure=True,
    )
    assert record.commands == ['SET VARIABLE LINE_AGI_FAILED "1"']
    assert _booking(line.engine).status is VisitStatus.BOOKED

    late = _claimed_again(line, clock)
    clock.now = DUE + STALE_CLAIM
    record = await line.call(
        VISIT_REMINDER, [str(late.reminder_id), late.channel_id], uniqueid=late.channel_id,
        expect_failure=True,
    )  # fmt: skip
    assert record.commands == ['SET VARIABLE LINE_AGI_FAILED "1"']


def _claimed_again(line: Line, clock: FixedClock) -> ClaimedCall:
    """The two-hours call of the same booking, claimed on the visit's morning."""
    with session_scope(line.engine) as session:
        booking = session.exec(select(VisitBooking)).one()
        booking.remind_two_hours = True
        session.add(
            VisitReminder(
                booking_id=booking.id or 0,
                kind=MessageKind.TWO_HOURS,
                channel=ReminderChannel.CALL,
                due_at=DUE,
                created_at=DUE,
            )
        )
    with session_scope(line.engine) as session:
        claimed = reminder_store.claim_call(session, DUE, CALENDAR)
    assert claimed is not None
    return claimed
