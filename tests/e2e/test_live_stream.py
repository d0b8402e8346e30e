"""``GET /live/events`` over real HTTP: the app on a live uvicorn, a real live bus fed by the AMI
bridge from recorded Asterisk traffic, read with httpx as a browser's EventSource reads it."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from agent_console.live_stream import KEEPALIVE_FRAME, RETRY_MS
from ami.pg_relay import RELOAD_PAYLOAD
from models.db import session_scope
from models.tables import Employee, Role
from tests.e2e.server import LiveServer, capture_part
from tests.e2e.sse import SseReader

CALLER = "79281234567"
OPERATOR = "Local/agent1@harness-agents"
TIMEOUT = httpx.Timeout(10.0)


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    """A signed-in supervisor's HTTP client: they see the whole line."""
    live_server.add_user("supervisor", Role.SUPERVISOR)
    with httpx.Client(timeout=TIMEOUT) as http:
        live_server.signed_in(http, "supervisor")
        yield http


@contextmanager
def operator_client(
    live_server: LiveServer, login: str, device: str
) -> Iterator[tuple[httpx.Client, str]]:
    """A signed-in operator whose phone is ``device``, and their internal number."""
    employee_id = live_server.add_user(login, Role.OPERATOR)
    with session_scope(live_server.engine) as session:
        employee = session.get(Employee, employee_id)
        assert employee is not None
        employee.device = device
        number = employee.internal_number
    with httpx.Client(timeout=TIMEOUT) as http:
        live_server.signed_in(http, login)
        yield http, number


def _waiting(payload: Mapping[str, Any]) -> list[str]:
    return [call["caller_num"] for call in payload["waiting"]]


def test_a_stream_starts_with_a_snapshot_of_each_topic_then_sends_every_change(
    live_server: LiveServer, client: httpx.Client
) -> None:
    url = live_server.url("/live/events?topics=queue,ami")
    with client.stream("GET", url) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        frames = SseReader(response)
        retry = next(frames)
        assert retry.lines == (f"retry: {RETRY_MS}",)
        queue, ami = next(frames), next(frames)
        assert queue.lines[:2] == ("id: 1", "event: queue")
        assert queue.snapshot
        assert queue.payload == {"waiting": [], "operators": []}
        assert (ami.id, ami.event, ami.snapshot) == (2, "ami", True)
        assert ami.payload["state"] == "logged_in"
        assert ami.payload["label"] == "Связь с Asterisk есть"

        # A recorded call: the caller joins the queue, then an operator answers.
        live_server.push(capture_part("a-answered", until="QueueCallerJoin"))
        joined = frames.next_event()
        assert (joined.id, joined.event, joined.snapshot) == (3, "queue", False)
        assert _waiting(joined.payload) == [CALLER]
        live_server.push(capture_part("a-answered", after="QueueCallerJoin"))
        updates = [frames.next_event()]
        while _waiting(updates[-1].payload):
            updates.append(frames.next_event())
        assert all(frame.event == "queue" and not frame.snapshot for frame in updates)
        assert [frame.id for frame in updates] == list(range(4, 4 + len(updates)))
        operators = updates[-1].payload["operators"]
        assert [op["interface"] for op in operators] == [OPERATOR]


def test_reconnecting_redraws_from_a_snapshot_of_the_state_as_it_is_now(
    live_server: LiveServer, client: httpx.Client
) -> None:
    live_server.push(capture_part("a-answered", until="QueueCallerJoin"))
    live_server.wait_until(lambda: bool(live_server.bridge.live_snapshot()["waiting"]))
    with client.stream("GET", live_server.url("/live/events?topics=operators")) as response:
        frames = SseReader(response)
        snapshot = frames.next_event()
        assert (snapshot.event, snapshot.snapshot) == ("operators", True)
        assert _waiting(snapshot.payload) == [CALLER]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("", "Не указаны темы обновлений"),
        ("?topics=", "Не указаны темы обновлений"),
        ("?topics=queue,calls", "Неизвестные темы обновлений: calls (доступны: ami, callbacks"),
    ],
)
def test_missing_or_unknown_topics_are_refused_in_russian(
    live_server: LiveServer, client: httpx.Client, query: str, detail: str
) -> None:
    before = live_server.call(lambda: live_server.bus.subscribers)
    response = client.get(live_server.url(f"/live/events{query}"))
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert live_server.call(lambda: live_server.bus.subscribers) == before


