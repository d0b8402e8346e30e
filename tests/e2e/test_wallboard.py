"""«Табло» in Chromium: a supervisor watches a recorded call through the loopback AMI — the
caller waits with a ticking wait and a topic, the operator answers, today's figures follow —
and the page fits a laptop's and a wall screen's viewport.

The app's clock runs from the recording's own time, so the replayed call is a call of "today"
(28 November 2026, a Saturday: a working Saturday by a calendar override, as a decree may
make one) and the day's earlier calls, written by hand below, are counted with it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine

from ami.events import QueueCallerJoin
from consult_line.clock import Clock
from models.calendar_store import set_override
from models.db import session_scope
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.tables import Role
from tests.agent_console.console import PASSWORD
from tests.ami.captures import capture_events, first_message
from tests.ami.fake_ami import format_message
from tests.e2e.browser import VIEWPORT, Page
from tests.e2e.server import LiveServer, capture_part
from tests.wallboard.samples import MSK, Calls, add_task

RECORDING = "a-answered"
CALLER = "1795867058.0"  # the recording's inbound channel
AGENT = "Local/agent1@harness-agents"  # the recording's queue member
DAY = date(2026, 11, 28)
JOINED_AT = next(e.at for e in capture_events(RECORDING) if isinstance(e, QueueCallerJoin))


def replay_clock(start: datetime) -> Clock:
    """A clock that starts at ``start`` and runs on as the test runs."""
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


@pytest.fixture
def live_server(db_engine: Engine, tmp_path: Path) -> Iterator[LiveServer]:
    # The app's clock is ahead of the recording: the caller has waited past the 20 s of the
    # service level by the time they are drawn.
    clock = replay_clock(JOINED_AT + timedelta(seconds=25))
    server = LiveServer(db_engine, tmp_path, clock=clock)
    server.start()
    yield server
    server.stop()


def _earlier_today(engine: Engine) -> None:
    """The day so far: 3 answered (waits 8, 15, 26 s), 1 missed, 1 after hours; a callback
    promised for today and one overdue."""
    with session_scope(engine) as session:
        set_override(
            session=session,
            day=DAY,
            working=True,
            hours=None,
            reason="рабочая суббота (проверка табло)",
            actor="test",
            now=JOINED_AT,
        )
        calls = Calls(session)
        at = datetime(2026, 11, 28, 9, 0, tzinfo=MSK)
        calls.add(at + timedelta(minutes=10), CallOutcome.ANSWERED, wait_s=8.0)
        calls.add(at + timedelta(hours=1), CallOutcome.ANSWERED, wait_s=15.0)
        calls.add(at + timedelta(hours=2), CallOutcome.ANSWERED, wait_s=26.0)
        calls.add(
            at + timedelta(hours=3),
            CallOutcome.MISSED,
            wait_s=40.0,
            reason=MissedReason.ABANDONED_IN_QUEUE,
        )
        calls.add(at - timedelta(minutes=50), CallOutcome.AFTER_HOURS, in_hours=False)
        add_task(session, DAY, CallbackStatus.OPEN)
        add_task(session, date(2026, 11, 26), CallbackStatus.OPEN)


def _recorded(event: str, *, match: dict[str, str], **changed: str) -> bytes:
    """A recorded event with a few headers changed (what the harness recording lacks: the
    voice menu's topic, a second operator)."""
    headers = dict(first_message(RECORDING, event, **match))
    headers.update(changed)
    return format_message(headers)


def _stamp(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"


def _field(page: Page, name: str) -> str:
    return page.text(f'.wb-tiles [data-field="{name}"]')


def _fits(page: Page) -> bool:
    return bool(
        page.script(
            "return document.documentElement.scrollHeight <= window.innerHeight"
            " && document.documentElement.scrollWidth <= window.innerWidth"
        )
    )


def _viewport(page: Page, width: int, height: int) -> None:
    page.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


@pytest.fixture
def wall(page: Page) -> Iterator[Page]:
    """The page at a laptop's 1366×768; the usual viewport again afterwards."""
    _viewport(page, 1366, 768)
    yield page
    _viewport(page, *VIEWPORT)


def test_a_supervisor_watches_a_call_wait_and_be_answered(
    live_server: LiveServer, wall: Page
) -> None:
    page = wall
    _earlier_today(live_server._engine)
    live_server.add_user("supervisor", Role.SUPERVISOR)
    page.open("/")
    page.driver.find_element(By.CSS_SELECTOR, ".topbar__sign-out button").click()
    page.wait(lambda: "/sign-in" in page.driver.current_url, "the sign-in page")
    page.sign_in("supervisor", PASSWORD)
    page.open("/wallboard")
    page.wait(lambda: page.visible("#wb-waiting-none"), "nobody waiting")
    assert _field(page, "answered") == "3"
    assert page.text("#wb-sl") == "50 %"  # 8 and 15 s of 3 answered + 1 missed
    assert page.text("#wb-average-wait") == "0:16"  # (8 + 15 + 26) / 3 = 16.3
    assert (_field(page, "callbacks_due"), _field(page, "callbacks_overdue")) == ("1", "1")

    # Two operators: agent1 ready, a colleague paused for lunch.
    before = JOINED_AT - timedelta(minutes=2)
    live_server.push(
        _recorded("QueueMemberStatus", match={"Status": "1"}, Timestamp=_stamp(before))
        + _recorded(
            "QueueMemberStatus",
            match={"Status": "1"},
            Timestamp=_stamp(before - timedelta(minutes=10)),
            MemberName="Магомедова Патимат",
            Interface="PJSIP/202",
            StateInterface="PJSIP/202",
            Paused="1",
            PausedReason="Обед",
        )
    )
    page.wait(lambda: len(page.texts("#wb-operators li")) == 2, "two operators")
    states = page.texts("#wb-operators .wb-operator__state")
    assert states == ["Пауза: Обед", "Готов(а)"]  # by name, Russian order: Магомедова, agent1

    # The call: the voice menu's topic (C1), then the queue.
    live_server.push(
        _recorded(
            "VarSet",
            match={"Uniqueid": CALLER},
            Variable="LINE_TOPIC",
            Value="support_measures",
        )
        + capture_part(RECORDING, until="QueueCallerJoin")
    )
    page.wait(lambda: page.texts("#wb-waiting .wb-caller"), "the caller waiting")
    assert page.text("#wb-waiting-count") == "1"
    assert page.text(".wb-caller__topic") == "Меры государственной поддержки"
    shown = page.text(".wb-caller__wait")
    page.wait(lambda: page.text(".wb-caller__wait") != shown, "the wait ticking")
    assert page.visible(".wb-caller--late")  # waiting longer than the service level's 20 s
    page.wait_text('.wb-figures [data-field="in_progress"]', "1")  # re-read after the change
    page.wait_text('.wb-figures [data-field="arrived_in_hours"]', "5")
    assert _fits(page), "the wallboard scrolls at 1366×768"
    page.screenshot("wallboard")

    # Answered: nobody waits, agent1 talks.
    live_server.push(capture_part(RECORDING, until="AgentConnect"))
    page.wait(lambda: page.visible("#wb-waiting-none"), "nobody waiting any more")
    agent = f'#wb-operators [data-interface="{AGENT}"]'
    page.wait(
        lambda: (
            page.driver.find_element(By.CSS_SELECTOR, agent).get_attribute("data-activity")
            == "on_call"
        ),
        "agent1 talking",
    )
    assert page.text(f"{agent} .wb-operator__state") == "Разговор"

    # The call ends: the call log has it, and the figures follow.
    live_server.push(capture_part(RECORDING, after="AgentConnect"))
    page.wait(lambda: _field(page, "answered") == "4", "the answer counted", timeout=20)
    assert page.text('.wb-figures [data-field="in_progress"]') == "0"
    assert page.text("#wb-sl") == "60 %"  # + 3.0 s: 3 of 5 within 20 s
    assert page.text("#wb-average-wait") == "0:13"  # (8 + 15 + 26 + 3.0) / 4 = 13.0

    # The same page on a 1920×1080 wall screen.
    _viewport(page, 1920, 1080)
    assert _fits(page), "the wallboard scrolls at 1920×1080"
