"""The PBX that made the recordings (``tests/fixtures/asterisk/etc/``), on the simulator.

Its dialplan (``extensions.conf``: ``[harness-inbound]``, ``[harness-transfer]``,
``[harness-xfer-target]``) written with the simulator's applications, priority for priority;
its queues (``queues.conf``: ``consult`` with agent1, ``consult-2`` with employee1); and what
each recording's harness did, read from the recording itself: how each phone behaved
(``N``/``MODE``/``DELAY``/``TALK`` VarSets of ``[harness-agents]``), when the caller hung up
(``CALLER_SCRIPT``), how long each Playback played, which transfers the harness sent and when.
So a scenario here is the recorded call played again: the fidelity tests compare the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ami.events import parse_timestamp
from simulator.apps import Apps
from simulator.caller import CallerPlan
from simulator.channels import SimChannel
from simulator.devices import PhoneBehaviour, PhoneBook
from simulator.queues import MemberConfig, QueueConfig
from simulator.switch import Switch
from tests.ami.captures import capture_messages

INBOUND = "harness-inbound"
TRANSFER = "harness-transfer"
TARGET = "harness-xfer-target"
CALLER_NUMBER = "79281234567"
CALLER_NAME = "Ivan Petrov"
ANSWER_DELAY_S = 0.5  # [harness-agents] answers, then talks 0.5 s longer than TALK says

QUEUES = (
    QueueConfig(
        "consult",
        member_timeout_s=15,
        retry_s=2,
        members=(MemberConfig("Local/agent1@harness-agents", "agent1"),),
    ),
    QueueConfig(
        "consult-2",
        member_timeout_s=15,
        retry_s=2,
        members=(MemberConfig("Local/employee1@harness-agents", "employee1"),),
    ),
)


@dataclass(frozen=True)
class HarnessAction:
    """An action the recording's harness sent: at ``at_s`` after the call began."""

    at_s: float
    action: dict[str, str]


@dataclass
class Recording:
    """What to replay of one recording."""

    name: str
    started_at: float  # the first Newchannel
    exten: str  # where the call entered [harness-inbound]
    caller: CallerPlan
    phones: dict[str, PhoneBehaviour]
    playback_s: dict[str, float]  # sound → how long it played
    paused: tuple[str, ...] = ()  # members paused before the call (QueueMemberPause)
    actions: list[HarnessAction] = field(default_factory=list)


def read_recording(name: str) -> Recording:
    messages = [dict(message.items()) for message in capture_messages(name)]
    events = [m for m in messages if "Event" in m and "Timestamp" in m]
    started = next(e for e in events if e["Event"] == "Newchannel")
    t0 = float(parse_timestamp(started["Timestamp"]).timestamp())

    def offset(event: dict[str, str]) -> float:
        return float(parse_timestamp(event["Timestamp"]).timestamp()) - t0

    inbound = started["Channel"]
    exten = next(
        e["Exten"] for e in events if e.get("Channel") == inbound and e["Context"] == INBOUND
    )
    return Recording(
        name=name,
        started_at=t0,
        exten=exten,
        caller=CallerPlan(
            CALLER_NUMBER, CALLER_NAME, dialled="", leaves_at_s=_caller_leaves(events)
        ),
        phones=_phones(events),
        playback_s=_playbacks(events, offset),
        paused=tuple(  # the pause comes before the call: Timestamp earlier than the start
            e["Interface"]
            for e in events
            if e["Event"] == "QueueMemberPause" and e["Paused"] == "1" and offset(e) < 0
        ),
        actions=_actions(events, offset),
    )


def _caller_leaves(events: list[dict[str, str]]) -> float | None:
    """``CALLER_SCRIPT``: ``wN`` waits, ``h`` (or the end of the steps) hangs up."""
    script = next(e["Value"] for e in events if e.get("Variable") == "CALLER_SCRIPT")
    waits = [float(step[1:]) for step in script.split("/") if step.startswith("w")]
    if any(step.startswith("d") for step in script.split("/")):
        return None  # keys for an IVR: not replayed here
    return sum(waits)


def _phones(events: list[dict[str, str]]) -> dict[str, PhoneBehaviour]:
    settings: dict[str, dict[str, str]] = {}
    for event in events:
        if event["Event"] == "VarSet" and event["Variable"] in ("MODE", "DELAY", "TALK"):
            device = event["Channel"].rsplit("-", 1)[0]
            settings.setdefault(device, {})[event["Variable"]] = event["Value"]
    return {
        device: PhoneBehaviour(
            ring_s=float(values["DELAY"]),
            answers=values["MODE"] == "answer",
            talk_s=float(values["TALK"]) + ANSWER_DELAY_S,
        )
        for device, values in settings.items()
    }


