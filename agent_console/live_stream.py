"""The console's live updates as server-sent events (SSE), from the live bus (``ami.bus``).

A page opens ``GET /live/events?topics=queue,ami`` (``agent_console.routes.live``) with
``EventSource`` (``agent_console/static/live.js``). The stream is:

* a ``retry:`` hint (how long the browser waits before it reconnects);
* at once, a **snapshot** of every subscribed topic, so a page that (re)connects redraws from
  scratch and never has to replay what it missed;
* then every message the bus publishes on those topics, as it comes;
* a comment (``: keep-alive``) after every ``keepalive_s`` without a message, so proxies keep
  the connection open and a vanished client is noticed when the write fails.

Each event is ``id: N`` (counting from 1 within the stream), ``event: TOPIC`` and one
``data:`` line, the JSON ``{"snapshot": bool, "payload": {...}}``. A topic's snapshot comes
from its provider (``LiveFeed.topics``), called in the event loop: a quick in-memory read such
as the AMI bridge's live state. A topic without one (events such as ``callbacks``, whose state
is in the database) gets ``{"reload": true}`` as its snapshot: the page re-reads it through
the HTTP API. A reload notice relayed from another process (``ami.pg_relay.RELOAD_PAYLOAD``)
is sent the same way, as a snapshot, or as the provider's fresh one when the topic has one.

**Nothing is lost silently.** A stream that falls behind (a slow client: its bus queue
overflowed, ``Subscription.dropped`` grew) throws away what is queued and sends every topic's
snapshot again instead.

**Who sees what.** Every payload, snapshots included, passes through the stream's
``LiveFilter``: it returns the payload, a narrowed copy (an operator's own device only), or
``None`` to leave the message out. The route takes it from the viewer.

**Ending.** The stream ends when the client disconnects (Starlette cancels it; the
subscription and the helper task go with it) and when the HTTP server shuts down: uvicorn
waits for every open response before it stops, and an event stream never ends by itself, so
the server calls ``LiveFeed.close()`` first (``consult_line.web.HttpServer``) and every stream
says goodbye and returns. ``open()`` lets new streams in again (a restarted server).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
from typing import Any, Final

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.responses import StreamingResponse

from ami.bus import LiveBus, LiveMessage, Subscription
from ami.pg_relay import RELOAD_PAYLOAD

log = logging.getLogger(__name__)

# A topic's current picture; None: the topic has none in memory (the page reloads it).
Snapshot = Callable[[], Mapping[str, Any]]
# What one viewer may see of a message: the payload, a narrowed copy, or None (left out).
LiveFilter = Callable[[str, Mapping[str, Any]], Mapping[str, Any] | None]

KEEPALIVE_S: Final = 15.0
RETRY_MS: Final = 3000
MEDIA_TYPE: Final = "text/event-stream"
HEADERS: Final[Mapping[str, str]] = {
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",  # nginx: pass each event on at once
}
KEEPALIVE_FRAME: Final = ": keep-alive\n\n"


def everything(_topic: str, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The filter of a viewer who may see every message (until sign-in supplies viewers)."""
    return payload


