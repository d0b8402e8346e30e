"""``consult-line check-config``: effective settings, masked secrets, clear failures."""

from __future__ import annotations

import csv
import io
import re
import socket
from pathlib import Path

import pytest

from consult_line.cli import main
from tests.asterisk_captures import Kind, capture_lines
from tests.speech.korean_model import korean_model_dir


def test_prints_effective_settings_with_secret_masked(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_AMI_SECRET", "very-secret")
    assert main(["migrate"]) == 0
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "CONSULT_LINE_HTTP_PORT = 8000" in out
    assert "CONSULT_LINE_AMI_SECRET = ********" in out
    assert "very-secret" not in out
    assert "База данных: доступна" in out


def test_invalid_value_exits_non_zero_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_AGI_PORT", "not-a-port")
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err
    assert "CONSULT_LINE_AGI_PORT" in err
    assert "not-a-port" in err


def test_unreachable_database_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    assert main(["check-config"]) == 1
    assert "НЕДОСТУПНА" in capsys.readouterr().out


def test_reports_a_cdr_it_would_misread(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A CDR written without loguniqueid (Asterisk's cdr.conf edited by hand): reconciliation
    # could not join it to calls; check-config says so, with the line to add.
    queue_log = tmp_path / "queue_log"
    queue_log.write_text("".join(capture_lines("b-abandoned", Kind.QUEUE_LOG)), "utf-8")
    cdr = tmp_path / "Master.csv"
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for fields in csv.reader(capture_lines("b-abandoned", Kind.CDR)):
        writer.writerow(fields[:16])
    cdr.write_text(out.getvalue(), "utf-8")
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_QUEUE_LOG_PATH", str(queue_log))
    monkeypatch.setenv("CONSULT_LINE_CDR_PATH", str(cdr))
    assert main(["migrate"]) == 0
    assert main(["check-config"]) == 0
    out_text = capsys.readouterr().out
    assert "ВНИМАНИЕ: сверка звонков после обрыва AMI, источник cdr" in out_text
    assert "loguniqueid = yes" in out_text


def test_speech_off_by_default(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "Распознавание речи: выключено (CONSULT_LINE_SPEECH_MODEL_PATH не задан)" in out
    assert "распознавание речи" not in out  # no warning about it
    # V3–V4: reminder calls to visitors are off until an outbound channel is set.
    assert (
        "Звонки-напоминания о личном приёме: ВЫКЛЮЧЕНЫ — звонки-напоминания выключены: "
        "CONSULT_LINE_OUTBOUND_CHANNEL пуст"
    ) in out


def test_a_missing_speech_model_is_a_warning_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Like the other parts' problems: said loudly, while the line itself works (keypad only).
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_SPEECH_MODEL_PATH", str(tmp_path / "vosk-model-small-ru"))
    assert main(["migrate"]) == 0
    assert main(["check-config"]) == 0
    captured = capsys.readouterr()
    assert "Распознавание речи: НЕ РАБОТАЕТ (причина ниже)" in captured.out
    assert (
        "ВНИМАНИЕ: распознавание речи не работает, звонящие отвечают только кнопками: папки "
        f"модели {tmp_path / 'vosk-model-small-ru'} нет (CONSULT_LINE_SPEECH_MODEL_PATH)"
    ) in captured.out
    assert [r.levelname for r in caplog.records if r.name == "speech.model"] == ["WARNING"]


def test_loads_the_speech_model_and_says_how_long_it_took(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_SPEECH_MODEL_PATH", str(korean_model_dir()))
    assert main(["migrate"]) == 0
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert f"Распознавание речи: загружается модель {korean_model_dir()}…" in out
    assert re.search(r"Распознавание речи: модель загружена за \d+\.\d с", out)
    assert "ВНИМАНИЕ: распознавание речи" not in out


def test_mail_intake_off_by_default(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "Приём почты: выключен (CONSULT_LINE_SMTP_IN_PORT не задан)" in out
    assert "ВНИМАНИЕ: приём" not in out
    assert (
        "Информационные рассылки: не отправляются — исходящая почта не настроена "
        "(CONSULT_LINE_SMTP_HOST пуст)" in out
    )


def test_mailings_say_their_pace_and_subscription_page(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:  # M1–M4
    for name, value in {
        "DATABASE_URL": database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_FROM": "news@example.ru",
        "PUBLIC_URL": "https://obr.example.ru",
        "MAILING_PER_MINUTE": "12",
    }.items():
        monkeypatch.setenv(f"CONSULT_LINE_{name}", value)
    assert main(["migrate"]) == 0
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "CONSULT_LINE_MAILING_PER_MINUTE = 12" in out
    assert (
        "Информационные рассылки: до 12 писем в минуту; страница подписки "
        "https://obr.example.ru/public/subscribe" in out
    )


def test_mail_intake_says_where_it_listens_and_what_it_takes(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_PORT", str(port))
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_DOMAIN", "Obr.Example.ru, line.example.ru")
    monkeypatch.setenv("CONSULT_LINE_MAIL_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
    assert main(["migrate"]) == 0
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert (
        f"Приём почты: SMTP 127.0.0.1:{port}, домены line.example.ru, obr.example.ru; письмо до "
        "25 МБ, вложение до 10 МБ"
    ) in out
    assert "ВНИМАНИЕ: приём" not in out


def test_mail_intake_on_a_port_it_cannot_have_is_a_warning_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_DOMAIN", "obr.example.ru")
    assert main(["migrate"]) == 0
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        monkeypatch.setenv("CONSULT_LINE_SMTP_IN_PORT", str(port))
        assert main(["check-config"]) == 0  # the line works without mail: a warning
    assert (
        f"ВНИМАНИЕ: приём писем по почте не работает: порт 127.0.0.1:{port} "
        "(CONSULT_LINE_SMTP_IN_PORT) недоступен: адрес уже занят другой программой"
    ) in capsys.readouterr().out


def test_mail_domains_without_a_port_are_a_warning(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_DOMAIN", "obr.example.ru")
    assert main(["migrate"]) == 0
    assert main(["check-config"]) == 0
    assert (
        "ВНИМАНИЕ: приём писем по почте выключен: CONSULT_LINE_SMTP_IN_PORT не задан, хотя задан "
        "CONSULT_LINE_SMTP_IN_DOMAIN: письма не принимаются"
    ) in capsys.readouterr().out


def test_mail_intake_stays_off_on_the_training_line(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # G3: a citizen's letter registered in the training line's data would be lost to the line.
    monkeypatch.setenv("CONSULT_LINE_PBX", "training")
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_PORT", "2525")
    monkeypatch.setenv("CONSULT_LINE_SMTP_IN_DOMAIN", "obr.example.ru")
    assert main(["migrate"]) == 0
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    reason = (
        "на учебной линии письма граждан не принимаются (CONSULT_LINE_SMTP_IN_PORT задан): их "
        "регистрирует только настоящая линия"
    )
    assert f"Приём почты: выключен ({reason})" in out
    assert f"ВНИМАНИЕ: приём писем по почте выключен: {reason}" in out


@pytest.mark.parametrize(
    ("variables", "refusal"),
    [
        (
            {"CONSULT_LINE_SMTP_IN_PORT": "2525"},
            "CONSULT_LINE_SMTP_IN_PORT задан, а CONSULT_LINE_SMTP_IN_DOMAIN пуст",
        ),
        (
            {"CONSULT_LINE_SMTP_IN_PORT": "8000", "CONSULT_LINE_SMTP_IN_DOMAIN": "obr.example.ru"},
            "CONSULT_LINE_SMTP_IN_PORT совпадает с CONSULT_LINE_HTTP_PORT (8000)",
        ),
        (
            {"CONSULT_LINE_SMTP_IN_PORT": "2525", "CONSULT_LINE_SMTP_IN_DOMAIN": "obr example"},
            "'obr example' — не имя домена",
        ),
    ],
)
def test_mail_intake_misconfigured_exits_2_saying_what_to_fix(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variables: dict[str, str],
    refusal: str,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert main(["check-config"]) == 2
    assert refusal in capsys.readouterr().err
