"""A loopback AMI server for tests: speaks Asterisk's manager protocol over a real TCP socket.

It greets with the banner of the Asterisk 22 of ``tests/fixtures/asterisk/``, answers
Login the way that Asterisk did (``Response: Success`` then ``Event: FullyBooted``), answers
Ping and the console's actions with the messages the real one sends, records every action it
receives, and has switches for the faults the AMI bridge must survive:

* ``go_silent()``: keep the socket open and stop replying (a dead peer, half-open TCP);
* ``reset()``: abort the connection, optionally right after half an event has been read;
* ``push_split()``: send a message in two TCP writes, the cut anywhere (inside a UTF-8
  character), the second write only after the client has read the first;
* ``drop_on(action)``: when that action arrives, drop the connection without replying.

Every fault applies to the current connection only; the next connection behaves normally.
Waiting helpers take a timeout, so a broken test fails instead of hanging.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from models.settings import Settings
from tests.asterisk_captures import Kind, capture_bytes

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
EOL = "\r\n"
WAIT_S = 5.0
USERNAME = "consult-line"
SECRET = "s3cret"

Headers = dict[str, "str | list[str]"]


@dataclass(frozen=True)
class Reply:
    """How the fake answers one action. ``events`` follow the response; their values may
    name the action's headers, e.g. ``"Uniqueid": "{ChannelId}"``; ``"{ActionID}"`` too."""

    response: str = "Success"
    message: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    events: Sequence[Mapping[str, str]] = ()


def _originate_response(response: str = "Success", reason: str = "4") -> dict[str, str]:
    return {
        "Event": "OriginateResponse",
        "Privilege": "call,all",
        "ActionID": "{ActionID}",
        "Response": response,
        "Channel": "{Channel}",
        "Context": "{Context}",
        "Exten": "{Exten}",
        "Reason": reason,
        "Uniqueid": "{ChannelId}",
        "CallerIDNum": "<unknown>",
        "CallerIDName": "<unknown>",
    }


def originate_reply(response: str = "Success", reason: str = "4") -> Reply:
    """Accepted, then an OriginateResponse: Reason 4 = answered, 3 = no answer, 5 = busy."""
    return Reply(
        message="Originate successfully queued",
        events=(_originate_response(response, reason),),
    )


ORIGINATE_ACCEPTED_ONLY = Reply(message="Originate successfully queued")

DEFAULT_REPLIES: dict[str, Reply] = {
    "queueadd": Reply(message="Added interface to queue"),
    "queueremove": Reply(message="Removed interface from queue"),
    "blindtransfer": Reply(message="Transfer succeeded"),
    "atxfer": Reply(message="Atxfer successfully queued"),
    "originate": originate_reply(),
    "queuestatus": Reply(
        headers={"EventList": "start"},
        message="Queue status will follow",
        events=(
            {
                "Event": "QueueParams",
                "Queue": "consult-line",
                "Max": "0",
                "Strategy": "rrmemory",
                "Calls": "0",
                "ActionID": "{ActionID}",
            },
            {
                "Event": "QueueStatusComplete",
                "ActionID": "{ActionID}",
                "EventList": "Complete",
                "ListItems": "1",
            },
        ),
    ),
    "coreshowchannels": Reply(
        headers={"EventList": "start"},
        message="Channels will follow",
        events=(
            {
                "Event": "CoreShowChannelsComplete",
                "ActionID": "{ActionID}",
                "EventList": "Complete",
                "ListItems": "0",
            },
        ),
    ),
}


# The write classes each action needs, as Asterisk registers them (manager.c, app_queue.c);
# actions not listed need none. A user without them gets "Permission denied", and
# ListCommands leaves them out.
ACTION_CLASSES: dict[str, frozenset[str]] = {
    "originate": frozenset({"originate"}),
    "blindtransfer": frozenset({"call"}),
    "atxfer": frozenset({"call"}),
    "redirect": frozenset({"call"}),
    "queueadd": frozenset({"agent"}),
    "queueremove": frozenset({"agent"}),
    "queuepause": frozenset({"agent"}),
    "coreshowchannels": frozenset({"system", "reporting"}),
}
LISTED_ACTIONS = (
    "Ping",
    "ListCommands",
    "QueueStatus",
    "Originate",
    "BlindTransfer",
    "Atxfer",
    "Redirect",
    "QueueAdd",
    "QueueRemove",
    "QueuePause",
    "CoreShowChannels",
)
FULL_WRITE = frozenset({"call", "originate", "agent", "reporting", "system"})


