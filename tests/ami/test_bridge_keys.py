"""Keys pressed while the IVR listens for a spoken answer, over the AMI socket: Asterisk 22
passes no DTMF over AudioSocket, so the bridge hands each key the caller presses (``DTMFEnd``,
read class ``dtmf``) to ``on_key``; wired to the listenings, the channel's listening ends with
it (C15: keypad and voice are accepted together, whichever comes first wins)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from ami.bridge import AmiBridge
from ami.bus import LiveBus
from speech.listening import Listenings, ListenSpec, Outcome, Pending
from tests.ami.captures import HARNESS_CONTEXTS, RECEIVED_AT
from tests.ami.fake_ami import FakeAmi, bridge_settings, capture_events, dtmf_end, without_calls
from tests.speech.fake_asterisk import Recognitions, new_uuid

CALLER = "1795867285.0"  # the caller's inbound channel, listened to
OPERATOR = "1795867285.2"  # another channel of the same call
WAIT_S = 5.0


def key(digit: str, uniqueid: str = CALLER, direction: str = "Received") -> bytes:
    channel = "PJSIP/trunk-0000001a" if uniqueid == CALLER else "PJSIP/201-0000001c"
    return dtmf_end(digit, uniqueid, channel=channel, linkedid=CALLER, direction=direction)


@pytest.fixture
async def asterisk() -> AsyncIterator[FakeAmi]:
    async with without_calls() as fake:
        yield fake


@pytest.fixture
def listenings() -> Listenings:
    # Asterisk never connects over AudioSocket here: a long wait for it, the keys come first.
    return Listenings(connect_timeout_s=30.0)


@pytest.fixture
async def bridge(
    asterisk: FakeAmi, listenings: Listenings, db_engine: Engine, tmp_path: Path
) -> AsyncIterator[AmiBridge]:
    bridge = AmiBridge(
        settings=bridge_settings(asterisk, db_engine, tmp_path),
        engine=db_engine,
        clock=lambda: RECEIVED_AT,
        bus=LiveBus(),
        line_contexts=HARNESS_CONTEXTS,
        queue="consult",
        on_key=listenings.key_pressed,
    )
    await bridge.start()
    await bridge.connection.wait_logged_in(timeout=WAIT_S)
    yield bridge
    await bridge.stop()


async def _all_handled(bridge: AmiBridge) -> None:
    """Every event pushed so far has been handled: a Ping's reply comes after them."""
    await bridge.connection.send({"Action": "Ping"})
    async with asyncio.timeout(WAIT_S):
        while bridge.connection.status()["events_pending"]:
            await asyncio.sleep(0.01)


def _listen(listenings: Listenings, channel_id: str) -> Pending:
    return listenings.expect(
        new_uuid(), ListenSpec(recognition=Recognitions()), channel_id=channel_id
    )


async def test_a_key_on_the_listened_channel_ends_the_listening_with_it(
    asterisk: FakeAmi, bridge: AmiBridge, listenings: Listenings
) -> None:
    pending = _listen(listenings, CALLER)
    await asterisk.push(key("2"))
    assert await asyncio.wait_for(pending.outcome(WAIT_S), WAIT_S) == Outcome.pressed("2")
    assert listenings.listening_on(CALLER) is None
    assert bridge.status()["events_rejected"] == 0


async def test_a_key_on_another_channel_or_sent_to_the_phone_does_nothing(
    asterisk: FakeAmi, bridge: AmiBridge, listenings: Listenings
) -> None:
    pending = _listen(listenings, CALLER)
    # The operator's leg pressed 7; Asterisk played 8 towards the caller's phone.
    await asterisk.push(key("7", OPERATOR) + key("8", direction="Sent"))
    # Events are handled in order: once the caller's own 3 has ended the listening, the two
    # before it had been handled, and the first outcome wins.
    await asterisk.push(key("3"))
    assert await asyncio.wait_for(pending.outcome(WAIT_S), WAIT_S) == Outcome.pressed("3")


async def test_a_key_ends_a_listening_asterisk_is_connected_to_through_the_server(
    asterisk: FakeAmi, bridge: AmiBridge, listenings: Listenings
) -> None:
    pending = _listen(listenings, CALLER)
    listening = listenings.claim(pending.uuid)  # as the AudioSocket server does on connect
    assert listening is not None
    await asterisk.push(key("#"))
    # The server is asked to end it (and closes the socket): the key is its outcome.
    assert await asyncio.wait_for(listening.stop_request, WAIT_S) == "#"


async def test_the_recorded_calls_first_key_ends_the_listening_and_the_call_log_goes_on(
    asterisk: FakeAmi, bridge: AmiBridge, listenings: Listenings
) -> None:
    # The real capture: the caller pressed 1, then 555#, then 9; a listening on that channel
    # from the start ends with the first key, the later ones find none.
    pending = _listen(listenings, "1795867038.0")
    await asterisk.push(capture_events("ivr-dtmf"))
    assert await asyncio.wait_for(pending.outcome(WAIT_S), WAIT_S) == Outcome.pressed("1")
    await _all_handled(bridge)
    status = bridge.status()
    assert (status["events_rejected"], status["handler_failures"]) == (0, 0)
    assert status["calls_in_progress"] == 0


async def test_without_a_key_handler_keys_are_dropped(
    asterisk: FakeAmi, db_engine: Engine, tmp_path: Path
) -> None:
    bridge = AmiBridge(
        settings=bridge_settings(asterisk, db_engine, tmp_path),
        engine=db_engine,
        clock=lambda: RECEIVED_AT,
        bus=LiveBus(),
    )
    await bridge.start()
    try:
        await bridge.connection.wait_logged_in(timeout=WAIT_S)
        await asterisk.push(key("5"))
        await _all_handled(bridge)
        assert bridge.status()["handler_failures"] == 0
    finally:
        await bridge.stop()
