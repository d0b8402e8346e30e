"""The operator's workspace in Chromium: from AgentConnect on the AMI socket to the call card on
the page, and the page's first load from the sign-in form.

Run: .venv/bin/python bench/bench_card.py [--calls 200] [--sign-ins 20] [--database-url URL]

The end-to-end tests' live server (``tests/e2e/server.py``: the app as ``serve`` builds it on a
live uvicorn, its AMI bridge logged in to a loopback AMI server) on a fresh migrated database
with the knowledge base loaded and one operator, whose phone is the recordings' queue member
(``Local/agent1@harness-agents``) and whose password is hashed as the console hashes it. One
Debian Chromium (``tests/e2e/browser.py``) signed in as that operator shows ``GET /``.

* **Card.** ``calls`` calls (200 by default, after ``WARM_UP`` not counted), one after another,
  each the recording ``a-answered`` with its Uniqueids, Linkedids, channel names and caller
  number rewritten (``tests/ami/workload.py``; ``CALLERS`` numbers, so that most callers have
  earlier calls in the card's history; half of them are known clients). A call: the recording
  up to AgentConnect is written to the AMI socket, and the bench waits until the call is in
  the call log and the bridge has nothing left to write (by the time an operator answers, the
  caller has waited in the queue for a while); then AgentConnect alone, the moment noted
  (``time.time()`` in the server's loop just before the write). The page (workspace.js: the
  live ``operators`` topic names the call, ``GET /card/calls/{linkedid}``, the card drawn) is
  timed by a probe: a MutationObserver on ``#call-card`` notes the time after each change to
  it, and the first change that shows the card of this call's number, not ended, ends the
  interval; the resource timing of the card's request splits it. Then the rest of the
  recording (AgentComplete, Hangup…) ends the call; the next starts once the page shows the
  card ended, the bridge has written the end and a pause (``GAP_S``) has passed.
* **The card route alone.** ``GET /card/calls/{linkedid}`` of every call, afterwards, from an
  httpx client signed in as the operator.
* **First load.** ``sign_ins`` fresh sign-ins (20 by default, after one not counted; cookies
  cleared, the static files in the browser's cache as on an operator's next shift): from the
  sign-in form's submit event (the probe keeps its time in sessionStorage) to the queue state
  drawn from the live stream's first snapshot, split by the workspace's navigation timing.

The probe (``PROBE``) is added to every page through the DevTools protocol before the page's
own scripts, and only notes times: ``performance.timeOrigin + performance.now()``, this
machine's wall clock as Python's ``time.time()`` reads it. The bench reads the notes every
20 ms; that polling's own delay is not in the figures. ``--database-url``: ``sqlite`` (a file
in a temporary folder) or a PostgreSQL URL (a fresh schema there, dropped afterwards), may be
repeated; by default both, PostgreSQL at ``PG_URL`` (left out with a note when unreachable).
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from bench_databases import database_name, fresh_database
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from agent_console.auth.passwords import PRODUCTION
from models.db import session_scope
from models.tables import Call, Client, Employee, Role
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db

# The harness and the recordings are the tests' own (the repository root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.agent_console.console import PASSWORD
from tests.ami.workload import CallCopy, build
from tests.e2e.browser import Page, missing_packages, skip_reason, start_chromium
from tests.e2e.server import LiveServer
from tests.factories import add_user

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SEED = 20261203
RECORDING = "a-answered"
AGENT_DEVICE = "Local/agent1@harness-agents"  # the recordings' queue member
LOGIN = "operator"
CALLERS = 40
WARM_UP = 5
GAP_S = 0.2  # between a call's end on the page and the next call
WAIT_S = 20.0
POLL_S = 0.005

PROBE = """
(function () {
  "use strict";
  function now() {
    return performance.timeOrigin + performance.now();
  }
  performance.setResourceTimingBufferSize(100000);
  document.addEventListener("submit", function () {
    sessionStorage.setItem("bench-submitted", String(now()));
  }, true);
  window.benchCards = [];
  document.addEventListener("DOMContentLoaded", function () {
    var state = document.getElementById("queue-state");
    if (state) {
      var initial = state.textContent;
      new MutationObserver(function (records, observer) {
        if (state.textContent === initial) return;
        window.benchReady = now();
        observer.disconnect();
      }).observe(state, { childList: true, characterData: true, subtree: true });
    }
    var card = document.getElementById("call-card");
    if (card) {
      new MutationObserver(function () {
        window.benchCards.push({
          at: now(),
          number: document.getElementById("card-number").textContent,
          shown: !document.getElementById("card-body").hidden,
          ended: !document.getElementById("card-ended").hidden,
        });
      }).observe(card, { attributes: true, childList: true, characterData: true, subtree: true });
    }
  });
})();
"""
# The first change that shows the card of this caller, not ended; and the card's request.
CARD_SHOWN = """
var caller = arguments[0], path = "/card/calls/" + encodeURIComponent(arguments[1]);
var found = window.benchCards.filter(function (r) {
  return r.shown && !r.ended && r.number.replace(/\\D/g, "") === caller;
})[0];
if (!found) return null;
var request = performance.getEntriesByType("resource").filter(function (e) {
  return new URL(e.name).pathname === path;
})[0];
return [found.at, performance.timeOrigin + request.startTime,
        performance.timeOrigin + request.responseEnd];
