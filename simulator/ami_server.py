"""The simulated PBX's manager interface: a TCP server speaking AMI as Asterisk 22 does.

Per connection (``manager.c`` ``session_do``/``process_message``): the banner; a request with
no ``Action`` → "Missing action in request"; before a successful Login every action but
Login, Logoff and Challenge → "Permission denied"; a wrong user or secret → "Authentication
failed" (after Asterisk's one-second pause) and the connection ends; Login → "Authentication
accepted" then ``FullyBooted`` (no Timestamp); an action the user's write classes do not grant
→ "Permission denied"; an unknown one → "Invalid/unknown command: X. Use Action:
ListCommands to show available commands."; Logoff → "Thanks for all the fish." and the end.
A logged-in session receives every event (``timestampevents = yes``) unless it logged in with
``Events: off``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from simulator import ami_wire as wire
from simulator.ami_actions import ACTIONS
from simulator.ami_events import AmiEvent
from simulator.ami_wire import Request
from simulator.switch import Switch

log = logging.getLogger(__name__)

ALL_WRITE = frozenset({"system", "call", "originate", "agent", "user", "reporting", "command"})
BEFORE_LOGIN = frozenset({"login", "logoff", "challenge"})
MAX_UNREAD_BYTES = 16 * 1024 * 1024  # events a client has not read yet, at most


@dataclass(frozen=True, slots=True)
class AmiUser:
    username: str
    secret: str
    write: frozenset[str] = ALL_WRITE


class _Session:
    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.user: AmiUser | None = None
        self.events = False

    def send(self, data: bytes) -> None:
        if self.writer.is_closing():
            return
        if self.writer.transport.get_write_buffer_size() > MAX_UNREAD_BYTES:
            # A client that stopped reading: Asterisk drops it after its writetimeout.
            log.warning("AMI: a client stopped reading; its session is closed")
            self.writer.transport.abort()
            return
        self.writer.write(data)


class AmiServer:
    def __init__(
        self,
        switch: Switch,
        users: Iterable[AmiUser],
        *,
        host: str = "127.0.0.1",
        port: int = 5038,
        auth_failure_delay_s: float = 1.0,
        sock: socket.socket | None = None,
    ) -> None:
        """``sock``: a listening socket bound already (``serve`` binds it before its AMI
        bridge is built, to tell the bridge the port); else ``host``/``port`` are bound."""
        self._switch = switch
        self._sock = sock
        self._users = {user.username: user for user in users}
        self._host = host
        self._requested_port = port
        self._auth_failure_delay_s = auth_failure_delay_s
        self._server: asyncio.Server | None = None
        self._sessions: set[_Session] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe = switch.pbx.subscribe(self._broadcast)

    @property
    def port(self) -> int:
        if self._server is None:
            return self._requested_port
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        if self._sock is not None:
            self._server = await asyncio.start_server(self._serve, sock=self._sock)
        else:
            self._server = await asyncio.start_server(self._serve, self._host, self._requested_port)

    async def stop(self) -> None:
        self._unsubscribe()
        if self._server is not None:
            self._server.close()
        for session in list(self._sessions):
            session.writer.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    def _broadcast(self, event: AmiEvent, at: float) -> None:
        data = wire.event_bytes(event, at)
        for session in self._sessions:
            if session.events:
                session.send(data)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        session = _Session(writer)
        self._sessions.add(session)
        try:
            session.send(wire.BANNER)
            while True:
                request = await wire.read_request(reader)
                if request is None or not await self._handle(session, request):
                    break
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._sessions.discard(session)
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                await writer.drain()
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _handle(self, session: _Session, request: Request) -> bool:
        """Answers one request; False when the session ends."""
        name = request.action.lower()
        if not name:
            session.send(wire.response(request, "Error", "Missing action in request"))
            return True
        if session.user is None and name not in BEFORE_LOGIN:
            session.send(wire.response(request, "Error", "Permission denied"))
            return True
        if name == "login":
            return await self._login(session, request)
        if name == "logoff":
            session.send(wire.response(request, "Goodbye", "Thanks for all the fish."))
            return False
        if name == "challenge":
            return self._challenge(session, request)
        if name == "listcommands":
            session.send(self._list_commands(session, request))
            return True
        if name == "events":
            session.events = request.get("EventMask").strip().lower() not in ("off", "")
            state = "On" if session.events else "Off"
            session.send(wire.response(request, "Success", None, extra=(("Events", state),)))
            return True
        action = ACTIONS.get(name)
        if action is None:
            message = (
                f"Invalid/unknown command: {request.action}. "
                "Use Action: ListCommands to show available commands."
            )
            session.send(wire.response(request, "Error", message))
            return True
        if not _permitted(session, action.authority):
            session.send(wire.response(request, "Error", "Permission denied"))
            return True
        session.send(await action.handler(self._switch, request))
        return True

    async def _login(self, session: _Session, request: Request) -> bool:
        if session.user is not None:
            session.send(wire.response(request, "Success", "Already authenticated"))
            return True
        user = self._users.get(request.get("Username"))
        if user is None or not secrets.compare_digest(user.secret, request.get("Secret")):
            await asyncio.sleep(self._auth_failure_delay_s)
            session.send(wire.response(request, "Error", "Authentication failed"))
            return False
        session.user = user
        session.events = request.get("Events").strip().lower() != "off"
        session.send(wire.response(request, "Success", "Authentication accepted"))
        if session.events:
            session.send(
                wire.event_bytes(
                    AmiEvent(
                        "FullyBooted",
                        "system,all",
                        (("Uptime", "0"), ("LastReload", "0"), ("Status", "Fully Booted")),
                    ),
                    None,
                )
            )
        return True

    def _challenge(self, session: _Session, request: Request) -> bool:
        if request.get("AuthType").upper() != "MD5":
            session.send(wire.response(request, "Error", "Must specify AuthType"))
            return True
        challenge = str(self._switch.pbx.rng.randrange(10**8, 10**9))
        session.send(wire.response(request, "Success", None, extra=(("Challenge", challenge),)))
        return True

    def _list_commands(self, session: _Session, request: Request) -> bytes:
        lines = [
            (action.name, f"{action.synopsis} (Priv: {action.authority or '<none>'})")
            for action in ACTIONS.values()
            if _permitted(session, action.authority)
        ]
        lines += [
            ("Login", "Login Manager. (Priv: <none>)"),
            ("Logoff", "Logoff Manager. (Priv: <none>)"),
            ("ListCommands", "List available manager commands. (Priv: <none>)"),
            ("Events", "Control Event Flow. (Priv: <none>)"),
        ]
        return wire.response(request, "Success", None, extra=lines)


def _permitted(session: _Session, authority: str) -> bool:
    if not authority:
        return True
    assert session.user is not None
    return any(cls in session.user.write for cls in authority.split(","))
