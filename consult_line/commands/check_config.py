"""``consult-line check-config``: effective settings (secrets masked) and what they lead to."""

from __future__ import annotations

import argparse
from dataclasses import replace

from consult_line.health import (
    check,
    describe_line,
    file_probes,
    mail_at_start,
    visit_calls_status,
)
from consult_line.wiring import Services
from mail.intake_status import IntakeState, IntakeStatus
from mail.sizes import human_size
from models.mailings import mailing_problem
from models.os_errors import listen_error, listen_error_reason
from models.settings import Settings
from speech.model import SpeechModel, SpeechState


def run(services: Services, _args: argparse.Namespace) -> int:
    settings = services.settings
    print(f"Линия: {describe_line(settings)['label']}")
    if settings.training_line:
        print(
            f"  учебные операторы: {settings.training_operators}, звонков в час рабочего дня "
            f"в среднем: {settings.training_calls_per_hour:g}; база учебной линии: "
            f"{settings.masked()['database_url']}"
        )
    print("Действующие настройки:")
    for name, value in services.settings.masked().items():
        print(f"  CONSULT_LINE_{name.upper()} = {value}")
    speech = _speech_model(SpeechModel(settings.speech_model_dir))
    mail = _mail_intake(settings)
    _mailings(settings)
    calls = visit_calls_status(settings)
    state = "включены" if calls["state"] == "on" else "ВЫКЛЮЧЕНЫ"
    print(f"Звонки-напоминания о личном приёме: {state} — {calls['reason']}")
    probes = replace(file_probes(settings), speech=speech.status, mail=lambda: mail)
    report = check(services, probes)
    print(f"База данных: {'доступна' if report.database == 'ok' else 'НЕДОСТУПНА'}")
    for status in report.calendar:
        print(f"Производственный календарь {status.year}: {status.note}")
    for warning in report.warnings:
        print(f"ВНИМАНИЕ: {warning}")
    return 0 if report.database == "ok" else 1


def _speech_model(speech: SpeechModel) -> SpeechModel:
    """Loads the model as ``serve`` would, and says how it went and how long it took."""
    if speech.path is None:
        print(f"Распознавание речи: выключено ({speech.status().reason})")
        return speech
    print(f"Распознавание речи: загружается модель {speech.path.absolute()}…", flush=True)
    state, _reason = speech.load()
    if state is SpeechState.FAILED:
        print("Распознавание речи: НЕ РАБОТАЕТ (причина ниже)")
    else:
        print(f"Распознавание речи: модель загружена за {speech.load_seconds or 0:.1f} с")
    return speech


def _mailings(settings: Settings) -> None:
    """M1–M4: whether information mailings can go, and at what pace."""
    problem = mailing_problem(settings)
    if problem is not None:
        print(f"Информационные рассылки: не отправляются — {problem}")
        return
    print(
        f"Информационные рассылки: до {settings.mailing_per_minute} писем в минуту; страница "
        f"подписки {settings.public_base}/public/subscribe"
    )


def _mail_intake(settings: Settings) -> IntakeStatus:
    """What ``serve``'s mail receiver would do with these settings; its port tried now."""
    status = mail_at_start(settings)
    port = settings.smtp_in_port
    if port is None or status.state is IntakeState.OFF:
        print(f"Приём почты: выключен ({status.reason})")
        return status
    host = settings.smtp_in_host
    print(
        f"Приём почты: SMTP {host}:{port}, домены {', '.join(sorted(settings.mail_domains))}; "
        f"письмо до {human_size(settings.mail_max_bytes)}, вложение до "
        f"{human_size(settings.mail_attachment_max_bytes)}"
    )
    exc = listen_error(host, port)
    if exc is None:
        return IntakeStatus(IntakeState.STARTING)
    return IntakeStatus(
        IntakeState.FAILED,
        f"порт {host}:{port} (CONSULT_LINE_SMTP_IN_PORT) недоступен: "
        f"{listen_error_reason(exc, host)} (если его держит запущенная служба — всё в порядке)",
    )
