"""``consult-line serve`` as an administrator runs it: /health, OpenAPI for a signed-in admin,
clean stop on SIGTERM."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import httpx
import pytest

from consult_line.cli import main
from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from tests.ivr.fake_asterisk import FakeCall, capture_environment, run_call

START_TIMEOUT_S = 60
EXAMPLE_STAFF = Path(__file__).resolve().parents[2] / "examples" / "staff.yaml"
ADMIN_PASSWORD = "пароль-администратора"
MISSING_QUEUE_LOG = "/nonexistent/consult-line/queue_log"


@dataclass
class Service:
    process: subprocess.Popen[str]
    base: str
    agi_port: int
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def wait_for(self, text: str) -> None:
        while True:
            line = self.lines.get(timeout=START_TIMEOUT_S)
            self.seen.append(line)
            if text in line:
                return
            if line == "":
                pytest.fail(f"no {text!r} in the service's log:\n" + "".join(self.seen))

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        while (line := self.lines.get(timeout=START_TIMEOUT_S)) != "":  # pump at end of stream
            self.seen.append(line)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return code


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)
    lines.put("")  # end of stream


def spawn_serve(env: dict[str, str], port: int, agi_port: int, cwd: Path | None = None) -> Service:
    """``consult-line serve`` in a process of its own, its log (and the web server's access
    log, which goes to stdout) read line by line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "consult_line.cli", "serve"],
        env=env,
        cwd=cwd,
        stderr=subprocess.STDOUT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    service = Service(process, f"http://127.0.0.1:{port}", agi_port)
    threading.Thread(target=_pump, args=(process.stdout, service.lines), daemon=True).start()
    return service


@contextmanager
def _start(database_url: str, **settings: str) -> Iterator[Service]:
    """``serve`` on free ports; ``settings``: more CONSULT_LINE_* variables."""
    port = _free_port()
    agi_port = _free_port()
    env = {
        **os.environ,
        "CONSULT_LINE_HTTP_PORT": str(port),
        "CONSULT_LINE_AGI_PORT": str(agi_port),
        "CONSULT_LINE_AMI_PORT": str(_free_port()),  # no Asterisk: the bridge keeps retrying
        "CONSULT_LINE_QUEUE_LOG_PATH": MISSING_QUEUE_LOG,
        "CONSULT_LINE_DATABASE_URL": database_url,
        **settings,
    }
    service = spawn_serve(env, port, agi_port)
    process = service.process
    try:
        service.wait_for("Uvicorn running on")
        yield service
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


