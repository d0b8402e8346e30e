"""``consult-line simulate``: the training line from the command line.

Played without pauses (``--speed 0``) and without a FastAGI server (the dialplan's fallback
queues every caller), so the run ends at once; its records land where the settings put
Asterisk's.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from ami.queue_log import parse_queue_log
from consult_line.cli import main


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def records(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Path:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_AMI_SECRET", "s3cret")
    monkeypatch.setenv("CONSULT_LINE_QUEUE_LOG_PATH", str(tmp_path / "queue_log"))
    monkeypatch.setenv("CONSULT_LINE_CDR_PATH", str(tmp_path / "cdr-csv" / "Master.csv"))
    return tmp_path


def test_plays_the_calls_and_writes_asterisks_records(
    records: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["simulate", "--calls", "4", "--speed", "0", "--operators", "2", "--seed", "5"]
    args += ["--start", "2026-12-07T10:00"]  # a Monday morning: the fallback queues callers
    args += ["--ami-port", str(_free_port()), "--agi-port", str(_free_port())]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Учебная линия: AMI 127.0.0.1:")
    assert "звонков: 4, скорость без пауз, учебных операторов: 2." in out[0]
    assert out[-1].startswith("Сыграно звонков: 4; соединено с оператором: ")
    lines = (records / "queue_log").read_text(encoding="utf-8").splitlines(keepends=True)
    parsed = parse_queue_log(lines)
    assert parsed.garbled == 0
    assert parsed.lines[0].event == "QUEUESTART"
    # FastAGI down: every caller is queued by the fallback (some twice: a simulated
    # operator's transfer, refused without FastAGI, sends the caller back to the queue).
    queued = {line.callid for line in parsed.lines if line.event == "ENTERQUEUE"}
    assert len(queued) == 4
    cdr = (records / "cdr-csv" / "Master.csv").read_text(encoding="utf-8").splitlines()
    assert len([row for row in cdr if '"PJSIP/trunk-' in row]) >= 4


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--speed", "быстро", "число от 0 до 1000"),
        ("--speed", "-1", "число от 0 до 1000"),
        ("--calls", "-3", "число от 0 до 100000"),
        ("--operators", "201", "число от 0 до 200"),
        ("--ami-port", "70000", "число от 1 до 65535"),
        ("--start", "понедельник", "дата и время вида 2026-12-07T10:00"),
        ("--start", "2026-12-07T10:00+03:00", "время без часового пояса"),
    ],
)
def test_bad_options_are_refused_in_russian(
    option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", option, value]) == 2
    assert message in capsys.readouterr().err


def test_an_unwritable_queue_log_stops_it_with_a_clear_message(
    records: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (records / "taken").write_text("a file, not a folder")
    monkeypatch.setenv("CONSULT_LINE_QUEUE_LOG_PATH", str(records / "taken" / "queue_log"))
    assert main(["simulate", "--calls", "1", "--speed", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Учебная линия не запущена: файл ")
    assert "не открывается на запись" in err
