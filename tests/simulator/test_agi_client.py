"""The simulator's side of FastAGI against the recorded sessions.

A small server sends the commands a recording's FastAGI server sent (``*.agi.txt``) to the
simulated Asterisk, whose caller keys and hangs up as the recording's caller did; what comes
back must be what Asterisk 22 answered, line for line (``endpos`` aside: it counts the
samples of the recording host's sound files), the environment block included.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

import pytest

from simulator.agi_client import agi
from simulator.apps import Apps
from simulator.caller import CallerPlan
from simulator.calls import incoming_call
from simulator.channels import SimChannel
from simulator.clock import SimClock
from simulator.devices import PhoneBook
from simulator.pbx import Pbx
from simulator.switch import FastAgiTarget, Switch
from tests.ivr.fake_asterisk import capture_dialogue, capture_environment

WAIT_S = 10.0


@dataclass
class RecordedServer:
    """Sends the recorded commands, one after each reply, and keeps every line it reads."""

    commands: list[str]
    environment: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (line := (await reader.readline()).decode().rstrip("\n")) != "":
            self.environment.append(line)
        for command in self.commands:
            writer.write(command.encode() + b"\n")
            reply = (await reader.readline()).decode().rstrip("\n")
            self.received.append(reply)
            if reply == "HANGUP":  # unsolicited: the reply to this command follows
                self.received.append((await reader.readline()).decode().rstrip("\n"))
        writer.write_eof()
        self.received += (await reader.read()).decode().splitlines()
        writer.close()


def _without_endpos(line: str) -> str:
    return line.split(" endpos=", 1)[0]


def _recorded(name: str) -> tuple[list[str], list[str]]:
    dialogue = capture_dialogue(name)
    commands = [line[3:] for line in dialogue if line.startswith(">> ")]
    replies = [line[3:] for line in dialogue if line.startswith("<< ")]
    return commands, replies


async def _session(name: str, route: str, plan: CallerPlan) -> RecordedServer:
    commands, _ = _recorded(name)
    server = RecordedServer(commands)
    listener = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]

    async def dialplan(switch: Switch, chan: SimChannel, context: str, exten: str) -> None:
        apps = Apps(switch, chan, context, exten)
        apps.answer(1)
        await agi(apps, 2, route, [], switch.callers.get(chan.linkedid))
        apps.hangup(3)

    sim = SimClock(start=1795867248.0)
    switch = Switch.build(
        Pbx(clock=sim, rng=random.Random(2)),
        dialplan=dialplan,
        phones=PhoneBook(),
        queues=[],
        agi=FastAgiTarget("127.0.0.1", port),
    )
    incoming_call(switch, plan, context="harness-inbound", exten="ivr")
    try:
        async with asyncio.timeout(WAIT_S):
            await sim.idle()
    finally:
        await sim.stop()
        listener.close()
        await listener.wait_closed()
    return server


async def test_a_caller_who_hangs_up_during_get_data_gets_asterisks_answers() -> None:
    # f-agi-caller-hangup: GET DATA beep 20000 5, the caller hangs up 3.46 s into it.
    plan = CallerPlan("79281234567", "Ivan Petrov", dialled="", leaves_at_s=3.46)
    server = await _session("f-agi-caller-hangup", "hangup-test", plan)
    _, replies = _recorded("f-agi-caller-hangup")
    assert server.received == replies
    assert replies[1:3] == ["200 result=-1", "HANGUP"]  # what this test is about


async def test_menu_keys_and_variables_get_asterisks_answers() -> None:
    # x-full-flow-ivr-queue-survey, first session: ANSWER, GET DATA hello-world (key 1), SET
    # VARIABLE twice; then Asterisk's HANGUP when the server closes.
    plan = CallerPlan("79281234567", "Ivan Petrov", keys={"hello-world": "1"})
    server = await _session("x-full-flow-ivr-queue-survey", "route", plan)
    _, replies = _recorded("x-full-flow-ivr-queue-survey")
    assert [_without_endpos(line) for line in server.received] == replies


async def test_several_keys_end_with_the_hash_and_a_silent_caller_times_out() -> None:
    # ivr-dtmf: WAIT FOR DIGIT → 1 (result=49), GET DATA beep 6000 4 → 555#, and a WAIT FOR
    # DIGIT no key reaches (result=0).
    plan = CallerPlan("79281234567", keys={"": "1/", "beep": "555#"}, think_s=1.0)
    server = await _session("ivr-dtmf", "ivr", plan)
    _, replies = _recorded("ivr-dtmf")
    assert [_without_endpos(line) for line in server.received] == [
        _without_endpos(line) for line in replies
    ]


@pytest.mark.parametrize("name", ["f-agi-caller-hangup", "x-full-flow-ivr-queue-survey"])
async def test_the_environment_has_asterisks_keys_in_asterisks_order(name: str) -> None:
    plan = CallerPlan("79281234567", "Ivan Petrov", leaves_at_s=3.46)
    server = await _session(name, "route", plan)
    recorded = list(capture_environment(name))
    assert [line.split(":", 1)[0] for line in server.environment] == recorded
    sent = dict(
        line.split(": ", 1) if ": " in line else (line[:-1], "") for line in server.environment
    )
    assert (sent["agi_network"], sent["agi_version"], sent["agi_callerid"]) == (
        "yes",
        "22.10.1",
        "79281234567",
    )
    assert sent["agi_type"] == "PJSIP"
    assert sent["agi_dnid"] == "78722678091"  # the line's number (C2)


async def test_without_a_dialled_number_and_caller_id_asterisk_says_unknown() -> None:
    plan = CallerPlan("", "", dialled="", leaves_at_s=3.46)
    server = await _session("f-agi-caller-hangup", "hangup-test", plan)
    sent = dict(line.split(": ", 1) for line in server.environment if ": " in line)
    assert (sent["agi_dnid"], sent["agi_callerid"], sent["agi_calleridname"]) == (
        "unknown",
        "unknown",
        "unknown",
    )
