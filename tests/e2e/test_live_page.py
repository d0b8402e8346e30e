"""The live page in Chromium: recorded Asterisk traffic through the loopback AMI, the bridge, the
live bus and the event stream, drawn by live.js."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from agent_console.live_stream import LiveFeed, get_live_feed
from models.tables import Role
from tests.e2e.browser import Page
from tests.e2e.server import LiveServer, capture_part

CALLER = "79281234567"  # the caller of every recording


@pytest.fixture
def page_user() -> tuple[str, Role]:
    """The whole line's picture, callers' numbers included, is a supervisor's view."""
    return ("supervisor", Role.SUPERVISOR)


def test_a_caller_from_recorded_traffic_appears_in_the_queue_and_leaves_it(
    live_server: LiveServer, page: Page
) -> None:
    page.open("/e2e/live.html")
    page.wait_text("#ami", "Связь с Asterisk есть")
    page.wait_text("#waiting-count", "0")
    live_server.push(capture_part("a-answered", until="QueueCallerJoin"))
    page.wait_text("#waiting", CALLER)
    live_server.push(capture_part("a-answered", after="QueueCallerJoin"))
    page.wait_text("#waiting-count", "0")
    page.wait_text("#operators", "agent1")
    assert CALLER not in page.text("#waiting")


def test_the_page_says_when_the_server_is_gone_and_redraws_from_a_snapshot_when_back(
    live_server: LiveServer, page: Page
) -> None:
    live_server.call(lambda: setattr(live_server.feed, "retry_ms", 200))  # the browser's pause
    page.open("/e2e/live.html")
    page.wait_text("#ami", "Связь с Asterisk есть")
    live_server.push(capture_part("a-answered", until="QueueCallerJoin"))
    page.wait_text("#waiting", CALLER)
    assert not page.visible("#live-offline")

    live_server.stop_http()  # the stream ends, the server is away
    page.wait(lambda: page.visible("#live-offline"), "the offline notice")
    assert page.text("#live-offline") == "Нет связи с сервером, переподключение…"
    assert page.script("return document.documentElement.dataset.live") == "offline"
    # Meanwhile the operator answers: the page cannot know it yet.
    live_server.push(capture_part("a-answered", after="QueueCallerJoin"))
    live_server.wait_until(lambda: not live_server.bridge.live_snapshot()["waiting"])
    assert CALLER in page.text("#waiting")

    live_server.start_http()
    page.wait(lambda: not page.visible("#live-offline"), "the offline notice to go")
    page.wait_text("#waiting-count", "0")
    page.wait_text("#operators", "agent1")
    # Redrawn from the snapshot sent on reconnecting, not from updates it missed.
    drawn = page.script("return window.renders.filter(r => r.topic === 'queue')")
    assert isinstance(drawn, list)
    assert [(r["snapshot"], r["waiting"]) for r in drawn] == [
        (True, []),
        (False, [CALLER]),
        (True, []),
    ]


def test_tabs_of_one_browser_share_one_stream_and_each_shows_every_change(
    live_server: LiveServer, page: Page
) -> None:
    page.open("/e2e/live.html")
    first = page.driver.current_window_handle
    page.wait_text("#ami", "Связь с Asterisk есть")
    second = page.new_tab("/e2e/live.html")
    page.wait_text("#ami", "Связь с Asterisk есть")
    live_server.wait_until(lambda: live_server.feed.streams == 1)

    live_server.push(capture_part("a-answered", until="QueueCallerJoin"))
    for tab in (first, second):
        page.switch_to(tab)
        page.wait_text("#waiting", CALLER)
    assert live_server.call(lambda: live_server.feed.streams) == 1

    # A page that opens its own EventSource (no shared worker) works alike, on a stream of
    # its own.
    page.new_tab("/e2e/live.html?direct")
    page.wait_text("#waiting", CALLER)
    live_server.wait_until(lambda: live_server.feed.streams == 2)
    live_server.push(capture_part("a-answered", after="QueueCallerJoin"))
    for tab in page.driver.window_handles:
        page.switch_to(tab)
        page.wait_text("#waiting-count", "0")


def _unavailable() -> LiveFeed:
    raise HTTPException(502, "Bad Gateway")


@pytest.mark.parametrize("path", ["/e2e/live.html", "/e2e/live.html?direct"])
def test_after_an_http_error_the_page_keeps_trying_until_the_stream_is_back(
    live_server: LiveServer, page: Page, path: str
) -> None:
    # A proxy answering 502 while the service restarts: EventSource gives up for good on an
    # HTTP error; live.js (in the shared worker, or in the page) opens a new one later.
    assert live_server.app is not None
    overrides = live_server.app.dependency_overrides
    overrides[get_live_feed] = _unavailable
    page.open(path)
    page.wait(lambda: page.visible("#live-offline"), "the offline notice")
    assert page.text("#waiting-count") == "—"
    del overrides[get_live_feed]
    page.wait_text("#ami", "Связь с Asterisk есть")
    assert not page.visible("#live-offline")
    assert page.text("#waiting-count") == "0"
