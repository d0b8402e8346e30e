"""Every event the simulator sends has the shape Asterisk 22 gave it in the recordings: the
same headers in the same order, the same Privilege; and a played call's caller channel goes
through the call-log's events in the recorded order."""

from __future__ import annotations

from collections import defaultdict

import pytest

from ami.stream import AmiMessage, decode_all
from tests.ami.captures import SCENARIOS, capture_messages
from tests.simulator.replay import PLAYABLE, replay

Shape = tuple[str, ...]  # Privilege value, then the header names in order


def _shape(message: AmiMessage) -> Shape:
    names = [name for name, _ in message.items()]
    return (message.first("Privilege") or "", *names)


def _event_name(message: AmiMessage) -> str | None:
    return message.first("Event")


def recorded_shapes() -> dict[str, set[Shape]]:
    shapes: dict[str, set[Shape]] = defaultdict(set)
    for name in SCENARIOS:
        for message in capture_messages(name):
            event = _event_name(message)
            if event is not None:
                shapes[event].add(_shape(message))
    return shapes


async def simulated_messages() -> list[AmiMessage]:
    messages: list[AmiMessage] = []
    for name in PLAYABLE:
        messages += decode_all((await replay(name)).stream)
    return messages


async def test_each_simulated_event_has_a_recorded_shape() -> None:
    recorded = recorded_shapes()
    seen: dict[str, int] = defaultdict(int)
    for message in await simulated_messages():
        event = _event_name(message)
        if event is None:
            continue
        seen[event] += 1
        assert _shape(message) in recorded[event], (event, _shape(message), recorded[event])
    # The call log's events are all there, not just some that happen to match.
    for needed in (
        "Newchannel",
        "Newstate",
        "Newexten",
        "VarSet",
        "HangupRequest",
        "SoftHangupRequest",
        "Hangup",
        "DialBegin",
        "DialEnd",
        "QueueCallerJoin",
        "QueueCallerLeave",
        "QueueCallerAbandon",
        "AgentCalled",
        "AgentConnect",
        "AgentComplete",
        "BridgeCreate",
        "BridgeEnter",
        "BridgeLeave",
        "BridgeDestroy",
        "BlindTransfer",
        "AttendedTransfer",
        "QueueMemberStatus",
        "QueueMemberPause",
        "LocalBridge",
        "MusicOnHoldStart",
        "FullyBooted",
    ):
        assert seen[needed] > 0, needed


# The events the projector keys on, as they happen to the caller's own channel.
_CALLER_EVENTS = frozenset(
    {
        "Newchannel",
        "QueueCallerJoin",
        "QueueCallerLeave",
        "QueueCallerAbandon",
        "AgentCalled",
        "AgentConnect",
        "AgentComplete",
        "BlindTransfer",
        "AttendedTransfer",
        "Hangup",
    }
)


def _caller_story(messages: list[AmiMessage], linkedid: str) -> list[str]:
    story: list[str] = []
    for message in messages:
        event = _event_name(message)
        if event is None or event not in _CALLER_EVENTS:
            continue
        if event in ("BlindTransfer", "AttendedTransfer"):
            story.append(event)
            continue
        if message.first("Uniqueid") == linkedid:
            story.append(event)
    return story


@pytest.mark.parametrize("name", PLAYABLE)
async def test_the_callers_events_come_in_the_recorded_order(name: str) -> None:
    recorded = list(capture_messages(name))
    linkedid = next(m.first("Uniqueid") for m in recorded if _event_name(m) == "Newchannel")
    simulated = decode_all((await replay(name)).stream)
    assert linkedid is not None
    assert _caller_story(simulated, linkedid) == _caller_story(recorded, linkedid)
