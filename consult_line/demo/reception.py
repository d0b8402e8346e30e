"""The demo's reception schedule: the demo experts receive visitors (V1–V2), so that a fresh
demo offers free times in the call card and on the booking pages.

Written only where nobody receives yet and only for the demo's own experts; a deployer's
schedule (``consult-line visits schedule``) is never touched.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel import Session, col, select

from models.tables import Employee, ReceptionHours
from visits.schedule_file import Bilingual, PointItem, Schedule, ScheduleRow
from visits.schedule_import import import_schedule

_POINT = PointItem(
    code="demo",
    name=Bilingual(
        ru="Министерство промышленности и торговли Республики Дагестан (демо)",
        en="Ministry of Industry and Trade of the Republic of Dagestan (demo)",
    ),
    address=Bilingual(ru="г. Махачкала, демонстрационный адрес", en="Makhachkala, demo address"),
    room=Bilingual(ru="1-й этаж, приёмная", en="ground floor, reception room"),
    directions=Bilingual(
        ru="Демонстрационное описание проезда: вход для посетителей с пандусом, на входе "
        "назовите номер записи.",
        en="Demo directions: the visitors' entrance has a ramp; give your booking number at "
        "the entrance.",
    ),
)
# (internal number, weekday (0 = Monday), opens, closes): the demo experts (consult_line.demo.staff)
_HOURS = (
    ("301", 1, time(10), time(13)),
    ("301", 3, time(10), time(13)),
    ("302", 0, time(14), time(17)),
    ("302", 2, time(14), time(17)),
    ("303", 4, time(10), time(12)),
)
SLOT_MINUTES = 30


def seed_reception(session: Session, now: datetime) -> int:
    """The demo schedule's hours rows written (0: somebody receives already, or the demo
    experts are not in the directory)."""
    if session.exec(select(ReceptionHours.id).limit(1)).first() is not None:
        return 0
    numbers = {number for number, *_ in _HOURS}
    query = select(Employee.internal_number).where(
        col(Employee.internal_number).in_(numbers), col(Employee.active)
    )
    if set(session.exec(query)) != numbers:
        return 0
    rows = tuple(
        ScheduleRow(number, _POINT.code, weekday, opens, closes, SLOT_MINUTES)
        for number, weekday, opens, closes in _HOURS
    )
    summary = import_schedule(session=session, schedule=Schedule("demo", (_POINT,), rows), now=now)
    return summary.hours.created
