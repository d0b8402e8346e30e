"""The registry between a route and the AudioSocket server, without sockets: what a route gets
when Asterisk never connects, ``stop`` before and after connecting, and that nothing is left
behind."""

from __future__ import annotations

import asyncio
import logging

import pytest

from speech.listening import (
    Heard,
    Listenings,
    ListenSpec,
    Outcome,
    OutcomeKind,
    canonical_uuid,
)
from tests.speech.fake_asterisk import Recognitions, new_uuid


def spec() -> ListenSpec:
    return ListenSpec(recognition=Recognitions())


async def test_expect_gives_the_canonical_uuid_for_the_dialplan() -> None:
    listenings = Listenings()
    pending = listenings.expect("{9F3C2A4E-1B7D-4C59-8E0A-2D6F41B3C7A8}", spec())
    assert pending.uuid == "9f3c2a4e-1b7d-4c59-8e0a-2d6f41b3c7a8"
    assert len(listenings) == 1


@pytest.mark.parametrize("bad", ["", "not-a-uuid", "9f3c2a4e-1b7d-4c59-8e0a", "1,127.0.0.1:1"])
async def test_expect_refuses_what_is_not_a_uuid(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a uuid"):
        Listenings().expect(bad, spec())


async def test_expect_refuses_a_uuid_already_registered() -> None:
    listenings = Listenings()
    stream = new_uuid()
    listenings.expect(stream, spec())
    with pytest.raises(ValueError, match="already registered"):
        listenings.expect(stream.upper(), spec())


async def test_nobody_connecting_is_no_connection_and_leaves_nothing_behind(
    caplog: pytest.LogCaptureFixture,
) -> None:
    listenings = Listenings()
    pending = listenings.expect(new_uuid(), spec())
    outcome = await pending.outcome(0.05)
    assert outcome.kind is OutcomeKind.NO_CONNECTION
    assert "did not connect within 0.05 s" in outcome.reason
    # The administrator hears of it: a missing module or a wrong address looks like this.
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert pending.uuid in warning
    assert "app_audiosocket" in warning
    assert len(listenings) == 0
    assert listenings.claim(pending.uuid) is None  # Asterisk connecting late is a stranger
    assert await pending.outcome(0.05) == outcome  # asked again: the same answer


async def test_an_unclaimed_listening_expires_even_if_the_route_never_asks() -> None:
    listenings = Listenings(connect_timeout_s=0.05)
    pending = listenings.expect(new_uuid(), spec())
    # A long wait for the connection: the registry's own expiry answers first.
    outcome = await pending.outcome(30.0)
    assert outcome.kind is OutcomeKind.NO_CONNECTION
    assert len(listenings) == 0


async def test_a_claimed_listening_waits_for_the_server_past_the_connect_timeout() -> None:
    listenings = Listenings(connect_timeout_s=0.05)
    pending = listenings.expect(new_uuid(), spec())
    listening = listenings.claim(pending.uuid)
    assert listening is not None
    waiting = asyncio.ensure_future(pending.outcome(0.01))
    done, _ = await asyncio.wait({waiting}, timeout=0.2)
    assert not done  # connected: only the server ends it
    heard = Outcome.speech(Heard("да", 0.97))
    assert listening.end(heard)
    assert await waiting == heard
    assert len(listenings) == 0


async def test_the_first_outcome_wins() -> None:
    listenings = Listenings()
    pending = listenings.expect(new_uuid(), spec())
    listening = listenings.claim(pending.uuid)
    assert listening is not None
    assert listening.end(Outcome.pressed("3"))
    assert not listening.end(Outcome.failed("late"))
    assert await pending.outcome(1.0) == Outcome.pressed("3")


async def test_a_uuid_is_claimed_once() -> None:
    listenings = Listenings()
    pending = listenings.expect(new_uuid(), spec())
    assert listenings.claim(pending.uuid) is not None
    assert listenings.claim(pending.uuid) is None
    assert listenings.claim(new_uuid()) is None


async def test_stop_before_asterisk_connects_settles_the_listening_at_once() -> None:
    listenings = Listenings()
    keyed = listenings.expect(new_uuid(), spec())
    quiet = listenings.expect(new_uuid(), spec())
    assert listenings.stop(keyed.uuid, dtmf="1")
    assert listenings.stop(quiet.uuid)
    assert await keyed.outcome(0.01) == Outcome.pressed("1")
    assert await quiet.outcome(0.01) == Outcome.silence()
    assert len(listenings) == 0
    assert listenings.claim(keyed.uuid) is None


async def test_stop_after_connecting_asks_the_server() -> None:
    listenings = Listenings()
    pending = listenings.expect(new_uuid(), spec())
    listening = listenings.claim(pending.uuid)
    assert listening is not None
    assert listenings.stop(pending.uuid.upper(), dtmf="#")
    assert listening.stop_request.result() == "#"
    assert not listening.ended  # the server ends it, after closing the socket


async def test_stop_of_what_is_not_listening_is_false() -> None:
    listenings = Listenings()
    assert not listenings.stop(new_uuid(), dtmf="1")
    assert not listenings.stop("not-a-uuid")
    pending = listenings.expect(new_uuid(), spec())
    await pending.outcome(0.01)
    assert not listenings.stop(pending.uuid, dtmf="1")


@pytest.mark.parametrize("bad", ["", "x", "12", "*#"])
async def test_stop_refuses_what_is_not_one_key(bad: str) -> None:
    listenings = Listenings()
    pending = listenings.expect(new_uuid(), spec())
    with pytest.raises(ValueError, match="is not a DTMF key"):
        listenings.stop(pending.uuid, dtmf=bad)
    assert len(listenings) == 1


async def test_a_cancelled_route_does_not_cancel_the_outcome() -> None:
    listenings = Listenings()
    pending = listenings.expect(new_uuid(), spec())
    listening = listenings.claim(pending.uuid)
    assert listening is not None
    waiting = asyncio.ensure_future(pending.outcome(1.0))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert listening.end(Outcome.silence())
    assert await pending.outcome(1.0) == Outcome.silence()


@pytest.mark.parametrize(
    "field", [{"no_input_s": 0}, {"end_silence_s": -1}, {"max_s": 0.0}, {"speech_rms": 0}]
)
def test_a_spec_with_a_time_or_level_not_positive_is_refused(field: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        ListenSpec(recognition=Recognitions(), **field)


def test_listenings_refuse_a_connect_timeout_not_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        Listenings(connect_timeout_s=0)


def test_canonical_uuid() -> None:
    assert canonical_uuid("9F3C2A4E1B7D4C598E0A2D6F41B3C7A8") == (
        "9f3c2a4e-1b7d-4c59-8e0a-2d6f41b3c7a8"
    )
    assert canonical_uuid("nope") is None


# --------------------------------------------------------------------------- keys by channel
# Asterisk 22 sends no DTMF over AudioSocket: the AMI bridge hands on the caller's key with the
# channel's Uniqueid, and the channel's current listening ends with it.

CHANNEL = "1795867038.0"


async def test_a_key_on_the_channel_ends_its_listening_before_asterisk_connects() -> None:
    listenings = Listenings()
    pending = listenings.expect(new_uuid(), spec(), channel_id=CHANNEL)
    assert listenings.key_pressed(CHANNEL, "2")
    assert await pending.outcome(0.01) == Outcome.pressed("2")
    assert len(listenings) == 0
    assert listenings.listening_on(CHANNEL) is None
    assert listenings.claim(pending.uuid) is None  # Asterisk connecting now finds no listening


async def test_a_key_on_the_channel_asks_the_server_once_connected() -> None:
    listenings = Listenings()
    pending = listenings.expect(new_uuid(), spec(), channel_id=CHANNEL)
    listening = listenings.claim(pending.uuid)
    assert listening is not None
    assert listenings.listening_on(CHANNEL) is listening
    assert listenings.key_pressed(CHANNEL, "#")
    assert listening.stop_request.result() == "#"
    assert not listening.ended  # the server ends it, after closing the socket
    assert listening.end(Outcome.pressed("#"))
    assert await pending.outcome(1.0) == Outcome.pressed("#")
    assert listenings.listening_on(CHANNEL) is None


async def test_a_key_on_another_channel_or_a_channel_not_listening_does_nothing() -> None:
    listenings = Listenings()
    pending = listenings.expect(new_uuid(), spec(), channel_id=CHANNEL)
    assert not listenings.key_pressed("1795867038.1", "1")  # the operator's leg, say
    assert not listenings.key_pressed("", "1")
    assert listenings.listening_on(CHANNEL) is not None
    assert len(listenings) == 1
    assert listenings.stop(pending.uuid)
    assert not listenings.key_pressed(CHANNEL, "1")  # ended: nothing on the channel any more


@pytest.mark.parametrize("channel_id", [None, "", "  "])
async def test_a_listening_without_a_channel_is_not_ended_by_keys(channel_id: str | None) -> None:
    listenings = Listenings()
    pending = listenings.expect(new_uuid(), spec(), channel_id=channel_id)
    assert not listenings.key_pressed("", "1")
    assert not listenings.key_pressed("  ", "1")
    assert listenings.stop(pending.uuid, dtmf="1")  # its uuid still ends it
    assert await pending.outcome(0.01) == Outcome.pressed("1")


async def test_an_expired_listening_leaves_its_channel() -> None:
    listenings = Listenings(connect_timeout_s=0.05)
    pending = listenings.expect(new_uuid(), spec(), channel_id=CHANNEL)
    outcome = await pending.outcome(30.0)
    assert outcome.kind is OutcomeKind.NO_CONNECTION
    assert listenings.listening_on(CHANNEL) is None
    assert not listenings.key_pressed(CHANNEL, "1")


async def test_the_newest_listening_on_a_channel_is_the_one_keys_end() -> None:
    listenings = Listenings()
    older = listenings.expect(new_uuid(), spec(), channel_id=CHANNEL)
    newer = listenings.expect(new_uuid(), spec(), channel_id=CHANNEL)
    assert listenings.key_pressed(CHANNEL, "3")
    assert await newer.outcome(0.01) == Outcome.pressed("3")
    # The older one ending later does not take the channel's entry with it, nor is it keyed.
    assert listenings.listening_on(CHANNEL) is None
    third = listenings.expect(new_uuid(), spec(), channel_id=CHANNEL)
    assert listenings.stop(older.uuid)
    assert await older.outcome(0.01) == Outcome.silence()
    assert listenings.listening_on(CHANNEL) is not None
    assert listenings.key_pressed(CHANNEL, "4")
    assert await third.outcome(0.01) == Outcome.pressed("4")
    assert len(listenings) == 0


@pytest.mark.parametrize("bad", ["", "x", "12", "*#", "e"])
async def test_key_pressed_refuses_what_is_not_one_key(bad: str) -> None:
    listenings = Listenings()
    listenings.expect(new_uuid(), spec(), channel_id=CHANNEL)
    with pytest.raises(ValueError, match="is not a DTMF key"):
        listenings.key_pressed(CHANNEL, bad)
    assert listenings.listening_on(CHANNEL) is not None