def empty_list(complete_event: str) -> Reply:
    """The reply of a list action (CoreShowChannels, QueueStatus) with nothing to list."""
    return Reply(
        message="Events will follow",
        headers={"EventList": "start"},
        events=[
            {
                "Event": complete_event,
                "EventList": "Complete",
                "ListItems": "0",
                "ActionID": "{ActionID}",
            }
        ],
    )


def format_message(headers: Mapping[str, str | Sequence[str]]) -> bytes:
    lines: list[str] = []
    for key, value in headers.items():
        values = [value] if isinstance(value, str) else list(value)
        lines.extend(f"{key}: {item}" for item in values)
    return (EOL.join(lines) + EOL + EOL).encode("utf-8")


def dtmf_end(
    digit: str,
    uniqueid: str,
    *,
    channel: str = "PJSIP/trunk-0000001a",
    linkedid: str = "",
    direction: str = "Received",
) -> bytes:
    """A key pressed on a channel, as Asterisk 22 sends it (read class ``dtmf``)."""
    return format_message(
        {
            "Event": "DTMFEnd",
            "Privilege": "dtmf,all",
            "Timestamp": "1795867301.204511",
            "Channel": channel,
            "ChannelState": "6",
            "ChannelStateDesc": "Up",
            "CallerIDNum": "79281234567",
            "CallerIDName": "Ivan Petrov",
            "ConnectedLineNum": "<unknown>",
            "ConnectedLineName": "<unknown>",
            "Language": "ru",
            "AccountCode": "",
            "Context": "consult-line-survey",
            "Exten": "s",
            "Priority": "5",
            "Uniqueid": uniqueid,
            "Linkedid": linkedid or uniqueid,
            "Digit": digit,
            "DurationMs": "120",
            "Direction": direction,
        }
    )


def capture_events(name: str) -> bytes:
    """The events of ``NAME.ami.txt`` exactly as received (banner and responses left out)."""
    raw = capture_bytes(name, Kind.AMI)
    blocks = raw.split(b"\r\n\r\n")
    events = [block for block in blocks if block.startswith(b"Event: ")]
    return b"".join(block + b"\r\n\r\n" for block in events)


def parse_action(block: bytes) -> Headers:
    headers: Headers = {}
    for line in block.decode("utf-8").split(EOL):
        key, sep, value = line.partition(": ")
        if not sep:
            continue
        present = headers.get(key)
        if present is None:
            headers[key] = value
        elif isinstance(present, list):
            present.append(value)
        else:
            headers[key] = [present, value]
    return headers


@dataclass(frozen=True)
class ReceivedAction:
    connection: int  # 1 for the first connection the fake accepted
    headers: Headers

    @property
    def name(self) -> str:
        return str(self.headers.get("Action", ""))


