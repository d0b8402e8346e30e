"""The simulated AMI over a real loopback socket: Asterisk 22's answers, good input and bad.

The exact texts are Asterisk's (``main/manager.c``: process_message, action_login,
action_logoff); where the recordings hold the same exchange, the bytes are compared with
theirs.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest

from ami.events import QueueMember, QueueParams, parse_event
from ami.permissions import check_listed
from ami.stream import decode_all
from simulator.ami_server import AmiServer, AmiUser
from simulator.clock import SimClock
from simulator.devices import PhoneBook
from simulator.pbx import Pbx
from simulator.queues import MemberConfig, QueueConfig
from simulator.switch import Switch
from tests.ami.captures import RECEIVED_AT
from tests.asterisk_captures import Kind, capture_bytes
from tests.simulator.ami_clients import AmiClient, action_bytes, ami_link

START = 1795867058.0
USERNAME, SECRET = "consult-line", "s3cret"
QUEUE = QueueConfig("consult-line", members=(MemberConfig("PJSIP/201", "PJSIP/201"),))


async def _no_dialplan(*_args: object) -> None:
    return None


@pytest.fixture
async def server() -> AsyncIterator[AmiServer]:
    clock = SimClock(start=START)
    pbx = Pbx(clock=clock, rng=random.Random(7))
    switch = Switch.build(pbx, dialplan=_no_dialplan, phones=PhoneBook(), queues=[QUEUE])
    users = [
        AmiUser(USERNAME, SECRET),
        AmiUser("reader", "reader", write=frozenset({"call"})),
    ]
    server = AmiServer(switch, users, port=0, auth_failure_delay_s=0)
    await server.start()
    yield server
    await server.stop()
    await clock.stop()


@pytest.fixture
async def client(server: AmiServer) -> AsyncIterator[AmiClient]:
    client = await AmiClient.connect(server.port)
    yield client
    await client.close()


def _recorded_messages(name: str) -> list[bytes]:
    """The recording's raw messages, banner left out."""
    raw = capture_bytes(name, Kind.AMI)
    return [block + b"\r\n\r\n" for block in raw.split(b"\r\n", 1)[1].split(b"\r\n\r\n")]


async def test_banner_and_login_are_byte_for_byte_the_recorded_ones(client: AmiClient) -> None:
    recorded = _recorded_messages("a-answered")
    assert client.banner == capture_bytes("a-answered", Kind.AMI).split(b"\r\n", 1)[0] + b"\r\n"
    reply = await client.send(
        Action="Login", ActionID="harness-1", Username=USERNAME, Secret=SECRET
    )
    assert reply == recorded[0]
    fully_booted = await client.reader.readuntil(b"\r\n\r\n")
    assert fully_booted == recorded[1]  # without Timestamp, as Asterisk sends it at login


async def test_logoff_says_goodbye_as_recorded_and_closes(client: AmiClient) -> None:
    await client.send(Action="Login", Username=USERNAME, Secret=SECRET, Events="off")
    reply = await client.send(Action="Logoff", ActionID="harness-3")
    assert (
        reply
        == b"Response: Goodbye\r\nActionID: harness-3\r\nMessage: Thanks for all the fish.\r\n\r\n"
    )
    assert await client.read_rest() == b""


async def test_a_wrong_secret_is_refused_and_the_connection_ends(client: AmiClient) -> None:
    reply = await client.send(Action="Login", ActionID="7", Username=USERNAME, Secret="nope")
    assert reply == b"Response: Error\r\nActionID: 7\r\nMessage: Authentication failed\r\n\r\n"
    assert await client.read_rest() == b""


async def test_an_unknown_user_gets_the_same_answer(client: AmiClient) -> None:
    reply = await client.send(Action="Login", Username="nobody", Secret=SECRET)
    assert reply == b"Response: Error\r\nMessage: Authentication failed\r\n\r\n"


async def test_an_action_before_login_is_denied_and_login_still_works(client: AmiClient) -> None:
    denied = await client.send(Action="QueueStatus", ActionID="2")
    assert denied == b"Response: Error\r\nActionID: 2\r\nMessage: Permission denied\r\n\r\n"
    unknown = await client.send(Action="NoSuchThing", ActionID="3")  # unknown too: denied
    assert unknown == b"Response: Error\r\nActionID: 3\r\nMessage: Permission denied\r\n\r\n"
    accepted = await client.send(Action="Login", Username=USERNAME, Secret=SECRET)
    assert b"Message: Authentication accepted" in accepted


async def test_a_request_without_action_is_answered_missing_action(client: AmiClient) -> None:
    reply = await client.send(ActionID="4", Queue="consult-line")
    assert reply == b"Response: Error\r\nActionID: 4\r\nMessage: Missing action in request\r\n\r\n"
    reply = await client.send(Action="", Queue="consult-line")
    assert reply == b"Response: Error\r\nMessage: Missing action in request\r\n\r\n"


async def test_an_unknown_action_after_login(client: AmiClient) -> None:
    await client.send(Action="Login", Username=USERNAME, Secret=SECRET, Events="off")
    reply = await client.send(Action="Frobnicate", ActionID="5")
    assert reply == (
        b"Response: Error\r\nActionID: 5\r\nMessage: Invalid/unknown command: Frobnicate. "
        b"Use Action: ListCommands to show available commands.\r\n\r\n"
    )


