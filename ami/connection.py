"""The AMI link: a thin wrapper over panoramisk 1.4's ``Manager`` that fixes what 1.4 gets wrong.

Measured defects of 1.4 (``docs/asterisk.md``) and what this module does:

* a UTF-8 character split across two TCP reads is dropped: the protocol decodes with an
  incremental decoder before panoramisk's parser sees the text;
* a handler that raises inside ``data_received`` drops the connection and the rest of the
  chunk: one ``*`` registration only queues the event; a single consumer task calls
  ``on_event`` in arrival order, inside try/except, counting failures. The queue is bounded
  (``event_limit``): when the consumer is that far behind, the link is dropped on purpose
  rather than growing without end or stalling the socket (which would also stall the
  replies to Ping and the resync). Events queued before the drop are still handled; what
  Asterisk sent after it is not read, and the next login's ``on_login`` (the bridge's resync
  and reconciliation) restores it, as after any outage. ``status()`` shows the depth, the
  age of the oldest event not yet handled and ``events_behind`` (older than
  :data:`EVENTS_BEHIND_S`), the overflows and the events dropped;
* a dead peer is never noticed: a watchdog pings and aborts the transport when the reply is
  late, which makes panoramisk reconnect (``Manager.close()`` would stop reconnection);
* reconnection: panoramisk's own loop (``call_later(reconnect_timeout, connect)``) is kept —
  no second retry loop — and ``reconnect_timeout`` is set from the backoff before each use;
* an action waiting when the link drops is re-sent after the next ``FullyBooted``, and a list
  action or the Login never resolves: every action sent here is tracked and failed with
  :class:`AmiDisconnectedError` when the link drops, so nothing hangs and nothing is replayed
  later (a transfer or an Originate repeated minutes later would hit the wrong call or ring a
  citizen twice); ``originate`` is also in ``forgetable_actions``;
* replies ending in "successfully queued" make 1.4 read a missing ``Async`` header and drop
  the link (Atxfer, PlayDTMF, Originate): single-reply actions are sent with ``as_list=False``,
  Originate always with ``Async: true``;
* ``QueueAdd`` hangs (issue #54, "added … to queue" read as a list): ``as_list=False`` too.

State (``state``, ``status()``, ``on_status``) feeds ``/health`` and the console banner; the
log says when the link goes down (with the reason) and when it is back, once per change:
panoramisk's own line per retry ("Not able to reconnect") is demoted to DEBUG, so a service
started without Asterisk logs one WARNING, not one every few seconds;
``on_login`` runs after every (re)login, in order with the events, so the bridge can resync
(``CoreShowChannels``, ``QueueStatus``) and reconcile what happened while it was away.
"""

from __future__ import annotations

import asyncio
import codecs
import inspect
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeAlias

from panoramisk import Manager
from panoramisk.actions import Action
from panoramisk.ami_protocol import AMIProtocol

from models.settings import Settings

log = logging.getLogger(__name__)


