"""The in-process live bus: the AMI bridge publishes, the console's SSE streams subscribe.

Each subscriber has a bounded queue. A subscriber that stops reading (a browser tab left in
the background) loses its oldest messages instead of holding up the bridge or the others;
the number lost is kept so the console can reload its snapshot.

Forwarders (``add_forwarder``) see every published message synchronously, after the local
subscribers; ``ami.pg_relay`` uses one to pass messages to other processes. A message that a
relay brought in from elsewhere is published with ``relayed=True`` so no relay sends it on
again. A failing forwarder is logged and never breaks publishing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

DEFAULT_QUEUE_SIZE = 1000

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveMessage:
    topic: str  # e.g. "queue", "operators", "calls", "ami"
    payload: Mapping[str, Any]


@dataclass(eq=False)
class Subscription:
    queue: asyncio.Queue[LiveMessage]
    dropped: int = 0
    topics: frozenset[str] = field(default_factory=frozenset)  # empty = every topic

    def wants(self, topic: str) -> bool:
        return not self.topics or topic in self.topics

    def offer(self, message: LiveMessage) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(message)

    async def next(self) -> LiveMessage:
        return await self.queue.get()


# Called with the message and whether it came in through a relay (``publish(relayed=True)``).
Forwarder = Callable[[LiveMessage, bool], None]


class LiveBus:
    """Publish from the event loop's thread; subscribers read with ``async for``."""

    def __init__(self, *, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._subscriptions: set[Subscription] = set()
        self._forwarders: list[Forwarder] = []
        self.published = 0

    @property
    def subscribers(self) -> int:
        return len(self._subscriptions)

    @property
    def forwarders(self) -> int:
        return len(self._forwarders)

    def publish(self, topic: str, payload: Mapping[str, Any], *, relayed: bool = False) -> None:
        message = LiveMessage(topic, payload)
        self.published += 1
        for subscription in self._subscriptions:
            if subscription.wants(topic):
                subscription.offer(message)
        for forwarder in tuple(self._forwarders):
            try:
                forwarder(message, relayed)
            except Exception:
                log.exception("live bus forwarder %r failed on topic %r", forwarder, topic)

    def add_forwarder(self, forwarder: Forwarder) -> None:
        """Call ``forwarder(message, relayed)`` on every publish; it must not block."""
        self._forwarders.append(forwarder)

    def remove_forwarder(self, forwarder: Forwarder) -> None:
        if forwarder in self._forwarders:
            self._forwarders.remove(forwarder)

    @asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[Subscription]:
        subscription = Subscription(asyncio.Queue(self._queue_size), topics=frozenset(topics))
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)
