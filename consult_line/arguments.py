"""The arguments of each ``consult-line`` command and how a typed value is checked.

Read for every invocation, ``--help`` included, so only argparse and the standard library are
imported here: the commands themselves (database, web, calendar) load when they run. A value
that cannot be used is refused with a Russian sentence before anything is opened.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

from models.topics import Topic

# models.exports.ExportKind, listed here without importing the database models
# (tests/consult_line/test_cli_errors.py keeps the two lists equal).
EXPORT_KINDS = ("calls", "callbacks", "surveys")
# models.tables.Role, listed here for the same reason (the same test keeps them equal).
ROLES = ("operator", "expert", "supervisor", "kb_editor", "admin")
# The missed-call report's filter values (reports.missed), listed for the same reason
# (tests/consult_line/test_cli_report.py keeps them equal).
MISSED_REASONS = (
    "abandoned_in_ivr",
    "abandoned_in_queue",
    "queue_timeout",
    "no_operators",
    "left_queue_by_key",
    "unknown",
)
CALLBACK_STATES = ("none", "open", "in_progress", "done", "failed", "cancelled")
SHORT_CALLS = ("all", "only", "without")
TOPICS_OR_NONE = (*(topic.value for topic in Topic), "none")
LANGUAGES = ("ru", "en")  # models.tables.Language (test_cli_report.py keeps them equal)
# reports.message_survey.Channel (test_cli_report_survey.py keeps them equal).
SURVEY_CHANNELS = ("calls", "messages", "visits")
CALLBACK_STATUSES = ("open", "in_progress", "done", "failed", "cancelled")
CALLBACK_TERMS = ("kept", "missed", "open", "cancelled")
TRANSFER_OUTCOMES = ("completed", "refused", "failed", "pending")
# reports.training_state.TrainingState (test_cli_report_operators.py keeps them equal).
TRAINING_STATES = ("trained", "due_soon", "expired", "new_service", "no_initial")
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_DEMO_DAYS = 366
MAX_SEARCH_HITS = 100
ASTERISK_ETC = Path("/etc/asterisk")


def normalise_argv(argv: list[str]) -> list[str]:
    """``calendar 2026`` is short for ``calendar show 2026``."""
    if len(argv) >= 2 and argv[0] == "calendar" and argv[1].isdigit():
        return ["calendar", "show", *argv[1:]]
    return argv


def _action(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help: str
) -> argparse.ArgumentParser:
    return actions.add_parser(name, help=help, description=help)


def no_arguments(_parser: argparse.ArgumentParser) -> None:
    return None


def check_asterisk(parser: argparse.ArgumentParser) -> None:
    # Not checked here: the command reports an unusable folder itself, in more detail.
    parser.add_argument(
        "--etc",
        type=Path,
        default=ASTERISK_ETC,
        metavar="КАТАЛОГ",
        help=f"каталог настроек Asterisk (по умолчанию {ASTERISK_ETC})",
    )
    parser.add_argument(
        "--sounds",
        type=Path,
        default=None,
        metavar="КАТАЛОГ",
        help="каталог звуков Asterisk (по умолчанию astdatadir из asterisk.conf + /sounds, "
        "иначе /var/lib/asterisk/sounds)",
    )


def staff(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
    load = _action(actions, "import", "загрузить справочник из YAML-файла")
    load.add_argument("file", type=input_file, metavar="ФАЙЛ", help="YAML-файл справочника")
    load.add_argument(
        "--deactivate-missing",
        action="store_true",
        help="отключить сотрудников, которых нет в файле",
    )


def user(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
    add = _action(
        actions,
        "add",
        "создать учётную запись сотрудника; пароль — со стандартного ввода "
        "(в терминале спрашивается дважды, без отображения)",
    )
    add.add_argument("login", metavar="ЛОГИН", help="строчные латинские буквы, цифры, . _ -")
    add.add_argument(
        "--employee",
        required=True,
        metavar="НОМЕР",
        help="внутренний номер сотрудника из справочника (consult-line staff import)",
    )
    add.add_argument(
        "--role",
        dest="roles",
        action="append",
        required=True,
        choices=ROLES,
        metavar="РОЛЬ",
        help="роль (можно несколько раз): "
        + ", ".join(ROLES)
        + "; добавляется к ролям сотрудника в справочнике",
    )
    passwd = _action(
        actions,
        "passwd",
        "сменить пароль (пароль — как у add); все сеансы пользователя завершаются",
    )
    passwd.add_argument("login", metavar="ЛОГИН")
    disable = _action(actions, "disable", "отключить учётную запись; все её сеансы завершаются")
    disable.add_argument("login", metavar="ЛОГИН")
    enable = _action(actions, "enable", "снова включить отключённую учётную запись")
    enable.add_argument("login", metavar="ЛОГИН")
    _action(actions, "list", "учётные записи: логин, сотрудник, роли, состояние")


def seed_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--days",
        type=demo_days,
        default=30,
        metavar="ДНЕЙ",
        help=f"за сколько дней, от 1 до {MAX_DEMO_DAYS} (30)",
    )
    parser.add_argument(
        "--seed", type=whole_number, default=7, metavar="ЧИСЛО", help="зерно случайных чисел (7)"
    )


MAX_SIMULATED_CALLS = 100_000
MAX_SIMULATED_OPERATORS = 200
MAX_SPEED = 1000.0


def simulate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ami-port",
        type=port,
        default=None,
        metavar="ПОРТ",
        help="порт AMI учебной линии (по умолчанию CONSULT_LINE_AMI_PORT, 5038)",
    )
    parser.add_argument(
        "--agi-host",
        default=None,
        metavar="АДРЕС",
        help="адрес FastAGI-сервера serve (по умолчанию 127.0.0.1)",
    )
    parser.add_argument(
        "--agi-port",
        type=port,
        default=None,
        metavar="ПОРТ",
        help="порт FastAGI-сервера serve (по умолчанию CONSULT_LINE_AGI_PORT, 4573)",
    )
    parser.add_argument(
        "--calls",
        type=simulated_calls,
        default=10,
        metavar="ЧИСЛО",
        help=f"сколько звонков сыграть, от 0 до {MAX_SIMULATED_CALLS}; 0 — пока не остановят (10)",
    )
    parser.add_argument(
        "--speed",
        type=speed,
        default=1.0,
        metavar="X",
        help="во сколько раз быстрее настоящего времени; 0 — так быстро, как получится (1)",
    )
    parser.add_argument(
        "--operators",
        type=simulated_operators,
        default=3,
        metavar="ЧИСЛО",
        help=f"учебные операторы в очереди, от 0 до {MAX_SIMULATED_OPERATORS} (3)",
    )
    parser.add_argument(
        "--start",
        type=local_moment,
        default=None,
        metavar="ГГГГ-ММ-ДДTЧЧ:ММ",
        help="с какого момента идёт время линии, по местному времени линии (сейчас)",
    )
    parser.add_argument(
        "--seed", type=whole_number, default=1, metavar="ЧИСЛО", help="зерно случайных чисел (1)"
    )


def calendar(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
    show = _action(actions, "show", "дни года, отличные от обычной пятидневки")
    show.add_argument("year", type=year, metavar="ГОД")
    show.add_argument("--notes", action="store_true", help="добавить название праздника/причину")

    override = _action(actions, "override", "задать поправку на дату")
    override.add_argument("day", type=iso_date, metavar="ДАТА", help="ГГГГ-ММ-ДД")
    kind = override.add_mutually_exclusive_group(required=True)
    kind.add_argument("--working", dest="working", action="store_true", help="рабочий день")
    kind.add_argument("--non-working", dest="working", action="store_false", help="нерабочий день")
    override.add_argument(
        "--hours", type=hours, metavar="ЧЧ:ММ-ЧЧ:ММ", help="часы работы, например 09:00-17:00"
    )
    override.add_argument(
        "--reason", required=True, metavar="ТЕКСТ", help="основание: постановление, приказ"
    )

    remove = _action(actions, "remove-override", "удалить поправку на дату")
    remove.add_argument("day", type=iso_date, metavar="ДАТА", help="ГГГГ-ММ-ДД")

    listing = _action(actions, "overrides", "список поправок")
    listing.add_argument("--year", type=year, metavar="ГОД", help="только за этот год")

    confirm = _action(
        actions,
        "confirm-year",
        "подтвердить, что перенос выходных и сокращённые дни года сверены с официальным календарём",
    )
    confirm.add_argument("year", type=year, metavar="ГОД")
    confirm.add_argument("--source", required=True, metavar="ТЕКСТ", help="реквизиты постановления")


def export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=EXPORT_KINDS, metavar="ЧТО", help=", ".join(EXPORT_KINDS))
    parser.add_argument(
        "--since", type=iso_date, metavar="ДАТА", help="с даты ГГГГ-ММ-ДД (включительно)"
    )
    parser.add_argument(
        "--until", type=iso_date, metavar="ДАТА", help="по дату ГГГГ-ММ-ДД (включительно)"
    )
    parser.add_argument(
        "--format", choices=("jsonl", "csv"), default="jsonl", help="формат записей (jsonl)"
    )
    parser.add_argument(
        "--output", type=Path, metavar="ФАЙЛ", help="файл (по умолчанию стандартный вывод)"
    )


def report(parser: argparse.ArgumentParser) -> None:
    reports = parser.add_subparsers(dest="report", required=True, metavar="ОТЧЁТ")
    for name, help, filters in REPORTS:
        sub = _action(reports, name, help)
        sub.add_argument(
            "--since", type=iso_date, required=True, metavar="ДАТА", help="с даты ГГГГ-ММ-ДД"
        )
        sub.add_argument(
            "--until",
            type=iso_date,
            required=True,
            metavar="ДАТА",
            help="по дату ГГГГ-ММ-ДД включительно (не больше года)",
        )
        filters(sub)
        sub.add_argument(
            "--format", choices=("csv", "xlsx"), default="csv", help="формат файла (csv)"
        )
        sub.add_argument(
            "--output",
            type=Path,
            metavar="ФАЙЛ",
            help="файл (по умолчанию стандартный вывод; XLSX в терминал не выводится)",
        )


def _missed_filters(parser: argparse.ArgumentParser) -> None:
    for option, choices, metavar, what in (
        ("--reason", MISSED_REASONS, "ПРИЧИНА", "причина"),
        ("--topic", TOPICS_OR_NONE, "ТЕМА", "тема (none — не выбрана)"),
        ("--callback", CALLBACK_STATES, "СОСТОЯНИЕ", "заявка на обратный звонок (none — нет)"),
    ):
        parser.add_argument(
            option,
            action="append",
            choices=choices,
            metavar=metavar,
            help=f"{what}, можно несколько раз (без него — все): " + ", ".join(choices),
        )
    parser.add_argument(
        "--short",
        choices=SHORT_CALLS,
        metavar="КОРОТКИЕ",
        help="короткие звонки: all, only, without",
    )


def _survey_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--channel",
        choices=SURVEY_CHANNELS,
        metavar="КАНАЛ",
        help="calls — опрос после звонков (по умолчанию), messages — опрос по письменным "
        "обращениям (W12), visits — оценка личного приёма (V13); с ними фильтры звонков не "
        "указываются",
    )
    parser.add_argument(
        "--operator",
        action="append",
        metavar="НОМЕР",
        help="внутренний номер оператора, можно несколько раз (без него — все)",
    )
    parser.add_argument(
        "--topic",
        action="append",
        choices=TOPICS_OR_NONE,
        metavar="ТЕМА",
        help="тема (none — не выбрана), можно несколько раз: " + ", ".join(TOPICS_OR_NONE),
    )
    parser.add_argument(
        "--language",
        action="append",
        choices=LANGUAGES,
        metavar="ЯЗЫК",
        help="язык звонка, можно несколько раз: " + ", ".join(LANGUAGES),
    )


def _callbacks_filters(parser: argparse.ArgumentParser) -> None:
    _repeated(parser, "--owner", None, "НОМЕР", "ответственный: внутренний номер (none — без него)")
    _repeated(parser, "--status", CALLBACK_STATUSES, "СОСТОЯНИЕ", "состояние заявки")
    _repeated(
        parser, "--term", CALLBACK_TERMS, "СРОК", "срок: в срок, нарушен, не наступил, отменена"
    )


def _transfers_filters(parser: argparse.ArgumentParser) -> None:
    _repeated(parser, "--outcome", TRANSFER_OUTCOMES, "ИСХОД", "исход перевода")
    _repeated(
        parser, "--department", None, "КОД", "отдел сотрудника (none — номер не из справочника)"
    )


def _repeated(
    parser: argparse.ArgumentParser,
    option: str,
    choices: tuple[str, ...] | None,
    metavar: str,
    what: str,
) -> None:
    listed = ": " + ", ".join(choices) if choices else ""
    parser.add_argument(
        option,
        action="append",
        choices=choices,
        metavar=metavar,
        help=f"{what}, можно несколько раз (без него — все){listed}",
    )


def _operators_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--department",
        action="append",
        metavar="КОД",
        help="отдел по коду справочника, можно несколько раз (без него — все)",
    )
    parser.add_argument(
        "--training",
        action="append",
        choices=TRAINING_STATES,
        metavar="СОСТОЯНИЕ",
        help="обучение на сегодня, можно несколько раз (без него — все): "
        + ", ".join(TRAINING_STATES),
    )


# Each report of `consult-line report`: its name, help and filters (reports.catalogue.REPORTS).
REPORTS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None]], ...] = (
    ("missed", "пропущенные звонки в рабочее время (C13)", _missed_filters),
    (
        "survey",
        "опрос после консультации по операторам (C15) или по письменным обращениям (W12)",
        _survey_filters,
    ),
    (
        "callbacks",
        "обратные звонки: соблюдение обещанного срока, попытки (C11)",
        _callbacks_filters,
    ),
    ("transfers", "переводы звонков и отклонённые третьи переводы (C10)", _transfers_filters),
    ("operators", "операторы: звонки, разговоры, итоги, обучение (C4)", _operators_filters),
)


def kb(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
    check = _action(actions, "check", "проверить файлы базы знаний")
    load = _action(actions, "load", "загрузить файлы базы знаний в базу данных")
    for sub in (check, load):
        sub.add_argument(
            "directory",
            type=input_folder,
            nargs="?",
            metavar="ПАПКА",
            help="папка с содержимым (по умолчанию поставляемая с программой)",
        )
    search = _action(actions, "search", "найти записи базы знаний")
    search.add_argument("query", metavar="ЗАПРОС", help="вопрос своими словами")
    topics = [topic.value for topic in Topic]
    search.add_argument(
        "--topic", choices=topics, metavar="ТЕМА", help="только по теме: " + ", ".join(topics)
    )
    search.add_argument(
        "--limit",
        type=search_limit,
        default=10,
        metavar="ЧИСЛО",
        help=f"сколько записей показать, от 1 до {MAX_SEARCH_HITS} (10)",
    )
    search.add_argument("--language", choices=["ru", "en"], help="язык записей")
    search.add_argument(
        "--format", choices=["text", "jsonl"], default="text", help="формат вывода (text)"
    )
    _action(actions, "overdue", "разделы, не проверенные больше месяца (K6)")
    gaps = _action(actions, "gaps", "темы и вопросы без ответа в базе знаний (K7)")
    gaps.add_argument("--since", type=iso_date, metavar="ДАТА", help="с даты ГГГГ-ММ-ДД")
    gaps.add_argument("--until", type=iso_date, metavar="ДАТА", help="по дату ГГГГ-ММ-ДД")


MESSAGE_STATUSES = (
    "registered",
    "acknowledged",
    "redirected",
    "answered",
    "refused",
    "abusive",
)


def messages(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
    listed = _action(actions, "list", "письменные обращения со сроками")
    listed.add_argument(
        "--status",
        choices=MESSAGE_STATUSES,
        metavar="СОСТОЯНИЕ",
        help="только в этом состоянии: " + ", ".join(MESSAGE_STATUSES),
    )
    listed.add_argument(
        "--overdue",
        action="store_true",
        help="только просроченные: прошёл срок первичного ответа, ответа по существу или "
        "уведомления о недопустимости (W5), а он не выполнен",
    )
    listed.add_argument(
        "--format", choices=("text", "jsonl"), default="text", help="формат вывода (text)"
    )
    remind = _action(
        actions,
        "remind",
        "разослать ответственным и руководителям напоминания о сроках: просроченные, сегодня "
        "и в следующий рабочий день",
    )
    remind.add_argument(
        "--dry-run", action="store_true", help="только показать, что будет отправлено"
    )


def mailings(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
    listed = _action(actions, "list", "рассылки: состояние и ход отправки")
    listed.add_argument(
        "--format", choices=("text", "jsonl"), default="text", help="формат вывода (text)"
    )
    send = _action(
        actions,
        "send",
        "отправить письма рассылки сейчас, в темпе CONSULT_LINE_MAILING_PER_MINUTE: черновик "
        "начинается, приостановленная продолжается",
    )
    send.add_argument("mailing_id", type=int, metavar="НОМЕР", help="номер рассылки")


# models.tables.Interpreter and models.rules.visit_slots.ReminderKind / ReminderChannel
# (tests/consult_line/test_cli_visits.py keeps them equal).
INTERPRETERS = ("none", "sign_language", "tactile")
REMINDERS = ("day_before", "two_hours")
REMINDER_CHANNELS = ("email", "call")


def visits(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
    schedule = _action(actions, "schedule", "загрузить расписание приёма из YAML-файла")
    schedule.add_argument("file", type=input_file, metavar="ФАЙЛ", help="YAML-файл расписания")
    slots = _action(actions, "slots", "свободное время для записи на день")
    slots.add_argument("day", type=iso_date, metavar="ДАТА", help="ГГГГ-ММ-ДД")
    slots.add_argument(
        "--format", choices=("text", "jsonl"), default="text", help="формат вывода (text)"
    )
    book = _action(actions, "book", "записать на личный приём")
    book.add_argument("day", type=iso_date, metavar="ДАТА", help="ГГГГ-ММ-ДД")
    book.add_argument("at", type=clock_time, metavar="ЧЧ:ММ", help="начало приёма")
    book.add_argument("--phone", required=True, metavar="НОМЕР", help="телефон посетителя")
    book.add_argument("--name", default="", metavar="ТЕКСТ", help="как обращаться к посетителю")
    book.add_argument("--email", default="", metavar="АДРЕС", help="e-mail для подтверждения")
    book.add_argument(
        "--reception",
        metavar="НОМЕР",
        help="внутренний номер принимающего сотрудника, если в это время принимают несколько",
    )
    book.add_argument("--language", choices=LANGUAGES, default="ru", help="язык (ru)")
    book.add_argument(
        "--interpreter", choices=INTERPRETERS, default="none", help="переводчик (V12): none"
    )
    book.add_argument(
        "--remind",
        action="append",
        choices=REMINDERS,
        default=[],
        help="напоминание: day_before (за сутки), two_hours (за 2 часа); можно оба",
    )
    book.add_argument(
        "--remind-by",
        action="append",
        choices=REMINDER_CHANNELS,
        default=[],
        help="как напомнить: email, call; можно оба",
    )
    cancel = _action(actions, "cancel", "отменить запись")
    cancel.add_argument("booking", type=whole_number, metavar="НОМЕР", help="номер записи")
    reminders = _action(
        actions,
        "reminders",
        "письма и звонки по записям (V3-V6): запланировать, отправить письма, показать",
    )
    reminders.add_argument(
        "--dry-run",
        action="store_true",
        help="только показать, что запланировано и что пора отправить; ничего не менять",
    )
    rate = _action(actions, "rate", "записать оценку приёма, данную посетителем на месте (V13)")
    rate.add_argument("booking", type=whole_number, metavar="НОМЕР", help="номер записи")
    rate.add_argument(
        "--received", required=True, choices=("yes", "no"), help="получен ли ответ на вопрос"
    )
    rate.add_argument(
        "--quality",
        required=True,
        choices=("satisfied", "partly_satisfied", "not_satisfied"),
        help="оценка приёма",
    )
    rate.add_argument("--comment", default="", metavar="ТЕКСТ", help="слова посетителя")
    _action(actions, "ratings", "отправить письма с оценкой приёма, которые пора отправить (V13)")


def retention(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="только показать по каждой таблице, что будет удалено или обезличено",
    )


# --- value types: each raises ArgumentTypeError with the sentence the user sees ------------


def year(text: str) -> int:
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"год от {FIRST_YEAR} до {LAST_YEAR}, получено {text!r}")
    return int(text)


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"дата в виде ГГГГ-ММ-ДД, получено {text!r}") from None


def hours(text: str) -> tuple[time, time]:
    try:
        opens_text, closes_text = text.split("-")
        opens = time.fromisoformat(opens_text.strip())
        closes = time.fromisoformat(closes_text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"часы в виде 09:00-17:00, получено {text!r}") from None
    if opens >= closes:
        raise argparse.ArgumentTypeError("начало рабочего дня должно быть раньше конца")
    return opens, closes


def clock_time(text: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"время в виде ЧЧ:ММ, получено {text!r}") from None


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"целое число, получено {text!r}") from None


def _bounded(text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"число от {low} до {high}, получено {text!r}")
    return value


def port(text: str) -> int:
    return _bounded(text, 1, 65535)


def simulated_calls(text: str) -> int:
    return _bounded(text, 0, MAX_SIMULATED_CALLS)


def simulated_operators(text: str) -> int:
    return _bounded(text, 0, MAX_SIMULATED_OPERATORS)


def speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= MAX_SPEED:  # NaN fails this too
        raise argparse.ArgumentTypeError(
            f"число от 0 до {MAX_SPEED:g} (0 — без пауз), получено {text!r}"
        )
    return value


def local_moment(text: str) -> datetime:
    """A wall-clock moment without a zone (the line's zone is added by the command)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"дата и время вида 2026-12-07T10:00, получено {text!r}"
        ) from None
    if moment.tzinfo is not None:
        raise argparse.ArgumentTypeError("время без часового пояса: он берётся из настроек линии")
    return moment


def demo_days(text: str) -> int:
    return _bounded(text, 1, MAX_DEMO_DAYS)


def search_limit(text: str) -> int:
    return _bounded(text, 1, MAX_SEARCH_HITS)


def input_file(text: str) -> Path:
    """A file to read: it exists, is not a folder and may be read (a named pipe is fine)."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"файл {text!r} не найден")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} — папка, а нужен файл")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"нет прав на чтение файла {text!r}")
    return path


def input_folder(text: str) -> Path:
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"папка {text!r} не найдена")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} — файл, а нужна папка")
    if not os.access(path, os.R_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"нет прав на чтение папки {text!r}")
    return path
