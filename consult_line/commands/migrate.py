"""``consult-line migrate``: brings the database schema to the newest revision (idempotent)."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from consult_line.wiring import Services
from models.migrate import upgrade


def migrate(services: Services) -> int:
    try:
        upgrade(services.engine)
    except OperationalError as exc:
        print(f"База данных недоступна: {exc.orig}")
        return 1
    print("Схема базы данных актуальна.")
    return 0
