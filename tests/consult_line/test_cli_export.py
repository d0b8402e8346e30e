"""``consult-line seed-demo`` then ``export``: what a supervisor does for a monthly report."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from consult_line.cli import main
from models.db import create_db_engine
from models.tables import AuditEntry


@pytest.fixture
def seeded(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert main(["seed-demo", "--days", "10"]) == 0
    return database_url


def _audit(database_url: str) -> list[AuditEntry]:
    """The audit log's export entries (seed-demo's demo accounts have entries of their own)."""
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(AuditEntry).where(AuditEntry.action == "export")))
    finally:
        engine.dispose()


def test_csv_export_of_calls_is_written_and_audited(
    seeded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "calls.csv"
    assert main(["export", "calls", "--format", "csv", "--output", str(target)]) == 0
    with target.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert rows
    assert {row["outcome"] for row in rows} >= {"answered", "missed", "after_hours"}
    assert all(row["missed_reason"] for row in rows if row["outcome"] == "missed")  # C13
    entries = _audit(seeded)
    assert [entry.subject for entry in entries] == ["export:calls"]
    assert f"rows={len(rows)}" in entries[0].detail
    assert f"Выгружено записей: {len(rows)}" in capsys.readouterr().err


def test_second_seed_writes_nothing(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["export", "surveys"]) == 0
    before = capsys.readouterr().out
    assert main(["seed-demo", "--days", "10"]) == 0
    capsys.readouterr()
    assert main(["export", "surveys"]) == 0
    assert capsys.readouterr().out == before
    first = json.loads(before.splitlines()[0])
    assert first["answer_received"] in {"yes", "no"}


def test_inverted_period_is_refused_without_audit_entry(
    seeded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "callbacks", "--since", "2026-10-31", "--until", "2026-10-01"])
    assert code == 2
    assert "--since позже --until" in capsys.readouterr().err
    assert _audit(seeded) == []


def test_reader_going_away_stops_quietly_and_is_still_audited(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    # `consult-line export calls | head -1`: a month of calls is far more than a pipe buffer.
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert main(["seed-demo", "--days", "30"]) == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "consult_line.cli", "export", "calls"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = json.loads(process.stdout.readline())
    process.stdout.close()
    code = process.wait(timeout=60)
    err = process.stderr.read().decode()
    process.stderr.close()
    assert first["linkedid"].startswith("demo-")
    assert (code, err) == (0, "")  # the reader has what it wanted: not an error
    [entry] = _audit(database_url)
    assert entry.detail.endswith("interrupted")
