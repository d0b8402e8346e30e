"""After hours (C3, C11): the working hours, when the line opens next, and a callback offer.

Not a route: the entry flow runs it when the calendar says the line is closed. The call was
recorded with ``in_working_hours=False``, so it is an after-hours call, never a missed one
(C13). The next opening comes from the production calendar (holidays, transferred days off,
working Saturdays), e.g. on Saturday 2026-12-05: «понедельник, седьмое декабря … в девять».
"""

from __future__ import annotations

from datetime import datetime

from ivr.agi.channel import AgiChannel
from ivr.flows import callback_request
from ivr.flows.context import FlowContext
from ivr.flows.menus import Trail, ask, play, say_date, say_time
from ivr.voice import CallVoice
from models.rules.calendar import ProductionCalendar
from models.tables import CallbackSource, Language


async def run(
    channel: AgiChannel,
    context: FlowContext,
    *,
    linkedid: str,
    language: Language,
    calendar: ProductionCalendar,
    now: datetime,
    trail: Trail,
    voice: CallVoice | None = None,
) -> None:
    opening = calendar.next_opening(now)
    tz = context.settings.timezone
    message = [
        play("closed-hours", language),
        play("opens-next", language),
        say_date(opening, language, tz),
        play("opens-at", language),
        say_time(opening, language, tz),
    ]
    wants_callback = await ask(
        channel,
        language,
        "callback-offer",
        {"1": True}.get,
        step="offer",
        trail=trail,
        intro=message,
        repeat_on_silence=False,  # silence declines the offer
        voice=voice,
        voice_prompt="callback-offer-voice",
    )
    if not wants_callback:
        await play("goodbye", language)(channel)
        return
    await callback_request.run(
        channel,
        context,
        source=CallbackSource.AFTER_HOURS,
        linkedid=linkedid,
        language=language,
        calendar=calendar,
        now=now,
        trail=trail,
        voice=voice,
    )
