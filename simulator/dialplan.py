"""The line's dialplan (``dialplan/consult-line.conf``) as the simulated PBX runs it.

Each context below is the file's, priority for priority (a test holds them to the file): the
same applications at the same places, the FastAGI routes deciding, the dialplan acting on
their variables. Newexten carries the application data as Asterisk substitutes it
(``GotoIf(1?done)``). Globals are the file's defaults (``[consult-line-defaults]``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

from ami.line_calls import CALLBACK_CONTEXT, LINE_QUEUE
from simulator.agi_client import agi
from simulator.agi_commands import sound_seconds
from simulator.apps import Apps
from simulator.channels import ChannelState, SimChannel
from simulator.switch import Switch

INBOUND: Final = "consult-line-inbound"
QUEUE_CONTEXT: Final = "consult-line-queue"
SURVEY: Final = "consult-line-survey"
TRANSFER: Final = "consult-line-transfer"
GUARD: Final = "consult-line-transfer-guard"
CALLBACK: Final = CALLBACK_CONTEXT
FALLBACK: Final = "consult-line-fallback"
DEFAULTS: Final = "consult-line-defaults"

LINE_NUMBER: Final = "78722678091"
QUEUE: Final = LINE_QUEUE
QUEUE_TIMEOUT_S: Final = 300  # CONSULT_QUEUE_TIMEOUT
TRUNK: Final = "trunk"  # CONSULT_TRUNK
CALLER_ID: Final = "78722678091"  # CONSULT_CALLER_ID
DIAL_TIMEOUT_S: Final = 30
CALLBACK_DIAL_TIMEOUT_S: Final = 60
MOSCOW: Final = ZoneInfo("Europe/Moscow")

Handler = Callable[[Apps, str], Awaitable[None]]


def _flag(condition: bool) -> str:
    return "1" if condition else "0"


def _prompt(apps: Apps, name: str) -> tuple[str, float]:
    sound = f"consult-line/{apps.chan.language}/{name}"
    return sound, sound_seconds(sound)


async def _play(apps: Apps, priority: int, name: str) -> None:
    sound, seconds = _prompt(apps, name)
    await apps.playback(priority, sound, seconds)


def _agi_done(apps: Apps) -> bool:
    return apps.variable("LINE_AGI_DONE") == "1" and apps.variable("LINE_AGI_FAILED") != "1"


def _clear_marks(apps: Apps, first: int) -> None:
    apps.set(first, "LINE_AGI_DONE", "")
    apps.set(first + 1, "LINE_AGI_FAILED", "")


def _defaults(apps: Apps, priority: int) -> None:
    """``Gosub(consult-line-defaults,s,1)``: the globals are set, each ExecIf does nothing."""
    apps.step(priority, "Gosub", f"{DEFAULTS},s,1")
    back = (apps.context, apps.exten)
    apps.goto(DEFAULTS, "s")
    for number, (name, value) in enumerate(
        (
            ("CONSULT_AGI", apps.switch.agi.url),
            ("CONSULT_TRUNK", TRUNK),
            ("CONSULT_QUEUE_TIMEOUT", str(QUEUE_TIMEOUT_S)),
            ("CONSULT_CALLER_ID", CALLER_ID),
        ),
        start=1,
    ):
        apps.step(number, "ExecIf", f"0?Set({name}={value})")
    apps.step(5, "Return")
    apps.goto(*back)


def _linkedid(apps: Apps) -> str:
    return apps.chan.linkedid


# ---------------------------------------------------------------------------- contexts


async def inbound(apps: Apps, exten: str) -> None:
    if exten == LINE_NUMBER:
        apps.step(1, "Goto", "s,1")
        apps.goto(INBOUND, "s")
    chan = apps.chan
    apps.noop(1, f"Consultation line: call from {chan.caller_num}")
    _defaults(apps, 2)
    apps.step(3, "Set", "CHANNEL(language)=ru")
    chan.language = "ru"
    apps.answer(4)
    _clear_marks(apps, 5)
    plan = apps.switch.callers.get(chan.linkedid)
    await agi(apps, 7, "entry", [_linkedid(apps)], plan)
    done = _agi_done(apps)
    apps.step(8, "GotoIf", f"{_flag(not done)}?{FALLBACK},entry-failed,1")
    if not done:
        return await fallback(_at(apps, FALLBACK, "entry-failed"), "entry-failed")
    language = apps.variable("LINE_LANGUAGE")
    known = language in ("ru", "en")
    apps.step(9, "ExecIf", f"{_flag(known)}?Set(CHANNEL(language)={language})")
    if known:
        chan.language = language
    route = apps.variable("LINE_ROUTE")
    apps.step(10, "GotoIf", f"{_flag(route == 'hangup')}?done")
    if route == "hangup":
        apps.hangup(15)
    apps.step(11, "GotoIf", f"{_flag(route != 'queue')}?{FALLBACK},entry-failed,1")
    if route != "queue":
        return await fallback(_at(apps, FALLBACK, "entry-failed"), "entry-failed")
    priority = "".join(c for c in apps.variable("LINE_QUEUE_PRIORITY") if c.isdigit())
    apps.set(12, "QUEUE_PRIO", priority)
    apps.step(13, "ExecIf", f"{_flag(priority == '')}?Set(QUEUE_PRIO=0)")
    if not priority:
        apps.pbx.set_var(chan, "QUEUE_PRIO", "0")
    apps.step(14, "Goto", f"{QUEUE_CONTEXT},s,1")
    await queue(_at(apps, QUEUE_CONTEXT, "s"), "s")


async def queue(apps: Apps, _exten: str) -> None:
    apps.set(1, "__TRANSFER_CONTEXT", TRANSFER)
    priority = int(apps.variable("QUEUE_PRIO") or 0)
    status = await apps.queue(2, QUEUE, "ct", QUEUE_TIMEOUT_S, queue_priority=priority)
    apps.step(3, "GotoIf", f"{_flag(status == 'CONTINUE')}?{SURVEY},s,1")
    if status == "CONTINUE":
        return await survey(_at(apps, SURVEY, "s"), "s")
    apps.step(4, "Goto", f"{FALLBACK},no-operators,1")
    await fallback(_at(apps, FALLBACK, "no-operators"), "no-operators")


async def survey(apps: Apps, _exten: str) -> None:
    apps.noop(1, f"Survey for call {_linkedid(apps)}")
    _defaults(apps, 2)
    _clear_marks(apps, 3)
    plan = apps.switch.callers.get(apps.chan.linkedid)
    await agi(apps, 5, "survey", [_linkedid(apps)], plan)
    done = _agi_done(apps)
    apps.step(6, "GotoIf", f"{_flag(not done)}?failed")
    first = 7 if done else 9
    await _play(apps, first, "goodbye")
    apps.hangup(first + 1)


async def transfer(apps: Apps, exten: str) -> None:
    apps.step(1, "Goto", f"{GUARD},{exten},1")
    await guard(_at(apps, GUARD, exten), exten)


async def guard(apps: Apps, exten: str) -> None:
    chan = apps.chan
    apps.noop(1, f"Transfer of call {_linkedid(apps)} to {exten}")
    _defaults(apps, 2)
    leg = "caller" if chan.state is ChannelState.UP else "consult"
    apps.set(3, "XFER_LEG", leg)
    apps.step(4, "ExecIf", f"{_flag(chan.language != 'en')}?Set(CHANNEL(language)=ru)")
    if chan.language != "en":
        chan.language = "ru"
    for priority, name in enumerate(("TRANSFER_ALLOWED", "TRANSFER_DEVICE", "LINE_ROUTE"), 5):
        apps.set(priority, name, "")
    _clear_marks(apps, 8)
    await agi(apps, 10, "transfer", [_linkedid(apps), exten, leg], None)
    done = _agi_done(apps)
    apps.step(11, "GotoIf", f"{_flag(not done)}?unavailable")
    if done:
        device = apps.variable("TRANSFER_DEVICE")
        allowed = apps.variable("TRANSFER_ALLOWED") == "1" and device != ""
        apps.step(12, "GotoIf", f"{_flag(allowed)}?dial")
        if allowed:
            return await _guard_dial(apps, leg, device)
        refused = apps.variable("LINE_ROUTE") == "hangup"
        apps.step(13, "GotoIf", f"{_flag(refused)}?refused")
        if refused:
            apps.hangup(17)
    await _guard_unavailable(apps, leg)


async def _guard_dial(apps: Apps, leg: str, device: str) -> None:
    status = await apps.dial(18, device, DIAL_TIMEOUT_S, "t")
    apps.step(19, "GotoIf", f"{_flag(status == 'ANSWER')}?answered")
    if status == "ANSWER":
        apps.step(26, "GotoIf", f"{_flag(leg == 'consult')}?consult-leg-end:{SURVEY},s,1")
        if leg == "consult":
            apps.hangup(27)
        return await survey(_at(apps, SURVEY, "s"), "s")
    for priority, name in enumerate(("LINE_ROUTE", "LINE_AGI_DONE", "LINE_AGI_FAILED"), 20):
        apps.set(priority, name, "")
    await agi(apps, 23, "transfer-failed", [_linkedid(apps), status], None)
    done = _agi_done(apps)
    apps.step(24, "GotoIf", f"{_flag(not done)}?unavailable")
    if done:
        refused = apps.variable("LINE_ROUTE") == "hangup"
        apps.step(25, "GotoIf", f"{_flag(refused)}?refused:unavailable")
        if refused:
            apps.hangup(17)
    await _guard_unavailable(apps, leg)


async def _guard_unavailable(apps: Apps, leg: str) -> None:
    apps.step(14, "GotoIf", f"{_flag(leg == 'consult')}?consult-leg-end")
    if leg == "consult":
        apps.hangup(27)  # the operator gets the caller back
    await _play(apps, 15, "transfer-unavailable")
    apps.step(16, "Goto", f"{FALLBACK},requeue,1")
    await fallback(_at(apps, FALLBACK, "requeue"), "requeue")


async def fallback(apps: Apps, exten: str) -> None:
    if exten == "no-operators":
        await _play(apps, 1, "no-operators")
        apps.hangup(2)
    if exten == "requeue":
        apps.set(1, "QUEUE_PRIO", "10")
        apps.step(2, "Goto", f"{QUEUE_CONTEXT},s,1")
        return await queue(_at(apps, QUEUE_CONTEXT, "s"), "s")
    status = apps.variable("AGISTATUS")
    failed = apps.variable("LINE_AGI_FAILED")
    apps.noop(1, f"Entry route unavailable: AGISTATUS={status} FAILED={failed}")
    line_open = apps.variable("LINE_OPEN")
    apps.step(2, "GotoIf", f"{_flag(line_open == '1')}?open")
    is_open = line_open == "1"
    if line_open != "1":
        apps.step(3, "GotoIf", f"{_flag(line_open == '0')}?closed")
        if line_open != "0":
            apps.step(4, "GotoIfTime", "09:00-17:59,mon-fri,*,*,Europe/Moscow?open")
            is_open = _working_time(apps.pbx.clock.now())
    if not is_open:
        await _play(apps, 5, "closed-hours")
        apps.hangup(6)
    await _play(apps, 7, "agi-failure")
    apps.set(8, "QUEUE_PRIO", "0")
    apps.step(9, "Goto", f"{QUEUE_CONTEXT},s,1")
    await queue(_at(apps, QUEUE_CONTEXT, "s"), "s")


async def callback(apps: Apps, _exten: str) -> None:
    chan = apps.chan
    task = apps.variable("CALLBACK_TASK_ID")
    apps.noop(1, f"Callback task {task} on {chan.name}")
    _defaults(apps, 2)
    apps.step(3, "ExecIf", f"{_flag(chan.language != 'en')}?Set(CHANNEL(language)=ru)")
    apps.set(4, "CALLBACK_NUMBER", "")
    _clear_marks(apps, 5)
    await agi(apps, 7, "callback-dialout", [task, chan.uniqueid], None)
    number = apps.variable("CALLBACK_NUMBER")
    usable = _agi_done(apps) and number.isdigit() and number.isascii()
    apps.step(8, "GotoIf", f"{_flag(not _agi_done(apps))}?failed")
    if _agi_done(apps):
        apps.step(9, "GotoIf", f"{_flag(not usable)}?failed")
    if usable:
        device = f"PJSIP/{number}@{TRUNK}"
        status = await apps.dial(10, device, CALLBACK_DIAL_TIMEOUT_S, f"f({CALLER_ID})")
        apps.step(11, "GotoIf", f"{_flag(status == 'ANSWER')}?done")
        if status == "ANSWER":
            apps.hangup(13)
    await _play(apps, 12, "callback-dial-failed")
    apps.hangup(13)


def _working_time(now: float) -> bool:
    """GotoIfTime(09:00-17:59,mon-fri,...,Europe/Moscow)."""
    local = datetime.fromtimestamp(now, MOSCOW)
    return local.weekday() < 5 and 9 <= local.hour < 18


def _at(apps: Apps, context: str, exten: str) -> Apps:
    apps.goto(context, exten)
    return apps


CONTEXTS: Final[Mapping[str, Handler]] = MappingProxyType(
    {
        INBOUND: inbound,
        QUEUE_CONTEXT: queue,
        SURVEY: survey,
        TRANSFER: transfer,
        GUARD: guard,
        FALLBACK: fallback,
        CALLBACK: callback,
    }
)


async def line_dialplan(switch: Switch, chan: SimChannel, context: str, exten: str) -> None:
    """The :class:`simulator.switch.Dialplan` of the line: runs ``context``/``exten``."""
    handler = CONTEXTS.get(context)
    if handler is None:
        apps = Apps(switch, chan, context, exten)
        apps.hangup(1)  # no such context: Asterisk hangs the channel up
        return
    await handler(Apps(switch, chan, context, exten), exten)