async def test_header_case_and_lf_line_ends_are_accepted(client: AmiClient) -> None:
    client.writer.write(f"action: login\nusername: {USERNAME}\nsecret: {SECRET}\n\n".encode())
    reply = await client.reader.readuntil(b"\r\n\r\n")
    assert reply == b"Response: Success\r\nMessage: Authentication accepted\r\n\r\n"


async def test_an_action_outside_the_users_write_classes_is_denied(client: AmiClient) -> None:
    await client.send(Action="Login", Username="reader", Secret="reader", Events="off")
    reply = await client.send(
        Action="QueueAdd", ActionID="6", Queue="consult-line", Interface="PJSIP/209"
    )
    assert reply == b"Response: Error\r\nActionID: 6\r\nMessage: Permission denied\r\n\r\n"
    listed = decode_all(await client.send(Action="ListCommands"))[0]
    missing = check_listed(dict(listed.items_in_order)).missing
    assert set(missing) == {
        "Originate",
        "QueueAdd",
        "QueueRemove",
        "QueuePause",
        "CoreShowChannels",
    }


async def test_ping_answers_pong_with_the_pbx_time(client: AmiClient) -> None:
    await client.send(Action="Login", Username=USERNAME, Secret=SECRET, Events="off")
    reply = await client.send(Action="Ping", ActionID="8")
    assert reply == (
        b"Response: Success\r\nActionID: 8\r\nPing: Pong\r\nTimestamp: 1795867058.000000\r\n\r\n"
    )


async def test_queue_actions_answer_as_app_queue(client: AmiClient) -> None:
    await client.send(Action="Login", Username=USERNAME, Secret=SECRET, Events="off")

    async def message(**headers: str) -> bytes:
        return (await client.send(**headers)).split(b"\r\n")[-3]

    add = {"Action": "QueueAdd", "Queue": "consult-line", "Interface": "PJSIP/202"}
    assert await message(**add) == b"Message: Added interface to queue"
    assert await message(**add) == b"Message: Unable to add interface: Already there"
    assert await message(**{**add, "Queue": "other"}) == (
        b"Message: Unable to add interface to queue: No such queue"
    )
    pause = {"Action": "QueuePause", "Interface": "PJSIP/202", "Paused": "true"}
    assert await message(**pause) == b"Message: Interface paused successfully"
    assert await message(**{**pause, "Paused": "false"}) == (
        b"Message: Interface unpaused successfully"
    )
    assert await message(**{**pause, "Interface": "PJSIP/999"}) == b"Message: Interface not found"
    remove = {"Action": "QueueRemove", "Queue": "consult-line", "Interface": "PJSIP/202"}
    assert await message(**remove) == b"Message: Removed interface from queue"
    assert await message(**remove) == b"Message: Unable to remove interface: Not there"
    static = {**remove, "Interface": "PJSIP/201"}  # from queues.conf
    assert await message(**static) == b"Message: Member not dynamic"


async def test_transfer_actions_name_what_is_missing(client: AmiClient) -> None:
    await client.send(Action="Login", Username=USERNAME, Secret=SECRET, Events="off")
    for action in ("BlindTransfer", "Atxfer"):
        no_channel = await client.send(Action=action, Exten="2002")
        assert no_channel.endswith(b"Message: No channel specified\r\n\r\n")
        gone = await client.send(Action=action, Channel="PJSIP/201-00000009", Exten="2002")
        assert gone.endswith(b"Message: Channel specified does not exist\r\n\r\n")


async def test_the_projects_own_ami_link_logs_in_and_lists(server: AmiServer) -> None:
    """The unchanged ``ami.connection`` (panoramisk underneath) against the simulator."""
    async with ami_link(server.port, AmiUser(USERNAME, SECRET)) as connection:
        reply = await connection.send({"Action": "QueueAdd", "Queue": "consult-line",
                                       "Interface": "PJSIP/203", "MemberName": "Оператор Три",
                                       "Paused": "false"})  # fmt: skip
        assert reply["Message"] == "Added interface to queue"
        status = await connection.send_list({"Action": "QueueStatus", "Queue": "consult-line"})
        parsed = [parse_event(message, RECEIVED_AT) for message in status]
        [params] = [event for event in parsed if isinstance(event, QueueParams)]
        assert (params.queue, params.calls) == ("consult-line", 0)
        members = {e.interface: e for e in parsed if isinstance(e, QueueMember)}
        assert set(members) == {"PJSIP/201", "PJSIP/203"}
        assert members["PJSIP/203"].member_name == "Оператор Три"
        assert members["PJSIP/203"].membership == "dynamic"
        channels = await connection.send_list({"Action": "CoreShowChannels"})
        assert [m.get("Event") for m in channels[1:]] == ["CoreShowChannelsComplete"]
        pong = await connection.send({"Action": "Ping"})
        assert pong["Ping"] == "Pong"


def test_action_bytes_end_with_an_empty_line() -> None:
    assert action_bytes({"Action": "Ping"}) == b"Action: Ping\r\n\r\n"
