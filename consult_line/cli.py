"""``consult-line``: the command line of the consultation line. Commands are listed in COMMANDS."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

from consult_line.commands import (
    calendar,
    check_asterisk,
    check_config,
    demo,
    export,
    kb,
    migrate,
    serve,
    staff,
)
from consult_line.config import ConfigError, load_settings
from consult_line.wiring import Services, build_services

Handler = Callable[[Services, argparse.Namespace], int]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Handler


def _no_arguments(_parser: argparse.ArgumentParser) -> None:
    return None


COMMANDS: tuple[Command, ...] = (
    Command(
        "serve",
        "запустить веб-приложение и планировщик",
        _no_arguments,
        lambda services, _args: serve.serve(services),
    ),
    Command(
        "migrate",
        "создать или обновить схему базы данных",
        _no_arguments,
        lambda services, _args: migrate.migrate(services),
    ),
    Command(
        "check-config",
        "показать действующие настройки и проверить их",
        _no_arguments,
        lambda services, _args: check_config.check_config(services),
    ),
    Command(
        "check-asterisk",
        "проверить настройки Asterisk по контракту линии",
        check_asterisk.configure,
        check_asterisk.run,
    ),
    Command("staff", "справочник сотрудников (импорт из YAML)", staff.configure, staff.run),
    Command("seed-demo", "заполнить базу демонстрационными данными", demo.configure, demo.run),
    Command(
        "calendar", "производственный календарь и его поправки", calendar.configure, calendar.run
    ),
    Command("export", "выгрузка звонков, обратных звонков и опросов", export.configure, export.run),
    Command("kb", "база знаний: проверка, загрузка и поиск", kb.configure, kb.run),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consult-line",
        description="Консультационная линия: контакт-центр рядом с Asterisk.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="КОМАНДА")
    for command in COMMANDS:
        sub = commands.add_parser(command.name, help=command.help, description=command.help)
        command.configure(sub)
        sub.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = calendar.normalise_argv(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(args_list)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    handler: Handler = args.handler
    services = build_services(settings)
    try:
        return handler(services, args)
    except BrokenPipeError:
        # The reader went away (`export ... | head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OperationalError as exc:
        print(
            f"База данных недоступна ({settings.masked()['database_url']}): {exc.orig}",
            file=sys.stderr,
        )
        return 1
    finally:
        services.engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
