"""Taking a callback request by keypad (C11), after hours (C3) or instead of a third
transfer (C10). Not a route: ``after_hours`` and ``transfer`` run it.

1. The number: the caller's own (read back, 1 = yes, 2 = another) or one keyed in (up to 11
   digits, ``#`` ends), which must be a valid Russian (+7) number. Refused twice: the caller
   is told so politely and no task is created.
2. The day: after hours, the day the line opens next; for a refused transfer, the day the
   answer is promised for (``promised_answer_date``, working days from the settings), so the
   call comes when there is an answer to give (C11: "say when the answer will be ready").
3. The time: first or second half of that working day (``window_choices`` with a half-day
   length) or the whole day; wrong keys or silence twice give the whole day.
4. The task, at most one active per number (``LineStore.open_callback``), and a confirmation
   with the day.

A caller who hangs up after the number is settled still gets the task, with the whole day as
window: the number is what a callback needs, and they asked for one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Final

from ivr.agi.channel import AgiChannel
from ivr.flows.context import FlowContext
from ivr.flows.menus import Segment, Trail, ask, play, play_all, say_date, say_digits
from ivr.voice import CallVoice
from models.line_store import CallbackRequest
from models.phones import normalize_phone
from models.rules.calendar import ProductionCalendar
from models.rules.callbacks import MIN_WINDOW, TimeWindow, promised_answer_date, window_choices
from models.tables import CallbackSource, Language

NUMBER_DIGITS: Final = 11
NUMBER_TIMEOUT_MS: Final = 7000
_WINDOW_STEP: Final = timedelta(minutes=15)


async def run(
    channel: AgiChannel,
    context: FlowContext,
    *,
    source: CallbackSource,
    linkedid: str | None,
    language: Language,
    calendar: ProductionCalendar,
    now: datetime,
    trail: Trail | None = None,
    intro: Sequence[Segment] = (),
    voice: CallVoice | None = None,
) -> int | None:
    """Returns the task id, or None when no usable number was given."""
    phone = await _number(channel, language, trail, intro, voice)
    if phone is None:
        await play("callback-not-taken", language)(channel)
        return None
    if source is CallbackSource.AFTER_HOURS:
        day = calendar.next_opening(now).date()
    else:
        working_days = context.settings.callback_answer_working_days
        day = promised_answer_date(now, calendar, working_days)
    whole_day = _whole_day(day, calendar)
    window = whole_day
    try:
        window = await _choose_window(channel, language, day, calendar, whole_day, trail, voice)
    finally:  # also on a hang-up: the number is settled, the request stands
        request = CallbackRequest(
            phone_e164=phone,
            source=source,
            requested_at=now,
            promised_on=day,
            windows=(window,),
            linkedid=linkedid,
        )
        task_id = await context.blocking(context.store.open_callback, request)
    await play_all(
        channel,
        [
            play("callback-confirmed", language),
            say_date(window.starts_at, language, context.settings.timezone),
            play("goodbye", language),
        ],
    )
    return task_id


async def _number(
    channel: AgiChannel,
    language: Language,
    trail: Trail | None,
    intro: Sequence[Segment],
    voice: CallVoice | None,
) -> str | None:
    own = russian_number(channel.env.callerid)
    if own is not None:
        national = "8" + own.removeprefix("+7")
        choice = await ask(
            channel,
            language,
            "callback-number-confirm",
            {"1": "own", "2": "other"}.get,
            step="number",
            trail=trail,
            intro=[*intro, play("callback-number-is", language), say_digits(national)],
            voice=voice,
            voice_prompt="callback-number-confirm-voice",
        )
        if choice == "own":
            return own
        if choice is None:
            return None
        intro = ()
    return await ask(
        channel,
        language,
        "callback-enter-number",
        russian_number,
        step="entered",
        trail=trail,
        intro=intro,
        max_digits=NUMBER_DIGITS,
        timeout_ms=NUMBER_TIMEOUT_MS,
        invalid_prompt="callback-number-invalid",
    )


def russian_number(raw: str) -> str | None:
    """E.164 of a valid number in the Russian (+7) plan, else None. Keyed digits and caller
    IDs alike: ``89281234567``, ``9281234567``, ``79281234567``."""
    e164 = normalize_phone(raw)
    return e164 if e164 is not None and e164.startswith("+7") else None


async def _choose_window(
    channel: AgiChannel,
    language: Language,
    day: date,
    calendar: ProductionCalendar,
    whole_day: TimeWindow,
    trail: Trail | None,
    voice: CallVoice | None,
) -> TimeWindow:
    halves = half_day_windows(day, calendar)
    if not halves:
        return whole_day
    options = {"1": halves[0], "2": halves[1], "3": whole_day}
    chosen = await ask(
        channel,
        language,
        "callback-window-menu",
        options.get,
        step="window",
        trail=trail,
        voice=voice,
        voice_prompt="callback-window-menu-voice",
    )
    if chosen is None and trail is not None:
        trail.add("window=day")
    return chosen or whole_day


def half_day_windows(day: date, calendar: ProductionCalendar) -> list[TimeWindow]:
    """The working day in two halves (rounded to a quarter hour), or [] for a day too short
    to split (then only the whole day is offered)."""
    hours = calendar.hours_on(day)
    if hours is None:
        return []
    span = datetime.combine(day, hours.closes) - datetime.combine(day, hours.opens)
    half = _WINDOW_STEP * math.ceil((span / 2) / _WINDOW_STEP)
    if half < MIN_WINDOW:
        return []
    choices = window_choices(day, calendar, length=half)
    return choices if len(choices) == 2 else []


def _whole_day(day: date, calendar: ProductionCalendar) -> TimeWindow:
    hours = calendar.hours_on(day)
    if hours is None:  # the calendar only ever gives working days here
        raise ValueError(f"{day.isoformat()} is not a working day")
    return TimeWindow(
        datetime.combine(day, hours.opens, tzinfo=calendar.tz),
        datetime.combine(day, hours.closes, tzinfo=calendar.tz),
    )
