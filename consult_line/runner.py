"""Carries out one parsed ``consult-line`` command: settings, services, the command's module.

Imported by ``consult_line.cli`` once the command line is read, so that ``--help`` and usage
errors never load the database or web libraries. Failures the user can meet become one
Russian sentence and an exit code (see ``consult_line.cli``); Ctrl+C and a closed pipe are left
to ``consult_line.cli.main``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable
from typing import cast

from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from consult_line.config import ConfigError, load_settings
from consult_line.wiring import Services, build_services
from models.os_errors import os_error_reason

Handler = Callable[[Services, argparse.Namespace], int]

log = logging.getLogger(__name__)


def run_command(module: str, args: argparse.Namespace) -> int:
    """Runs ``module.run(services, args)`` and returns the exit code."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        _say(str(exc))
        return 2
    handler = cast(Handler, importlib.import_module(module).run)
    services = build_services(settings)
    try:
        return handler(services, args)
    except BrokenPipeError:
        raise  # the reader went away: consult_line.cli ends quietly
    except (OperationalError, ProgrammingError) as exc:
        if _schema_behind(services, exc):
            _say("Схема базы данных не создана или устарела: выполните consult-line migrate.")
            return 1
        if isinstance(exc, ProgrammingError):
            return _unexpected(exc)
        _say(f"База данных недоступна ({settings.masked()['database_url']}): {exc.orig}")
        return 1
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        _say(f"Ошибка ввода-вывода{where}: {os_error_reason(exc)}.")
        return 1
    except Exception as exc:
        return _unexpected(exc)
    finally:
        services.engine.dispose()


def _schema_behind(services: Services, exc: SQLAlchemyError) -> bool:
    """A table missing because ``migrate`` was not run (checked only where that is cheap)."""
    if isinstance(exc, OperationalError) and services.engine.dialect.name != "sqlite":
        return False  # a server that is down: asking again would wait for it once more
    from models.migrate import pending_migrations  # alembic: only on this failure

    try:
        return pending_migrations(services.engine)
    except SQLAlchemyError:
        return False


def _unexpected(exc: Exception) -> int:
    log.debug("необработанная ошибка", exc_info=exc)
    _say("Внутренняя ошибка программы; подробности покажет запуск с CONSULT_LINE_LOG_LEVEL=DEBUG.")
    return 1


def _say(message: str) -> None:
    print(message, file=sys.stderr)
