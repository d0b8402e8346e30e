"""``consult-line visits``: personal visits for administrators and scripts (V1–V2, V5, V6).

``schedule FILE`` loads the reception schedule (idempotent, reports what changed); ``slots
DATE`` lists the day's free time; ``book DATE HH:MM --phone ...`` books a slot and prints the
confirmation the visitor is told (exit 3 when the slot is taken, 2 for a refused request);
``cancel ID`` cancels a booking (again: says so, exit 0; unknown: exit 2); ``reminders
[--dry-run]`` plans the rows of new bookings, sends the due letters and lists the rows of
coming visits (calls are placed by ``serve``, which holds the AMI link; V3–V6); ``rate`` and
``ratings``: the rating after the visit (V13, ``consult_line.commands.visit_ratings``). The
same store (``visits.store``) serves the console and the public pages.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from sqlmodel import Session, col, select

from consult_line.actor import cli_actor
from consult_line.commands import visit_ratings
from consult_line.commands.visit_reminders import show_reminders
from consult_line.wiring import Services
from models.db import session_scope
from models.rules.visit_slots import BookingRefusal, Slot
from models.tables import Employee, Interpreter, Language, VisitChannel
from visits.schedule_file import ScheduleFileError, load_schedule_file
from visits.schedule_import import import_schedule
from visits.store import (
    BookingError,
    BookingRequest,
    book_visit,
    cancel_visit,
    confirmation_for,
    get_booking,
    list_free_slots,
)

EXIT_TAKEN = 3


def run(services: Services, args: argparse.Namespace) -> int:
    action: str = args.action
    if action == "schedule":
        return _schedule(services, args)
    if action == "slots":
        return _slots(services, args)
    if action == "book":
        return _book(services, args)
    if action == "reminders":
        return show_reminders(services, dry_run=args.dry_run)
    if action == "rate":
        return visit_ratings.rate(services, args)
    if action == "ratings":
        return visit_ratings.send(services, args)
    return _cancel(services, args)


def _schedule(services: Services, args: argparse.Namespace) -> int:
    try:
        schedule = load_schedule_file(args.file)
        with session_scope(services.engine) as session:
            summary = import_schedule(session=session, schedule=schedule, now=services.clock())
    except ScheduleFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    return 0


def _slots(services: Services, args: argparse.Namespace) -> int:
    calendar = services.calendar()
    with Session(services.engine) as session:
        slots = list_free_slots(
            session=session, calendar=calendar, first=args.day, last=args.day, now=services.clock()
        )
        names = _names(session)
    if args.format == "jsonl":
        for slot in slots:
            print(json.dumps(_slot_json(slot, names), ensure_ascii=False))
        return 0
    if not slots:
        print(f"Свободного времени для записи на {args.day:%d.%m.%Y} нет.")
        return 0
    print(f"Свободное время на {args.day:%d.%m.%Y}:")
    for slot in slots:
        number, name = names[slot.employee_id]
        print(f"  {slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}  {name} (внутр. {number})")
    return 0


def _book(services: Services, args: argparse.Namespace) -> int:
    calendar = services.calendar()
    now = services.clock()
    starts_at = datetime.combine(args.day, args.at, tzinfo=calendar.tz)
    try:
        with session_scope(services.engine) as session:
            employee_id = _employee_id(session, args.reception)
            request = BookingRequest(
                starts_at=starts_at,
                phone=args.phone,
                channel=VisitChannel.STAFF,
                name=args.name,
                email=args.email,
                language=Language(args.language),
                interpreter=Interpreter(args.interpreter),
                remind_day_before="day_before" in args.remind,
                remind_two_hours="two_hours" in args.remind,
                remind_by_email="email" in args.remind_by,
                remind_by_call="call" in args.remind_by,
                employee_id=employee_id,
            )
            booked = book_visit(
                session=session,
                settings=services.settings,
                calendar=calendar,
                request=request,
                actor=cli_actor(),
                now=now,
            )
            text = confirmation_for(
                session=session,
                booking=booked.booking,
                cancel_link=booked.cancel_link,
                tz=calendar.tz,
            )
    except BookingError as exc:
        print(exc, file=sys.stderr)
        return EXIT_TAKEN if exc.reason is BookingRefusal.TAKEN else 2
    print(text)
    return 0


def _cancel(services: Services, args: argparse.Namespace) -> int:
    try:
        with session_scope(services.engine) as session:
            booking = get_booking(session, args.booking)
            if booking is None:
                print(f"Записи № {args.booking} нет.", file=sys.stderr)
                return 2
            result = cancel_visit(
                session=session,
                booking=booking,
                via=VisitChannel.STAFF,
                actor=cli_actor(),
                now=services.clock(),
            )
    except BookingError as exc:
        print(exc, file=sys.stderr)
        return 2
    if result.already:
        print(f"Запись № {args.booking} уже была отменена.")
    else:
        print(f"Запись № {args.booking} отменена.")
    return 0


def _employee_id(session: Session, internal_number: str | None) -> int | None:
    if internal_number is None:
        return None
    employee = session.exec(
        select(Employee).where(col(Employee.internal_number) == internal_number)
    ).first()
    if employee is None:
        raise BookingError(None, f"Сотрудника с внутренним номером {internal_number} нет.")
    return employee.id


def _names(session: Session) -> dict[int, tuple[str, str]]:
    return {
        e.id: (e.internal_number, e.full_name)
        for e in session.exec(select(Employee)).all()
        if e.id is not None
    }


def _slot_json(slot: Slot, names: dict[int, tuple[str, str]]) -> dict[str, object]:
    number, name = names[slot.employee_id]
    return {
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "employee": number,
        "employee_name": name,
        "point_id": slot.point_id,
    }