"""
CARD_ENDED = 'return !document.getElementById("card-ended").hidden;'
# The sign-in's POST and redirect, the workspace's HTML, its scripts run, its queue state.
FIRST_LOAD = """
if (!window.benchReady) return null;
var nav = performance.getEntriesByType("navigation")[0], origin = performance.timeOrigin;
return [Number(sessionStorage.getItem("bench-submitted")), origin + nav.redirectEnd,
        origin + nav.responseEnd, origin + nav.domContentLoadedEventEnd, window.benchReady];
"""


@dataclass(frozen=True, slots=True)
class ReplayedCall:
    linkedid: str
    caller: str
    before: bytes  # the recording up to AgentConnect
    connect: bytes  # AgentConnect
    after: bytes  # the rest: the end of the conversation, the hang-up


# What is reported, in this order: each series' label and its values (ms).
CARD_SERIES = (
    "AgentConnect written -> card drawn on the page",
    "  written -> the page sends GET /card/calls/{linkedid}",
    "  the request: sent -> response received",
    "  response received -> card drawn",
)
ROUTE_SERIES = ("GET /card/calls/{linkedid} at an httpx client",)
LOAD_SERIES = (
    "sign-in submitted -> queue state drawn",
    "  submitted -> POST /sign-in answered (password check)",
    "  -> workspace HTML received",
    "  -> DOMContentLoaded (scripts run)",
    "  -> live stream's first snapshot drawn",
)


@dataclass
class Figures:
    database: str
    series: dict[str, list[float]] = field(default_factory=dict)

    def add(self, labels: Sequence[str], rows: Sequence[Sequence[float]]) -> None:
        """``rows``: moments (ms) of each run, first to last; the first label is the whole."""
        self.series[labels[0]] = [row[-1] - row[0] for row in rows]
        for number, label in enumerate(labels[1:]):
            self.series[label] = [row[number + 1] - row[number] for row in rows]


def replayed(copy: CallCopy) -> ReplayedCall:
    blocks = [timed.text for timed in copy.events]
    at = next(i for i, text in enumerate(blocks) if text.startswith("Event: AgentConnect\r\n"))
    return ReplayedCall(
        linkedid=copy.linkedid,
        caller=copy.caller,
        before="".join(blocks[:at]).encode(),
        connect=blocks[at].encode(),
        after="".join(blocks[at + 1 :]).encode(),
    )


def make_calls(count: int) -> list[ReplayedCall]:
    callers = [f"7928{number:07d}" for number in range(1, CALLERS + 1)]
    workload = build(
        [(RECORDING, 1)],
        count,
        seed=SEED,
        start=datetime.now(UTC),
        mean_gap_s=1.0,
        callers=callers,
    )
    return [replayed(copy) for copy in workload.calls]


def prepare(engine: Engine) -> None:
    """The knowledge base, the operator on the recordings' phone, half the callers known."""
    now = datetime.now(UTC)
    employee_id = add_user(
        engine,
        LOGIN,
        [Role.OPERATOR],
        number="501",
        password_hash=PRODUCTION.hash(PASSWORD),
        now=now,
    )
    with session_scope(engine) as session:
        load_into_db(session=session, content=load_content(), now=now)
        employee = session.get(Employee, employee_id)
        assert employee is not None
        employee.device = AGENT_DEVICE
        employee.full_name = "Смирнова Анна Сергеевна"
        for number in range(1, CALLERS + 1, 2):
            session.add(
                Client(
                    phone_e164=f"+7928{number:07d}",
                    full_name=f"Клиент {number}",
                    created_at=now,
                )
            )


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {WAIT_S} s for {what}")
        time.sleep(POLL_S)


def writes_pending(server: LiveServer) -> int:
    """The bridge's call-log writes not yet done (the one under way included)."""
    return int(server.call(lambda: server.bridge.status()["call_log_writes"]["pending"]))


def call_row(engine: Engine, linkedid: str) -> Call | None:
    with Session(engine) as session:
        return session.exec(select(Call).where(col(Call.linkedid) == linkedid)).first()


