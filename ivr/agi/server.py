"""The asyncio FastAGI server: one task per call, an explicit route table, one error path.

What a connection can cost, by design (FastAGI has no authentication, ``docs/asterisk.md`` §6):

* a peer outside ``allowed_sources`` (addresses and networks, compared as addresses; an IPv4
  peer on the dual-stack ``::`` socket is its IPv4 address): one WARNING line, closed at once.
  Without a list the server listens on loopback only: it refuses to be built otherwise
  (``ivr.agi.sources``);
* a peer that closes early, sends nothing, or sends garbage or too much before the blank line:
  one WARNING line; ``readuntil`` under a timeout and a size limit, so the loop never spins;
* a call over ``max_sessions``: one WARNING, ``LINE_AGI_FAILED=1``, closed (the dialplan falls
  back to the queue);
* a route that raises, an unknown route, a session over its deadline, a stop that cuts a
  session short: one ERROR line with route and uniqueid, then ``SET VARIABLE LINE_AGI_FAILED
  "1"`` and close;
* a route that returns: ``SET VARIABLE LINE_AGI_DONE "1"``. The dialplan goes on only after
  that (``AGISTATUS`` is FAILURE also when a finished route met a missing sound file);
* a peer that stops answering: a command that only sets, reads or answers gets its reply
  within ``reply_timeout_s`` (5 s), one that plays or listens within its own listening time
  plus ``media_margin_s`` (120 s, the longest prompt); past that one WARNING line, and the
  session ends at once (the dialplan, seeing no LINE_AGI_DONE, falls back), its slot free;
* the caller hanging up (ChannelHungUp) or Asterisk going away (ChannelClosed): INFO, quiet;
* a sound Asterisk cannot play: one ERROR line per call and sound, the call goes on
  (``ivr.agi.channel``), and ``sounds`` lists it for ``/health``.

The server never blocks the loop; routes run their database work in threads of their own
(``ivr.db_workers``), each call bounded in time.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping

from ivr.agi.channel import MEDIA_MARGIN_S, REPLY_TIMEOUT_S, AgiChannel, SoundProblems
from ivr.agi.protocol import (
    AgiEnvironment,
    AgiEnvironmentError,
    AgiError,
    ChannelClosed,
    ChannelHungUp,
    NoReply,
    environment_from_mapping,
    parse_environment,
)
from ivr.agi.sources import admits, open_door_problem, parse_sources
from ivr.agi.streams import close_after_eof, peer_name
from ivr.variables import LINE_AGI_DONE, LINE_AGI_FAILED

log = logging.getLogger(__name__)

Route = Callable[[AgiChannel], Awaitable[None]]

_END_OF_ENVIRONMENT = b"\n\n"
_EVERY_ADDRESS_IPV6 = "::"


class AgiServer:
    def __init__(
        self,
        routes: Mapping[str, Route],
        *,
        host: str,
        port: int,
        max_sessions: int = 200,
        session_timeout_s: float = 900.0,
        env_timeout_s: float = 5.0,
        env_limit_bytes: int = 16384,
        allowed_sources: Iterable[str] = (),
        backlog: int = 1024,
        failsafe_timeout_s: float = 2.0,
        close_timeout_s: float = 1.0,
        reply_timeout_s: float = REPLY_TIMEOUT_S,
        media_margin_s: float = MEDIA_MARGIN_S,
        sounds: SoundProblems | None = None,
    ) -> None:
        """``allowed_sources``: addresses or networks (``10.0.0.0/24``); empty only on a
        loopback ``host`` (ValueError otherwise);
        ``backlog`` is the listen queue (the kernel caps it at ``net.core.somaxconn``);
        ``failsafe_timeout_s`` bounds the final ``SET VARIABLE LINE_AGI_FAILED``;
        ``close_timeout_s`` bounds waiting for Asterisk's EOF after our half-close;
        ``reply_timeout_s`` and ``media_margin_s`` bound waiting for a reply (see above);
        ``sounds`` hears of every sound a call could not play (see ``ivr.agi.channel``)."""
        sources = parse_sources(allowed_sources)
        problem = open_door_problem(host, sources)
        if problem is not None:
            raise ValueError(problem)
        self._routes = dict(routes)
        self._host = host
        self._requested_port = port
        self._max_sessions = max_sessions
        self._session_timeout_s = session_timeout_s
        self._env_timeout_s = env_timeout_s
        self._env_limit_bytes = env_limit_bytes
        self._allowed_sources = sources
        self._backlog = backlog
        self._failsafe_timeout_s = failsafe_timeout_s
        self._close_timeout_s = close_timeout_s
        self._reply_timeout_s = reply_timeout_s
        self._media_margin_s = media_margin_s
        self._sounds = sounds
        self._server: asyncio.Server | None = None
        self._stopping = False
        self._connections: set[asyncio.Task[None]] = set()
        self._deadlines: dict[asyncio.Task[None], asyncio.Timeout] = {}
        self._active = 0

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("AgiServer already started")
        if self._host == _EVERY_ADDRESS_IPV6 and socket.has_dualstack_ipv6():
            # "::" means every address, IPv4 too (asyncio alone would listen on IPv6 only).
            listener = socket.create_server(
                ("::", self._requested_port),
                family=socket.AF_INET6,
                backlog=self._backlog,
                dualstack_ipv6=True,
            )
            self._server = await asyncio.start_server(
                self._handle, sock=listener, limit=self._env_limit_bytes, backlog=self._backlog
            )
        else:
            self._server = await asyncio.start_server(
                self._handle,
                self._host,
                self._requested_port,
                limit=self._env_limit_bytes,
                backlog=self._backlog,
            )
        log.info(
            "FastAGI listening on %s:%d, routes: %s", self._host, self.port, sorted(self._routes)
        )

    @property
    def port(self) -> int:
        """The bound port (useful with ``port=0``)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("AgiServer is not listening")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def active_sessions(self) -> int:
        """Sessions whose route is running now."""
        return self._active

    async def stop(self, drain_timeout_s: float = 10.0) -> None:
        """Stops accepting, lets running sessions finish for up to ``drain_timeout_s``, then cuts
        the rest short through the one error path (``LINE_AGI_FAILED=1``), then cancels any
        session still left."""
        if self._server is None:
            return
        self._stopping = True
        self._server.close()
        pending = set(self._connections)
        if pending:
            log.info("FastAGI stopping: draining %d connection(s)", len(pending))
            _, pending = await asyncio.wait(pending, timeout=drain_timeout_s)
        if pending:
            log.warning("FastAGI stop: cutting %d session(s) short", len(pending))
            now = asyncio.get_running_loop().time()
            for task in pending:
                deadline = self._deadlines.get(task)
                if deadline is not None:
                    deadline.reschedule(now)
            grace = self._failsafe_timeout_s + self._close_timeout_s + 1.0
            _, pending = await asyncio.wait(pending, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        await self._server.wait_closed()
        self._server = None
        log.info("FastAGI stopped")

    # ------------------------------------------------------------------ one connection

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._serve(reader, writer, task)
        except Exception:  # a defect here must not reach the loop's exception handler
            log.exception("FastAGI: unexpected error in the connection handler")
            writer.transport.abort()
        finally:
            self._connections.discard(task)
            self._deadlines.pop(task, None)

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, task: asyncio.Task[None]
    ) -> None:
        peer = peer_name(writer)
        if self._stopping:
            log.warning("FastAGI: refused %s: the server is stopping", peer)
            writer.transport.abort()
            return
        if not admits(self._allowed_sources, _host_of(writer)):
            log.warning("FastAGI: refused %s: not in the allowed sources", peer)
            writer.transport.abort()
            return
        env = await self._read_environment(reader, writer, peer)
        if env is None:
            return
        channel = AgiChannel(
            env,
            reader,
            writer,
            sounds=self._sounds,
            reply_timeout_s=self._reply_timeout_s,
            media_margin_s=self._media_margin_s,
        )
        try:
            if self._active >= self._max_sessions:
                log.warning(
                    "FastAGI: over the cap of %d sessions: route=%s uniqueid=%s not run",
                    self._max_sessions,
                    env.route,
                    env.uniqueid,
                )
                await self._fail_safe(channel)
                return
            self._active += 1
            try:
                await self._run_route(channel, task)
            finally:
                self._active -= 1
        finally:
            await self._close(reader, writer)

    async def _read_environment(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> AgiEnvironment | None:
        """The environment, or None after one WARNING line (and the connection is closed)."""
        try:
            async with asyncio.timeout(self._env_timeout_s):
                block = await reader.readuntil(_END_OF_ENVIRONMENT)
        except asyncio.IncompleteReadError as exc:
            log.warning(
                "FastAGI: %s closed after %d bytes, before the environment ended",
                peer,
                len(exc.partial),
            )
        except asyncio.LimitOverrunError:
            log.warning(
                "FastAGI: %s sent over %d bytes without ending the environment",
                peer,
                self._env_limit_bytes,
            )
        except TimeoutError:
            log.warning(
                "FastAGI: %s sent no complete environment within %.1f s", peer, self._env_timeout_s
            )
        except (ConnectionError, OSError) as exc:
            log.warning("FastAGI: %s: connection error before the environment ended: %r", peer, exc)
        else:
            try:
                return parse_environment(block)
            except AgiEnvironmentError as exc:
                await self._bad_environment(reader, writer, peer, block, exc)
                return None
        writer.transport.abort()
        return None

    async def _bad_environment(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: str,
        block: bytes,
        exc: AgiEnvironmentError,
    ) -> None:
        if not block.startswith(b"agi_"):
            log.warning("FastAGI: %s sent garbage instead of an environment: %s", peer, exc)
            writer.transport.abort()
            return
        # Asterisk itself, with a raw value that carried a newline: let the dialplan fall back.
        log.warning("FastAGI: %s sent a broken environment (%s); LINE_AGI_FAILED=1", peer, exc)
        # The rest of the block is still on the wire: replies cannot be matched to commands.
        channel = AgiChannel(environment_from_mapping({}), reader, writer, desynchronised=True)
        await self._fail_safe(channel)
        await self._close(reader, writer)

    async def _run_route(self, channel: AgiChannel, task: asyncio.Task[None]) -> None:
        env = channel.env
        route = self._routes.get(env.route)
        if route is None:
            log.error("FastAGI: unknown route %r uniqueid=%s", env.network_script, env.uniqueid)
            await self._fail_safe(channel)
            return
        try:
            async with asyncio.timeout(self._session_timeout_s) as deadline:
                self._deadlines[task] = deadline
                await route(channel)
        except ChannelHungUp:
            log.info("FastAGI: route=%s uniqueid=%s: the caller hung up", env.route, env.uniqueid)
        except NoReply as exc:
            # Closed: nothing more is sent; without LINE_AGI_DONE the dialplan falls back.
            log.warning("FastAGI: route=%s uniqueid=%s ended: %s", env.route, env.uniqueid, exc)
        except ChannelClosed as exc:
            log.info(
                "FastAGI: route=%s uniqueid=%s: connection closed (%s)",
                env.route,
                env.uniqueid,
                exc,
            )
        except TimeoutError:
            if deadline.expired():
                log.error(
                    "FastAGI: route=%s uniqueid=%s cut short (deadline of %.0f s or server stop)",
                    env.route,
                    env.uniqueid,
                    self._session_timeout_s,
                )
            else:
                log.exception("FastAGI: route=%s uniqueid=%s failed", env.route, env.uniqueid)
            await self._fail_safe(channel)
        except Exception:
            log.exception("FastAGI: route=%s uniqueid=%s failed", env.route, env.uniqueid)
            await self._fail_safe(channel)
        else:
            log.debug("FastAGI: route=%s uniqueid=%s done", env.route, env.uniqueid)
            await self._completed(channel)
        finally:
            self._deadlines.pop(task, None)

    async def _completed(self, channel: AgiChannel) -> None:
        """Tells the dialplan the route ran to its end (without the mark the dialplan takes
        its fallback, which still serves the caller)."""
        await self._last_word(channel, LINE_AGI_DONE, channel.set_variable)

    async def _fail_safe(self, channel: AgiChannel) -> None:
        """Tells the dialplan to fall back."""
        await self._last_word(channel, LINE_AGI_FAILED, channel.set_variable_after_failure)

    async def _last_word(
        self, channel: AgiChannel, name: str, setter: Callable[[str, str], Awaitable[None]]
    ) -> None:
        """``name`` = "1" on the channel, bounded in time; never raises."""
        if channel.closed:
            return
        try:
            async with asyncio.timeout(self._failsafe_timeout_s):
                await setter(name, "1")
        except (AgiError, TimeoutError, OSError) as exc:
            log.warning(
                "FastAGI: uniqueid=%s: could not set %s: %r", channel.env.uniqueid, name, exc
            )

    async def _close(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Asterisk answers our half-close with HANGUP and closes (``ivr.agi.streams``)."""
        await close_after_eof(reader, writer, self._close_timeout_s)


def _host_of(writer: asyncio.StreamWriter) -> str:
    peername = writer.get_extra_info("peername")
    return str(peername[0]) if isinstance(peername, tuple) else str(peername)
