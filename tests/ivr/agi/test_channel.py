"""AgiChannel over a real loopback socket, against scripted Asterisk replies.

The sequences are the ones that break panoramisk 1.4 and pyst2 (docs/asterisk.md §2, §3, §6): a
``HANGUP`` after ``result=-1``, a four-line 520 block, 511, EOF in the middle of a command.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest

from ivr.agi.channel import (
    AgiChannel,
    AgiCommandError,
    AgiProtocolError,
    ChannelClosed,
    ChannelDesynchronisedError,
    ChannelHungUp,
    UnsafeArgument,
)
from ivr.agi.protocol import environment_from_mapping
from ivr.missing_sounds import MissingSounds
from tests.ivr.fake_asterisk import RawPeer, parse_args

T = TypeVar("T")

DEAD = "511 Command Not Permitted on a dead channel or intercept routine"
USAGE_BLOCK = (
    "520-Invalid command syntax.  Proper usage follows:",
    " Usage: GET VARIABLE <variablename>",
    "        Returns 0 if <variablename> is not set.",
    "520 End of proper usage.",
)


@asynccontextmanager
async def connected_channel(
    sounds: MissingSounds | None = None,
) -> AsyncIterator[tuple[AgiChannel, RawPeer]]:
    """An AgiChannel on one end of a loopback TCP connection, a RawPeer playing Asterisk on
    the other."""
    accepted: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]]
    accepted = asyncio.get_running_loop().create_future()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set_result((reader, writer))

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    peer = await RawPeer.connect(port)
    reader, writer = await accepted
    env = environment_from_mapping({"agi_network_script": "test", "agi_uniqueid": "1.0"})
    try:
        yield AgiChannel(env, reader, writer, sounds=sounds), peer
    finally:
        writer.close()
        await peer.close()
        server.close()
        await server.wait_closed()


async def answered(peer: RawPeer, command: str, reply: Awaitable[T], *lines: str) -> T:
    """Asserts the next command line, sends the reply lines, returns the method's result."""
    assert await peer.read_line() == command
    await peer.send_lines(*lines)
    return await reply


def start(coro: Awaitable[T]) -> asyncio.Task[T]:
    async def run() -> T:
        return await coro

    return asyncio.create_task(run())


# --------------------------------------------------------------------------- results


async def test_stream_file_returns_the_interrupting_digit_from_its_ascii_code() -> None:
    async with connected_channel() as (channel, peer):
        digit = await answered(
            peer,
            'STREAM FILE welcome "0123456789*#"',
            start(channel.stream_file("welcome")),
            "200 result=49 endpos=4000",
        )
        assert digit == "1"
        played_out = await answered(
            peer,
            'STREAM FILE beep ""',
            start(channel.stream_file("beep", "")),
            "200 result=0 endpos=8160",
        )
        assert played_out == ""


async def test_get_data_returns_digits_and_empty_on_timeout() -> None:
    async with connected_channel() as (channel, peer):
        for reply, digits in [
            ("200 result= (timeout)", ""),
            ("200 result=12 (timeout)", "12"),
            ("200 result=555", "555"),
        ]:
            got = await answered(
                peer, "GET DATA menu 5000 4", start(channel.get_data("menu", 5000, 4)), reply
            )
            assert got == digits


async def test_wait_for_digit_and_say_commands_return_the_digit_or_nothing() -> None:
    async with connected_channel() as (channel, peer):
        assert await answered(
            peer, "WAIT FOR DIGIT 5000", start(channel.wait_for_digit(5000)), "200 result=0"
        ) == ("")
        assert (
            await answered(
                peer, 'SAY DIGITS 42 "#"', start(channel.say_digits("42", "#")), "200 result=35"
            )
            == "#"
        )
        when = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
        said = start(channel.say_datetime(when, "HM", "Europe/Moscow", ""))
        line = await peer.read_line()
        assert line is not None
        assert parse_args(line) == ["SAY", "DATETIME", "1795856400", "", "HM", "Europe/Moscow"]
        await peer.send_lines("200 result=0")
        assert await said == ""


async def test_answer_skips_100_trying() -> None:
    async with connected_channel() as (channel, peer):
        await answered(
            peer, "ANSWER", start(channel.answer()), "100 result=0 Trying...", "200 result=0"
        )


