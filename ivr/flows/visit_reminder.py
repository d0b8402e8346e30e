"""Route ``visit-reminder`` (args: reminder id, channel): the reminder call to a visitor (V3,
V4, V6, V11).

The scheduler's run originates the call (``consult_line.visit_reminder_run``) under the row's
ChannelId; once the visitor picks up, the dialplan runs this route with the channel's own
Uniqueid. Only the channel that holds the row's reservation hears the booking
(``visits.reminder_answers``); any other — a guessed id, another channel, a second session —
takes the server's one error path, and nothing is said or changed.

The call says the date and time of the visit and where it is, then asks «1 — подтвердить,
2 — отменить запись». 1 records the confirmation; 2 cancels the booking (V6: channel ``line``,
actor the reminder call) and says so; a wrong key or silence is asked once more, then the call
ends politely and records «no answer», as does a hang-up before a choice. English for a
booking in English (V11).
"""

from __future__ import annotations

from enum import StrEnum

from ivr.agi.channel import AgiChannel, ChannelHungUp
from ivr.flows.context import FlowContext, channel_id_arg, task_id_arg
from ivr.flows.menus import ask, play, say_date, say_time
from models.rules.visit_reminders import CallResult
from visits.reminder_answers import cancel_by_call, record_answer, script_for


class NoReminderForChannel(LookupError):  # noqa: N818 (reads as the condition it reports)
    pass


class Choice(StrEnum):
    CONFIRM = "1"
    CANCEL = "2"


def choice_from_key(key: str) -> Choice | None:
    try:
        return Choice(key)
    except ValueError:
        return None


async def run(channel: AgiChannel, context: FlowContext) -> None:
    reminder_id = task_id_arg(channel, 0)
    channel_id = channel_id_arg(channel, 1)
    engine = context.store.engine
    script = await context.blocking(script_for, engine, reminder_id, channel_id, context.clock())
    if script is None:
        raise NoReminderForChannel(f"visit reminder {reminder_id}: none for {channel_id}")
    language = script.language
    await channel.set_language(language.value)
    tz = context.settings.timezone
    try:
        choice = await ask(
            channel,
            language,
            "visit-reminder-menu",
            choice_from_key,
            step="visit",
            intro=[
                play("visit-reminder-intro", language),
                say_date(script.starts_at, language, tz),
                play("visit-reminder-time", language),
                say_time(script.starts_at, language, tz),
                play("visit-reminder-place", language),
            ],
        )
    except ChannelHungUp:
        await context.blocking(
            record_answer, engine, reminder_id, channel_id, CallResult.NO_ANSWER, context.clock()
        )
        raise
    if choice is Choice.CONFIRM:
        await context.blocking(
            record_answer, engine, reminder_id, channel_id, CallResult.CONFIRMED, context.clock()
        )
        await play("visit-reminder-confirmed", language)(channel)
    elif choice is Choice.CANCEL and await context.blocking(
        cancel_by_call, engine, reminder_id, channel_id, context.clock()
    ):
        await play("visit-reminder-cancelled", language)(channel)
    else:
        if choice is None:
            await context.blocking(
                record_answer,
                engine,
                reminder_id,
                channel_id,
                CallResult.NO_ANSWER,
                context.clock(),
            )
        await play("visit-reminder-no-answer", language)(channel)
