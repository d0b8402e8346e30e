"""The asyncio AudioSocket server: Asterisk connects to it from ``AudioSocket(<uuid>,host:port)``.

It runs in the process of the FastAGI server and of the ``Listenings`` its routes register,
started and stopped beside it. Per connection:

* the first frame must be the uuid, within ``uuid_timeout_s``; a peer that sends nothing, or
  something else first, gets one WARNING line and is cut off;
* a uuid that no route registered (a stranger, a stale call, a second connection) gets one
  WARNING line and a hang-up frame: no recognizer ever runs for it. A uuid is 122 random bits
  that only Asterisk and this process know, so it is also what keeps strangers out;
* a known uuid: the ``Listener`` hears the call out and settles the listening.

A connection's failure (a garbled stream, a broken recognizer, a defect) ends that connection
only, never the server. Failing to listen at start is said in one ERROR line in Russian, for the
administrator, and raised: the composition root decides to go on without speech.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import Executor

from ivr.agi.streams import peer_name
from models.os_errors import listen_error_reason
from speech.audiosocket_frames import (
    MAX_PAYLOAD,
    EndOfStream,
    FrameReader,
    Garbled,
    ReadResult,
    StreamId,
)
from speech.feeding import DEFAULT_MAX_BACKLOG_BYTES
from speech.listener import Listener, ListenerTimes, close_gracefully
from speech.listening import Listenings, Outcome

log = logging.getLogger(__name__)


class AudioSocketServer:
    def __init__(
        self,
        listenings: Listenings,
        *,
        host: str,
        port: int,
        uuid_timeout_s: float = 2.0,
        times: ListenerTimes | None = None,
        executor: Executor | None = None,
        max_payload: int = MAX_PAYLOAD,
        max_backlog_bytes: int = DEFAULT_MAX_BACKLOG_BYTES,
    ) -> None:
        """``executor`` runs the recognizers (None: the loop's default executor);
        ``max_payload`` caps a frame (Asterisk's are 320 bytes);
        ``max_backlog_bytes`` caps the audio waiting for a slow recognizer."""
        self._listenings = listenings
        self._host = host
        self._requested_port = port
        self._uuid_timeout_s = uuid_timeout_s
        self._times = times or ListenerTimes()
        self._executor = executor
        self._max_payload = max_payload
        self._max_backlog_bytes = max_backlog_bytes
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listens; OSError (after one ERROR line) when the address cannot be had."""
        if self._server is not None:
            raise RuntimeError("AudioSocketServer already started")
        try:
            self._server = await asyncio.start_server(
                self._handle, self._host, self._requested_port
            )
        except OSError as exc:
            reason = listen_error_reason(exc, self._host)
            log.error(
                "AudioSocket: не удалось открыть порт %s:%d (%s); распознавание речи недоступно",
                self._host,
                self._requested_port,
                reason,
            )
            raise
        log.info("AudioSocket listening on %s:%d", self._host, self.port)

    @property
    def port(self) -> int:
        """The bound port (useful with ``port=0``)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("AudioSocketServer is not listening")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def active_connections(self) -> int:
        return len(self._connections)

    async def stop(self, drain_timeout_s: float = 2.0) -> None:
        """Stops accepting, lets listenings end for up to ``drain_timeout_s``, then cuts the
        rest short (their outcome: FAILED)."""
        if self._server is None:
            return
        self._server.close()
        pending = set(self._connections)
        if pending:
            _, pending = await asyncio.wait(pending, timeout=drain_timeout_s)
        if pending:
            log.warning("AudioSocket stop: cutting %d listening(s) short", len(pending))
            for task in pending:
                task.cancel()
            await asyncio.wait(pending)
        await self._server.wait_closed()
        self._server = None
        log.info("AudioSocket stopped")

    # ------------------------------------------------------------------ one connection

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._serve(reader, writer)
        except Exception:  # a defect here must not reach the loop's exception handler
            log.exception("AudioSocket: unexpected error in the connection handler")
            writer.transport.abort()
        finally:
            self._connections.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = peer_name(writer)
        frames = FrameReader(reader, max_payload=self._max_payload)
        first: ReadResult | None = None  # None: nothing in time
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._uuid_timeout_s):
                first = await frames.read()
        if not isinstance(first, StreamId):
            log.warning("AudioSocket: %s %s: cut off", peer, _instead_of_uuid(first))
            writer.transport.abort()
            return
        listening = self._listenings.claim(first.uuid)
        if listening is None:
            log.warning("AudioSocket: %s: no listening expects uuid %s: closed", peer, first.uuid)
            await close_gracefully(
                reader, writer, hang_up=True, timeout_s=self._times.close_timeout_s
            )
            return
        try:
            listener = Listener(
                listening,
                frames,
                reader,
                writer,
                times=self._times,
                executor=self._executor,
                max_backlog_bytes=self._max_backlog_bytes,
            )
            outcome = await listener.run()
        finally:
            # Whatever happened, the route waiting on this listening gets an answer.
            listening.end(Outcome.failed("the listening was cut short"))
        if outcome.reason:
            log.warning(
                "AudioSocket uuid=%s: %s: %s", listening.uuid, outcome.kind.value, outcome.reason
            )
        else:
            log.info("AudioSocket uuid=%s: %s", listening.uuid, outcome.kind.value)


def _instead_of_uuid(first: ReadResult | None) -> str:
    match first:
        case None:
            return "sent no uuid in time"
        case EndOfStream():
            return "closed before sending a uuid"
        case Garbled(reason):
            return f"sent garbage instead of a uuid ({reason})"
        case _:
            return f"sent {type(first).__name__} instead of a uuid"