async def test_get_variable_returns_none_when_unset_and_the_whole_value_otherwise() -> None:
    async with connected_channel() as (channel, peer):
        unset = start(channel.get_variable("DIALSTATUS"))
        assert await answered(peer, "GET VARIABLE DIALSTATUS", unset, "200 result=0") is None
        value = start(channel.get_variable("MEMBERINTERFACE"))
        got = await answered(peer, "GET VARIABLE MEMBERINTERFACE", value, "200 result=1 (a b (c))")
        assert got == "a b (c)"
        empty = start(channel.get_variable("X"))
        assert await answered(peer, "GET VARIABLE X", empty, "200 result=1 ()") == ""


# --------------------------------------------------------------------------- no shifted replies


async def test_hangup_after_result_minus_one_does_not_shift_later_replies() -> None:
    """panoramisk 1.4 gave GET VARIABLE BAR the stale HANGUP and BAZ the value of BAR."""
    async with connected_channel() as (channel, peer):
        data = start(channel.get_data("beep", 20000, 5))
        assert await peer.read_line() == "GET DATA beep 20000 5"
        await peer.send_lines("200 result=-1")
        # -1 is also a missing sound: the channel asks whether the caller is still there
        assert await peer.read_line() == "CHANNEL STATUS"
        await peer.send_lines("HANGUP", DEAD)  # HANGUP 40 ms later in f-agi-caller-hangup
        with pytest.raises(ChannelHungUp):
            await data
        bar = start(channel.get_variable("BAR"))
        assert await answered(peer, "GET VARIABLE BAR", bar, "200 result=1 (bar)") == "bar"
        baz = start(channel.get_variable("BAZ"))
        assert await answered(peer, "GET VARIABLE BAZ", baz, "200 result=1 (baz)") == "baz"
        assert channel.hung_up


async def test_hangup_line_before_the_reply_is_a_flag_not_the_reply() -> None:
    async with connected_channel() as (channel, peer):
        await peer.send_lines("HANGUP")  # the caller left while the route was thinking
        value = start(channel.get_variable("AGISTATUS"))
        assert await answered(peer, "GET VARIABLE AGISTATUS", value, "200 result=0") is None
        assert channel.hung_up


async def test_multi_line_520_is_consumed_and_the_next_reply_lands_on_the_next_command() -> None:
    async with connected_channel() as (channel, peer):
        bad = start(channel.get_variable("A"))
        with pytest.raises(AgiCommandError, match="520"):
            await answered(peer, "GET VARIABLE A", bad, *USAGE_BLOCK)
        good = start(channel.get_variable("B"))
        assert await answered(peer, "GET VARIABLE B", good, "200 result=1 (b)") == "b"
        assert not channel.desynchronised


async def test_510_is_a_command_error() -> None:
    async with connected_channel() as (channel, peer):
        bad = start(channel.answer())
        with pytest.raises(AgiCommandError, match="510"):
            await answered(peer, "ANSWER", bad, "510 Invalid or unknown command")


async def test_concurrent_commands_from_one_route_are_serialised() -> None:
    async with connected_channel() as (channel, peer):
        both = start(asyncio.gather(channel.get_variable("A"), channel.get_variable("B")))
        assert await peer.read_line() == "GET VARIABLE A"
        await peer.send_lines("200 result=1 (a)")
        assert await peer.read_line() == "GET VARIABLE B"
        await peer.send_lines("200 result=1 (b)")
        assert list(await both) == ["a", "b"]


# --------------------------------------------------------------------------- hang-up


async def test_511_is_a_hang_up() -> None:
    async with connected_channel() as (channel, peer):
        play = start(channel.stream_file("beep"))
        with pytest.raises(ChannelHungUp):
            await answered(
                peer,
                'STREAM FILE beep "0123456789*#"',
                play,
                "511 Command Not Permitted on a dead channel or intercept routine",
            )
        assert channel.hung_up


