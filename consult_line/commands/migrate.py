"""``consult-line migrate``: brings the database schema to the newest revision (idempotent)."""

from __future__ import annotations

import argparse

from consult_line.wiring import Services
from models.migrate import current_revision, upgrade


def run(services: Services, _args: argparse.Namespace) -> int:
    before = current_revision(services.engine)
    upgrade(services.engine)
    after = current_revision(services.engine)
    if before == after:
        print(f"Схема базы данных уже актуальна (ревизия {after}).")
    else:
        print(f"Схема базы данных обновлена: {before or 'пустая база'} → {after}.")
    return 0
