"""A console operator's phone on the training line: it rings until «Ответить» is pressed on the
screen, talks until «Завершить»; the keys arrive as AMI ``UserEvent`` actions, which the
simulated PBX answers and relays as Asterisk 22 does (``manager.c`` ``action_userevent``).

The calls run the line's dialplan against the real FastAGI routes in virtual time, so the
waits and talk times are exact.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable

import pytest

from ami.actions import ActionStatus
from ami.training_phone import HANDSET_EVENT, HandsetKey, press_handset
from ivr.agi.server import AgiServer
from models.rules.transfers import TransferOutcome
from models.tables.calls import HangupSide
from simulator.ami_actions import blind_transfer_action, user_event
from simulator.ami_events import AmiEvent
from simulator.ami_server import AmiServer, AmiUser
from simulator.ami_wire import Request
from simulator.caller import CallerPlan
from simulator.calls import incoming_call
from simulator.clock import SimClock
from simulator.devices import PhoneBehaviour, PhoneBook
from simulator.dialplan import INBOUND, line_dialplan
from simulator.handsets import Handsets
from simulator.pbx import Pbx
from simulator.queues import MemberConfig
from simulator.switch import FastAgiTarget, Switch
from simulator.training_line import line_queue
from tests.ivr.flows.conftest import OPEN
from tests.simulator.ami_clients import AmiClient, ami_link
from tests.simulator.line import CALLER, MENU_KEYS, OPERATOR, Played

WAIT_S = 30.0
USER = AmiUser("consult-line", "s3cret")


def _line(server: AgiServer, handsets: Callable[[SimClock], Handsets]) -> tuple[Switch, Played]:
    sim = SimClock(start=OPEN.timestamp())
    pbx = Pbx(clock=sim, rng=random.Random(5))
    phones = handsets(sim)
    employee = PhoneBehaviour(ring_s=3, talk_s=20)  # a transfer's employee answers
    switch = Switch.build(
        pbx,
        dialplan=line_dialplan,
        phones=PhoneBook({OPERATOR: PhoneBehaviour(handsets=phones), "PJSIP/301": employee}),
        queues=[line_queue(MemberConfig(OPERATOR, "Оператор"))],
        agi=FastAgiTarget("127.0.0.1", server.port),
        handsets=phones,
    )
    played = Played()
    pbx.subscribe(lambda event, at: played.events.append((event, at)))
    return switch, played


def _press(switch: Switch, key: str, device: str = OPERATOR) -> None:
    """The console's key, through the simulator's handler of the AMI action."""
    request = Request(
        (("Action", "UserEvent"), ("UserEvent", HANDSET_EVENT), ("Device", device), ("Key", key))
    )
    asyncio.get_running_loop().create_task(user_event(switch, request))


def _console(switch: Switch, *, answer_after_s: float, talk_s: float) -> None:
    """The trainee: answers ``answer_after_s`` after the phone starts ringing, hangs up
    ``talk_s`` after the call is connected."""
    clock = switch.pbx.clock

    async def later(seconds: float, key: str) -> None:
        await clock.sleep(seconds)
        _press(switch, key)

    def on_event(event: AmiEvent, _at: float) -> None:
        if event.name == "AgentCalled":
            clock.spawn(later(answer_after_s, HandsetKey.ANSWER), name="answer")
        elif event.name == "AgentConnect":
            clock.spawn(later(talk_s, HandsetKey.HANG_UP), name="hang up")

    switch.pbx.subscribe(on_event)


async def _play(switch: Switch) -> None:
    incoming_call(switch, CallerPlan(CALLER, "Ivan Petrov", keys=MENU_KEYS), context=INBOUND)
    try:
        async with asyncio.timeout(WAIT_S):
            await switch.pbx.clock.idle()
    finally:
        await switch.pbx.clock.stop()


async def test_the_console_answers_and_hangs_up_the_ringing_phone(server: AgiServer) -> None:
    switch, played = _line(server, Handsets)
    _console(switch, answer_after_s=7.0, talk_s=42.0)
    await _play(switch)
    entry = played.entry
    assert entry.operator_interface == OPERATOR
    assert entry.queue_wait_s == pytest.approx(7.0)  # rang until the key: virtual, exact
    assert entry.talk_s == pytest.approx(42.0)
    assert entry.hangup_side is HangupSide.OPERATOR  # «Завершить»: the operator's phone
    names = [event.name for event, _at in played.events]
    assert names.index("AgentCalled") < names.index("AgentConnect") < names.index("AgentComplete")
    complete = next(dict(e.headers) for e, _at in played.events if e.name == "AgentComplete")
    assert complete["Reason"] == "agent"
    assert played.variables()["SURVEY_ANSWER_RECEIVED"] == "yes"  # the caller goes on


@pytest.mark.usefixtures("employees")
async def test_the_console_transfers_the_call_it_answered(server: AgiServer) -> None:  # C9
    """The console's transfer (BlindTransfer of the operator's channel, as
    ``ami.actions.blind_transfer`` sends it) takes the caller from the answered phone."""
    switch, played = _line(server, Handsets)
    clock = switch.pbx.clock

    async def transfer(channel: str) -> None:
        await clock.sleep(10.0)
        request = Request(
            (
                ("Action", "BlindTransfer"),
                ("Channel", channel),
                ("Context", "consult-line-transfer"),
                ("Exten", "301"),
            )
        )
        assert await blind_transfer_action(switch, request) == (
            b"Response: Success\r\nMessage: Transfer succeeded\r\n\r\n"
        )

    def on_event(event: AmiEvent, _at: float) -> None:
        headers = dict(event.headers)
        if event.name == "AgentCalled":
            _press(switch, HandsetKey.ANSWER)
        elif event.name == "AgentConnect":
            clock.spawn(transfer(headers["DestChannel"]), name="transfer")

    switch.pbx.subscribe(on_event)
    await _play(switch)
    entry = played.entry
    assert [(t.to_extension, t.outcome) for t in entry.transfers] == [
        ("301", TransferOutcome.COMPLETED)
    ]
    assert entry.talk_s == pytest.approx(10.0)  # with the operator, until the transfer


async def test_unanswered_the_phone_rings_out_the_queues_timeout(server: AgiServer) -> None:
    switch, played = _line(server, Handsets)
    _press(switch, HandsetKey.ANSWER)  # pressed before anything rings: nothing happens

    def give_up_after_first_ring(event: AmiEvent, _at: float) -> None:
        if event.name == "AgentRingNoAnswer":
            for chan in switch.pbx.channels():
                if chan.name.startswith("PJSIP/trunk-"):
                    switch.pbx.request_hangup(chan)  # the caller gives up

    switch.pbx.subscribe(give_up_after_first_ring)
    await _play(switch)
    ring = next(dict(e.headers) for e, _at in played.events if e.name == "AgentRingNoAnswer")
    assert ring["RingTime"] == "20000"  # queues.conf timeout = 20: nobody pressed «Ответить»
    assert "AgentConnect" not in [event.name for event, _at in played.events]


async def test_a_key_for_another_device_leaves_the_phone_ringing(server: AgiServer) -> None:
    switch, played = _line(server, Handsets)

    def press_elsewhere(event: AmiEvent, _at: float) -> None:
        if event.name == "AgentCalled":
            _press(switch, HandsetKey.ANSWER, device="PJSIP/202")

    switch.pbx.subscribe(press_elsewhere)
    _console(switch, answer_after_s=12.0, talk_s=5.0)
    await _play(switch)
    assert played.entry.queue_wait_s == pytest.approx(12.0)  # answered by its own key only


@pytest.fixture
async def ami(server: AgiServer) -> AsyncIterator[tuple[Switch, AmiServer]]:
    switch, _played = _line(server, Handsets)
    ami = AmiServer(switch, [USER], port=0, auth_failure_delay_s=0)
    await ami.start()
    yield switch, ami
    await ami.stop()
    await switch.pbx.clock.stop()


async def test_user_event_is_acknowledged_then_relayed_as_asterisk_does(
    ami: tuple[Switch, AmiServer],
) -> None:
    _switch, server = ami
    client = await AmiClient.connect(server.port)
    try:
        await client.send(Action="Login", Username=USER.username, Secret=USER.secret)
        await client.reader.readuntil(b"\r\n\r\n")  # FullyBooted
        reply = await client.send(
            Action="UserEvent", UserEvent=HANDSET_EVENT, ActionID="9", Device=OPERATOR, Key="x"
        )
        assert reply == b"Response: Success\r\nActionID: 9\r\nMessage: Event Sent\r\n\r\n"
        event = await client.reader.readuntil(b"\r\n\r\n")
        lines = event.decode().split("\r\n")
        assert lines[:2] == ["Event: UserEvent", "Privilege: user,all"]
        assert lines[2].startswith("Timestamp: ")
        assert lines[3:] == [
            f"UserEvent: {HANDSET_EVENT}",
            "ActionID: 9",
            f"Device: {OPERATOR}",
            "Key: x",
            "",
            "",
        ]
    finally:
        await client.close()


async def test_the_consoles_action_over_the_projects_ami_link_is_done(
    ami: tuple[Switch, AmiServer],
) -> None:
    _switch, server = ami
    async with ami_link(server.port, USER) as connection:
        result = await press_handset(connection, device=OPERATOR, key=HandsetKey.ANSWER)
        assert result.status is ActionStatus.DONE
        refused = await press_handset(connection, device="", key=HandsetKey.ANSWER)
        assert refused.status is ActionStatus.REFUSED