async def test_after_hang_up_media_commands_fail_without_writing_but_variables_work() -> None:
    async with connected_channel() as (channel, peer):
        data = start(channel.get_data("beep", 20000, 5))
        assert await peer.read_line() == "GET DATA beep 20000 5"
        await peer.send_lines("200 result=-1", "HANGUP")
        with pytest.raises(ChannelHungUp):
            await answered(peer, "CHANNEL STATUS", data, DEAD)
        for media in (
            channel.answer(),
            channel.stream_file("beep"),
            channel.get_data("beep", 1000, 1),
            channel.wait_for_digit(1000),
            channel.say_digits("1"),
        ):
            with pytest.raises(ChannelHungUp):
                await media
        saved = start(channel.set_variable("SURVEY_QUALITY", ""))
        await answered(peer, 'SET VARIABLE SURVEY_QUALITY ""', saved, "200 result=1")


# --------------------------------------------------------------------------- closed


async def test_peer_closing_in_the_middle_of_a_reply_is_channel_closed() -> None:
    async with connected_channel() as (channel, peer):
        data = start(channel.get_data("beep", 20000, 5))
        assert await peer.read_line() == "GET DATA beep 20000 5"
        await peer.send(b"200 resu")
        await peer.close()
        with pytest.raises(ChannelClosed):
            await data
        assert channel.closed
        with pytest.raises(ChannelClosed):
            await channel.set_variable("X", "1")


async def test_peer_closing_before_any_reply_is_channel_closed() -> None:
    async with connected_channel() as (channel, peer):
        answer = start(channel.answer())
        assert await peer.read_line() == "ANSWER"
        await peer.close()
        with pytest.raises(ChannelClosed):
            await answer


# --------------------------------------------------------------------------- desynchronised


async def test_garbage_reply_is_a_protocol_error_and_stops_further_commands() -> None:
    async with connected_channel() as (channel, peer):
        value = start(channel.get_variable("A"))
        with pytest.raises(AgiProtocolError):
            await answered(peer, "GET VARIABLE A", value, "agi_callingpres: 0")
        with pytest.raises(ChannelDesynchronisedError):
            await channel.get_variable("B")


async def test_a_cancelled_command_leaves_the_channel_desynchronised() -> None:
    async with connected_channel() as (channel, peer):
        data = start(channel.get_data("beep", 20000, 5))
        assert await peer.read_line() == "GET DATA beep 20000 5"
        data.cancel()
        with pytest.raises(asyncio.CancelledError):
            await data
        assert channel.desynchronised
        with pytest.raises(ChannelDesynchronisedError):
            await channel.set_variable("LINE_OPEN", "1")


@pytest.mark.parametrize(
    "stale",
    [
        (),  # Asterisk interrupted GET DATA for the new command: no reply for it
        ("200 result= (timeout)",),  # the old reply was already on its way
        ("agi_callingpres: 0", "agi_threadid: 1", ""),  # the tail of a split environment
    ],
)
async def test_failure_variable_is_set_even_on_a_desynchronised_channel(
    stale: tuple[str, ...],
) -> None:
    async with connected_channel() as (channel, peer):
        data = start(channel.get_data("beep", 20000, 5))
        assert await peer.read_line() == "GET DATA beep 20000 5"
        data.cancel()
        with pytest.raises(asyncio.CancelledError):
            await data
        failed = start(channel.set_variable_after_failure("LINE_AGI_FAILED", "1"))
        await answered(peer, 'SET VARIABLE LINE_AGI_FAILED "1"', failed, *stale, "200 result=1")


# --------------------------------------------------------------------------- injection


async def test_caller_text_with_a_newline_never_becomes_a_second_command() -> None:
    async with connected_channel() as (channel, peer):
        with pytest.raises(UnsafeArgument):
            await channel.set_variable("CALLER_NAME", 'Ivan"\nEXEC Dial PJSIP/premium')
        value = 'Ivan" EXEC Dial PJSIP/premium'
        saved = start(channel.set_variable("CALLER_NAME", value))
        line = await peer.read_line()  # the refused value wrote nothing before this
        assert line is not None
        assert parse_args(line) == ["SET", "VARIABLE", "CALLER_NAME", value]
        await peer.send_lines("200 result=1")
        await saved


# --------------------------------------------------------------------------- missing sounds


@asynccontextmanager
async def reporting_channel() -> AsyncIterator[tuple[AgiChannel, RawPeer, MissingSounds]]:
    sounds = MissingSounds(lambda: datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("UTC")))
    async with connected_channel(sounds) as (channel, peer):
        yield channel, peer, sounds