def _playbacks(events: list[dict[str, str]], offset: object) -> dict[str, float]:
    started: dict[str, tuple[str, dict[str, str]]] = {}
    lengths: dict[str, float] = {}
    for event in events:
        if event["Event"] != "Newexten":
            continue
        channel = event["Channel"]
        if channel in started:
            sound, begun = started.pop(channel)
            lengths[sound] = _seconds(event) - _seconds(begun)
        if event["Application"] == "Playback":
            started[channel] = (event["AppData"], event)
    return lengths


def _seconds(event: dict[str, str]) -> float:
    return float(parse_timestamp(event["Timestamp"]).timestamp())


def _actions(events: list[dict[str, str]], offset: object) -> list[HarnessAction]:
    """What the harness sent during the call: QueuePause to unpause (at its event),
    BlindTransfer (at its event), Atxfer (when its first DTMF was typed) completed with
    ``*2`` at those keys."""
    assert callable(offset)
    actions: list[HarnessAction] = []
    for event in events:
        if event["Event"] == "QueueMemberPause" and event["Paused"] == "0":
            actions.append(
                HarnessAction(
                    offset(event) - 0.001,
                    {"Action": "QueuePause", "Interface": event["Interface"], "Paused": "false"},
                )
            )
        if event["Event"] == "BlindTransfer":
            actions.append(
                HarnessAction(
                    offset(event) - 0.001,
                    {
                        "Action": "BlindTransfer",
                        "Channel": event["TransfererChannel"],
                        "Context": event["Context"],
                        "Exten": event["Extension"],
                    },
                )
            )
    transfer = next((e for e in events if e["Event"] == "AttendedTransfer"), None)
    if transfer is not None:
        channel = transfer["OrigTransfererChannel"]
        keys = [e for e in events if e["Event"] == "DTMFEnd" and e["Channel"] == channel]
        target = transfer["TransferTargetChannel"]  # Local/2002@harness-transfer-…;1
        exten, _, context = target.removeprefix("Local/").rsplit("-", 1)[0].partition("@")
        actions.append(
            HarnessAction(
                offset(keys[0]) - 0.001,
                {"Action": "Atxfer", "Channel": channel, "Context": context, "Exten": exten},
            )
        )
        for key in keys[-2:]:
            actions.append(
                HarnessAction(
                    offset(key) - 0.001,
                    {"Action": "PlayDTMF", "Channel": channel, "Digit": key["Digit"]},
                )
            )
    return actions


def phone_book(recording: Recording) -> PhoneBook:
    return PhoneBook(dict(recording.phones))


# ---------------------------------------------------------------------------- the dialplan


@dataclass(frozen=True)
class HarnessDialplan:
    """``extensions.conf`` of the recordings (without the FastAGI ``ivr`` extension)."""

    playback_s: dict[str, float]

    async def __call__(self, switch: Switch, chan: SimChannel, context: str, exten: str) -> None:
        apps = Apps(switch, chan, context, exten)
        if context == INBOUND and exten == "queue":
            return await self._queue(apps)
        if context == INBOUND and exten == "afterhours":
            apps.answer(1)
            await self._play(apps, 2, "pls-try-call-later&vm-goodbye")
            apps.hangup(3)
        if context == TRANSFER:
            return await self._transfer(apps, exten)
        if context == TARGET:
            return await self._target(apps, exten)
        apps.hangup(1)

    async def _play(self, apps: Apps, priority: int, sound: str) -> None:
        await apps.playback(priority, sound, self.playback_s.get(sound, 1.0))

    async def _queue(self, apps: Apps) -> None:
        apps.noop(1, "queue entry")
        apps.set(2, "__XFER_COUNT", "0")
        status = await apps.queue(3, "consult", "tc", 120)
        apps.set(4, "HARNESS_QUEUESTATUS", status)
        apps.step(5, "GotoIf", f"{int(status == 'JOINEMPTY')}?noagents")
        if status != "JOINEMPTY":
            apps.step(6, "GotoIf", f"{int(status == 'TIMEOUT')}?noagents")
        if status in ("JOINEMPTY", "TIMEOUT"):
            await self._play(apps, 9, "all-circuits-busy-now&pls-try-call-later")
            apps.hangup(10)
        apps.step(7, "GotoIf", "0?survey")
        apps.hangup(8)

    async def _transfer(self, apps: Apps, exten: str) -> None:
        count = int(apps.variable("XFER_COUNT") or 0) + 1
        apps.set(1, "__XFER_COUNT", str(count))
        apps.step(2, "GotoIf", f"{int(count > 2)}?refuse")
        if count > 2:
            await self._play(apps, 4, "feature-not-avail-line")
            apps.hangup(5)
        apps.step(3, "Goto", f"{TARGET},{exten},1")
        apps.goto(TARGET, exten)
        await self._target(apps, exten)

    async def _target(self, apps: Apps, exten: str) -> None:
        if exten == "2001":
            await apps.queue(1, "consult-2", "tc", 120)
        else:
            employee = "employee2" if exten == "2002" else "employee1"
            await apps.dial(1, f"Local/{employee}@harness-agents", 30, "tT")
        apps.hangup(2)
