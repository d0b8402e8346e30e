"""``make run`` on a fresh machine (no AMI secret, nothing configured): ``migrate``, ``kb load``
and ``serve`` all work on the training line's own database; ``serve`` runs the simulated
Asterisk itself, its bridge logs in to it, and every part says it is the training line."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from consult_line.cli import main
from tests.consult_line.test_serve import START_TIMEOUT_S, _free_port, spawn_serve

TRAINING_DB = Path("var") / "consult-line-training.db"


@pytest.fixture
def fresh_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("CONSULT_LINE_"):
            monkeypatch.delenv(name)  # CONSULT_LINE_PBX too: auto, as on a fresh machine
    return tmp_path


def _health(base: str) -> dict[str, object]:
    body: dict[str, object] = httpx.get(f"{base}/health", timeout=10).json()
    return body


def test_make_run_brings_up_the_training_line_on_its_own_database(
    fresh_machine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["kb", "load"]) == 0
    assert main(["check-config"]) == 0
    said = capsys.readouterr().out
    assert "\nЛиния: УЧЕБНАЯ ЛИНИЯ: " in said
    assert "не найден" not in said  # the simulated PBX writes its records when serve starts it
    assert "CONSULT_LINE_DATABASE_URL = sqlite:///./var/consult-line-training.db" in said
    assert "CONSULT_LINE_PBX = auto" in said
    assert (fresh_machine / TRAINING_DB).is_file()

    port, agi_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "CONSULT_LINE_HTTP_PORT": str(port),
        "CONSULT_LINE_AGI_PORT": str(agi_port),
    }
    service = spawn_serve(env, port, agi_port, cwd=fresh_machine)
    process = service.process
    try:
        service.wait_for("AMI logged in to 127.0.0.1:")  # the bridge, to the simulated PBX
        health = _health(service.base)
        line = health["line"]
        assert isinstance(line, dict)
        assert line["kind"] == "training"
        ami = health["ami"]
        assert isinstance(ami, dict)
        assert ami["state"] == "logged_in"
        sources = health["reconciliation"]
        assert isinstance(sources, dict)
        # the simulated PBX writes Asterisk's records where the bridge reads them
        assert [s["state"] for s in sources["sources"]] == ["ok", "ok"]
        assert service.stop() == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=START_TIMEOUT_S)
    log = "".join(service.seen)
    assert "WARNING consult_line.commands.serve: УЧЕБНАЯ ЛИНИЯ" in log
    assert "учебная линия: АТС-имитация на AMI 127.0.0.1:" in log
    assert "учебная линия остановлена" in log
    assert "нет связи с Asterisk" not in log  # the bridge never lost its PBX, not at stop either
    assert sorted(p.name for p in (fresh_machine / "var").iterdir() if p.suffix == ".db") == [
        "consult-line-training.db"
    ]
