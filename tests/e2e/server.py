"""The real app on a live uvicorn, beside a loopback AMI server playing recorded Asterisk traffic.

``LiveServer`` builds the app exactly as ``consult-line serve`` does (``consult_line.web``:
``build_background``, ``build_app``, ``HttpServer``) on a test database, with the AMI bridge
pointed at a ``FakeAmi`` and set to the recordings' harness queue and contexts (as the bridge
tests do). Everything runs in one thread with its own event loop, so a test — and a blocking
browser driver — reaches it over real sockets while it runs:

* ``LiveServer(engine, tmp_path, clock=...)``: the app's clock is the system's unless a test
  passes its own (recorded traffic replayed at the time it was recorded);
* ``base_url``: ``http://127.0.0.1:PORT``; test pages of ``tests/e2e/pages/`` are at ``/e2e/``;
* ``push(raw)``: AMI bytes written to the bridge's socket (``capture_part`` cuts recordings),
  returning the moment of the write;
* ``call(fn)``, ``run(coro_fn)``: run code in the server's loop (publish on the bus, read
  state); ``wait_until(predicate)`` polls such a read;
* ``stop_http()``, ``start_http()``: stop and start the HTTP server alone, on the same port
  (the background parts and the live bus keep running), as a restarted server looks to a page.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TypeVar

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.staticfiles import StaticFiles

from agent_console.live_stream import LiveFeed, live_feed
from ami.bridge import AmiBridge
from ami.bus import LiveBus
from ami.cdr import CAPTURES_DIALPLAN
from ami.pg_relay import DEFAULT_CHANNEL, PgNotifyRelay
from consult_line.clock import Clock, system_clock
from consult_line.lifespan import Background, build_background
from consult_line.web import HttpServer, build_app
from consult_line.wiring import Services
from models.settings import Settings
from models.tables import Role
from tests.agent_console.console import CHEAP, PASSWORD, alert, form_token
from tests.ami.captures import HARNESS_CONTEXTS
from tests.ami.fake_ami import FakeAmi, empty_list
from tests.asterisk_captures import Kind, capture_bytes
from tests.factories import add_user

T = TypeVar("T")

PAGES = Path(__file__).resolve().parent / "pages"
HARNESS_QUEUE = "consult"  # the recordings' queue (tests/fixtures/asterisk/etc/queues.conf)
START_TIMEOUT_S = 30.0
CALL_TIMEOUT_S = 10.0
# uvicorn waits for open responses before it stops: a stream left open would hang here.
HTTP_STOP_TIMEOUT_S = 10.0


def capture_part(name: str, *, until: str | None = None, after: str | None = None) -> bytes:
    """The events of recording ``name`` (banner and responses left out), up to and including
    the first ``Event: until``, or those after the first ``Event: after``."""
    blocks = [
        b for b in capture_bytes(name, Kind.AMI).split(b"\r\n\r\n") if b.startswith(b"Event: ")
    ]
    names = [block.split(b"\r\n", 1)[0].removeprefix(b"Event: ").decode() for block in blocks]
    if until is not None:
        blocks = blocks[: names.index(until) + 1]
    elif after is not None:
        blocks = blocks[names.index(after) + 1 :]
    return b"".join(block + b"\r\n\r\n" for block in blocks)


def _listening_socket(port: int = 0) -> socket.socket:
    # SO_REUSEADDR: the same port again right after a stop. IPPROTO_TCP named, as uvicorn's
    # own sockets have it: asyncio sets TCP_NODELAY only on sockets that name it, and
    # without it a keep-alive connection's next response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen()
    return sock


class LiveServer:
    def __init__(self, engine: Engine, tmp_path: Path, clock: Clock = system_clock) -> None:
        self._engine = engine
        self._tmp_path = tmp_path
        self._clock = clock
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stopping: asyncio.Event | None = None
        self._http: HttpServer | None = None
        self._http_task: asyncio.Task[None] | None = None
        self.port = 0
        self.ami = FakeAmi()
        self.app: FastAPI | None = None
        self.background: Background | None = None
        self._numbers = itertools.count(501)

    # ------------------------------------------------------------------ what tests use

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_user(self, login: str, *roles: Role, password: str = PASSWORD) -> int:
        """An employee of their own with a console account; returns the employee's id."""
        return add_user(
            self._engine,
            login,
            roles,
            number=str(next(self._numbers)),
            password_hash=CHEAP.hash(password),
            now=self._clock(),
        )

    def signed_in(self, client: httpx.Client, login: str, password: str = PASSWORD) -> None:
        """Signs ``client`` in through the sign-in form (its cookie jar keeps the session)."""
        form = client.get(self.url("/sign-in"))
        token = form_token(form)
        response = client.post(
            self.url("/sign-in"),
            data={"login": login, "password": password, "csrf_token": token, "next": "/"},
            follow_redirects=False,
        )
        assert response.status_code == 303, alert(response)

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def bus(self) -> LiveBus:
        assert self.background is not None
        return self.background.bus

    @property
    def bridge(self) -> AmiBridge:
        assert self.background is not None
        assert self.background.bridge is not None
        return self.background.bridge

    @property
    def feed(self) -> LiveFeed:
        assert self.app is not None
        feed = live_feed(self.app)
        assert feed is not None
        return feed

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` in the server's event loop (what touches the bus or the bridge must)."""

        async def run() -> T:
            return fn()

        return self.run(run)

    def run(self, coro_fn: Callable[[], Awaitable[T]], timeout: float = CALL_TIMEOUT_S) -> T:
        assert self._loop is not None, "the server is not running"

        async def bounded() -> T:
            async with asyncio.timeout(timeout):
                return await coro_fn()

        future: Future[T] = asyncio.run_coroutine_threadsafe(bounded(), self._loop)
        return future.result(timeout + 1)

    def push(self, raw: bytes) -> float:
        """AMI bytes written to the bridge's socket, as Asterisk sends them; returns the moment
        (``time.time()``, in the server's loop) just before the write."""

        async def push() -> float:
            at = time.time()
            await self.ami.push(raw)
            return at

        return self.run(push)

    def wait_until(self, predicate: Callable[[], bool], timeout: float = CALL_TIMEOUT_S) -> None:
        """Polls ``predicate`` in the server's loop until it holds; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while not self.call(predicate):
            if time.monotonic() > deadline:
                raise TimeoutError(f"still not so after {timeout} s: {predicate}")
            time.sleep(0.02)

    def stop_http(self) -> None:
        self.run(self._stop_http, timeout=HTTP_STOP_TIMEOUT_S)

    def start_http(self) -> None:
        self.run(self._start_http)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> LiveServer:
        self._thread = threading.Thread(target=self._main, name="e2e live server", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise TimeoutError("the live server did not start")
        if self._error is not None:
            raise RuntimeError("the live server did not start") from self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(START_TIMEOUT_S)
            assert not self._thread.is_alive(), "the live server did not stop"
        if self._error is not None:
            raise RuntimeError("the live server failed") from self._error

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:
            self._error = exc
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self.ami.reply("coreshowchannels", empty_list("CoreShowChannelsComplete"))
        self.ami.reply("queuestatus", empty_list("QueueStatusComplete"))
        async with self.ami:
            with _listening_socket() as http_probe, _listening_socket() as agi_probe:
                self.port = http_probe.getsockname()[1]
                agi_port = agi_probe.getsockname()[1]
            settings = self.settings(agi_port)
            services = Services(settings=settings, engine=self._engine, clock=self._clock)
            self.background = self.build_background(services)
            if self.background.relay is not None:
                # PostgreSQL: a channel of its own, so that other test runs' processes on the
                # same server publish nothing into this bus.
                channel = f"{DEFAULT_CHANNEL}_{uuid.uuid4().hex[:12]}"
                relay = PgNotifyRelay(self.background.bus, settings.database_url, channel=channel)
                self.background = dataclasses.replace(self.background, relay=relay)
            self.app = build_app(services, self.background)
            self.app.mount("/e2e", StaticFiles(directory=PAGES), name="e2e-pages")
            # The app's own lifespan (the AMI bridge, FastAGI, the scheduler), entered here
            # rather than by uvicorn, so that the HTTP server alone can stop and start again.
            async with self.app.router.lifespan_context(self.app):
                await self.bridge.connection.wait_logged_in(timeout=START_TIMEOUT_S)
                await self._start_http()
                self._ready.set()
                try:
                    await self._stopping.wait()
                finally:
                    await self._stop_http()

    def settings(self, agi_port: int) -> Settings:
        """The app's settings: the test database, its ports, the loopback AMI's account."""
        return Settings(
            database_url=self._engine.url.render_as_string(hide_password=False),
            http_port=self.port,
            agi_port=agi_port,
            ami_port=self.ami.port,
            ami_username=self.ami.username,
            ami_secret=self.ami.secret,  # type: ignore[arg-type]
            queue_log_path=self._tmp_path / "queue_log",
            cdr_path=None,
        )

    def build_background(self, services: Services) -> Background:
        """The background parts as ``serve`` builds them, the bridge set to the recordings'
        harness queue and contexts."""
        return build_background(
            services,
            queue=HARNESS_QUEUE,
            line_contexts=HARNESS_CONTEXTS,
            dialplan=CAPTURES_DIALPLAN,
        )

    async def _start_http(self) -> None:
        assert self.app is not None
        config = uvicorn.Config(
            self.app,
            lifespan="off",
            log_config=None,  # leave logging to pytest
            access_log=False,
        )
        self._http = HttpServer(config, live=self.feed)
        sock = _listening_socket(self.port)
        self._http_task = asyncio.create_task(self._http.serve(sockets=[sock]))
        while not self._http.started:
            if self._http_task.done():
                self._http_task.result()
                raise RuntimeError("uvicorn stopped while starting")
            await asyncio.sleep(0.01)

    async def _stop_http(self) -> None:
        http, task = self._http, self._http_task
        self._http = self._http_task = None
        if http is None or task is None:
            return
        http.should_exit = True
        await task

    # ------------------------------------------------------------------ for diagnostics

    def tasks(self) -> list[str]:
        """Names of the server loop's tasks (to check that nothing was left behind)."""

        def names() -> list[str]:
            return sorted(task.get_name() for task in asyncio.all_tasks())

        return self.call(names)