def test_a_stream_that_fell_behind_gets_snapshots_again_instead_of_a_gap(
    live_server: LiveServer, client: httpx.Client
) -> None:
    with client.stream("GET", live_server.url("/live/events?topics=queue,callbacks")) as response:
        frames = SseReader(response)
        assert [frames.next_event().event for _ in range(2)] == ["queue", "callbacks"]

        def burst() -> None:
            # More than the bus keeps for one subscriber, in one turn of the loop: the stream
            # cannot keep up, its oldest messages are dropped.
            for number in range(1500):
                live_server.bus.publish("callbacks", {"kind": "burst", "n": number})

        live_server.call(burst)
        resent = [frames.next_event(), frames.next_event()]
        assert [(f.event, f.snapshot) for f in resent] == [("queue", True), ("callbacks", True)]
        assert resent[0].payload == {"waiting": [], "operators": []}
        assert resent[1].payload == RELOAD_PAYLOAD  # callbacks: re-read through the API
        assert [f.id for f in resent] == [3, 4]
        # Nothing of the burst follows the snapshots: the next event is the next message.
        live_server.call(lambda: live_server.bus.publish("callbacks", {"kind": "after"}))
        after = frames.next_event()
        assert (after.event, after.snapshot, after.payload) == (
            "callbacks",
            False,
            {"kind": "after"},
        )
    assert live_server.call(lambda: live_server.feed.resent) == 1


def test_a_reload_notice_from_another_process_becomes_a_fresh_snapshot(
    live_server: LiveServer, client: httpx.Client
) -> None:
    with client.stream("GET", live_server.url("/live/events?topics=queue,transfers")) as response:
        frames = SseReader(response)
        assert [frames.next_event().event for _ in range(2)] == ["queue", "transfers"]
        live_server.call(lambda: live_server.bus.publish("queue", RELOAD_PAYLOAD, relayed=True))
        fresh = frames.next_event()
        assert (fresh.event, fresh.snapshot) == ("queue", True)
        assert fresh.payload == {"waiting": [], "operators": []}
        live_server.call(lambda: live_server.bus.publish("transfers", RELOAD_PAYLOAD, relayed=True))
        reload = frames.next_event()
        assert (reload.event, reload.snapshot, reload.payload) == (
            "transfers",
            True,
            RELOAD_PAYLOAD,
        )


def test_keep_alive_comments_while_nothing_happens(
    live_server: LiveServer, client: httpx.Client
) -> None:
    live_server.call(lambda: setattr(live_server.feed, "keepalive_s", 0.05))
    with client.stream("GET", live_server.url("/live/events?topics=ami")) as response:
        frames = SseReader(response)
        assert next(frames).fields == {"retry": str(RETRY_MS)}
        assert next(frames).event == "ami"
        comments = [next(frames) for _ in range(3)]
        assert all(frame.lines == (KEEPALIVE_FRAME.strip(),) for frame in comments)
        live_server.call(lambda: live_server.bus.publish("ami", {"state": "x"}))
        assert next(f for f in frames if not f.comment).payload == {"state": "x"}