@pytest.fixture
def migrated_service(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Service]:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert main(["staff", "import", str(EXAMPLE_STAFF)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(ADMIN_PASSWORD + "\n"))
    assert main(["user", "add", "admin", "--employee", "200", "--role", "admin"]) == 0
    with _start(database_url) as service:
        yield service


def test_serves_health_and_openapi_then_stops_cleanly_on_sigterm(
    migrated_service: Service,
) -> None:
    health = httpx.get(f"{migrated_service.base}/health", timeout=10)
    assert health.status_code == 200
    body = health.json()
    assert body["database"] == "ok"
    assert body["ami"]["state"] != "logged_in"  # nothing listens on the AMI port
    assert any("AMI" in warning for warning in body["warnings"])
    assert isinstance(body["line_open"], bool)
    assert body["calendar"][0]["year"] == datetime.now(UTC).year
    # both reconciliation sources are shown; the queue_log is at a path that does not exist
    queue_log, cdr = body["reconciliation"]["sources"]
    assert (queue_log["name"], queue_log["state"], cdr["name"]) == ("queue_log", "missing", "cdr")
    assert body["missing_sounds"] == []
    _api_docs_only_for_a_signed_in_admin(migrated_service.base)

    assert migrated_service.stop() == 0
    log = "".join(migrated_service.seen)
    assert "планировщик остановлен" in log
    assert "служба остановлена" in log
    # the bridge retried all along; the log said so once
    assert log.count("нет связи с Asterisk") == 1
    # a reconciliation source that is not there is said at start, not only on /health
    warnings = [line for line in migrated_service.seen if " WARNING " in line]
    assert any(
        f"источник queue_log: файл {MISSING_QUEUE_LOG} не найден" in line for line in warnings
    ), warnings
    assert "Not able to reconnect" not in log


def test_sigterm_ends_the_open_live_streams_and_stops_cleanly(migrated_service: Service) -> None:
    # A console page left open: uvicorn waits for every open response before it stops, and
    # its event stream would never end by itself.
    subscribed = threading.Event()
    lines: list[str] = []
    errors: list[BaseException] = []

    def read() -> None:
        url = f"{migrated_service.base}/live/events?topics=ami,queue"
        try:
            with (
                contextlib.closing(_signed_in_admin(migrated_service.base)) as browser,
                browser.stream("GET", url, timeout=30) as response,
            ):
                for line in response.iter_lines():
                    lines.append(line)
                    if line == "event: queue":
                        subscribed.set()
        except BaseException as exc:
            errors.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert subscribed.wait(START_TIMEOUT_S), lines
    assert migrated_service.stop() == 0
    reader.join(10)
    assert not reader.is_alive()
    assert errors == []  # the stream ended cleanly, not cut
    assert "event: ami" in lines
    assert "служба остановлена" in "".join(migrated_service.seen)


def _signed_in_admin(base: str) -> httpx.Client:
    browser = httpx.Client(base_url=base, timeout=10)
    form = browser.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed_in = browser.post(
        "/sign-in",
        data={"login": "admin", "password": ADMIN_PASSWORD, "csrf_token": token.group(1)},
    )
    assert signed_in.status_code == 303
    return browser


def _api_docs_only_for_a_signed_in_admin(base: str) -> None:
    with httpx.Client(base_url=base, timeout=10) as stranger:
        assert stranger.get("/openapi.json").status_code == 401
        assert stranger.get("/docs").headers["location"] == "/sign-in?next=%2Fdocs"
    with contextlib.closing(_signed_in_admin(base)) as browser:
        openapi = browser.get("/openapi.json").json()
        assert "/health" in openapi["paths"]
        docs = browser.get("/docs")
        assert docs.status_code == 200
        # Swagger UI from the app itself, nothing from a CDN
        assert '<script src="/swagger-ui/swagger-ui-bundle.js" defer></script>' in docs.text
        assert "https://" not in docs.text
        assert browser.get("/swagger-ui/swagger-ui-bundle.js").status_code == 200
        assert browser.get("/static/console.css").status_code == 200


async def test_answers_fastagi_calls_beside_the_web_app(migrated_service: Service) -> None:
    # The dialplan's AGI(${CONSULT_AGI}/entry,...) reaches the same process that serves /health.
    env = capture_environment(
        "x-full-flow-ivr-queue-survey", agi_network_script="entry", args=["1795867285.0"]
    )
    calendar = ProductionCalendar(tz=ZoneInfo("Europe/Moscow"), hours=DEFAULT_HOURS)
    open_before = calendar.is_open(datetime.now(UTC))
    record = await run_call(migrated_service.agi_port, env, FakeCall(digits=["1", "2"]))
    open_after = calendar.is_open(datetime.now(UTC))
    if open_before == open_after:  # not across 9:00 or 18:00 while the call ran
        assert record.variables_set["LINE_OPEN"] == ("1" if open_after else "0")
        assert record.variables_set["LINE_ROUTE"] == ("queue" if open_after else "hangup")
    assert "LINE_AGI_FAILED" not in record.variables_set
    # Asterisk without the prompt files: the call goes on, /health names what was missing
    no_sounds = FakeCall(digits=["1", "2"], missing_sounds=frozenset({"*"}))
    record = await run_call(migrated_service.agi_port, env, no_sounds)
    assert "LINE_AGI_FAILED" not in record.variables_set
    body = httpx.get(f"{migrated_service.base}/health", timeout=10).json()
    assert "consult-line/ru/welcome-language" in [s["sound"] for s in body["missing_sounds"]]
    assert body["status"] == "degraded"
    assert migrated_service.stop() == 0
    assert "FastAGI остановлен" in "".join(migrated_service.seen)


def test_starts_without_database_and_reports_it_on_health() -> None:
    # The database is briefly gone when the service (re)starts: it still comes up.
    with _start("postgresql+psycopg://postgres@127.0.0.1:1/x") as service:
        health = httpx.get(f"{service.base}/health", timeout=10)
        assert health.status_code == 503
        assert health.json()["database"] == "unavailable"
        assert service.stop() == 0
        assert "база данных недоступна" in "".join(service.seen)


def test_refuses_to_start_on_an_unmigrated_database(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["serve"]) == 1


def test_refuses_to_open_fastagi_to_the_network_without_an_allow_list(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # FastAGI has no authentication: a peer could read callback clients' numbers. (A second,
    # unrelated mistake keeps serve from starting whatever this check says.)
    monkeypatch.setenv("CONSULT_LINE_LOG_LEVEL", "LOUD")
    monkeypatch.setenv("CONSULT_LINE_AGI_HOST", "0.0.0.0")  # noqa: S104
    monkeypatch.delenv("CONSULT_LINE_AGI_ALLOWED_SOURCES", raising=False)
    assert main(["serve"]) == 2
    refused = "  CONSULT_LINE_AGI_ALLOWED_SOURCES: FastAGI слушает 0.0.0.0 (CONSULT_LINE_AGI_HOST)"
    assert refused in capsys.readouterr().err.splitlines()[1]
    monkeypatch.setenv("CONSULT_LINE_AGI_ALLOWED_SOURCES", "192.0.2.7")
    assert main(["serve"]) == 2
    assert "CONSULT_LINE_AGI" not in capsys.readouterr().err


def test_the_access_log_keeps_no_survey_link(migrated_service: Service) -> None:
    # W12: a survey link is the client's key to their answer; the log says the page, not it
    token = "Zq3xY8-secret_token_0123456789abcd"
    page = httpx.get(f"{migrated_service.base}/public/survey/{token}?x=1", timeout=10)
    assert page.status_code == 404
    assert migrated_service.stop() == 0
    log = "".join(migrated_service.seen)
    assert '"GET /public/survey/…?x=1 HTTP/1.1" 404' in log
    assert token not in log


def test_the_access_log_keeps_no_link_token_of_any_kind() -> None:
    # V6, W12, M1, M4: one pattern hides the token of every link from a letter (V13: the
    # rating link of a visit is a /public/survey one)
    from consult_line.access_log import HideLinkTokens

    token = "Zq3xY8-secret_token_0123456789abcd"
    for path in (
        "/public/visits/cancel",
        "/public/survey",
        "/public/unsubscribe",
        "/public/subscribe/confirm",
    ):
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5", "POST", f"{path}/{token}?x=1", "1.1", 200),
            None,
        )
        assert HideLinkTokens().filter(record)
        assert record.getMessage() == f'127.0.0.1:5 - "POST {path}/…?x=1 HTTP/1.1" 200'
    kept = ("127.0.0.1:5", "GET", "/public/visits?lang=en", "1.1", 200)
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "%s", kept, None)
    HideLinkTokens().filter(record)
    assert record.args == kept
