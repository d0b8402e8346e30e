"""The health report the web app serves; computed by the composition root."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from models.rules.calendar import YearStatus


@dataclass(frozen=True, slots=True)
class HealthReport:
    database: str
    line_open: bool | None
    calendar: tuple[YearStatus, ...]
    warnings: tuple[str, ...] = field(default=())
    ami: Mapping[str, Any] | None = None  # the AMI link's status; None when AMI is disabled
    # The sources of reconciliation after an AMI outage (queue_log, CDR) and its last run;
    # None when AMI is disabled (nothing reconciles then).
    reconciliation: Mapping[str, Any] | None = None
    # Sounds calls could not play since they went missing (prompts, digits); () when none.
    missing_sounds: tuple[Mapping[str, Any], ...] = ()
    # Which line the service works with: {"kind": "asterisk" | "training", "label": ...}.
    line: Mapping[str, str] | None = None
    # Speech recognition: {"state": "off" | "loading" | "ready" | "failed", "reason": ...};
    # None where the process does not run it.
    speech: Mapping[str, Any] | None = None
    # The receiver of written messages by mail: {"state": "off" | "starting" | "listening" |
    # "failed", "reason", "address", counts of mails stored, duplicates, answered 451};
    # None where the process does not run it.
    mail: Mapping[str, Any] | None = None
    # Reminder calls to visitors (V3–V4): {"state": "on" | "off", "reason": ...}.
    visit_calls: Mapping[str, str] | None = None

    @property
    def status(self) -> str:
        if self.database != "ok":
            return "unavailable"
        return "degraded" if self.warnings else "ok"