class _Connection:
    def __init__(self, number: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.number = number
        self.reader = reader
        self.writer = writer
        self.write_lock = asyncio.Lock()
        self.silent = False
        # One-shot: run (holding the write lock) when the next action has been read.
        self.after_next_action: Callable[[], None] | None = None

    def write(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)

    def abort(self) -> None:
        self.writer.transport.abort()


class FakeAmi:
    def __init__(
        self,
        *,
        username: str = USERNAME,
        secret: str = SECRET,
        write_classes: frozenset[str] = FULL_WRITE,
    ) -> None:
        self.username = username
        self.secret = secret
        self.write_classes = write_classes
        self.replies: dict[str, Reply | Callable[[], Reply]] = dict(DEFAULT_REPLIES)
        self.received: list[ReceivedAction] = []
        self.connections_accepted = 0
        self.logins = 0
        self._server: asyncio.Server | None = None
        self._port = 0
        self._connections: list[_Connection] = []
        self._handlers: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Condition()
        self._drop_on: set[str] = set()

    # ------------------------------------------------------------------ lifecycle

    async def start(self, port: int = 0) -> FakeAmi:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self._port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in self._connections:
            connection.abort()
        for task in list(self._handlers):
            task.cancel()
        for task in list(self._handlers):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        self._connections.clear()

    async def __aenter__(self) -> FakeAmi:
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def current(self) -> _Connection:
        if not self._connections:
            raise AssertionError("no client is connected to the fake AMI")
        return self._connections[-1]

    # ------------------------------------------------------------------ configuration

    def reply(self, action: str, reply: Reply | Callable[[], Reply]) -> None:
        """How to answer ``action`` from now on: a fixed reply, or one made when it arrives
        (e.g. CoreShowChannels listing the channels live at that moment)."""
        self.replies[action.lower()] = reply

    def drop_on(self, action: str) -> None:
        """The next time ``action`` arrives: record it, then drop the link without replying."""
        self._drop_on.add(action.lower())

    # ------------------------------------------------------------------ what was received

    def actions(self, name: str) -> list[Headers]:
        return [a.headers for a in self.received if a.name.lower() == name.lower()]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = WAIT_S) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(predicate)

    async def wait_action(self, name: str, count: int = 1) -> Headers:
        await self.wait_for(lambda: len(self.actions(name)) >= count)
        return self.actions(name)[count - 1]

    async def wait_connections(self, count: int) -> None:
        await self.wait_for(lambda: self.connections_accepted >= count)

    # ------------------------------------------------------------------ pushing events

    async def push(self, raw: bytes) -> None:
        connection = self.current
        async with connection.write_lock:
            connection.write(raw)
            await connection.writer.drain()

    async def push_event(self, name: str, **headers: str) -> None:
        await self.push(format_message({"Event": name, "Privilege": "call,all", **headers}))

    async def push_split(self, raw: bytes, at: int) -> None:
        """Write ``raw[:at]`` now and ``raw[at:]`` once the client has read it.

        The second write waits for the client's next action (the test sends one): the
        client's socket was drained in the same loop turn that delivered that action, so the
        two halves reach the client's protocol as two separate reads. Replies wait too, so
        nothing lands between the halves.
        """
        connection = self.current
        await connection.write_lock.acquire()
        connection.write(raw[:at])

        def second_half() -> None:
            connection.write(raw[at:])
            connection.write_lock.release()

        connection.after_next_action = second_half

    async def reset(self, partial: bytes = b"") -> None:
        """Abort the current connection; with ``partial``, only after the client has read
        those bytes (half an event) — that is, when its next action arrives, unanswered."""
        connection = self.current
        if not partial:
            connection.abort()
            return
        await connection.write_lock.acquire()
        connection.write(partial)

        def abort() -> None:
            connection.abort()
            connection.write_lock.release()

        connection.after_next_action = abort

    def go_silent(self) -> None:
        """Dead peer: the socket stays open, actions are recorded, nothing is answered."""
        self.current.silent = True

    # ------------------------------------------------------------------ the protocol

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.connections_accepted += 1
        connection = _Connection(self.connections_accepted, reader, writer)
        self._connections.append(connection)
        await self._notify()
        try:
            connection.write(BANNER)
            while True:
                block = await reader.readuntil(b"\r\n\r\n")
                if not await self._handle(connection, parse_action(block)):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except asyncio.CancelledError:
            # stop(): the handler ends as a finished task (Python 3.11's start_server logs
            # "Exception in callback" for a cancelled one)
            pass
        finally:
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _handle(self, connection: _Connection, headers: Headers) -> bool:
        """Records and answers one action; False when the connection is over."""
        self.received.append(ReceivedAction(connection.number, headers))
        await self._notify()
        hook, connection.after_next_action = connection.after_next_action, None
        if hook is not None:
            hook()
        name = str(headers.get("Action", "")).lower()
        if name in self._drop_on:
            self._drop_on.discard(name)
            connection.abort()
            return False
        if connection.silent:
            return True
        async with connection.write_lock:
            if connection.writer.is_closing():
                return False
            return self._answer(connection, name, headers)

    def _answer(self, connection: _Connection, name: str, headers: Headers) -> bool:
        action_id = str(headers.get("ActionID", ""))
        if name == "login":
            return self._login(connection, action_id, headers)
        if name == "logoff":
            connection.write(self._response(action_id, "Goodbye", "Thanks for all the fish."))
            return False
        if name == "ping":
            connection.write(
                format_message(
                    {
                        "Response": "Success",
                        "ActionID": action_id,
                        "Ping": "Pong",
                        "Timestamp": f"{time.time():.6f}",
                    }
                )
            )
            return True
        if not self._permitted(name):
            connection.write(self._response(action_id, "Error", "Permission denied"))
            return True
        if name == "listcommands":
            connection.write(self._list_commands(action_id))
            return True
        made = self.replies.get(name)
        reply = made() if callable(made) else made
        if reply is None and name == "queuepause":
            reply = Reply(message=_pause_message(headers))
        if reply is None:
            connection.write(self._response(action_id, "Error", "Invalid/unknown command"))
            return True
        message = reply.message or ("Success" if reply.response == "Success" else "Error")
        connection.write(self._response(action_id, reply.response, message, reply.headers))
        values = {key: str(value) for key, value in headers.items()}
        for event in reply.events:
            connection.write(format_message({k: v.format_map(values) for k, v in event.items()}))
        return True

    def _permitted(self, name: str) -> bool:
        needed = ACTION_CLASSES.get(name, frozenset())
        return not needed or bool(needed & self.write_classes)

    def _list_commands(self, action_id: str) -> bytes:
        lines = {"Response": "Success", "ActionID": action_id}
        for action in LISTED_ACTIONS:
            if self._permitted(action.lower()):
                classes = ",".join(sorted(ACTION_CLASSES.get(action.lower(), ()))) or "<none>"
                lines[action] = f"{action} (Priv: {classes},all)"
        return format_message(lines)

    def _login(self, connection: _Connection, action_id: str, headers: Headers) -> bool:
        if headers.get("Username") != self.username or headers.get("Secret") != self.secret:
            connection.write(self._response(action_id, "Error", "Authentication failed"))
            return False  # Asterisk ends the session after a failed login
        self.logins += 1
        connection.write(self._response(action_id, "Success", "Authentication accepted"))
        connection.write(
            format_message(
                {
                    "Event": "FullyBooted",
                    "Privilege": "system,all",
                    "Uptime": "0",
                    "LastReload": "0",
                    "Status": "Fully Booted",
                }
            )
        )
        return True

    @staticmethod
    def _response(
        action_id: str, response: str, message: str, extra: Mapping[str, str] | None = None
    ) -> bytes:
        headers = {"Response": response, "ActionID": action_id, **(extra or {})}
        headers["Message"] = message
        return format_message(headers)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


def _pause_message(headers: Headers) -> str:
    paused = str(headers.get("Paused", "")).lower() in {"true", "yes", "1"}
    return "Interface paused successfully" if paused else "Interface unpaused successfully"


def bridge_settings(fake: FakeAmi, engine: Engine, tmp_path: Path) -> Settings:
    """Settings of a bridge that logs in to ``fake``; no queue_log yet (reconciliation warns
    and goes on), no CDR."""
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        ami_port=fake.port,
        ami_username=fake.username,
        ami_secret=fake.secret,  # type: ignore[arg-type]
        queue_log_path=tmp_path / "queue_log",
        cdr_path=None,
    )


@contextlib.asynccontextmanager
async def without_calls() -> AsyncIterator[FakeAmi]:
    """A started fake with nothing to list at the resync after login (no channels, an empty
    queue), stopped on leaving."""
    fake = FakeAmi()
    fake.reply("coreshowchannels", empty_list("CoreShowChannelsComplete"))
    fake.reply("queuestatus", empty_list("QueueStatusComplete"))
    async with fake:
        yield fake
