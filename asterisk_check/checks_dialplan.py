"""queues.conf (the operators' queue) and extensions.conf (the line's dialplan wired in)."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from ami.actions import QUEUE
from asterisk_check.config_reader import ConfigFile
from asterisk_check.facts import Facts, file_problem, same_host
from asterisk_check.results import Fix, Result, Status, fail, in_section, not_run, ok, warn
from asterisk_check.setup import EXTENSIONS, QUEUES, Loaded, is_true

QUEUE_GROUP: Final = "Очередь — queues.conf"
DIALPLAN_GROUP: Final = "Диалплан — extensions.conf"
DIALPLAN_FILE: Final = "consult-line.conf"
# The contexts of dialplan/consult-line.conf (a test keeps this list equal to the file).
LINE_CONTEXTS: Final = (
    "consult-line-inbound",
    "consult-line-queue",
    "consult-line-survey",
    "consult-line-transfer",
    "consult-line-transfer-guard",
    "consult-line-callback",
    "consult-line-visit-reminder",
    "consult-line-fallback",
    "consult-line-defaults",
)
# [consult-line-defaults] uses it when [globals] has no CONSULT_AGI.
DEFAULT_AGI_URL: Final = "agi://127.0.0.1:4573"
FASTAGI_DEFAULT_PORT: Final = 4573  # res_agi, for agi://host without a port
_ANY_ADDRESS: Final = frozenset({"0.0.0.0", "::", "[::]", ""})  # noqa: S104 - names, not binds
_STAFF_FIX: Final = "справочник сотрудников (YAML, раздел employees), у сотрудника"


def check_queue(loaded: Loaded, facts: Facts) -> list[Result]:
    problem = file_problem(loaded, QUEUE_GROUP, facts.etc_dir)
    if problem is not None or loaded.config is None:
        return [problem] if problem is not None else []
    queue = loaded.config.section(QUEUE)
    if queue is None:
        return [
            fail(
                QUEUE_GROUP,
                f"очередь [{QUEUE}] есть",
                f"в queues.conf нет очереди [{QUEUE}]: диалплан вызывает Queue({QUEUE},...)",
                Fix(
                    f"{QUEUES}, добавить секцию (остальные настройки — из asterisk/etc/{QUEUES})",
                    (f"[{QUEUE}]", "strategy = leastrecent", "setinterfacevar = yes"),
                ),
            )
        ]
    results = [ok(QUEUE_GROUP, f"очередь [{QUEUE}] есть")]
    title = "setinterfacevar = yes"
    if is_true(queue.get("setinterfacevar")):
        results.append(ok(QUEUE_GROUP, title))
    else:
        results.append(
            fail(
                QUEUE_GROUP,
                title,
                "без MEMBERINTERFACE опрос (C15) не узнает, какого оператора оценивают",
                Fix(in_section(QUEUES, QUEUE), ("setinterfacevar = yes",)),
            )
        )
    results.append(_members([m.split(",")[0].strip() for m in queue.values("member")], facts))
    return results


def _members(interfaces: list[str], facts: Facts) -> Result:
    title = "участники очереди есть в справочнике сотрудников"
    if facts.directory is None:
        return not_run(QUEUE_GROUP, title, f"не проверено: {facts.directory_problem}")
    if not interfaces:
        return ok(QUEUE_GROUP, title, "участников в queues.conf нет: их добавляет консоль")
    unknown = [i for i in interfaces if not facts.directory.get(i)]
    if not unknown:
        return ok(QUEUE_GROUP, title, ", ".join(interfaces))
    inactive = [i for i in unknown if i in facts.directory]
    detail = f"нет действующего сотрудника с устройством {', '.join(unknown)}"
    if inactive:
        detail += f" ({', '.join(inactive)} — отключён)"
    return fail(
        QUEUE_GROUP,
        title,
        detail + ": звонок от такого участника не привязать к оператору",
        Fix(_STAFF_FIX, tuple(f"device: {i}" for i in unknown)),
        Fix("загрузить справочник", ("consult-line staff import <файл справочника>",)),
        Fix(f"убрать строки member => {', '.join(unknown)} из {QUEUES}", (), alternative=True),
    )


def check_dialplan(loaded: Loaded, facts: Facts) -> list[Result]:
    problem = file_problem(loaded, DIALPLAN_GROUP, facts.etc_dir, includes=False)
    if problem is not None or loaded.config is None:
        return [problem] if problem is not None else []
    config = loaded.config
    included = _include_result(config, facts)
    results = [included]
    if included.status is Status.OK:
        results.append(_contexts(config, facts))
    results.append(_agi_url(config, facts))
    return results


def _include_result(config: ConfigFile, facts: Facts) -> Result:
    title = f'#include "{DIALPLAN_FILE}"'
    copy = Fix("скопировать диалплан линии", (f"cp dialplan/{DIALPLAN_FILE} {facts.etc_dir}/",))
    others = [i for i in config.missing_includes if not i.name.endswith(DIALPLAN_FILE)]
    if others:
        names = ", ".join(f"{i.name} ({i.where})" for i in others)
        return fail(
            DIALPLAN_GROUP,
            title,
            f"нет файлов из #include: {names}; Asterisk не загрузит extensions.conf целиком",
            Fix(f"положить недостающие файлы в {facts.etc_dir}/", tuple(i.name for i in others)),
        )
    ours = [i for i in config.includes if i.name.rsplit("/", 1)[-1] == DIALPLAN_FILE]
    if ours and not ours[0].files and not ours[0].optional:
        return fail(
            DIALPLAN_GROUP,
            title,
            f"{ours[0].where}: файла {facts.etc_dir / ours[0].name} нет — Asterisk не загрузит "
            "extensions.conf целиком",
            copy,
        )
    if ours and ours[0].files:
        return ok(DIALPLAN_GROUP, title, str(ours[0].where))
    if all(config.section(c) is not None for c in LINE_CONTEXTS):
        return ok(DIALPLAN_GROUP, title, "контексты линии записаны прямо в extensions.conf")
    return fail(
        DIALPLAN_GROUP,
        title,
        "диалплан линии не подключён: входящие звонки не попадут в consult-line-inbound",
        Fix(f"{EXTENSIONS}, после секции [globals], вне секций", (f'#include "{DIALPLAN_FILE}"',)),
        copy,
    )


def _contexts(config: ConfigFile, facts: Facts) -> Result:
    missing = [c for c in LINE_CONTEXTS if config.section(c) is None]
    title = "контексты диалплана линии на месте"
    if not missing:
        return ok(DIALPLAN_GROUP, title)
    return fail(
        DIALPLAN_GROUP,
        title,
        f"нет контекстов {', '.join(missing)}: {DIALPLAN_FILE} устарел или изменён",
        Fix(
            "заменить файлом этой версии",
            (f"cp dialplan/{DIALPLAN_FILE} {facts.etc_dir}/", 'asterisk -rx "dialplan reload"'),
        ),
    )


def expected_agi_url(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"agi://{host}:{port}"


def _agi_url(config: ConfigFile, facts: Facts) -> Result:
    settings = facts.settings
    value = config.get("globals", "CONSULT_AGI")
    url = value or DEFAULT_AGI_URL
    source = "" if value else " (в [globals] не задан, диалплан берёт значение по умолчанию)"
    any_host = settings.agi_host in _ANY_ADDRESS
    wanted = expected_agi_url("127.0.0.1" if any_host else settings.agi_host, settings.agi_port)
    title = f"CONSULT_AGI = {url}{source}"
    fix = Fix(in_section(EXTENSIONS, "globals"), (f"CONSULT_AGI = {wanted}",))
    parts = urlsplit(url)
    if parts.scheme == "hagi":
        return warn(DIALPLAN_GROUP, title, "hagi:// (SRV-записи) не проверяется: сверьте DNS")
    try:
        port = parts.port or FASTAGI_DEFAULT_PORT
    except ValueError:
        port = -1
    if parts.scheme != "agi" or not parts.hostname or parts.path.strip("/"):
        return fail(DIALPLAN_GROUP, title, "ожидается agi://адрес:порт без пути", fix)
    if port != settings.agi_port:
        return fail(
            DIALPLAN_GROUP,
            title,
            f"служба FastAGI слушает порт {settings.agi_port} (CONSULT_LINE_AGI_PORT)",
            fix,
        )
    if any_host:
        return ok(
            DIALPLAN_GROUP,
            title,
            f"служба слушает все адреса (CONSULT_LINE_AGI_HOST={settings.agi_host}): "
            "подойдёт любой адрес этого сервера",
        )
    if not same_host(parts.hostname, settings.agi_host):
        return fail(
            DIALPLAN_GROUP,
            title,
            f"служба FastAGI слушает {settings.agi_host} (CONSULT_LINE_AGI_HOST)",
            fix,
        )
    return ok(DIALPLAN_GROUP, title)
