"""After hours (C3, C11, C13): the hours, the next opening from the production calendar, and
a callback request taken by keypad."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ivr.route_names import ENTRY
from ivr.variables import LINE_OPEN, LINE_ROUTE
from models.rules.callbacks import CallbackStatus
from models.tables import CallbackSource, CallbackTask, CallbackWindow
from tests.ivr.flows.conftest import (
    CALLER_E164,
    HOLIDAY,
    LINKEDID,
    MSK,
    SATURDAY,
    FixedClock,
    Line,
    prompts_played,
)

MONDAY_0900 = int(datetime(2026, 12, 7, 9, 0, tzinfo=MSK).timestamp())
MONDAY_1330 = int(datetime(2026, 12, 7, 13, 30, tzinfo=MSK).timestamp())
# The message before the offer: closed-hours, opens-next, date, opens-at, time.
SILENT_MESSAGE = ["", "", "", "", ""]


@pytest.fixture(autouse=True)
def _closed(clock: FixedClock) -> None:
    clock.now = SATURDAY


def _tasks(engine: Engine) -> list[tuple[CallbackTask, list[CallbackWindow]]]:
    with Session(engine) as session:
        tasks = session.exec(select(CallbackTask)).all()
        return [
            (
                task,
                list(session.exec(select(CallbackWindow).where(CallbackWindow.task_id == task.id))),
            )
            for task in tasks
        ]


def _local(window: CallbackWindow) -> tuple[str, str]:
    return (
        window.starts_at.astimezone(MSK).strftime("%d.%m %H:%M"),
        window.ends_at.astimezone(MSK).strftime("%d.%m %H:%M"),
    )


async def test_saturday_call_hears_hours_and_monday_opening_then_goodbye(line: Line) -> None:
    # C3: weekend; the next opening comes from the calendar; silence declines the offer.
    record = await line.call(ENTRY, digits=["1", *SILENT_MESSAGE, ""])
    assert record.commands == [
        "ANSWER",
        'SET VARIABLE LINE_OPEN "0"',
        "GET DATA consult-line/ru/welcome-language 4000 1",
        'SET VARIABLE LINE_LANGUAGE "ru"',
        'SET VARIABLE LINE_ROUTE "hangup"',
        'STREAM FILE consult-line/ru/closed-hours "0123456789*#"',
        'STREAM FILE consult-line/ru/opens-next "0123456789*#"',
        f'SAY DATETIME {MONDAY_0900} "0123456789*#" "AdB" Europe/Moscow',
        'STREAM FILE consult-line/ru/opens-at "0123456789*#"',
        f'SAY DATETIME {MONDAY_0900} "0123456789*#" "kM" Europe/Moscow',
        "GET DATA consult-line/ru/callback-offer 5000 1",
        'STREAM FILE consult-line/ru/goodbye "0123456789*#"',
    ]
    call = line.call_row()
    assert call is not None
    # C13: an after-hours call, never a missed one.
    assert (call.in_working_hours, call.ivr_path) == (False, "lang:1>closed>offer:-")
    assert _tasks(line.engine) == []


async def test_holiday_call_names_the_first_working_day_after_the_new_year_holidays(
    line: Line, clock: FixedClock
) -> None:
    clock.now = HOLIDAY  # Tuesday 05.01.2027: closed until Monday 11.01.2027
    record = await line.call(ENTRY, digits=["2", *SILENT_MESSAGE, ""])
    opening = int(datetime(2027, 1, 11, 9, 0, tzinfo=MSK).timestamp())
    assert f'SAY DATETIME {opening} "0123456789*#" "ABd" Europe/Moscow' in record.commands
    assert f'SAY DATETIME {opening} "0123456789*#" "IMp" Europe/Moscow' in record.commands
    assert prompts_played(record)[1] == "en/closed-hours"
    assert record.variables_set[LINE_OPEN] == "0"


async def test_callback_on_the_callers_own_number_in_the_chosen_window(line: Line) -> None:
    # C11: "1" pressed during the hours message accepts the offer (no idle gap); the own
    # number is confirmed; the second half of Monday is chosen.
    record = await line.call(ENTRY, digits=["1", "1", "", "", "1", "2", "", "", ""])
    assert record.commands[5:] == [
        'STREAM FILE consult-line/ru/closed-hours "0123456789*#"',
        'STREAM FILE consult-line/ru/callback-number-is "0123456789*#"',
        'SAY DIGITS 89281234567 "0123456789*#"',
        "GET DATA consult-line/ru/callback-number-confirm 5000 1",
        "GET DATA consult-line/ru/callback-window-menu 5000 1",
        'STREAM FILE consult-line/ru/callback-confirmed "0123456789*#"',
        f'SAY DATETIME {MONDAY_1330} "0123456789*#" "AdB" Europe/Moscow',
        'STREAM FILE consult-line/ru/goodbye "0123456789*#"',
    ]
    assert record.variables_set[LINE_ROUTE] == "hangup"
    [(task, windows)] = _tasks(line.engine)
    assert (task.phone_e164, task.source, task.status) == (
        CALLER_E164,
        CallbackSource.AFTER_HOURS,
        CallbackStatus.OPEN,
    )
    assert task.promised_on == date(2026, 12, 7)
    assert [_local(window) for window in windows] == [("07.12 13:30", "07.12 18:00")]
    call = line.call_row()
    assert call is not None
    assert task.origin_call_id == call.id
    assert call.ivr_path == "lang:1>closed>offer:1>number:1>window:2"


async def test_hidden_caller_keys_in_a_number_and_silence_gives_the_whole_day(
    line: Line,
) -> None:
    record = await line.call(
        ENTRY,
        digits=["1", *SILENT_MESSAGE, "1", "89281112233#", "", "", ""],
        callerid="anonymous",
    )
    assert "ru/callback-enter-number" in prompts_played(record)
    assert "GET DATA consult-line/ru/callback-enter-number 7000 11" in record.commands
    [(task, windows)] = _tasks(line.engine)
    assert task.phone_e164 == "+79281112233"
    assert [_local(window) for window in windows] == [("07.12 09:00", "07.12 18:00")]
    call = line.call_row()
    assert call is not None
    assert call.ivr_path == "lang:1>closed>offer:1>entered:11digits>window:->window:->window=day"


async def test_caller_asks_for_another_number_and_keys_it_in(line: Line) -> None:
    await line.call(ENTRY, digits=["1", "1", "", "", "2", "9281112233#", "1", "", ""])
    [(task, windows)] = _tasks(line.engine)
    assert task.phone_e164 == "+79281112233"
    assert [_local(window) for window in windows] == [("07.12 09:00", "07.12 13:30")]


async def test_invalid_number_twice_is_refused_politely_without_a_task(line: Line) -> None:
    # A foreign or short number cannot be called back (C11 needs a reachable Russian number).
    record = await line.call(
        ENTRY,
        digits=["1", "1", "", "", "2", "123#", "", "12345678901", ""],
    )
    assert prompts_played(record)[-4:] == [
        "ru/callback-enter-number",
        "ru/callback-number-invalid",
        "ru/callback-enter-number",
        "ru/callback-not-taken",
    ]
    assert _tasks(line.engine) == []


async def test_caller_hanging_up_after_confirming_the_number_still_gets_a_task(
    line: Line,
) -> None:
    # Decision: the confirmed number is what a callback needs; the window is the whole day.
    await line.call(ENTRY, digits=["1", "1", "", "", "1"], hang_up_after=6)
    [(task, windows)] = _tasks(line.engine)
    assert task.phone_e164 == CALLER_E164
    assert [_local(window) for window in windows] == [("07.12 09:00", "07.12 18:00")]
    call = line.call_row()
    assert call is not None
    assert call.ivr_path == "lang:1>closed>offer:1>number:1"


async def test_caller_hanging_up_before_confirming_the_number_gets_no_task(line: Line) -> None:
    await line.call(ENTRY, digits=["1", "1", ""], hang_up_after=4)
    assert _tasks(line.engine) == []
    call = line.call_row(LINKEDID)
    assert call is not None
    assert call.ivr_path == "lang:1>closed>offer:1"


async def test_without_sounds_the_offer_is_still_heard_by_its_keys(line: Line) -> None:
    # No prompt files and no digit files of the language: every sound is skipped (the caller
    # hears silence), but a caller who presses 1 at the offer still gets the callback (C11).
    record = await line.call(
        ENTRY,
        digits=["1", "1", "1", "2", "", "", ""],
        missing_sounds=frozenset({"*"}),
        no_digit_sounds=True,
    )
    assert record.variables_set[LINE_ROUTE] == "hangup"
    assert 'GET DATA "" 5000 1' in record.commands
    [(task, windows)] = _tasks(line.engine)
    assert task.phone_e164 == "+79281234567"
    assert len(windows) == 1


async def test_english_caller_hears_dates_and_digits_in_english(line: Line) -> None:
    # V11: SAY DATETIME and SAY DIGITS take their sound files from CHANNEL(language), so it is
    # set as soon as the caller chooses, not by the dialplan after the route has spoken.
    record = await line.call(
        ENTRY, digits=["2", *SILENT_MESSAGE, "1", "", "", "1", "2", "", "", ""]
    )
    language_set = record.commands.index('SET VARIABLE CHANNEL(language) "en"')
    said = [i for i, command in enumerate(record.commands) if command.startswith("SAY ")]
    assert [record.commands[i].split()[1] for i in said] == [
        "DATETIME",  # the opening day
        "DATETIME",  # and hour
        "DIGITS",  # the number to call back
        "DATETIME",  # the window taken
    ]
    assert record.commands[language_set - 1] == "GET DATA consult-line/ru/welcome-language 4000 1"
    assert language_set < said[0]
    assert record.variables_set["LINE_LANGUAGE"] == "en"