def event_frame(event_id: int, topic: str, payload: Mapping[str, Any], *, snapshot: bool) -> str:
    """One SSE event. The JSON has no raw line breaks (``json.dumps`` escapes them), so it is
    always one ``data:`` line."""
    data = json.dumps(
        {"snapshot": snapshot, "payload": payload},
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return f"id: {event_id}\nevent: {topic}\ndata: {data}\n\n"


def retry_frame(retry_ms: int) -> str:
    return f"retry: {retry_ms}\n\n"


class LiveFeed:
    """The topics a page may subscribe to and the streams serving them; one per web app."""

    def __init__(
        self,
        bus: LiveBus,
        topics: Mapping[str, Snapshot | None],
        *,
        keepalive_s: float = KEEPALIVE_S,
        retry_ms: int = RETRY_MS,
    ) -> None:
        if keepalive_s <= 0:
            raise ValueError("keepalive_s must be positive")
        self.bus = bus
        self.topics: Mapping[str, Snapshot | None] = dict(topics)
        self.keepalive_s = keepalive_s
        self.retry_ms = retry_ms
        self._closing = asyncio.Event()
        self.streams = 0  # open right now
        self.resent = 0  # snapshots sent again to streams that fell behind

    # ------------------------------------------------------------------ lifecycle

    @property
    def closed(self) -> bool:
        return self._closing.is_set()

    def close(self) -> None:
        """Ends every open stream and refuses new ones (the server is shutting down)."""
        self._closing.set()

    def open(self) -> None:
        """Lets streams in again after ``close`` (the server started anew)."""
        if self._closing.is_set():
            self._closing = asyncio.Event()

    # ------------------------------------------------------------------ the HTTP side

    def parse_topics(self, text: str) -> tuple[str, ...]:
        """``queue,ami`` → the topics in the order given, each once; HTTP 400 in Russian for
        none or an unknown one."""
        wanted = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
        known = ", ".join(sorted(self.topics))
        if not wanted:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST,
                f"Не указаны темы обновлений: ?topics=тема,тема (доступны: {known}).",
            )
        unknown = [topic for topic in wanted if topic not in self.topics]
        if unknown:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST,
                f"Неизвестные темы обновлений: {', '.join(unknown)} (доступны: {known}).",
            )
        return wanted

    def response(self, topics: Collection[str], view: LiveFilter = everything) -> StreamingResponse:
        return StreamingResponse(
            self.stream(topics, view), media_type=MEDIA_TYPE, headers=dict(HEADERS)
        )

    # ------------------------------------------------------------------ the stream

    async def stream(
        self, topics: Collection[str], view: LiveFilter = everything
    ) -> AsyncIterator[str]:
        """The SSE text of one client's stream (see the module's docstring)."""
        unknown = set(topics) - set(self.topics)
        if unknown:
            raise ValueError(f"unknown live topics: {sorted(unknown)}")
        closing = self._closing
        if closing.is_set():
            yield retry_frame(self.retry_ms)
            return
        async with self.bus.subscribe(*topics) as subscription:
            self.streams += 1
            closed = asyncio.create_task(closing.wait(), name="live stream: closing")
            receiving: asyncio.Task[LiveMessage] | None = None
            try:
                counter = _Counter()
                # Taken in the same loop turn as the subscription: every queued message is
                # newer than the snapshot.
                first = retry_frame(self.retry_ms) + self._snapshots(topics, view, counter)
                yield first
                seen_dropped = 0
                while True:
                    if receiving is None:
                        receiving = asyncio.create_task(
                            subscription.next(), name="live stream: next message"
                        )
                    done, _ = await asyncio.wait(
                        (receiving, closed),
                        timeout=self.keepalive_s,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    if closed in done:
                        return
                    if receiving not in done:
                        yield KEEPALIVE_FRAME
                        continue
                    message = receiving.result()
                    receiving = None
                    if subscription.dropped != seen_dropped:
                        # Fell behind: what is queued is older than a snapshot taken now.
                        seen_dropped = subscription.dropped
                        _drain(subscription)
                        self.resent += 1
                        log.info(
                            "живые обновления: клиент отстал (потеряно %d), снова снимки",
                            seen_dropped,
                        )
                        yield self._snapshots(topics, view, counter)
                        continue
                    frame = self._frame(message.topic, message.payload, view, counter)
                    if frame:
                        yield frame
            finally:
                for task in (receiving, closed):
                    if task is not None:
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
                self.streams -= 1

    def _snapshots(self, topics: Iterable[str], view: LiveFilter, counter: _Counter) -> str:
        frames = []
        for topic in topics:
            provider = self.topics[topic]
            payload = RELOAD_PAYLOAD if provider is None else provider()
            frames.append(self._filtered(topic, payload, view, counter, snapshot=True))
        return "".join(frames)

    def _frame(
        self, topic: str, payload: Mapping[str, Any], view: LiveFilter, counter: _Counter
    ) -> str:
        if payload == RELOAD_PAYLOAD:
            provider = self.topics.get(topic)
            fresh = RELOAD_PAYLOAD if provider is None else provider()
            return self._filtered(topic, fresh, view, counter, snapshot=True)
        return self._filtered(topic, payload, view, counter, snapshot=False)

    @staticmethod
    def _filtered(
        topic: str,
        payload: Mapping[str, Any],
        view: LiveFilter,
        counter: _Counter,
        *,
        snapshot: bool,
    ) -> str:
        seen = view(topic, payload)
        if seen is None:
            return ""
        return event_frame(counter.next(), topic, seen, snapshot=snapshot)


class _Counter:
    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def _drain(subscription: Subscription) -> None:
    while not subscription.queue.empty():
        subscription.queue.get_nowait()


# ---------------------------------------------------------------------- the app's feed


def install(app: FastAPI, feed: LiveFeed) -> None:
    """Gives ``app`` its live feed (the composition root calls this after ``create_app``)."""
    app.state.live_feed = feed


def live_feed(app: FastAPI) -> LiveFeed | None:
    feed = getattr(app.state, "live_feed", None)
    return feed if isinstance(feed, LiveFeed) else None


def get_live_feed(request: Request) -> LiveFeed:
    feed = live_feed(request.app)
    if feed is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "Живые обновления в этой службе не включены."
        )
    return feed
