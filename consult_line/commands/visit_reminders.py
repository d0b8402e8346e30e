"""``consult-line visits reminders [--dry-run]``: a booking's letters and calls (V3–V6).

Plans the rows of new bookings, skips those of cancelled ones, sends the due letters
(``consult_line.visit_reminder_run``) and prints one line per row of the coming visits:
number, booking, what, how, when due, state, attempts, the call's result, the last error.
Calls are placed only by ``serve`` (it holds the AMI link).
``--dry-run`` changes nothing and sends nothing: it shows the rows new bookings would get
and the rows there are.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from consult_line.visit_reminder_run import Run, log_run, prepare, send_letters
from consult_line.wiring import Services
from models.rules.visit_reminders import CALL_RESULT_RU, CHANNEL_RU, KIND_RU, STATE_RU
from models.tables import VisitBooking, VisitReminder
from visits import reminder_store

SHOWN_SINCE = timedelta(days=1)


def show_reminders(services: Services, *, dry_run: bool) -> int:
    if dry_run:
        tz = services.settings.tz
        with Session(services.engine) as session:
            now = services.clock()
            new = reminder_store.unplanned(session, now=now, calendar=services.calendar())
            print(
                f"Будет запланировано: {sum(len(rows) for _, rows in new)}. "
                "Ничего не изменено и не отправлено (--dry-run)."
            )
            for booking, rows in new:
                for row in rows:
                    print(
                        f"-\tзапись {booking.id}\t{KIND_RU[row.kind]}\t{CHANNEL_RU[row.channel]}\t"
                        f"{row.due_at.astimezone(tz):%d.%m.%Y %H:%M}\tбудет запланировано"
                    )
            _print_rows(session, services)
        return 0
    run = Run()
    prepare(services, run)
    send_letters(services, run)
    log_run(run)
    print(
        f"Запланировано: {run.planned}, писем отправлено: {len(run.sent)}, "
        f"не отправлено: {len(run.failed)}, пропущено (запись отменена): {run.skipped}."
    )
    for reason, count in run.not_configured:
        print(f"Не отправлено ({count}): {reason}.")
    with Session(services.engine) as session:
        _print_rows(session, services)
    return 0


def _print_rows(session: Session, services: Services) -> None:
    tz = services.settings.tz
    since = services.clock() - SHOWN_SINCE
    rows = session.exec(
        select(VisitReminder)
        .join(VisitBooking, col(VisitBooking.id) == col(VisitReminder.booking_id))
        .where(col(VisitBooking.starts_at) >= since)
        .order_by(col(VisitReminder.due_at), col(VisitReminder.id))
    ).all()
    for row in rows:
        result = CALL_RESULT_RU[row.call_result] if row.call_result else "-"
        print(
            f"{row.id or '-'}\tзапись {row.booking_id}\t{KIND_RU[row.kind]}\t"
            f"{CHANNEL_RU[row.channel]}\t{row.due_at.astimezone(tz):%d.%m.%Y %H:%M}\t"
            f"{STATE_RU[row.state]}\t"
            f"попыток {row.attempts}\t{result}\t{row.last_error}"
        )
