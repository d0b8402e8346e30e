"""The health report the web app serves; computed by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.rules.calendar import YearStatus


@dataclass(frozen=True, slots=True)
class HealthReport:
    database: str
    line_open: bool | None
    calendar: tuple[YearStatus, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def status(self) -> str:
        if self.database != "ok":
            return "unavailable"
        return "degraded" if self.warnings else "ok"