class _RetryChatter(logging.LoggerAdapter):  # type: ignore[type-arg]
    """panoramisk logs every reconnect attempt (WARNING "Not able to reconnect", ERROR
    "Connection lost"); AmiConnection logs each change of the link itself, so these go to
    DEBUG."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        super().log(logging.DEBUG, msg, *args, **kwargs)

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        self.log(logging.DEBUG, msg, *args, exc_info=True, **kwargs)


_panoramisk_log = _RetryChatter(logging.getLogger(f"{__name__}.panoramisk"), {})

# A received event or response: panoramisk's case-insensitive Message; a repeated header
# (ChanVariable, Variable) is a list of strings.
AmiMessage: TypeAlias = Mapping[str, Any]
ActionHeaders: TypeAlias = Mapping[str, str | Sequence[str]]
EventHandler: TypeAlias = Callable[[AmiMessage], Awaitable[None] | None]
LoginHandler: TypeAlias = Callable[[], Awaitable[None] | None]
StatusHandler: TypeAlias = Callable[["ConnectionStatus"], None]

DEFAULT_BACKOFF_S: tuple[float, ...] = (1, 2, 5, 10, 30)
DEFAULT_ACTION_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 1.0
# Events waiting for the consumer at most; one more drops the link (module docstring). The
# consumer handles thousands a second; a line's Asterisk sends tens at its busiest.
DEFAULT_EVENT_LIMIT = 10_000
# The consumer is "behind" (/health) when the oldest event not yet handled is this old.
EVENTS_BEHIND_S = 5.0
# Actions panoramisk must never queue for re-sending after a reconnect.
FORGETABLE_ACTIONS = ("ping", "login", "logoff", "originate")
_ERROR_RESPONSES = frozenset({"error", "fail", "failure"})


class ConnectionState(StrEnum):
    CONNECTING = "connecting"  # started, no answer from Asterisk yet
    CONNECTED = "connected"  # TCP up, Login sent
    LOGGED_IN = "logged_in"  # actions can be sent, events flow
    DISCONNECTED = "disconnected"  # down (or stopped); panoramisk keeps retrying unless stopped


STATE_LABELS_RU: dict[ConnectionState, str] = {
    ConnectionState.CONNECTING: "Подключение к Asterisk…",
    ConnectionState.CONNECTED: "Подключено к Asterisk, выполняется вход…",
    ConnectionState.LOGGED_IN: "Связь с Asterisk есть",
    ConnectionState.DISCONNECTED: "Нет связи с Asterisk",
}


class AmiError(Exception):
    """Base of everything an action can raise."""


class AmiNotConnectedError(AmiError):
    """Not logged in: nothing was sent."""


class AmiInvalidActionError(AmiError, ValueError):
    """Refused before sending (a header value with a line break would inject headers)."""


class AmiOutcomeUnknownError(AmiError):
    """Sent, but no reply: Asterisk may or may not have acted. Never retried automatically."""


class AmiDisconnectedError(AmiOutcomeUnknownError):
    """The link dropped (or the connection was stopped) before the reply arrived."""


class AmiTimeoutError(AmiOutcomeUnknownError):
    """No reply within the timeout; the link is still up."""


class AmiActionError(AmiError):
    """Asterisk answered with ``Response: Error`` (or Fail/Failure)."""

    def __init__(self, action: str, response: AmiMessage) -> None:
        self.action = action
        self.response = response
        self.message = str(response.get("Message", "") or "")
        super().__init__(f"{action}: {self.message or response.get('Response', '')}")


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    state: ConnectionState
    since: datetime  # when the state last changed
    last_error: str | None
    logins: int
    reconnects: int  # logins after the first one
    connect_failures: int  # TCP connects refused or failed
    retry_in_s: float | None  # delay before the reconnect panoramisk has scheduled
    handler_failures: int  # on_event / on_login calls that raised
    events_received: int
    events_pending: int  # queued for on_event, not handled yet
    events_oldest_s: float | None  # age of the oldest of those (the one being handled too)
    events_behind: bool  # that age is EVENTS_BEHIND_S or more
    event_limit: int  # the queue's bound; when full the link is dropped and resynced
    event_overflows: int  # times that happened
    events_dropped: int  # events not queued because of it (the resync covers them)

    @property
    def label_ru(self) -> str:
        return STATE_LABELS_RU[self.state]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state.value
        data["since"] = self.since.isoformat()
        data["label"] = self.label_ru
        return data


@dataclass(frozen=True, slots=True)
class OriginateOutcome:
    """Asterisk's OriginateResponse for one ChannelId."""

    channel_id: str
    success: bool  # the originated channel answered
    reason: int | None  # 4 answered, 3 no answer, 5 busy, 8 congestion, 1 hung up, 0 failed
    channel: str
    uniqueid: str


@dataclass(frozen=True, slots=True)
class OriginateHandle:
    """An Originate Asterisk accepted; ``outcome`` resolves with its OriginateResponse, or
    fails with AmiDisconnectedError if the link drops first (the call may still go ahead)."""

    channel_id: str
    outcome: asyncio.Future[OriginateOutcome]


