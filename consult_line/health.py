"""What ``/health``, ``check-config`` and the start-up log say about the running line."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from agent_console.health import HealthReport
from ami.log_sources import inspect_sources
from consult_line.visit_reminder_run import NO_AMI, NO_OUTBOUND, NO_TRAINING
from consult_line.wiring import Services
from ivr.missing_sounds import MissingSound
from mail.intake_status import IntakeState, IntakeStatus, off_status
from models.migrate import pending_migrations
from models.rules.calendar import ProductionCalendar, YearStatus
from models.settings import Settings
from speech.model import FAILED_WARNING, SpeechState, SpeechStatus

# From December on, the next year's transfer decree matters for deadlines and the IVR.
NEXT_YEAR_FROM_MONTH = 12
# How many missing sounds a warning names (the full list is in missing_sounds).
SOUNDS_NAMED = 5
SCHEMA_BEHIND = "схема базы данных устарела: выполните consult-line migrate"
MAIL_FAILED_WARNING = "приём писем по почте не работает"
MAIL_OFF_ON_TRAINING_LINE = (
    "на учебной линии письма граждан не принимаются (CONSULT_LINE_SMTP_IN_PORT задан): их "
    "регистрирует только настоящая линия"
)


def describe_line(settings: Settings) -> dict[str, str]:
    """Which line the service works with, for /health, check-config and the start-up log."""
    if settings.training_line:
        why = (
            "CONSULT_LINE_PBX=training"
            if settings.pbx == "training"
            else "CONSULT_LINE_PBX=auto, а секрет AMI (CONSULT_LINE_AMI_SECRET) не задан"
        )
        return {
            "kind": "training",
            "label": "УЧЕБНАЯ ЛИНИЯ: звонки имитирует учебная АТС внутри serve, настоящий "
            f"Asterisk не подключён; данные учебные ({why})",
        }
    if not settings.ami_enabled:
        label = "настоящая линия, связь с Asterisk выключена (CONSULT_LINE_AMI_ENABLED=false)"
    else:
        label = f"настоящая линия: Asterisk, AMI {settings.ami_host}:{settings.ami_port}"
    return {"kind": "asterisk", "label": label}


def visit_calls_status(settings: Settings) -> dict[str, str]:
    """V3–V4: whether the line can call visitors to remind them of their visit."""
    if not settings.outbound_channel:
        return {"state": "off", "reason": NO_OUTBOUND}
    if settings.training_line:
        return {"state": "off", "reason": NO_TRAINING}
    if not settings.ami_enabled:
        return {"state": "off", "reason": NO_AMI}
    return {
        "state": "on",
        "reason": f"канал {settings.outbound_channel}, номер {settings.outbound_caller_id}",
    }


def calendar_years(today: date) -> tuple[int, ...]:
    if today.month >= NEXT_YEAR_FROM_MONTH:
        return (today.year, today.year + 1)
    return (today.year,)


def calendar_warnings(calendar: ProductionCalendar, now: datetime) -> tuple[YearStatus, ...]:
    today = now.astimezone(calendar.tz).date()
    return tuple(calendar.year_status(year) for year in calendar_years(today))


@dataclass(frozen=True, slots=True)
class Probes:
    """What the running service knows beyond the database; None where that part is off."""

    ami: Callable[[], Mapping[str, Any]] | None = None
    reconciliation: Callable[[], Mapping[str, Any]] | None = None
    sounds: Callable[[], Sequence[MissingSound]] | None = None
    speech: Callable[[], SpeechStatus] | None = None
    mail: Callable[[], IntakeStatus] | None = None


def file_probes(settings: Settings) -> Probes:
    """What can be checked without the running service: the files reconciliation reads (when
    AMI is on; without it nothing reconciles; on the training line ``serve``'s simulated PBX
    writes them itself). For check-config and the start-up log."""
    if not settings.ami_enabled or settings.training_line:
        return Probes()
    return Probes(
        reconciliation=lambda: {
            "sources": [source.as_dict() for source in inspect_sources(settings)]
        }
    )


def check(services: Services, probes: Probes = Probes()) -> HealthReport:
    now = services.clock()
    link = probes.ami() if probes.ami is not None else None
    reconciliation = probes.reconciliation() if probes.reconciliation is not None else None
    sounds = tuple(probes.sounds()) if probes.sounds is not None else ()
    speech = probes.speech() if probes.speech is not None else None
    mail = probes.mail() if probes.mail is not None else None
    service_warnings = [
        *_ami_warnings(link),
        *_reconciliation_warnings(reconciliation),
        *_sound_warnings(sounds),
        *_speech_warnings(speech),
        *_mail_warnings(services.settings, mail),
    ]
    service = HealthReport(
        line=describe_line(services.settings),
        database="ok",
        line_open=None,
        calendar=(),
        ami=link,
        reconciliation=reconciliation,
        missing_sounds=tuple(sound.as_dict() for sound in sounds),
        speech=speech.as_dict() if speech is not None else None,
        mail=mail.as_dict() if mail is not None else None,
        visit_calls=visit_calls_status(services.settings),
    )
    behind = False
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        behind = pending_migrations(services.engine)
        calendar = services.calendar()
    except SQLAlchemyError:
        # Reachable but never migrated: the calendar's override tables are missing.
        problem = SCHEMA_BEHIND if behind else "база данных недоступна"
        return replace(
            service,
            database="unavailable",
            warnings=(problem, *service_warnings),
        )
    statuses = calendar_warnings(calendar, now)
    warnings = [s.note for s in statuses if s.needs_confirmation]
    if behind:
        warnings.append(SCHEMA_BEHIND)
    return replace(
        service,
        line_open=calendar.is_open(now),
        calendar=statuses,
        warnings=(*warnings, *service_warnings),
    )


def _ami_warnings(link: Mapping[str, Any] | None) -> list[str]:
    if link is None:
        return []
    warnings = []
    if link.get("state") != "logged_in":
        reason = link.get("last_error") or link.get("label", link.get("state"))
        warnings.append(f"нет связи с Asterisk (AMI): {reason}")
    permissions = link.get("permissions")
    if isinstance(permissions, Mapping) and permissions.get("problem"):
        warnings.append(str(permissions["problem"]))
    if link.get("events_behind"):
        warnings.append(
            f"события Asterisk (AMI) обрабатываются с отставанием: в очереди "
            f"{link.get('events_pending')}, самое старое ждёт "
            f"{float(link.get('events_oldest_s') or 0):.0f} с"
        )
    writes = link.get("call_log_writes")
    if isinstance(writes, Mapping):
        warnings.extend(_write_warnings(writes))
    return warnings


def _write_warnings(writes: Mapping[str, Any]) -> list[str]:
    warnings = []
    if writes.get("database_unavailable") and writes.get("pending"):
        warnings.append(
            f"журнал звонков: {writes['pending']} записей ждут базу данных (самая старая "
            f"{float(writes.get('oldest_s') or 0):.0f} с): {writes.get('last_error')}"
        )
    if writes.get("dropped"):
        warnings.append(
            f"журнал звонков: {writes['dropped']} записей отброшено при переполнении очереди; "
            "завершённые звонки восстанавливает сверка с queue_log/CDR"
        )
    return warnings


def _reconciliation_warnings(reconciliation: Mapping[str, Any] | None) -> list[str]:
    if reconciliation is None:
        return []
    warnings = [
        f"сверка звонков после обрыва AMI, источник {source['name']}: {source['problem']}"
        for source in reconciliation.get("sources", ())
        if source.get("state") != "ok"
    ]
    pending = reconciliation.get("pending_calls")
    if isinstance(pending, Mapping) and pending.get("overdue"):
        warnings.append(
            f"сверка звонков после обрыва AMI: {pending['overdue']} звонков не найдены в "
            "queue_log/CDR и остаются без исхода до следующей сверки"
        )
    return warnings


def _sound_warnings(sounds: Sequence[MissingSound]) -> list[str]:
    if not sounds:
        return []
    named = ", ".join(sound.sound for sound in sounds[:SOUNDS_NAMED])
    more = f" и ещё {len(sounds) - SOUNDS_NAMED}" if len(sounds) > SOUNDS_NAMED else ""
    return [
        f"Asterisk не проигрывает звуки ({len(sounds)}): {named}{more}; звонящие их не "
        "слышат — установите файлы подсказок (см. asterisk/README.md, проверка: "
        "consult-line check-asterisk)"
    ]


def _speech_warnings(speech: SpeechStatus | None) -> list[str]:
    """A failed model, and a ready one that cannot take lists of answers; loading and off
    are states, not faults."""
    if speech is None or not speech.reason:
        return []
    if speech.state is SpeechState.FAILED:
        return [f"{FAILED_WARNING}: {speech.reason}"]
    if speech.state is SpeechState.READY:
        return [f"распознавание речи: {speech.reason}"]
    return []


def mail_at_start(settings: Settings) -> IntakeStatus:
    """The mail receiver before ``serve`` starts it: off without a port, and on the training
    line, whose data are not where citizens' letters belong; else starting."""
    if settings.smtp_in_port is None:
        return off_status(bool(settings.mail_domains))
    if settings.training_line:
        return IntakeStatus(IntakeState.OFF, MAIL_OFF_ON_TRAINING_LINE)
    return IntakeStatus(IntakeState.STARTING)


def _mail_warnings(settings: Settings, mail: IntakeStatus | None) -> list[str]:
    """Mail settings that leave the receiver off, a receiver that could not listen, and mails
    not stored since the last one that was; off and starting are states, not faults."""
    warnings = []
    start = mail_at_start(settings)
    configured = settings.smtp_in_port is not None or bool(settings.mail_domains)
    if configured and start.state is IntakeState.OFF:
        warnings.append(f"приём писем по почте выключен: {start.reason}")
    if mail is None:
        return warnings
    if mail.state is IntakeState.FAILED:
        warnings.append(f"{MAIL_FAILED_WARNING}: {mail.reason}")
    if mail.failing:
        warnings.append(
            f"приём почты: письма не сохраняются ({mail.last_error}); не сохранено подряд: "
            f"{mail.failing}, отправляющий сервер получил ответ 451 и повторит доставку"
        )
    return warnings
