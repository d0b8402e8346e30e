"""What every planner of the demo shares: the calendar, the moment, the dice and the staff."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

from consult_line.demo.staff import Staff
from models.rules.calendar import ProductionCalendar


@dataclass(frozen=True, slots=True)
class SeedContext:
    calendar: ProductionCalendar
    now: datetime
    rng: random.Random
    staff: Staff

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.calendar.tz).date()