class Utf8SafeAmiProtocol(AMIProtocol):  # type: ignore[misc]
    """panoramisk decodes every read on its own with errors='ignore', so a character cut by
    a TCP boundary vanishes (``Жанна`` arrives as ``анна``). Decode incrementally here and
    hand panoramisk only whole characters."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        text = self._decoder.decode(data)
        if text:
            super().data_received(text.encode("utf-8"))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)
        super().connection_lost(exc)


class _Manager(Manager):  # type: ignore[misc]
    """Hooks panoramisk's connection lifecycle into AmiConnection; the reconnect loop itself
    stays panoramisk's."""

    def __init__(self, owner: AmiConnection, **config: Any) -> None:
        super().__init__(**config)
        self._owner = owner

    def connect(self, *args: Any, **kwargs: Any) -> Any:
        if self._owner.stopping:
            return None  # a reconnect timer that fired after stop()
        task = super().connect(*args, **kwargs)
        self._owner._connect_task = task
        return task

    def connection_made(self, future: asyncio.Future[Any]) -> None:
        owner = self._owner
        if future.cancelled():
            return
        exc = future.exception()
        if owner.stopping:
            if exc is None:
                _transport, protocol = future.result()
                protocol.close()
            return
        if exc is None:
            super().connection_made(future)
            owner._transport_up(self.protocol)
            return
        self.reconnect_timeout = owner._next_delay()
        owner._connect_failed(exc)
        if isinstance(exc, OSError):
            super().connection_made(future)  # logs and schedules the retry
        else:  # panoramisk would raise in this callback and never retry
            self.loop.call_later(self.reconnect_timeout, self.connect)

    def login(self, future: asyncio.Future[Any]) -> bool:
        if future.cancelled():
            return False
        authenticated = bool(super().login(future))
        self._owner._login_answered(authenticated, future.result())
        return authenticated

    def ping(self) -> None:
        """panoramisk's pinger never reads the replies; the watchdog replaces it."""

    def connection_lost(self, exc: object) -> None:
        if self._owner.stopping:
            return
        self.reconnect_timeout = self._owner._next_delay()
        self._owner._transport_down(exc)
        super().connection_lost(exc)


class _Login:
    """Queued with the events so that on_login runs in order with them."""


