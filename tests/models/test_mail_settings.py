"""The mail settings from CONSULT_LINE_* variables; bad values get a message naming them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consult_line.config import ConfigError, load_settings
from models.settings import Settings


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("CONSULT_LINE_"):
            monkeypatch.delenv(name)


def test_receiver_off_and_safe_attachment_types_by_default() -> None:
    settings = load_settings()
    assert settings.smtp_in_port is None
    assert settings.smtp_in_host == "127.0.0.1"
    assert settings.mail_max_bytes == 25 * 1024 * 1024
    assert settings.allowed_attachment_types >= {"application/pdf", "image/jpeg", "text/plain"}
    assert "application/x-msdownload" not in settings.allowed_attachment_types
    assert settings.smtp_starttls is True


def test_empty_port_means_receiver_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_PORT", "")
    assert load_settings().smtp_in_port is None


def test_domains_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_PORT", "2525")
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_DOMAIN", "Line.Example.RU, obr.example.ru")
    assert load_settings().mail_domains == {"line.example.ru", "obr.example.ru"}


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"SMTP_IN_PORT": "2525"}, "CONSULT_LINE_SMTP_IN_DOMAIN пуст"),
        ({"SMTP_IN_DOMAIN": "bad domain"}, "не имя домена"),
        ({"SMTP_IN_PORT": "70000"}, "SMTP_IN_PORT"),
        ({"MAIL_ATTACHMENT_TYPES": "application/pdf, pdf"}, "'pdf' — не тип MIME"),
        ({"MAIL_ATTACHMENT_MAX_BYTES": str(30 * 1024 * 1024)}, "не может быть больше"),
        ({"SMTP_HOST": "smtp.example.ru"}, "CONSULT_LINE_SMTP_FROM пуст"),
        ({"SMTP_FROM": "линия"}, "не адрес электронной почты"),
        ({"SMTP_PASSWORD": "пароль"}, "только латиница"),
    ],
)
def test_bad_mail_settings_are_named(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], expected: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(f"CONSULT_LINE_{name}", value)
    with pytest.raises(ConfigError, match=expected):
        load_settings()


def test_smtp_password_masked() -> None:
    shown = Settings(smtp_password="s3cret").masked()  # type: ignore[arg-type]
    assert shown["smtp_password"] == "********"
