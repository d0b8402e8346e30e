"""The live bus never lets a slow console hold up the AMI bridge."""

from __future__ import annotations

import logging

import pytest

from ami.bus import LiveBus, LiveMessage


async def test_subscriber_receives_only_its_topics_in_order() -> None:
    bus = LiveBus()
    async with bus.subscribe("queue") as queue_view, bus.subscribe() as everything:
        bus.publish("queue", {"waiting": 1})
        bus.publish("operators", {"ready": 2})
        bus.publish("queue", {"waiting": 0})
        assert [(await queue_view.next()).payload["waiting"] for _ in range(2)] == [1, 0]
        assert [(await everything.next()).topic for _ in range(3)] == [
            "queue",
            "operators",
            "queue",
        ]


async def test_slow_subscriber_loses_oldest_messages_and_counts_them() -> None:
    bus = LiveBus(queue_size=3)
    async with bus.subscribe() as slow:
        for n in range(5):
            bus.publish("calls", {"n": n})
        assert slow.dropped == 2
        assert [(await slow.next()).payload["n"] for _ in range(3)] == [2, 3, 4]


async def test_leaving_subscriber_is_forgotten() -> None:
    bus = LiveBus()
    async with bus.subscribe():
        assert bus.subscribers == 1
    assert bus.subscribers == 0
    bus.publish("calls", {})  # nobody listening: nothing to deliver, nothing raised
    assert bus.published == 1


async def test_forwarder_sees_every_message_and_whether_it_was_relayed() -> None:
    bus = LiveBus()
    seen: list[tuple[str, bool]] = []

    def forward(message: LiveMessage, relayed: bool) -> None:
        seen.append((message.topic, relayed))

    bus.add_forwarder(forward)
    async with bus.subscribe() as everything:
        bus.publish("queue", {"waiting": 1})
        bus.publish("operators", {"ready": 2}, relayed=True)
        assert [(await everything.next()).topic for _ in range(2)] == ["queue", "operators"]
    assert seen == [("queue", False), ("operators", True)]
    assert bus.forwarders == 1
    bus.remove_forwarder(forward)
    bus.remove_forwarder(forward)  # twice: harmless
    bus.publish("queue", {"waiting": 0})
    assert len(seen) == 2
    assert bus.forwarders == 0


async def test_failing_forwarder_never_breaks_publishing(caplog: pytest.LogCaptureFixture) -> None:
    bus = LiveBus()
    seen: list[str] = []

    def broken(message: LiveMessage, relayed: bool) -> None:
        raise RuntimeError("database gone")

    bus.add_forwarder(broken)
    bus.add_forwarder(lambda message, relayed: seen.append(message.topic))
    with caplog.at_level(logging.ERROR, logger="ami.bus"):
        async with bus.subscribe() as everything:
            bus.publish("calls", {"n": 1})
            assert (await everything.next()).payload == {"n": 1}
    assert seen == ["calls"]
    assert "forwarder" in caplog.text
