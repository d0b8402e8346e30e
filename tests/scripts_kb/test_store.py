"""Loading the content into the database: idempotent, and an API edit is never overwritten."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.tables import KbEntry, KbSection, KbSource
from scripts_kb.content_files import load_content
from scripts_kb.history import versions
from scripts_kb.store import LoadSummary, load_documents, load_into_db
from tests.scripts_kb.kb_samples import ENTRIES, write_content

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def _load(engine: Engine, root: Path, now: datetime = T0) -> LoadSummary:
    with session_scope(engine) as session:
        return load_into_db(session=session, content=load_content(root), now=now)


def test_second_load_changes_nothing(db_engine: Engine, tmp_path: Path) -> None:
    root = write_content(tmp_path)
    first = _load(db_engine, root)
    assert len(first.added) == len(ENTRIES)
    assert first.sections_added == ["alco", "hours"]
    second = _load(db_engine, root, T0 + timedelta(hours=1))
    assert not second.changed
    assert second.unchanged == len(ENTRIES)
    assert "База знаний без изменений." in second.lines()


def test_changed_file_updates_its_entry(db_engine: Engine, tmp_path: Path) -> None:
    root = write_content(tmp_path)
    _load(db_engine, root)
    path = root / "alco/alco-license-term.md"
    path.write_text(path.read_text(encoding="utf-8") + "Продление — отдельная услуга.\n")
    summary = _load(db_engine, root, T0 + timedelta(hours=1))
    assert summary.updated == ["alco-license-term"]
    with session_scope(db_engine) as session:
        row = session.get(KbEntry, "alco-license-term")
        assert row is not None
        assert "Продление" in row.body
        assert row.updated_at == T0 + timedelta(hours=1)


def test_edited_entry_is_not_overwritten_and_is_reported(db_engine: Engine, tmp_path: Path) -> None:
    root = write_content(tmp_path)
    _load(db_engine, root)
    with session_scope(db_engine) as session:
        row = session.get(KbEntry, "alco-license-term")
        assert row is not None
        row.body = "Отредактировано через API."
        row.content_hash = "edited"
        row.source = KbSource.EDIT
    summary = _load(db_engine, root, T0 + timedelta(hours=1))
    assert summary.conflicts == ["alco-license-term"]
    assert any("КОНФЛИКТ: alco-license-term" in line for line in summary.lines())
    with session_scope(db_engine) as session:
        row = session.get(KbEntry, "alco-license-term")
        assert row is not None
        assert row.body == "Отредактировано через API."


def test_removed_file_is_withdrawn_not_deleted_and_comes_back(
    db_engine: Engine, tmp_path: Path
) -> None:
    root = write_content(tmp_path)
    _load(db_engine, root)
    kept = (root / "alco/alco-night-sale.md").read_text(encoding="utf-8")
    (root / "alco/alco-night-sale.md").unlink()
    summary = _load(db_engine, root, T0 + timedelta(hours=1))
    assert summary.withdrawn == ["alco-night-sale"]
    with session_scope(db_engine) as session:
        assert session.get(KbEntry, "alco-night-sale") is not None
        assert "alco-night-sale" not in {doc.id for doc in load_documents(session)}
    assert not _load(db_engine, root, T0 + timedelta(hours=2)).changed
    (root / "alco/alco-night-sale.md").write_text(kept, encoding="utf-8")
    assert _load(db_engine, root, T0 + timedelta(hours=3)).updated == ["alco-night-sale"]


def test_every_added_or_changed_entry_gets_a_version(db_engine: Engine, tmp_path: Path) -> None:
    root = write_content(tmp_path)
    _load(db_engine, root)
    _load(db_engine, root, T0 + timedelta(hours=1))  # unchanged: no version
    path = root / "alco/alco-license-term.md"
    path.write_text(path.read_text(encoding="utf-8") + "Продление — отдельная услуга.\n")
    _load(db_engine, root, T0 + timedelta(hours=2))
    with session_scope(db_engine) as session:
        history = versions(session=session, entry_id="alco-license-term")
        assert [(v.version, v.changed_by, v.changed_at) for v in history] == [
            (1, "kb load", T0),
            (2, "kb load", T0 + timedelta(hours=2)),
        ]
        assert "Продление" in history[1].body
        assert len(versions(session=session, entry_id="hours-ministry")) == 1


def test_a_review_newer_than_the_file_survives_a_reload(db_engine: Engine, tmp_path: Path) -> None:
    root = write_content(tmp_path)
    _load(db_engine, root)
    with session_scope(db_engine) as session:
        section = session.get(KbSection, "alco")
        assert section is not None
        section.last_reviewed = date(2026, 12, 7)
    assert not _load(db_engine, root, T0 + timedelta(hours=1)).sections_updated
    with session_scope(db_engine) as session:
        section = session.get(KbSection, "alco")
        assert section is not None
        assert section.last_reviewed == date(2026, 12, 7)
