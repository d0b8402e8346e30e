"""The in-process live bus: the AMI bridge publishes, the console's SSE streams subscribe.

Each subscriber has a bounded queue. A subscriber that stops reading (a browser tab left in
the background) loses its oldest messages instead of holding up the bridge or the others;
the number lost is kept so the console can reload its snapshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

DEFAULT_QUEUE_SIZE = 1000


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


class LiveBus:
    """Publish from the event loop's thread; subscribers read with ``async for``."""

    def __init__(self, *, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._subscriptions: set[Subscription] = set()
        self.published = 0

    @property
    def subscribers(self) -> int:
        return len(self._subscriptions)

    def publish(self, topic: str, payload: Mapping[str, Any]) -> None:
        message = LiveMessage(topic, payload)
        self.published += 1
        for subscription in self._subscriptions:
            if subscription.wants(topic):
                subscription.offer(message)

    @asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[Subscription]:
        subscription = Subscription(asyncio.Queue(self._queue_size), topics=frozenset(topics))
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)
