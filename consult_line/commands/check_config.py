"""``consult-line check-config``: effective settings (secrets masked) and what they lead to."""

from __future__ import annotations

import argparse
from typing import Any

from ami.log_sources import inspect_sources
from consult_line.health import Probes, check
from consult_line.wiring import Services


def run(services: Services, _args: argparse.Namespace) -> int:
    print("Действующие настройки:")
    for name, value in services.settings.masked().items():
        print(f"  CONSULT_LINE_{name.upper()} = {value}")
    report = check(services, Probes(reconciliation=lambda: _sources(services)))
    print(f"База данных: {'доступна' if report.database == 'ok' else 'НЕДОСТУПНА'}")
    for status in report.calendar:
        print(f"Производственный календарь {status.year}: {status.note}")
    for warning in report.warnings:
        print(f"ВНИМАНИЕ: {warning}")
    return 0 if report.database == "ok" else 1


def _sources(services: Services) -> dict[str, Any]:
    """The files reconciliation will read after an AMI outage (not read when AMI is off)."""
    if not services.settings.ami_enabled:
        return {"sources": []}
    return {"sources": [source.as_dict() for source in inspect_sources(services.settings)]}