def test_the_stream_ends_when_the_client_goes_away_and_leaves_nothing_behind(
    live_server: LiveServer, client: httpx.Client
) -> None:
    subscribers = live_server.call(lambda: live_server.bus.subscribers)
    with client.stream("GET", live_server.url("/live/events?topics=queue")) as response:
        frames = SseReader(response)  # kept: closing its line iterator closes the response
        frames.next_event()
        assert live_server.call(lambda: live_server.feed.streams) == 1
        assert live_server.call(lambda: live_server.bus.subscribers) == subscribers + 1
        assert _stream_tasks(live_server) == ["live stream: closing", "live stream: next message"]
    live_server.wait_until(lambda: live_server.feed.streams == 0)
    assert live_server.call(lambda: live_server.bus.subscribers) == subscribers
    assert _stream_tasks(live_server) == []


def _stream_tasks(live_server: LiveServer) -> list[str]:
    return [name for name in live_server.tasks() if name.startswith("live stream")]


def test_stopping_the_server_ends_open_streams_and_a_restarted_one_serves_again(
    live_server: LiveServer, client: httpx.Client
) -> None:
    url = live_server.url("/live/events?topics=queue")
    with client.stream("GET", url) as response:
        frames = SseReader(response)
        frames.next_event()
        # uvicorn waits for open responses before it stops; the feed ends them first.
        live_server.stop_http()
        assert list(frames) == []  # the stream ended cleanly, nothing after it
    assert live_server.call(lambda: live_server.feed.streams) == 0
    with pytest.raises(httpx.ConnectError):
        client.get(live_server.url("/health"))
    live_server.start_http()
    with client.stream("GET", url) as response:
        assert SseReader(response).next_event().snapshot


def test_an_operator_sees_their_own_phone_and_the_queue_without_callers_numbers(
    live_server: LiveServer,
) -> None:
    url = live_server.url("/live/events?topics=queue,callbacks,supervisor")
    with (
        operator_client(live_server, "agent1", OPERATOR) as (agent1, _),
        operator_client(live_server, "other", "PJSIP/999") as (other, other_number),
        agent1.stream("GET", url) as mine,
        other.stream("GET", url) as theirs,
    ):
        own, others = SseReader(mine), SseReader(theirs)
        for frames in (own, others):
            snapshots = [frames.next_event() for _ in range(2)]
            assert [f.event for f in snapshots] == ["queue", "callbacks"]  # no "supervisor"

        live_server.push(capture_part("a-answered", until="QueueCallerJoin"))
        for frames in (own, others):
            waiting = frames.next_event().payload["waiting"]
            assert len(waiting) == 1
            assert set(waiting[0]) == {"uniqueid", "linkedid", "topic", "wait_s"}
            assert CALLER not in json.dumps(waiting)

        live_server.push(capture_part("a-answered", after="QueueCallerJoin"))
        live_server.wait_until(lambda: not live_server.bridge.live_snapshot()["waiting"])
        live_server.call(
            lambda: live_server.bus.publish("supervisor", {"kind": "training_refusal"})
        )
        for owner in ("", other_number):
            notice = {"kind": "window_opens", "task_id": 7, "phone": CALLER, "owner": owner}
            live_server.call(lambda n=notice: live_server.bus.publish("callbacks", n))
        live_server.call(lambda: live_server.bus.publish("callbacks", {"kind": "end"}))

        def seen(frames: SseReader) -> list[tuple[str, Any]]:
            events = [frames.next_event()]
            while events[-1].payload != {"kind": "end"}:
                events.append(frames.next_event())
            return [(f.event, f.payload) for f in events]

        mine_seen, theirs_seen = seen(own), seen(others)
        assert "supervisor" not in {event for event, _ in mine_seen + theirs_seen}
        own_lines = [p["operators"] for e, p in mine_seen if e == "queue"]
        assert [op["interface"] for op in own_lines[-1]] == [OPERATOR]
        assert all(p["operators"] == [] for e, p in theirs_seen if e == "queue")
        # A window opening: the owner and the tasks nobody owns, nobody else's.
        owners = [p["owner"] for e, p in theirs_seen if p.get("kind") == "window_opens"]
        assert owners == ["", other_number]
        assert [p["owner"] for e, p in mine_seen if p.get("kind") == "window_opens"] == [""]
