"""``consult-line check-config``: effective settings (secrets masked) and what they lead to."""

from __future__ import annotations

import argparse

from consult_line.health import check, describe_line, file_probes
from consult_line.wiring import Services


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
    report = check(services, file_probes(services.settings))
    print(f"База данных: {'доступна' if report.database == 'ok' else 'НЕДОСТУПНА'}")
    for status in report.calendar:
        print(f"Производственный календарь {status.year}: {status.note}")
    for warning in report.warnings:
        print(f"ВНИМАНИЕ: {warning}")
    return 0 if report.database == "ok" else 1