class AmiConnection:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str,
        secret: str,
        on_event: EventHandler,
        on_login: LoginHandler | None = None,
        on_status: StatusHandler | None = None,
        ping_interval_s: float = 10,
        ping_timeout_s: float = 5,
        backoff: Sequence[float] = DEFAULT_BACKOFF_S,
        action_timeout_s: float = DEFAULT_ACTION_TIMEOUT_S,
        event_limit: int = DEFAULT_EVENT_LIMIT,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not backoff or any(delay < 0 for delay in backoff):
            raise ValueError(f"backoff needs at least one non-negative delay: {backoff!r}")
        if event_limit < 1:
            raise ValueError(f"event_limit must be positive: {event_limit!r}")
        self.host = host
        self.port = port
        self._username = username
        self._secret = secret
        self._on_event = on_event
        self._on_login = on_login
        self._on_status = on_status
        self._ping_interval_s = ping_interval_s
        self._ping_timeout_s = ping_timeout_s
        self._backoff = tuple(backoff)
        self._action_timeout_s = action_timeout_s
        self._event_limit = event_limit
        self._clock = clock

        self._manager: _Manager | None = None
        self._connect_task: asyncio.Future[Any] | None = None
        self._attempt = 0
        self.stopping = False
        self._state = ConnectionState.DISCONNECTED
        self._since = clock()
        self._last_error: str | None = None
        self._logins = 0
        self._connect_failures = 0
        self._retry_in_s: float | None = None
        self._handler_failures = 0
        self._events_received = 0
        self._logged_in = asyncio.Event()

        self._events: asyncio.Queue[AmiMessage | _Login] = asyncio.Queue()
        self._queued_at: deque[datetime] = deque()  # per item queued and not yet handled
        self._event_overflows = 0
        self._events_dropped = 0
        self._discarding = False  # the queue overflowed: this connection's events are dropped
        self._inflight: set[asyncio.Future[Any]] = set()
        self._originates: dict[str, asyncio.Future[OriginateOutcome]] = {}
        self._originate_ids: dict[str, str] = {}  # ActionID -> ChannelId
        self._login_timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._logged_condition: str | None = None  # what the log last said of the link

    @classmethod
    def from_settings(
        cls, settings: Settings, *, on_event: EventHandler, **options: Any
    ) -> AmiConnection:
        return cls(
            host=settings.ami_host,
            port=settings.ami_port,
            username=settings.ami_username,
            secret=settings.ami_secret.get_secret_value(),
            on_event=on_event,
            **options,
        )

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Starts connecting and returns at once; Asterisk being down raises nothing (the
        state says disconnected and panoramisk keeps retrying)."""
        if self._manager is not None:
            raise RuntimeError("AmiConnection already started")
        loop = asyncio.get_running_loop()
        self._manager = _Manager(
            self,
            host=self.host,
            port=self.port,
            username=self._username,
            secret=self._secret,
            events="on",
            encoding="utf8",
            loop=loop,
            log=_panoramisk_log,
            protocol_factory=Utf8SafeAmiProtocol,
            reconnect_timeout=1,
            forgetable_actions=FORGETABLE_ACTIONS,
        )
        self._manager.register_event("*", self._dispatch)
        self._set_state(ConnectionState.CONNECTING)
        self._spawn(self._deliver(), "ami-deliver")
        self._spawn(self._watchdog(), "ami-watchdog")
        self._manager.connect()

    async def stop(self) -> None:
        """Closes the link for good (no reconnect); anything in flight fails."""
        if self._manager is None or self.stopping:
            return
        self.stopping = True
        # Tasks first: a task cancelled in the same turn as its awaited reply fails could
        # otherwise lose the cancellation (asyncio.wait_for on 3.11) and never end.
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        self._cancel_login_timer()
        if self._connect_task is not None and not self._connect_task.done():
            self._connect_task.cancel()
        protocol = self._manager.protocol
        self._manager.close()
        self._fail_pending(AmiDisconnectedError("соединение с Asterisk закрыто"))
        self._logged_in.clear()
        self._last_error = "stopped"
        self._retry_in_s = None
        self._set_state(ConnectionState.DISCONNECTED)
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)
        lost = getattr(protocol, "lost", None)
        if lost is not None:
            await asyncio.wait([lost], timeout=STOP_TIMEOUT_S)

    async def __aenter__(self) -> AmiConnection:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def wait_logged_in(self, timeout: float | None = None) -> None:
        """Returns once logged in (at once if already); TimeoutError otherwise."""
        async with asyncio.timeout(timeout):
            await self._logged_in.wait()

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def snapshot(self) -> ConnectionStatus:
        oldest = None
        try:  # /health reads this from a worker thread
            first = self._queued_at[0]
        except IndexError:
            pass
        else:
            oldest = max((self._clock() - first).total_seconds(), 0.0)
        return ConnectionStatus(
            state=self._state,
            since=self._since,
            last_error=self._last_error,
            logins=self._logins,
            reconnects=max(self._logins - 1, 0),
            connect_failures=self._connect_failures,
            retry_in_s=self._retry_in_s,
            handler_failures=self._handler_failures,
            events_received=self._events_received,
            events_pending=self._events.qsize(),
            events_oldest_s=oldest,
            events_behind=oldest is not None and oldest >= EVENTS_BEHIND_S,
            event_limit=self._event_limit,
            event_overflows=self._event_overflows,
            events_dropped=self._events_dropped,
        )

    def status(self) -> dict[str, Any]:
        """For /health and the console banner."""
        return self.snapshot.as_dict()

    def relogin(self, reason: str) -> None:
        """Drops the current connection so that panoramisk connects and logs in again (what
        Asterisk grants a session is fixed at its login)."""
        if self._manager is not None and not self.stopping:
            self._abort(self._manager.protocol, reason)

    # ------------------------------------------------------------------ actions

    async def send(self, action: ActionHeaders, *, timeout: float | None = None) -> AmiMessage:
        """One action, one reply. Raises AmiActionError when Asterisk says Error."""
        reply: AmiMessage = await self._send(action, as_list=False, timeout=timeout)
        _raise_for_error(str(action.get("Action", "")), reply)
        return reply

    async def send_list(
        self, action: ActionHeaders, *, timeout: float | None = None
    ) -> list[AmiMessage]:
        """An action answered by an event list (QueueStatus, CoreShowChannels): the response
        followed by the events up to ``…Complete``."""
        reply = await self._send(action, as_list=None, timeout=timeout)
        messages: list[AmiMessage] = reply if isinstance(reply, list) else [reply]
        _raise_for_error(str(action.get("Action", "")), messages[0])
        return messages

    async def originate(
        self,
        *,
        channel: str,
        context: str,
        exten: str,
        priority: int = 1,
        variables: Mapping[str, str] | None = None,
        caller_id: str | None = None,
        ring_timeout_ms: int = 30_000,
        channel_id: str | None = None,
        timeout: float | None = None,
    ) -> OriginateHandle:
        """Sends ``Originate`` with ``Async: true`` and a ``ChannelId`` (a new uuid unless
        given), returns once Asterisk accepted it. It is never re-sent: when the reply is
        lost this raises AmiDisconnectedError/AmiTimeoutError and the call may or may not ring."""
        channel_id = channel_id or str(uuid.uuid4())
        if channel_id in self._originates:
            raise AmiInvalidActionError(f"ChannelId {channel_id} is already being originated")
        action_id = f"originate/{channel_id}"
        action: dict[str, str | Sequence[str]] = {
            "Action": "Originate",
            "ActionID": action_id,
            "Channel": channel,
            "Context": context,
            "Exten": exten,
            "Priority": str(priority),
            "Timeout": str(ring_timeout_ms),
            "Async": "true",
            "ChannelId": channel_id,
        }
        if caller_id:
            action["CallerID"] = caller_id
        if variables:
            action["Variable"] = [f"{name}={value}" for name, value in variables.items()]
        outcome: asyncio.Future[OriginateOutcome] = asyncio.get_running_loop().create_future()
        outcome.add_done_callback(_consume_exception)
        self._originates[channel_id] = outcome
        self._originate_ids[action_id] = channel_id
        try:
            await self.send(action, timeout=timeout)
        except BaseException:
            self._forget_originate(channel_id)
            outcome.cancel()  # nobody holds it: the caller gets the exception instead
            raise
        return OriginateHandle(channel_id, outcome)

    def _send(
        self, action: ActionHeaders, *, as_list: bool | None, timeout: float | None
    ) -> Awaitable[Any]:
        _check_headers(action)
        manager = self._manager
        if manager is None or self._state is not ConnectionState.LOGGED_IN:
            raise AmiNotConnectedError(f"нет связи с Asterisk ({self._state.value})")
        headers = {
            key: list(value) if not isinstance(value, str) else value
            for key, value in action.items()
        }
        future: asyncio.Future[Any] = manager.send_action(Action(headers), as_list=as_list)
        self._inflight.add(future)
        future.add_done_callback(self._inflight.discard)
        limit = self._action_timeout_s if timeout is None else timeout
        return _await_reply(future, limit, str(action.get("Action", "")))

    # ------------------------------------------------------------------ events

    def _dispatch(self, _manager: Any, message: AmiMessage) -> None:
        """Called by panoramisk inside data_received: must never raise."""
        try:
            self._events_received += 1
            if message.get("Event") == "OriginateResponse":
                self._originate_answered(message)
            if self._discarding:
                self._events_dropped += 1
            elif self._events.qsize() >= self._event_limit:
                self._overflow()
            else:
                self._enqueue(message)
        except Exception:
            self._handler_failures += 1
            log.exception("AMI event dispatch failed")

    def _enqueue(self, item: AmiMessage | _Login) -> None:
        self._queued_at.append(self._clock())
        self._events.put_nowait(item)

    def _overflow(self) -> None:
        """The consumer is ``event_limit`` events behind: drop this message and the rest of
        the connection, and let the next login's resync and reconciliation restore it."""
        self._event_overflows += 1
        self._events_dropped += 1
        self._discarding = True
        log.error(
            "AMI: обработка событий отстала на %d событий; связь с Asterisk будет прервана и "
            "восстановлена, состояние звонков после входа сверяется заново",
            self._event_limit,
        )
        if self._manager is not None:
            self._abort(
                self._manager.protocol, f"очередь событий AMI переполнена ({self._event_limit})"
            )

    async def _deliver(self) -> None:
        """The only caller of on_event and on_login: in arrival order, one at a time, and
        an exception in one call is logged and counted, never fatal."""
        while True:
            item = await self._events.get()
            try:
                if isinstance(item, _Login):
                    if self._on_login is not None:
                        result = self._on_login()
                        if inspect.isawaitable(result):
                            await result
                else:
                    result = self._on_event(item)
                    if inspect.isawaitable(result):
                        await result
            except Exception:
                self._handler_failures += 1
                what = "on_login" if isinstance(item, _Login) else repr(item.get("Event"))
                log.exception("AMI handler failed on %s", what)
                self._publish_status()
            finally:
                self._queued_at.popleft()
            if not self._events.empty():
                await asyncio.sleep(0)  # a burst must not starve the loop (watchdog, writes)

    def _originate_answered(self, message: AmiMessage) -> None:
        channel_id = self._originate_ids.get(str(message.get("ActionID", "")))
        if channel_id is None:
            uniqueid = str(message.get("Uniqueid", ""))
            channel_id = uniqueid if uniqueid in self._originates else None
        if channel_id is None:
            return
        outcome = self._originates.get(channel_id)
        self._forget_originate(channel_id)
        if outcome is None or outcome.done():
            return
        reason = str(message.get("Reason", ""))
        outcome.set_result(
            OriginateOutcome(
                channel_id=channel_id,
                success=str(message.get("Response", "")).lower() == "success",
                reason=int(reason) if reason.isdigit() else None,
                channel=str(message.get("Channel", "")),
                uniqueid=str(message.get("Uniqueid", "")),
            )
        )

    def _forget_originate(self, channel_id: str) -> None:
        self._originates.pop(channel_id, None)
        self._originate_ids.pop(f"originate/{channel_id}", None)

    # ------------------------------------------------------------------ watchdog

    async def _watchdog(self) -> None:
        while not self.stopping:
            await asyncio.sleep(self._ping_interval_s)
            if self._state is not ConnectionState.LOGGED_IN or self._manager is None:
                continue
            protocol = self._manager.protocol
            try:
                await self._send({"Action": "Ping"}, as_list=False, timeout=self._ping_timeout_s)
            except AmiTimeoutError:
                self._abort(protocol, f"no reply to Ping within {self._ping_timeout_s:g} s")
            except AmiError:
                continue  # already disconnected; panoramisk is reconnecting

    def _abort(self, protocol: Any, reason: str) -> None:
        """Drops a connection that is still the current one; panoramisk then reconnects."""
        if self._manager is None or self._manager.protocol is not protocol or protocol.closed:
            return
        log.debug("AMI: %s; dropping the connection", reason)  # the down line names it
        self._last_error = reason
        protocol.transport.abort()

    # ------------------------------------------------------------------ panoramisk hooks

    def _transport_up(self, protocol: Any) -> None:
        self._discarding = False
        self._last_error = None
        self._retry_in_s = None
        self._set_state(ConnectionState.CONNECTED)
        self._cancel_login_timer()
        loop = asyncio.get_running_loop()
        self._login_timer = loop.call_later(
            self._ping_timeout_s,
            self._abort,
            protocol,
            f"no reply to Login within {self._ping_timeout_s:g} s",
        )

    def _login_answered(self, authenticated: bool, response: AmiMessage) -> None:
        self._cancel_login_timer()
        if not authenticated:
            message = str(response.get("Message", "") or "")
            assert self._manager is not None
            self._abort(self._manager.protocol, f"login refused: {message}")
            return
        self._attempt = 0
        self._logins += 1
        self._last_error = None
        self._logged_in.set()
        self._set_state(ConnectionState.LOGGED_IN)
        log.info("AMI logged in to %s:%s (login #%d)", self.host, self.port, self._logins)
        self._enqueue(_Login())

    def _connect_failed(self, exc: BaseException) -> None:
        self._connect_failures += 1
        self._last_error = f"{type(exc).__name__}: {exc}"
        if self._state is ConnectionState.DISCONNECTED:
            self._publish_status()
        else:
            self._set_state(ConnectionState.DISCONNECTED)

    def _transport_down(self, exc: object) -> None:
        """``exc``: the socket's exception, None for a plain close, or (panoramisk) the
        ``Shutdown`` event's Message when Asterisk announced it is going down."""
        self._cancel_login_timer()
        self._logged_in.clear()
        if isinstance(exc, BaseException):
            self._last_error = f"{type(exc).__name__}: {exc}"
        elif isinstance(exc, Mapping):
            self._last_error = f"Asterisk shutdown ({exc.get('Shutdown', '')})"
        elif self._last_error is None:
            self._last_error = "connection closed by Asterisk"
        self._fail_pending(AmiDisconnectedError(f"связь с Asterisk прервалась: {self._last_error}"))
        self._set_state(ConnectionState.DISCONNECTED)

    def _next_delay(self) -> float:
        """The delay before panoramisk's next connect; the schedule restarts at each login."""
        delay = self._backoff[min(self._attempt, len(self._backoff) - 1)]
        self._attempt += 1
        self._retry_in_s = delay
        return delay

    # ------------------------------------------------------------------ helpers

    def _fail_pending(self, error: AmiError) -> None:
        for future in list(self._inflight):
            if not future.done():
                future.set_exception(error)
        self._inflight.clear()
        for channel_id, outcome in list(self._originates.items()):
            self._forget_originate(channel_id)
            if not outcome.done():
                outcome.set_exception(error)
        if self._manager is not None:
            # Everything in it has just failed; panoramisk would skip done futures anyway.
            self._manager.awaiting_actions.clear()

    def _set_state(self, state: ConnectionState) -> None:
        if state is not self._state:
            self._state = state
            self._since = self._clock()
        self._publish_status()

    def _publish_status(self) -> None:
        self._log_condition()
        if self._on_status is None:
            return
        try:
            self._on_status(self.snapshot)
        except Exception:
            log.exception("AMI on_status callback failed")

    def _log_condition(self) -> None:
        """One line per change of the link (down with a new reason, or back up), never one
        per retry."""
        if self._state is ConnectionState.LOGGED_IN:
            condition = "up"
        elif self._state is ConnectionState.DISCONNECTED and not self.stopping:
            condition = f"down: {self._last_error}"
        else:
            return  # connecting, connected (Login sent), or stopped on purpose
        if condition == self._logged_condition:
            return
        if condition == "up":
            if self._logged_condition is not None:
                log.warning("AMI: связь с Asterisk %s:%s восстановлена", self.host, self.port)
        else:
            # One WARNING per outage; a new reason during it (Asterisk said it was shutting
            # down, then refuses connections) is INFO.
            still_down = (self._logged_condition or "").startswith("down")
            log.log(
                logging.INFO if still_down else logging.WARNING,
                "AMI: нет связи с Asterisk %s:%s (%s); подключение повторяется каждые %g с "
                "или чаще, следующая запись в журнале — когда что-то изменится",
                self.host,
                self.port,
                self._last_error,
                max(self._backoff),
            )
        self._logged_condition = condition

    def _cancel_login_timer(self) -> None:
        if self._login_timer is not None:
            self._login_timer.cancel()
            self._login_timer = None

    def _spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _await_reply(future: asyncio.Future[Any], timeout: float, action: str) -> Any:
    # asyncio.timeout, not wait_for: wait_for (3.11) swallows a cancellation that arrives in
    # the same turn as the reply, and the caller then never stops.
    try:
        async with asyncio.timeout(timeout):
            return await future
    except TimeoutError:
        raise AmiTimeoutError(f"{action}: нет ответа Asterisk за {timeout:g} с") from None


def _raise_for_error(action: str, reply: AmiMessage) -> None:
    if str(reply.get("Response", "")).lower() in _ERROR_RESPONSES:
        raise AmiActionError(action, reply)


def _check_headers(action: ActionHeaders) -> None:
    if not str(action.get("Action", "")):
        raise AmiInvalidActionError("an AMI action needs an Action header")
    for key, value in action.items():
        values = [value] if isinstance(value, str) else list(value)
        for text in (key, *values):
            if "\r" in text or "\n" in text:
                raise AmiInvalidActionError(f"line break in AMI header {key!r}: {text!r}")


def _consume_exception(future: asyncio.Future[Any]) -> None:
    """A failed outcome nobody awaited is expected (fire-and-forget Originate), not an error
    for asyncio to report."""
    if not future.cancelled():
        future.exception()