async def test_a_missing_sound_on_a_live_channel_is_skipped_reported_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """STREAM FILE of a file that is not installed answers like a hang-up (Asterisk 22.10.1),
    but CHANNEL STATUS shows the caller is there: the prompt is skipped, the call goes on."""
    async with reporting_channel() as (channel, peer, sounds):
        play = start(channel.stream_file("consult-line/ru/topic-menu"))
        assert await peer.read_line() == 'STREAM FILE consult-line/ru/topic-menu "0123456789*#"'
        await peer.send_lines("200 result=-1 endpos=0")
        assert await answered(peer, "CHANNEL STATUS", play, "200 result=6") == ""
        assert not channel.hung_up
        assert [item.sound for item in sounds.snapshot()] == ["consult-line/ru/topic-menu"]
        assert "consult-line/ru/topic-menu" in caplog.text
        assert any(record.levelname == "ERROR" for record in caplog.records)
        # the next prompt plays: the session goes on as usual
        again = start(channel.stream_file("consult-line/ru/goodbye"))
        assert (
            await answered(
                peer, 'STREAM FILE consult-line/ru/goodbye "0123456789*#"', again, "200 result=0"
            )
            == ""
        )


async def test_get_data_without_its_prompt_still_listens_for_the_keys() -> None:
    async with reporting_channel() as (channel, peer, sounds):
        data = start(channel.get_data("consult-line/ru/topic-menu", 5000, 1))
        assert await peer.read_line() == "GET DATA consult-line/ru/topic-menu 5000 1"
        await peer.send_lines("200 result=-1")
        assert await peer.read_line() == "CHANNEL STATUS"
        await peer.send_lines("200 result=6")
        assert await answered(peer, 'GET DATA "" 5000 1', data, "200 result=2") == "2"
        assert len(sounds.snapshot()) == 1


async def test_a_sound_played_again_is_no_longer_listed() -> None:
    async with reporting_channel() as (channel, peer, sounds):
        missing = start(channel.stream_file("consult-line/en/goodbye"))
        assert await peer.read_line() == 'STREAM FILE consult-line/en/goodbye "0123456789*#"'
        await peer.send_lines("200 result=-1 endpos=0")
        await answered(peer, "CHANNEL STATUS", missing, "200 result=6")
        assert sounds.snapshot()
        found = start(channel.stream_file("consult-line/en/goodbye"))
        await answered(
            peer, 'STREAM FILE consult-line/en/goodbye "0123456789*#"', found, "200 result=0"
        )
        assert sounds.snapshot() == []


async def test_missing_digit_sounds_of_say_digits_are_reported_with_the_language() -> None:
    async with reporting_channel() as (channel, peer, sounds):
        lang = start(channel.set_variable("CHANNEL(language)", "en"))
        await answered(peer, 'SET VARIABLE CHANNEL(language) "en"', lang, "200 result=1")
        say = start(channel.say_digits("79281234567"))
        assert await peer.read_line() == 'SAY DIGITS 79281234567 "0123456789*#"'
        await peer.send_lines("200 result=-1")
        assert await answered(peer, "CHANNEL STATUS", say, "200 result=6") == ""
        assert [item.sound for item in sounds.snapshot()] == ["digits/<0-9> (en)"]


@pytest.mark.parametrize("hangup_line", [True, False], ids=["sighup", "agisighup-no"])
async def test_minus_one_on_a_dead_channel_is_a_hang_up_not_a_missing_sound(
    hangup_line: bool,
) -> None:
    """f-agi-caller-hangup / f3-agi-caller-hangup-nosighup: 511 tells the caller left."""
    async with reporting_channel() as (channel, peer, sounds):
        play = start(channel.stream_file("consult-line/ru/topic-menu"))
        assert await peer.read_line() == 'STREAM FILE consult-line/ru/topic-menu "0123456789*#"'
        await peer.send_lines("200 result=-1 endpos=12000")
        assert await peer.read_line() == "CHANNEL STATUS"
        await peer.send_lines(*(["HANGUP"] if hangup_line else []), DEAD)
        with pytest.raises(ChannelHungUp):
            await play
        assert channel.hung_up
        assert sounds.snapshot() == []
