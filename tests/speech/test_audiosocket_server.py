"""The AudioSocket server over real loopback sockets: the uuid handshake, peers that are not
Asterisk or not expected, garbled streams, a route nobody connects for, start and stop."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from speech.audiosocket_server import AudioSocketServer
from speech.listening import Listenings, ListenSpec, OutcomeKind
from tests.speech.fake_asterisk import (
    HANGUP,
    QUIET,
    FakeAsterisk,
    Recognitions,
    audiosocket,
    calling,
    frame,
    new_uuid,
    outcome_of,
    speech,
    uuid_frame,
)

QUICK = {"no_input_s": 1.0, "end_silence_s": 0.3, "max_s": 10.0}


def warnings_about(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and text in r.getMessage()
    ]


async def test_the_uuid_frame_picks_the_listening_among_several() -> None:
    first, second = Recognitions(), Recognitions()
    async with audiosocket() as (server, listenings):
        one = listenings.expect(new_uuid(), ListenSpec(first, **QUICK))
        two = listenings.expect(new_uuid(), ListenSpec(second, **QUICK))
        async with calling(server.port, two.uuid) as call:
            call.send_audio(speech("net"))
            outcome = await outcome_of(two)
            await call.until_closed()
        assert outcome.kind is OutcomeKind.HEARD
        assert bytes(second.only.fed) == speech("net")
        assert first.made == []
        assert len(listenings) == 1  # the other listening still waits for its call
        assert (await one.outcome(0.01)).kind is OutcomeKind.NO_CONNECTION


async def test_an_unknown_uuid_is_hung_up_at_once_and_no_recognizer_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recognitions = Recognitions()
    stranger = new_uuid()
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        async with calling(server.port, stranger) as call:
            call.send_audio(speech("da"))
            received = await call.until_closed()
        assert received == [HANGUP]
        assert recognitions.made == []
        assert len(listenings) == 1
        assert listenings.stop(pending.uuid)
    [warning] = warnings_about(caplog, "no listening expects")
    assert stranger in warning


async def test_a_second_connection_with_a_uuid_in_use_is_a_stranger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recognitions = Recognitions()
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        async with calling(server.port, pending.uuid) as call:
            await call.first_frame()
            async with calling(server.port, pending.uuid) as again:
                assert await again.until_closed() == [HANGUP]
            call.send_audio(speech("da"))
            assert (await outcome_of(pending)).kind is OutcomeKind.HEARD
    assert len(recognitions.made) == 1
    assert warnings_about(caplog, "no listening expects")


async def test_a_route_nobody_connects_for_gets_no_connection_and_a_late_call_is_refused() -> None:
    recognitions = Recognitions()
    async with audiosocket() as (server, listenings):
        pending = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        outcome = await pending.outcome(0.05)
        assert outcome.kind is OutcomeKind.NO_CONNECTION
        assert len(listenings) == 0
        async with calling(server.port, pending.uuid) as late:
            assert await late.until_closed() == [HANGUP]
    assert recognitions.made == []


async def test_a_client_that_never_sends_the_uuid_is_cut_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with audiosocket(uuid_timeout_s=0.2) as (server, _listenings):
        async with calling(server.port) as silent:
            received = await silent.until_closed()
        assert received == []
        assert server.active_connections == 0
    assert warnings_about(caplog, "sent no uuid in time")


@pytest.mark.parametrize(
    ("first", "shown"),
    [
        pytest.param(frame(0x10, QUIET), "sent Audio instead of a uuid", id="audio"),
        pytest.param(
            b"GET / HTTP/1.1\r\n\r\n",
            "sent garbage instead of a uuid (unknown frame kind 0x47)",
            id="http",
        ),
        pytest.param(
            frame(0x01, b"short"),
            "sent garbage instead of a uuid (uuid frame of 5 bytes)",
            id="short-uuid",
        ),
    ],
)
async def test_a_peer_that_sends_anything_but_a_uuid_first_is_cut_off(
    first: bytes, shown: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with audiosocket() as (server, _listenings), calling(server.port) as peer:
        peer.send(first)
        assert await peer.until_closed() == []
    [warning] = warnings_about(caplog, "instead of a uuid")
    assert shown in warning


async def test_a_peer_that_closes_at_once_is_only_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with audiosocket() as (server, _listenings):
        _reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.close()
        await writer.wait_closed()
        async with calling(server.port) as after:  # still serving
            after.send(uuid_frame(new_uuid()))
            assert await after.until_closed() == [HANGUP]
    assert warnings_about(caplog, "closed before sending a uuid")


@pytest.mark.parametrize(
    ("garbage", "reason"),
    [
        pytest.param(
            frame(0x42, b"\x00" * 8), "garbled stream: unknown frame kind 0x42", id="kind"
        ),
        pytest.param(
            b"\x10\xff\xff", "garbled stream: frame of kind 0x10 claims 65535 bytes", id="length"
        ),
        pytest.param(
            frame(0x10, bytes(321)), "garbled stream: audio frame of an odd 321 bytes", id="odd"
        ),
    ],
)
async def test_garbled_frames_fail_the_listening_and_the_server_serves_the_next_call(
    garbage: bytes, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with audiosocket() as (server, listenings):
        broken = listenings.expect(new_uuid(), ListenSpec(Recognitions(), **QUICK))
        async with calling(server.port, broken.uuid) as call:
            call.send_audio(speech("da")[:1600])
            call.send(garbage)
            outcome = await outcome_of(broken)
            received = await call.until_closed()
        assert outcome.kind is OutcomeKind.FAILED
        assert outcome.reason == reason
        assert HANGUP not in received  # cut off: not Asterisk speaking
        assert warnings_about(caplog, reason)

        recognitions = Recognitions()
        next_call = listenings.expect(new_uuid(), ListenSpec(recognitions, **QUICK))
        async with calling(server.port, next_call.uuid) as call:
            call.send_audio(speech("da"))
            assert (await outcome_of(next_call)).kind is OutcomeKind.HEARD
        assert bytes(recognitions.only.fed) == speech("da")


async def test_stopping_the_server_cuts_a_listening_short_and_the_route_hears_of_it() -> None:
    listenings = Listenings()
    server = AudioSocketServer(listenings, host="127.0.0.1", port=0)
    await server.start()
    pending = listenings.expect(new_uuid(), ListenSpec(Recognitions(), no_input_s=30.0))
    call = await FakeAsterisk.connect(server.port)
    try:
        call.send(uuid_frame(pending.uuid))
        await call.first_frame()
        await server.stop(drain_timeout_s=0.05)
        outcome = await pending.outcome(1.0)
        await call.until_closed()
    finally:
        await call.aclose()
    assert outcome.kind is OutcomeKind.FAILED
    assert outcome.reason == "the listening was cut short"
    assert len(listenings) == 0


async def test_a_port_in_use_is_said_in_russian_and_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        server = AudioSocketServer(Listenings(), host="127.0.0.1", port=port)
        with pytest.raises(OSError, match="address already in use"):
            await server.start()
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert error == (
        f"AudioSocket: не удалось открыть порт 127.0.0.1:{port} "
        "(адрес уже занят другой программой); распознавание речи недоступно"
    )


async def test_an_unknown_host_is_said_in_russian(caplog: pytest.LogCaptureFixture) -> None:
    server = AudioSocketServer(Listenings(), host="no-such-host.invalid", port=0)
    with pytest.raises(OSError):  # noqa: PT011 (the resolver's own message varies)
        await server.start()
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "адрес no-such-host.invalid не найден" in error


async def test_start_twice_is_refused_and_stop_twice_is_harmless() -> None:
    async with audiosocket() as (server, _listenings):
        with pytest.raises(RuntimeError, match="already started"):
            await server.start()
    await server.stop()
    with pytest.raises(RuntimeError, match="not listening"):
        _ = server.port