def one_call(
    server: LiveServer, engine: Engine, page: Page, call: ReplayedCall
) -> tuple[float, ...]:
    """Moments (ms): AgentConnect written, the card's request sent, its response received,
    the card drawn."""
    server.push(call.before)
    # The call in the call log, and nothing more being written: the caller has waited in the
    # queue for a while by the time an operator answers.
    wait_for(lambda: call_row(engine, call.linkedid) is not None, "the call in the call log")
    wait_for(lambda: writes_pending(server) == 0, "the call log's writes")
    page.script("window.benchCards = []")
    written = server.push(call.connect)
    shown = page.wait(
        lambda: page.driver.execute_script(CARD_SHOWN, call.caller, call.linkedid),
        "the card",
        timeout=WAIT_S,
    )
    server.push(call.after)
    page.wait(lambda: page.script(CARD_ENDED), "the card of the call ended", timeout=WAIT_S)

    def ended() -> bool:
        row = call_row(engine, call.linkedid)
        return row is not None and row.ended_at is not None

    wait_for(ended, "the call's end in the call log")
    wait_for(lambda: writes_pending(server) == 0, "the call log's writes")
    time.sleep(GAP_S)
    assert isinstance(shown, list)
    drawn, sent, received = shown
    return written * 1000, sent, received, drawn


def first_load(page: Page) -> tuple[float, ...]:
    """Moments (ms): the sign-in form submitted, its POST answered, the workspace's HTML
    received, its DOMContentLoaded, its queue state drawn."""
    page.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    page.open("/sign-in")
    page.driver.find_element("name", "login").send_keys(LOGIN)
    page.driver.find_element("name", "password").send_keys(PASSWORD)
    page.driver.find_element("css selector", "form button[type=submit]").click()
    times = page.wait(lambda: page.script(FIRST_LOAD), "the workspace ready", timeout=WAIT_S)
    assert isinstance(times, list)
    return tuple(times)


def card_route(server: LiveServer, linkedids: Sequence[str]) -> list[tuple[float, float]]:
    """Moments (ms) each card's request was sent and answered."""
    timings = []
    with httpx.Client(timeout=WAIT_S) as client:
        server.signed_in(client, LOGIN)
        for linkedid in linkedids:
            started = time.perf_counter() * 1000
            response = client.get(server.url(f"/card/calls/{linkedid}"))
            timings.append((started, time.perf_counter() * 1000))
            assert response.status_code == 200, response.text
    return timings


def run(base: str | None, calls: int, sign_ins: int) -> Figures:
    name = database_name(base)
    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_database(base, Path(folder) / "bench.db") as engine,
    ):
        prepare(engine)
        server = LiveServer(engine, Path(folder)).start()
        driver = start_chromium()
        try:
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE})
            page = Page(driver, server.base_url)
            print(f"{name}: {sign_ins} sign-ins ...", file=sys.stderr)
            loads = [first_load(page) for _ in range(sign_ins + 1)][1:]
            page.wait_text("#queue-title", "Очередь")
            replays = make_calls(WARM_UP + calls)
            print(f"{name}: {len(replays)} calls ...", file=sys.stderr)
            card = [one_call(server, engine, page, call) for call in replays][WARM_UP:]
            route = card_route(server, [call.linkedid for call in replays])[WARM_UP:]
        finally:
            driver.quit()
            server.stop()
    figures = Figures(name)
    figures.add(CARD_SERIES, card)
    figures.add(ROUTE_SERIES, route)
    figures.add(LOAD_SERIES, loads)
    return figures


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * share) - 1)]


def summary(label: str, values: Sequence[float]) -> str:
    return (
        f"| {label} | {len(values)} | {statistics.median(values):.1f} | "
        f"{percentile(values, 0.95):.1f} | {max(values):.1f} |"
    )


def report(figures: Sequence[Figures]) -> None:
    print("| interval | n | p50, ms | p95, ms | max, ms |")
    print("|---|---:|---:|---:|---:|")
    for found in figures:
        for label, values in found.series.items():
            print(summary(f"{found.database}: {label}", values))


def reachable(base: str) -> bool:
    engine = create_engine(make_url(base), connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(f"PostgreSQL at {base} unreachable, left out: {reason}", file=sys.stderr)
        return False
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--sign-ins", type=int, default=20)
    parser.add_argument(
        "--database-url",
        action="append",
        help="sqlite, or a PostgreSQL URL; may be repeated (default: sqlite and PG_URL)",
    )
    args = parser.parse_args(argv)
    missing = missing_packages()
    if missing:
        print(skip_reason(missing), file=sys.stderr)
        return
    urls = args.database_url or ["sqlite", PG_URL]
    bases = [None if url == "sqlite" else url for url in urls]
    figures = [
        run(base, args.calls, args.sign_ins)
        for base in bases
        if base is None or args.database_url or reachable(base)
    ]
    report(figures)


if __name__ == "__main__":
    main()
