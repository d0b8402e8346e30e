"""``consult-line serve`` as a subprocess of a bench, as an administrator starts it: settings
from the environment (the bench's own database, ports and Asterisk), its log in a file;
ready once its AMI bridge has logged in to Asterisk (here the training line) with every
permission it needs. Stopped with SIGTERM, as a service manager stops it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

START_S = 90.0
STOP_S = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    base: str  # http://127.0.0.1:PORT
    log_path: Path

    def health(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.base}/health", timeout=10).json()
        return body

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def warnings(self, since: int = 0) -> list[str]:
        """The log's WARNING and ERROR lines after byte ``since``."""
        with self.log_path.open("rb") as log:
            log.seek(since)
            lines = log.read().decode("utf-8", errors="replace").splitlines()
        return [line for line in lines if " WARNING " in line or " ERROR " in line]


@contextmanager
def serve(settings: Mapping[str, str], log_path: Path) -> Iterator[Service]:
    """``consult-line serve`` with ``settings`` (``CONSULT_LINE_*``) over this environment;
    the HTTP port is chosen here."""
    port = free_port()
    env = {**os.environ, **settings, "CONSULT_LINE_HTTP_PORT": str(port)}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "consult_line.cli", "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    service = Service(process, f"http://127.0.0.1:{port}", log_path)
    try:
        wait_until(lambda: logged_in(service), "serve's AMI bridge logged in", START_S)
        yield service
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def logged_in(service: Service) -> bool:
    if service.process.poll() is not None:
        log = service.log_path.read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"serve stopped:\n{log}")
    try:
        ami = service.health()["ami"]
    except httpx.HTTPError:
        return False
    return bool(ami["state"] == "logged_in" and ami["permissions"]["problem"] == "")


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout_s:.0f} s for {what}")
        time.sleep(0.2)
