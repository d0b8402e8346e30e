"""Which line the service works with (``CONSULT_LINE_PBX``): the real Asterisk or the training
line, and the training line's own database and records unless named explicitly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consult_line.config import ConfigError, load_settings
from models.settings import (
    DEFAULT_DATABASE_URL,
    TRAINING_CDR_PATH,
    TRAINING_DATABASE_URL,
    TRAINING_QUEUE_LOG_PATH,
    Settings,
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("CONSULT_LINE_"):
            monkeypatch.delenv(name)


def test_a_fresh_machine_gets_the_training_line_in_its_own_files() -> None:
    settings = load_settings()  # nothing set: no AMI secret
    assert settings.pbx == "auto"
    assert settings.training_line
    assert (
        settings.database_url == TRAINING_DATABASE_URL == "sqlite:///./var/consult-line-training.db"
    )
    assert settings.queue_log_path == TRAINING_QUEUE_LOG_PATH
    assert settings.cdr_path == TRAINING_CDR_PATH
    assert (settings.training_operators, settings.training_calls_per_hour) == (3, 30.0)


def test_an_ami_secret_makes_auto_the_real_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSULT_LINE_AMI_SECRET", "s3cret")
    settings = load_settings()
    assert not settings.training_line
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.queue_log_path == Path("/var/log/asterisk/queue_log")


def test_ami_switched_off_is_the_real_line_without_asterisk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONSULT_LINE_AMI_ENABLED", "false")
    assert not load_settings().training_line


@pytest.mark.parametrize(("pbx", "training"), [("asterisk", False), ("training", True)])
def test_an_explicit_choice_wins_over_the_secret(
    monkeypatch: pytest.MonkeyPatch, pbx: str, training: bool
) -> None:
    monkeypatch.setenv("CONSULT_LINE_PBX", pbx)
    monkeypatch.setenv("CONSULT_LINE_AMI_SECRET", "s3cret")
    assert load_settings().training_line is training
    monkeypatch.delenv("CONSULT_LINE_AMI_SECRET")
    assert load_settings().training_line is training


def test_a_database_named_explicitly_is_kept_on_the_training_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shared = f"sqlite:///{tmp_path / 'line.db'}"
    monkeypatch.setenv("CONSULT_LINE_PBX", "training")
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", shared)
    monkeypatch.setenv("CONSULT_LINE_QUEUE_LOG_PATH", str(tmp_path / "queue_log"))
    settings = load_settings()
    assert settings.database_url == shared  # the same database: calls are marked instead
    assert settings.queue_log_path == tmp_path / "queue_log"
    assert settings.cdr_path == TRAINING_CDR_PATH
    assert Settings(pbx="training", database_url=shared).database_url == shared


def test_the_training_line_needs_its_ami_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSULT_LINE_PBX", "training")
    monkeypatch.setenv("CONSULT_LINE_AMI_ENABLED", "false")
    with pytest.raises(ConfigError, match="CONSULT_LINE_AMI_ENABLED=false"):
        load_settings()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CONSULT_LINE_PBX", "freepbx", "допустимо 'auto', 'asterisk' или 'training'"),
        ("CONSULT_LINE_TRAINING_CALLS_PER_HOUR", "0", "должно быть больше 0"),
        ("CONSULT_LINE_TRAINING_OPERATORS", "51", "должно быть не больше 50"),
    ],
)
def test_bad_values_are_named_in_russian(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert f"{name}: {message}" in str(raised.value)
