"""``consult-line retention [--dry-run]``: the history past five years, per table (G3).

The command reads the wall clock: the old side of the sample lies in 2001, the new side in
2999, so that the cut-off falls between them whenever the tests run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from consult_line.cli import main
from models.db import create_db_engine
from models.tables import AuditEntry, Call
from tests.models.retention_samples import KEPT_CALLS, build_history

OLD = datetime(2001, 6, 1, 12, 0, tzinfo=UTC)
NEW = datetime(2999, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Engine]:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    engine = create_db_engine(database_url)
    build_history(engine, old=OLD, new=NEW)
    yield engine
    engine.dispose()


def _calls(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(Call.linkedid)).all())


def _runs(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        query = select(AuditEntry).where(col(AuditEntry.action) == "retention")
        return list(session.exec(query.order_by(col(AuditEntry.id))).all())


def test_dry_run_lists_every_table_and_changes_nothing(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _calls(engine)
    capsys.readouterr()
    assert main(["retention", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Срок хранения истории взаимодействия, лет: 5")
    assert "Проверка (--dry-run): ничего не изменено." in out
    # Dates are local (Moscow) days: the oldest call came 400 days before OLD (27 April 2000).
    assert "  звонки (calls): 7, с 2000-04-27 по 2001-06-01" in out
    assert "  ответы на опрос (survey_responses): 1, с 2000-04-27 по 2000-04-27" in out
    assert "  заявки на обратный звонок (callback_tasks): 1, с 2001-05-29 по 2001-05-29" in out
    deleted, anonymised = out.index("Будет удалено:"), out.index("Будет обезличено:")
    # G3: written messages dated by their closing (or arrival): 12 May and 1 June 2001
    assert out[deleted + 11] == (
        "  письменные обращения (written_messages): 2, с 2001-05-12 по 2001-06-01"
    )
    assert out[deleted + 12] == (
        "  вложения обращений (message_attachments): 1, с 2001-05-12 по 2001-05-12"
    )
    # G3, V13: the old visit 10 days before OLD, with its link and rating
    assert out[deleted + 15] == (
        "  записи на личный приём (visit_bookings): 1, с 2001-05-22 по 2001-05-22"
    )
    assert out[deleted + 19] == "  клиенты (clients): 1, с 2001-06-01 по 2001-06-01"
    assert out[anonymised + 1] == "  клиенты (clients): 1, с 2001-06-01 по 2001-06-01"
    assert out[-1].startswith("Незакрытых заявок на обратный звонок старше срока: 1;")
    assert _calls(engine) == before
    assert _runs(engine) == []


def test_run_removes_what_the_dry_run_listed_and_is_audited_then_finds_nothing(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["retention", "--dry-run"]) == 0
    planned = capsys.readouterr().out.splitlines()
    assert main(["retention"]) == 0
    done = capsys.readouterr().out.splitlines()
    # The same tables, counts and dates; "будет удалено" became "удалено".
    assert done[1:] == [
        line.replace("Будет удалено:", "Удалено:").replace("Будет обезличено:", "Обезличено:")
        for line in planned[2:-1]
    ]
    assert _calls(engine) == KEPT_CALLS
    [entry] = _runs(engine)
    assert entry.actor.startswith("cli:")
    assert "calls=7 " in entry.detail
    assert "written_messages=2 " in entry.detail
    assert "clients_anonymised=1" in entry.detail
    assert not entry.detail.endswith("interrupted")

    assert main(["retention"]) == 0
    again = capsys.readouterr().out
    assert "  звонки (calls): 0\n" in again
    assert len(_runs(engine)) == 2  # a run that found nothing is audited too


def test_term_shorter_than_five_years_is_refused_by_every_command(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # G3: a deployer cannot make the history shorter than the order keeps it.
    monkeypatch.setenv("CONSULT_LINE_RETENTION_YEARS", "4")
    before = _calls(engine)
    for command in (["retention"], ["check-config"], ["serve"]):
        capsys.readouterr()
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert "CONSULT_LINE_RETENTION_YEARS: не меньше 5 лет" in err, command
    assert _calls(engine) == before
