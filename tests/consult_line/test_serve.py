"""``consult-line serve`` as an administrator runs it: /health, OpenAPI, clean stop on SIGTERM."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime
from typing import IO

import httpx
import pytest

from consult_line.cli import main

START_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)
    lines.put("")  # end of stream


def _wait_for(lines: queue.Queue[str], text: str, seen: list[str]) -> None:
    while True:
        line = lines.get(timeout=START_TIMEOUT_S)
        seen.append(line)
        if text in line:
            return
        if line == "":
            pytest.fail("service exited early:\n" + "".join(seen))


def test_serves_health_and_openapi_then_stops_cleanly_on_sigterm(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    port = _free_port()
    env = {**os.environ, "CONSULT_LINE_HTTP_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "consult_line.cli", "serve"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stderr, lines), daemon=True).start()
    seen: list[str] = []
    try:
        _wait_for(lines, "Uvicorn running on", seen)
        base = f"http://127.0.0.1:{port}"
        health = httpx.get(f"{base}/health", timeout=10)
        assert health.status_code == 200
        body = health.json()
        assert body["database"] == "ok"
        assert isinstance(body["line_open"], bool)
        assert body["calendar"][0]["year"] == datetime.now(UTC).year
        openapi = httpx.get(f"{base}/openapi.json", timeout=10).json()
        assert "/health" in openapi["paths"]
        assert httpx.get(f"{base}/docs", timeout=10).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    _wait_for(lines, "служба остановлена", seen)
    while lines.get(timeout=START_TIMEOUT_S) != "":  # the pump has reached end of stream
        pass
    process.stderr.close()
    assert code == 0
    assert any("планировщик остановлен" in line for line in seen)


def test_refuses_to_start_on_an_unmigrated_database(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["serve"]) == 1
