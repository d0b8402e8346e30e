"""The records reconciliation reads after an AMI outage (C13): the CDR and the queue_log.

* cdr.conf (``main/cdr.c``): ``[general] enable`` (default yes), ``unanswered`` (default no).
  ``cdr_csv`` (``cdr/cdr_csv.c``) writes ``<astlogdir>/cdr-csv/Master.csv`` only if ``[csv]``
  exists; its switches decide the columns (:class:`ami.cdr.CdrLayout`) and ``usegmtime`` the
  zone of the times (default no: the Asterisk host's local time). ``accountlogs`` only adds
  per-account files; Master.csv is written either way.
* modules.conf (``main/loader.c``): ``noload`` wins over ``autoload``; ``load``/``require``/
  ``preload`` name a module explicitly.
* logger.conf (``main/logger.c``): ``queue_log`` (default yes) writes
  ``<astlogdir>/<queue_log_name>`` (default ``queue_log``). ``queue_log_to_file`` only matters
  when the queue_log goes to a realtime database (extconfig.conf ``queue_log =>``): then the
  file is written only with ``queue_log_to_file = yes``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Final

from ami.cdr import BASE_COLUMNS, CdrLayout
from asterisk_check.config_reader import ConfigFile, Section
from asterisk_check.facts import Facts, file_problem
from asterisk_check.results import Fix, Result, fail, in_section, ok, plural, warn
from asterisk_check.setup import (
    ASTERISK,
    CDR,
    LOGGER,
    MODULES,
    Directories,
    Loaded,
    is_false,
    is_true,
)
from models.settings import LOCAL_ZONE

CDR_GROUP: Final = "CDR — cdr.conf, modules.conf"
QUEUE_LOG_GROUP: Final = "queue_log — logger.conf"
CDR_MODULE: Final = "cdr_csv"
DEFAULT_QUEUE_LOG_NAME: Final = "queue_log"
_HALF_YEAR: Final = timedelta(days=182)  # a second moment, on the other side of any DST change
_SETTINGS_FIX: Final = "в настройках службы (.env или окружение)"


def check_cdr(cdr: Loaded, modules: Loaded, facts: Facts, directories: Directories) -> list[Result]:
    results: list[Result] = []
    problem = file_problem(cdr, CDR_GROUP, facts.etc_dir)
    if problem is not None:
        results.append(problem)
    elif cdr.config is not None:
        general = cdr.config.section_or_empty("general")
        results += [_cdr_enabled(general), _unanswered(general)]
        csv = cdr.config.section("csv")
        if csv is None:
            results.append(_no_csv())
        else:
            results += [_layout(csv), _gmt(csv, facts)]
    results += [_cdr_path(facts, directories), _module(modules, facts)]
    return results


def _cdr_enabled(general: Section) -> Result:
    title = "CDR включены (enable = yes)"
    if not is_false(general.get("enable")):
        return ok(CDR_GROUP, title)
    return fail(
        CDR_GROUP, title, "CDR выключены", Fix(in_section(CDR, "general"), ("enable = yes",))
    )


def _unanswered(general: Section) -> Result:
    title = "CDR и для неотвеченных (unanswered = yes)"
    if is_true(general.get("unanswered")):
        return ok(CDR_GROUP, title)
    return fail(
        CDR_GROUP,
        title,
        "звонки, на которые никто не ответил, останутся без CDR: сверка их не найдёт (C13)",
        Fix(in_section(CDR, "general"), ("unanswered = yes",)),
    )


def _no_csv() -> Result:
    return fail(
        CDR_GROUP,
        "секция [csv] есть",
        "без [csv] cdr_csv не пишет Master.csv",
        Fix(
            f"{CDR}, добавить секцию",
            (
                "[csv]",
                "usegmtime = no",
                "loguniqueid = yes",
                "loguserfield = yes",
                "newcdrcolumns = yes",
                "accountlogs = no",
            ),
        ),
    )


def _layout(csv: Section) -> Result:
    title = "loguniqueid = yes"
    if not is_true(csv.get("loguniqueid")):
        return fail(
            CDR_GROUP,
            title,
            "без uniqueid сверка не свяжет строки CDR со звонками",
            Fix(in_section(CDR, "csv"), ("loguniqueid = yes",)),
        )
    layout = CdrLayout(
        loguniqueid=True,
        loguserfield=is_true(csv.get("loguserfield")),
        newcdrcolumns=is_true(csv.get("newcdrcolumns")),
    )
    extra = ", ".join(layout.columns[len(BASE_COLUMNS) :])
    count = len(layout.columns)
    return ok(
        CDR_GROUP,
        title,
        f"Master.csv: {plural(count, 'столбец', 'столбца', 'столбцов')} "
        f"({len(BASE_COLUMNS)} основных + {extra}); "
        "служба узнаёт формат по строкам, годится любой с uniqueid",
    )


def _gmt(csv: Section, facts: Facts) -> Result:
    settings = facts.settings
    gmt = is_true(csv.get("usegmtime"))
    writer: tzinfo = UTC if gmt else facts.host_zone
    reader = settings.cdr_zone(facts.host_zone)
    written = (
        "UTC"
        if gmt
        else f"местном времени этого сервера ({_offset_text(facts.host_zone, facts.now)})"
    )
    title = (
        f"usegmtime = {'yes' if gmt else 'no'} ↔ CONSULT_LINE_CDR_TIMEZONE={settings.cdr_timezone}"
    )
    moments = (facts.now, facts.now + _HALF_YEAR)
    if all(_offset(reader, m) == _offset(writer, m) for m in moments):
        return ok(CDR_GROUP, title)
    read = _offset_text(reader, facts.now)
    return fail(
        CDR_GROUP,
        title,
        f"Asterisk пишет время CDR в {written}, а служба читает его как {read}: "
        "звонки при сверке сдвинутся",
        Fix(_SETTINGS_FIX, (f"CONSULT_LINE_CDR_TIMEZONE={'UTC' if gmt else LOCAL_ZONE}",)),
    )


def _offset(zone: tzinfo, moment: datetime) -> timedelta | None:
    return moment.astimezone(zone).utcoffset()


def _offset_text(zone: tzinfo, moment: datetime) -> str:
    offset = _offset(zone, moment) or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _cdr_path(facts: Facts, directories: Directories) -> Result:
    expected = Path(f"{directories.log_dir}/cdr-csv/Master.csv")
    configured = facts.settings.cdr_path
    title = f"файл CDR {expected} = CONSULT_LINE_CDR_PATH"
    fix = Fix(_SETTINGS_FIX, (f"CONSULT_LINE_CDR_PATH={expected}",))
    if configured is None:
        return warn(
            CDR_GROUP,
            title,
            "CONSULT_LINE_CDR_PATH не задан: звонки, не дошедшие до очереди, после обрыва AMI "
            "не восстановятся",
            fix,
        )
    if Path(configured) == expected:
        return ok(CDR_GROUP, title)
    return path_mismatch(CDR_GROUP, title, Path(configured), expected, directories, fix)


def _module(modules: Loaded, facts: Facts) -> Result:
    title = f"{CDR_MODULE}.so загружается (modules.conf)"
    problem = file_problem(modules, CDR_GROUP, facts.etc_dir)
    if problem is not None or modules.config is None:
        return problem or fail(CDR_GROUP, title, modules.problem)
    section = modules.config.section("modules")
    names = {key: _module_names(section, key) for key in ("noload", "load", "require")}
    if CDR_MODULE in names["noload"]:
        return fail(
            CDR_GROUP,
            title,
            f"noload = {CDR_MODULE}.so: Master.csv не пишется",
            Fix(
                f"{in_section(MODULES, 'modules')}, убрать noload и добавить",
                (f"require = {CDR_MODULE}.so",),
            ),
        )
    explicit = names["load"] | names["require"] | _module_names(section, "preload")
    if CDR_MODULE in explicit or CDR_MODULE in _module_names(section, "preload-require"):
        return ok(CDR_GROUP, title)
    if section is not None and is_true(section.get("autoload")):
        return ok(CDR_GROUP, title, "autoload = yes")
    return fail(
        CDR_GROUP,
        title,
        "модуль не загружается: Master.csv не пишется",
        Fix(in_section(MODULES, "modules"), (f"require = {CDR_MODULE}.so",)),
    )


def _module_names(section: Section | None, key: str) -> set[str]:
    if section is None:
        return set()
    return {v.strip().removesuffix(".so") for v in section.values(key)}


def check_queue_log(
    logger: Loaded, extconfig: Loaded, facts: Facts, directories: Directories
) -> list[Result]:
    if logger.config is None and not logger.missing:
        problem = file_problem(logger, QUEUE_LOG_GROUP, facts.etc_dir)
        return [problem] if problem is not None else []
    config = logger.config or ConfigFile(facts.etc_dir / LOGGER)
    general = config.section_or_empty("general")
    note = " (logger.conf нет: действуют значения по умолчанию)" if logger.missing else ""
    realtime = extconfig.config is not None and extconfig.config.get("settings", "queue_log")
    return [
        _queue_log_on(general, bool(realtime), note),
        _queue_log_path(general, facts, directories),
    ]


def _queue_log_on(general: Section, realtime: bool, note: str) -> Result:
    title = "queue_log пишется в файл"
    value = general.get("queue_log")
    if value is not None and not is_true(value):
        return fail(
            QUEUE_LOG_GROUP,
            title,
            f"queue_log = {value}: сверка после обрыва AMI не найдёт звонков очереди (C13)",
            Fix(in_section(LOGGER, "general"), ("queue_log = yes",)),
        )
    to_file = is_true(general.get("queue_log_to_file"))
    if realtime and not to_file:
        return fail(
            QUEUE_LOG_GROUP,
            title,
            "queue_log уходит в базу (extconfig.conf, queue_log =>), а в файл — только с "
            "queue_log_to_file = yes",
            Fix(in_section(LOGGER, "general"), ("queue_log_to_file = yes",)),
        )
    if general.get("queue_log_to_file") is not None and not to_file:
        note += "; queue_log_to_file = no без realtime (extconfig.conf) ничего не меняет"
    return ok(QUEUE_LOG_GROUP, title, note.removeprefix("; ").strip())


def _queue_log_path(general: Section, facts: Facts, directories: Directories) -> Result:
    name = general.get("queue_log_name") or DEFAULT_QUEUE_LOG_NAME
    # logger.c: "<astlogdir>/<queue_log_name>", even for a name that starts with "/".
    expected = Path(f"{directories.log_dir}/{name}")
    configured = facts.settings.queue_log_path
    title = f"файл queue_log {expected} = CONSULT_LINE_QUEUE_LOG_PATH"
    if Path(configured) == expected:
        return ok(QUEUE_LOG_GROUP, title)
    fixes = [Fix(_SETTINGS_FIX, (f"CONSULT_LINE_QUEUE_LOG_PATH={expected}",))]
    if Path(configured).parent == directories.log_dir:
        fixes.append(
            Fix(
                in_section(LOGGER, "general"),
                (f"queue_log_name = {Path(configured).name}",),
                alternative=True,
            )
        )
    return path_mismatch(QUEUE_LOG_GROUP, title, Path(configured), expected, directories, *fixes)


def path_mismatch(
    group: str,
    title: str,
    configured: Path,
    expected: Path,
    directories: Directories,
    *fixes: Fix,
) -> Result:
    """A file Asterisk writes elsewhere than the service reads: a failure when asterisk.conf
    names the log folder, or the file's place inside it differs; a doubt when only the folder
    differs and it is the usual default, not Asterisk's own word."""
    detail = f"служба читает {configured}"
    inside = expected.relative_to(directories.log_dir)
    if directories.log_dir_given or not configured.as_posix().endswith(f"/{inside.as_posix()}"):
        return fail(group, title, detail, *fixes)
    return warn(
        group,
        title,
        f"{detail}; в asterisk.conf нет [directories] astlogdir, поэтому принят каталог "
        f"{directories.log_dir}, как у Asterisk из пакетов: у собранного с другим --prefix "
        "журналы лежат в <prefix>/var/log/asterisk",
        *fixes,
        Fix(in_section(ASTERISK, "directories"), ("astlogdir => <каталог журналов Asterisk>",)),
    )
