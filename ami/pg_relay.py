"""Relays the live bus between processes through PostgreSQL LISTEN/NOTIFY.

With several processes (several web workers, the AMI bridge in its own process) each has its
own ``LiveBus``; a ``PgNotifyRelay`` on each joins them:

* every message published locally (not one that a relay brought in) is sent with
  ``pg_notify(channel, json)``, the JSON being ``{"o": origin, "t": topic, "p": payload}``;
* every notification on the channel from another relay is published on the local bus with
  ``relayed=True``, so no relay ever sends it on again (no loops); a relay's own
  notifications (its ``origin``, unique per relay and so per process) are skipped.

**Large messages.** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more (with the
default build). A message whose JSON does not fit is sent as a reload notice,
``{"o": origin, "t": topic, "reload": true}``, and the other processes publish
``RELOAD_PAYLOAD`` (``{"reload": True}``) on that topic: a subscriber seeing it re-reads its
snapshot (for example from the database or the HTTP API) instead of expecting the payload.

**Nothing is lost silently, nothing arrives out of order.** Publishing never holds up the local
bus: it only puts the message in a bounded in-memory outbox. A message that is not sent — the
outbox was full (its oldest message is dropped), the relay was disconnected, the connection
broke while it was being sent, or it was still in the outbox when the connection broke — marks
its topic *missed*; before the next message goes out, a reload notice is sent for every missed
topic, so other processes reload exactly what they may have lost, and never apply a message
older than that reload: at a disconnect the outbox is emptied into the missed topics rather than
sent later. The relay reconnects with a short growing backoff, logging a warning once per outage
(repeated failures at debug level) and an info line when it is back. Messages sent by other
processes while this one was disconnected are not replayed (their senders cannot know).

Only PostgreSQL database URLs are accepted (``postgresql+psycopg://`` is turned into the plain
``postgresql://`` libpq expects).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any, Final

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from ami.bus import LiveBus, LiveMessage

log = logging.getLogger(__name__)

DEFAULT_CHANNEL: Final = "consult_line_live"
# NOTIFY payloads must be shorter than 8000 bytes.
MAX_NOTIFY_BYTES: Final = 7999
RELOAD_PAYLOAD: Final[Mapping[str, Any]] = {"reload": True}
DEFAULT_QUEUE_SIZE: Final = 1000
DEFAULT_BACKOFF_S: Final[tuple[float, ...]] = (0.5, 1, 2, 5)
CONNECT_TIMEOUT_S: Final = 5


def libpq_url(database_url: str) -> str:
    """The libpq form of a PostgreSQL SQLAlchemy URL; ValueError for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"PgNotifyRelay needs a PostgreSQL URL, not {url.drivername!r}")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def encode(origin: str, message: LiveMessage) -> str:
    """The NOTIFY payload for ``message``: the message, or a reload notice if it is too big."""
    data = json.dumps(
        {"o": origin, "t": message.topic, "p": message.payload},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    if len(data.encode()) <= MAX_NOTIFY_BYTES:
        return data
    return reload_notice(origin, message.topic)


def reload_notice(origin: str, topic: str) -> str:
    return json.dumps(
        {"o": origin, "t": topic, "reload": True}, ensure_ascii=False, separators=(",", ":")
    )


class PgNotifyRelay:
    def __init__(
        self,
        bus: LiveBus,
        database_url: str,
        *,
        channel: str = DEFAULT_CHANNEL,
        backoff: tuple[float, ...] = DEFAULT_BACKOFF_S,
        queue_size: int = DEFAULT_QUEUE_SIZE,
    ) -> None:
        if not backoff:
            raise ValueError("backoff needs at least one delay")
        self._bus = bus
        self._conninfo = libpq_url(database_url)
        self.channel = channel
        self.origin = uuid.uuid4().hex
        self.application_name = f"consult-line live relay {self.origin[:12]}"
        self._backoff = backoff
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(queue_size)  # (topic, data)
        self._missed_topics: set[str] = set()  # a message of the topic was not sent
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_outage = False
        self._had_session = False
        self.dropped = 0  # messages not sent: disconnected, the queue was full, a broken send

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def start(self) -> None:
        """Start relaying in the background; returns at once even if PostgreSQL is down."""
        if self._task is not None:
            return
        self._bus.add_forwarder(self._forward)
        self._task = asyncio.create_task(self._run(), name=f"pg-relay {self.channel}")

    async def wait_connected(self) -> None:
        """Wait until both connections are up and LISTEN is in place (use with a timeout)."""
        await self._connected.wait()

    async def stop(self) -> None:
        self._bus.remove_forwarder(self._forward)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._connected.clear()
        self._drain_outbox()
        self._missed_topics.clear()

    # -- local bus -> PostgreSQL -------------------------------------------------------------

    def _forward(self, message: LiveMessage, relayed: bool) -> None:
        if relayed:
            return  # came from PostgreSQL (or another relay): never sent on again
        if not self.connected:
            self._missed(message.topic)
            return
        try:
            data = encode(self.origin, message)
        except (TypeError, ValueError):
            log.exception("live message on %r cannot be relayed", message.topic)
            data = reload_notice(self.origin, message.topic)
        self._enqueue(message.topic, data)

    def _enqueue(self, topic: str, data: str) -> None:
        if self._outbox.full():
            oldest_topic, _ = self._outbox.get_nowait()
            self._missed(oldest_topic)
        self._outbox.put_nowait((topic, data))

    def _missed(self, topic: str) -> None:
        self.dropped += 1
        self._missed_topics.add(topic)

    def _drain_outbox(self) -> None:
        """At a disconnect: what was not sent is missed (reloaded later, never sent late)."""
        while not self._outbox.empty():
            topic, _ = self._outbox.get_nowait()
            self._missed(topic)

    async def _send(self, connection: psycopg.AsyncConnection[Any]) -> None:
        await self._send_reloads(connection)  # what was lost before this connection
        while True:
            topic, data = await self._outbox.get()
            # Losses while waiting (a burst overflowed the outbox) are older than this message.
            await self._send_reloads(connection)
            await self._notify(connection, topic, data)

    async def _send_reloads(self, connection: psycopg.AsyncConnection[Any]) -> None:
        for topic in sorted(self._missed_topics):
            await self._notify(connection, topic, reload_notice(self.origin, topic))
            self._missed_topics.discard(topic)

    async def _notify(
        self, connection: psycopg.AsyncConnection[Any], topic: str, data: str
    ) -> None:
        try:
            await connection.execute("SELECT pg_notify(%s, %s)", (self.channel, data))
        except BaseException:
            self._missed(topic)  # broke while sending: the topic is reloaded after reconnect
            raise

    # -- PostgreSQL -> local bus -------------------------------------------------------------

    async def _listen(self, connection: psycopg.AsyncConnection[Any]) -> None:
        async for notify in connection.notifies():
            self._receive(notify.payload)
        raise psycopg.OperationalError("LISTEN connection closed")

    def _receive(self, data: str) -> None:
        try:
            decoded = json.loads(data)
            origin, topic = decoded["o"], decoded["t"]
            payload = RELOAD_PAYLOAD if decoded.get("reload") else decoded["p"]
        except (ValueError, TypeError, KeyError):
            log.warning("ignoring malformed live notification on %r: %.200r", self.channel, data)
            return
        if origin == self.origin:
            return
        if not isinstance(topic, str) or not isinstance(payload, Mapping):
            log.warning("ignoring malformed live notification on %r: %.200r", self.channel, data)
            return
        self._bus.publish(topic, payload, relayed=True)

    # -- connection ---------------------------------------------------------------------------

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name=self.application_name,
            # Detect a silently dead peer on the LISTEN connection (it only reads).
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
        )

    async def _session(self) -> None:
        """One connected period; returns (raising) when either connection fails."""
        async with await self._connect() as listener, await self._connect() as sender:
            await listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._had_session = True
            self._connected.set()
            if self._in_outage:
                self._in_outage = False
                log.info("live relay on %r: PostgreSQL is back", self.channel)
            tasks = {
                asyncio.create_task(self._listen(listener)),
                asyncio.create_task(self._send(sender)),
            }
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                self._connected.clear()
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                self._drain_outbox()
            for task in done:
                task.result()

    async def _run(self) -> None:
        failures = 0  # consecutive failed attempts since the last connected period
        while True:
            self._had_session = False
            try:
                await self._session()
                error: BaseException = psycopg.OperationalError("connection ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = exc
            if self._had_session:
                failures = 0
            if not self._in_outage:
                self._in_outage = True
                log.warning(
                    "live relay on %r: PostgreSQL unavailable (%s); other processes will not "
                    "see live updates until it is back, retrying",
                    self.channel,
                    error,
                )
            else:
                log.debug("live relay on %r: PostgreSQL still unavailable: %s", self.channel, error)
            await asyncio.sleep(self._backoff[min(failures, len(self._backoff) - 1)])
            failures += 1
