"""One run of the history purge (G3), as ``consult-line retention`` and the nightly job make it:
the cut-off from the settings and the clock, the batches until done or told to stop, the
audit entry, and the Russian lines that say what was (or would be) removed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from consult_line.wiring import Services
from models.audit_trail import record_retention_run
from models.db import session_scope
from models.retention import Affected, Tally, open_tasks_before, plan, purge_batches
from models.retention_scope import Part
from models.rules.retention import keep_from, retention_cutoff

PART_LABELS: dict[Part, str] = {
    Part.CALLS: "звонки (calls)",
    Part.CALL_TRANSFERS: "переводы звонков (call_transfers)",
    Part.CALL_WRAPUPS: "итоги звонков (call_wrapups)",
    Part.CALL_REFERRALS: "направления в другие ведомства (call_referrals)",
    Part.WRAPUP_DISMISSALS: "звонки без итога (wrapup_dismissals)",
    Part.SURVEY_RESPONSES: "ответы на опрос (survey_responses)",
    Part.CALLBACK_TASKS: "заявки на обратный звонок (callback_tasks)",
    Part.CALLBACK_WINDOWS: "окна обратного звонка (callback_windows)",
    Part.CALLBACK_ATTEMPTS: "попытки обратного звонка (callback_attempts)",
    Part.CALLBACK_TASK_CHANGES: "изменения заявок (callback_task_changes)",
    Part.WRITTEN_MESSAGES: "письменные обращения (written_messages)",
    Part.MESSAGE_ATTACHMENTS: "вложения обращений (message_attachments)",
    Part.MESSAGE_NOTICES: "уведомления и ответы по обращениям (message_notices)",
    Part.MESSAGE_SURVEYS: "опросы по обращениям (message_surveys)",
    Part.VISIT_BOOKINGS: "записи на личный приём (visit_bookings)",
    Part.VISIT_CANCEL_LINKS: "ссылки отмены записей (visit_cancel_links)",
    Part.VISIT_SURVEYS: "оценки личного приёма (visit_surveys)",
    Part.VISIT_REMINDERS: "напоминания о приёме (visit_reminders)",
    Part.CLIENTS_DELETED: "клиенты (clients)",
    Part.CLIENTS_ANONYMISED: "клиенты (clients)",
}
ANONYMISED = frozenset({Part.CLIENTS_ANONYMISED})


@dataclass(frozen=True, slots=True)
class Term:
    """The retention term on the day of ``now``."""

    years: int
    first_kept: date  # local day: its records and later ones are kept
    cutoff: datetime  # local midnight of ``first_kept``: older records go

    @classmethod
    def of(cls, services: Services, now: datetime) -> Term:
        settings = services.settings
        years = settings.retention_years
        today = now.astimezone(settings.tz).date()
        return cls(years, keep_from(today, years), retention_cutoff(now, settings.tz, years))

    def heading(self) -> str:
        return (
            f"Срок хранения истории взаимодействия, лет: {self.years} "
            f"(CONSULT_LINE_RETENTION_YEARS); всё с {self.first_kept.isoformat()} остаётся, "
            "более раннее удаляется."
        )


@dataclass(slots=True)
class Outcome:
    started: datetime
    term: Term
    tally: Tally = field(default_factory=Tally)
    complete: bool = False


def dry_run(services: Services) -> tuple[Term, tuple[Affected, ...], int]:
    """What a run now would do, and how many open tasks older than the term it keeps."""
    term = Term.of(services, services.clock())
    with services.engine.connect() as connection:
        planned = plan(connection=connection, cutoff=term.cutoff)
        open_tasks = open_tasks_before(connection=connection, cutoff=term.cutoff)
    return term, planned, open_tasks


def begin(services: Services) -> Outcome:
    now = services.clock()
    return Outcome(now, Term.of(services, now))


def purge(
    services: Services,
    outcome: Outcome,
    *,
    actor: str,
    keep_going: Callable[[], bool] = lambda: True,
    audit_when_idle: bool = True,
) -> None:
    """Removes the history past ``outcome``'s term, batch by batch while ``keep_going()``,
    counting in ``outcome`` what each batch did. The audit log gets an entry, also when the
    run is stopped by an exception (Ctrl+C) — unless ``audit_when_idle`` is false and the run
    finished without removing anything."""
    batches = purge_batches(engine=services.engine, cutoff=outcome.term.cutoff)
    try:
        while keep_going():
            batch = next(batches, None)
            if batch is None:
                outcome.complete = True
                break
            outcome.tally.add(batch)
    finally:
        batches.close()
        if audit_when_idle or outcome.tally.rows or not outcome.complete:
            with session_scope(services.engine) as session:
                record_retention_run(
                    session=session,
                    at=services.clock(),
                    actor=actor,
                    cutoff=outcome.term.cutoff,
                    changes=outcome.tally.changes,
                    complete=outcome.complete,
                )


def change_lines(changes: Sequence[Affected], tz: tzinfo, *, done: bool) -> list[str]:
    """Per table: how many rows and the span of their local dates; removals, then blanking."""
    lines = []
    for title, parts in (
        (
            "Удалено:" if done else "Будет удалено:",
            [c for c in changes if c.part not in ANONYMISED],
        ),
        (
            "Обезличено:" if done else "Будет обезличено:",
            [c for c in changes if c.part in ANONYMISED],
        ),
    ):
        lines.append(title)
        lines.extend(f"  {PART_LABELS[item.part]}: {_count(item, tz)}" for item in parts)
    return lines


def summary(changes: Sequence[Affected]) -> str:
    """One line for the log: the parts that changed."""
    removed = [_short(item) for item in changes if item.rows and item.part not in ANONYMISED]
    blanked = [_short(item) for item in changes if item.rows and item.part in ANONYMISED]
    parts = []
    if removed:
        parts.append("удалено — " + ", ".join(removed))
    if blanked:
        parts.append("обезличено — " + ", ".join(blanked))
    return "; ".join(parts) or "старше срока ничего нет"


def _count(item: Affected, tz: tzinfo) -> str:
    if not item.rows or item.oldest is None or item.newest is None:
        return str(item.rows)
    oldest = item.oldest.astimezone(tz).date().isoformat()
    newest = item.newest.astimezone(tz).date().isoformat()
    return f"{item.rows}, с {oldest} по {newest}"


def _short(item: Affected) -> str:
    return f"{PART_LABELS[item.part]} {item.rows}"
