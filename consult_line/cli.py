"""``consult-line``: the command line of the consultation line. Commands are listed in COMMANDS.

Reading the command line needs only argparse (``consult_line.arguments``), so ``--help`` and a
mistyped argument answer at once. The module that carries out a command, with the database,
web and calendar libraries it needs, is imported by ``consult_line.runner`` when that command
runs.

Every failure ends with one Russian sentence on stderr and an exit code: 2 for a mistake in
the command line, the settings or an input file, 1 when the command could not be carried out
(database unavailable, a file that cannot be written), 130 after Ctrl+C. A reader that stops
reading (``export calls | head``) is not a failure: the command stops quietly with 0.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from consult_line import arguments
from consult_line.argparse_ru import RussianArgumentParser
from models.os_errors import os_error_reason


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    module: str  # imported when the command runs; provides run(services, args) -> int


COMMANDS: tuple[Command, ...] = (
    Command(
        "serve",
        "запустить веб-приложение и планировщик",
        arguments.no_arguments,
        "consult_line.commands.serve",
    ),
    Command(
        "migrate",
        "создать или обновить схему базы данных",
        arguments.no_arguments,
        "consult_line.commands.migrate",
    ),
    Command(
        "check-config",
        "показать действующие настройки и проверить их",
        arguments.no_arguments,
        "consult_line.commands.check_config",
    ),
    Command(
        "check-asterisk",
        "проверить настройки Asterisk по контракту линии",
        arguments.check_asterisk,
        "consult_line.commands.check_asterisk",
    ),
    Command(
        "staff",
        "справочник сотрудников (импорт из YAML)",
        arguments.staff,
        "consult_line.commands.staff",
    ),
    Command(
        "user",
        "учётные записи для входа в консоль",
        arguments.user,
        "consult_line.commands.users",
    ),
    Command(
        "seed-demo",
        "заполнить базу демонстрационными данными",
        arguments.seed_demo,
        "consult_line.commands.demo",
    ),
    Command(
        "calendar",
        "производственный календарь и его поправки",
        arguments.calendar,
        "consult_line.commands.calendar",
    ),
    Command(
        "export",
        "выгрузка звонков, обратных звонков и опросов",
        arguments.export,
        "consult_line.commands.export",
    ),
    Command(
        "report",
        "отчёты руководителя: те же цифры, что на страницах консоли, в CSV или XLSX",
        arguments.report,
        "consult_line.commands.report",
    ),
    Command(
        "kb",
        "база знаний: проверка, загрузка и поиск",
        arguments.kb,
        "consult_line.commands.kb",
    ),
    Command(
        "simulate",
        "учебная линия: имитация Asterisk (AMI и FastAGI) со звонками для обучения и показа",
        arguments.simulate,
        "consult_line.commands.simulate",
    ),
    Command(
        "messages",
        "письменные обращения: номера, состояние, сроки ответов",
        arguments.messages,
        "consult_line.commands.messages",
    ),
    Command(
        "mailings",
        "информационные рассылки: список, отправка",
        arguments.mailings,
        "consult_line.commands.mailings",
    ),
    Command(
        "visits",
        "личный приём: расписание, свободное время, запись и отмена",
        arguments.visits,
        "consult_line.commands.visits",
    ),
    Command(
        "retention",
        "удалить историю взаимодействия старше срока хранения (по умолчанию 5 лет)",
        arguments.retention,
        "consult_line.commands.retention",
    ),
)


def build_parser() -> argparse.ArgumentParser:
    parser = RussianArgumentParser(
        prog="consult-line",
        description="Консультационная линия: контакт-центр рядом с Asterisk.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="КОМАНДА")
    for command in COMMANDS:
        sub = commands.add_parser(command.name, help=command.help, description=command.help)
        command.configure(sub)
        sub.set_defaults(module=command.module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(list(sys.argv[1:] if argv is None else argv))
        sys.stdout.flush()  # a failed write surfaces here, not as a warning at exit
    except BrokenPipeError:
        # The reader went away (`export ... | head`): it has what it wanted; stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # e.g. output redirected to a full disk
        print(f"Не удалось записать в стандартный вывод: {os_error_reason(exc)}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Прервано (Ctrl+C).", file=sys.stderr)
        return 130
    return code


def _main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(arguments.normalise_argv(argv))
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else 2
    from consult_line.runner import run_command  # the libraries the commands need

    return run_command(args.module, args)


if __name__ == "__main__":
    raise SystemExit(main())
