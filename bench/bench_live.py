"""From an AMI event written to the bridge's socket to the change on the console's page.

Run: .venv/bin/python bench/bench_live.py [events]

The end-to-end tests' live server (``tests/e2e/server.py``: the app as ``serve`` builds it on a
live uvicorn, its AMI bridge logged in to a loopback AMI server) on a temporary SQLite
database. A recorded caller (``a-answered``) joins the queue and leaves it, ``events`` times
in all (40 by default), one event at a time, each once the last is drawn. Measured from the
moment the event is written to the AMI socket (``time.time()`` in the server's loop, just
before the write):

* to its arrival as an SSE event at an httpx client, signed in as an operator, reading
  ``/live/events``;
* to the change drawn in a page in Debian's Chromium, signed in as the same operator
  (``tests/e2e/pages/live.html``, through live.js and its shared worker; the page notes
  ``performance.timeOrigin + now()`` when it has drawn). Both clocks are this machine's wall
  clock.

Without Chromium only the first is measured.
"""

from __future__ import annotations

import queue
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

# The harness and the recordings are the tests' own (the repository root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from models.db import create_db_engine
from models.migrate import upgrade
from models.tables import Role
from tests.agent_console.console import PASSWORD
from tests.e2e.browser import Page, missing_packages, start_chromium
from tests.e2e.server import LiveServer, capture_part

JOIN = capture_part("a-answered", until="QueueCallerJoin").split(b"\r\n\r\n")[-2] + b"\r\n\r\n"
LEAVE = capture_part("a-answered", until="QueueCallerLeave").split(b"\r\n\r\n")[-2] + b"\r\n\r\n"
WAIT_S = 10.0
LOGIN = "operator"


def _read_stream(server: LiveServer, arrivals: queue.Queue[float], ready: threading.Event) -> None:
    with httpx.Client(timeout=None) as client:  # noqa: S113 - ends when the server stops
        server.signed_in(client, LOGIN)  # the live stream is for signed-in users
        with client.stream("GET", server.url("/live/events?topics=queue")) as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and '"snapshot":false' in line:
                    arrivals.put(time.time())
                elif line.startswith("data: "):
                    ready.set()


def _summary(label: str, values_ms: list[float]) -> None:
    values = sorted(values_ms)
    p90 = values[max(0, int(len(values) * 0.9) - 1)]
    print(
        f"{label}: n={len(values)} p50={statistics.median(values):.1f} ms "
        f"p90={p90:.1f} ms max={values[-1]:.1f} ms"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    with tempfile.TemporaryDirectory() as folder:
        engine = create_db_engine(f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        server = LiveServer(engine, Path(folder)).start()
        driver = None if missing_packages() else start_chromium()
        try:
            arrivals: queue.Queue[float] = queue.Queue()
            ready = threading.Event()
            server.add_user(LOGIN, Role.OPERATOR)
            reader = threading.Thread(
                target=_read_stream, args=(server, arrivals, ready), daemon=True
            )
            reader.start()
            if not ready.wait(WAIT_S):
                raise TimeoutError("no snapshot on the event stream")
            page = None
            if driver is not None:
                page = Page(driver, server.base_url)
                page.sign_in(LOGIN, PASSWORD)
                page.open("/e2e/live.html")
                page.wait_text("#waiting-count", "0")
            to_stream: list[float] = []
            to_page: list[float] = []
            for number in range(count):
                drawn = 0 if page is None else page.script("return window.renders.length")
                written = server.push(LEAVE if number % 2 else JOIN)
                to_stream.append((arrivals.get(timeout=WAIT_S) - written) * 1000)
                if page is not None:
                    page.wait(
                        lambda page=page, drawn=drawn: (
                            page.script("return window.renders.length") > drawn
                        ),
                        "the change drawn",
                    )
                    last = page.script("return window.renders[window.renders.length - 1].at")
                    assert isinstance(last, int | float)
                    to_page.append(last - written * 1000)
            _summary("AMI event written -> SSE event at an httpx client", to_stream)
            if to_page:
                _summary("AMI event written -> change drawn in Chromium", to_page)
            else:
                print("Chromium is not installed: the page was not measured")
        finally:
            if driver is not None:
                driver.quit()
            server.stop()
            engine.dispose()


if __name__ == "__main__":
    main()
