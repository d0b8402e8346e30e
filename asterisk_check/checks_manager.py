"""manager.conf: the AMI account of the service (``main/manager.c``, ``main/acl.c``).

How Asterisk reads it, and so how it is checked here:

* ``[general]``: ``enabled`` (default no), ``port`` (5038), ``bindaddr`` (default ``[::]``,
  every address), ``timestampevents`` (default no).
* Every other non-template section is a user. ``read`` / ``write``: the *last* line counts;
  a class is granted when a comma-separated item equals its name (``all`` grants all). Items
  are compared as written: ``call, agent`` grants ``call`` only (`` agent`` is not a class).
* ``permit`` / ``deny`` (comma lists, ``!`` inverts, masks as ``/24`` or ``/255.255.255.0``):
  rules apply in order, the last matching one wins, no match allows; IPv4 rules never match
  IPv6 addresses and the other way round. An invalid rule deletes the user.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

from asterisk_check.config_reader import Section, Setting
from asterisk_check.facts import AmiRoute, Facts, IPAddress, file_problem, parse_address
from asterisk_check.results import Fix, Result, fail, in_section, ok, warn
from asterisk_check.setup import MANAGER, Loaded, is_true

GROUP: Final = "AMI — manager.conf"
DEFAULT_PORT: Final = 5038
# The classes the bridge needs (asterisk/README.md), with what each one carries.
READ_CLASSES: Final = {
    "call": "события каналов, мостов и переводов",
    "agent": "события очереди",
    "system": "FullyBooted после входа",
    "cdr": "события Cdr",
    "dialplan": "VarSet: QUEUESTATUS=JOINEMPTY — след звонка в пустую очередь, C13; LINE_TOPIC",
}
# Wanted only with speech on (CONSULT_LINE_SPEECH_MODEL_PATH): without it a key pressed while
# the service listens for a spoken answer is lost on Asterisk 22 (Asterisk 23 passes keys over
# AudioSocket itself), so its absence is a warning, not a failure.
SPEECH_READ_CLASSES: Final = {
    "dtmf": "DTMFEnd: клавиша, нажатая во время ответа голосом, прерывает слушание (Asterisk 22)",
}
WRITE_CLASSES: Final = {
    "call": "переводы, Redirect, Hangup, Getvar/Setvar",
    "originate": "обратные звонки (C11)",
    "agent": "QueueAdd, QueueRemove, QueuePause",
    "reporting": "CoreShowChannels (восстановление состояния после каждого входа)",
}
# Documentation addresses (RFC 5737, RFC 3849): "someone else on the network".
_OUTSIDERS: Final = (ipaddress.ip_address("192.0.2.1"), ipaddress.ip_address("2001:db8::1"))
_PLACEHOLDER: Final = "CHANGE-ME"
_DENY_ALL: Final = {4: "deny = 0.0.0.0/0.0.0.0", 6: "deny = ::/0"}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class _Rule:
    allow: bool
    network: Network


def check_manager(loaded: Loaded, facts: Facts) -> list[Result]:
    problem = file_problem(loaded, GROUP, facts.etc_dir)
    if problem is not None or loaded.config is None:
        return [problem] if problem is not None else []
    general = loaded.config.section_or_empty("general")
    settings = facts.settings
    results = [_enabled(general), _port(general, settings.ami_port), _bind(general, facts)]
    users = [s for s in loaded.config.sections_named(settings.ami_username)]
    advised = SPEECH_READ_CLASSES if settings.speech_model_dir is not None else {}
    if not users:
        results.append(_no_user(general, facts, advised))
    else:
        results += [
            ok(GROUP, f"пользователь [{settings.ami_username}] есть"),
            _secret(users, facts),
            _classes(users, "read", READ_CLASSES, settings.ami_username, advised),
            _classes(users, "write", WRITE_CLASSES, settings.ami_username),
            _acl(users[-1], general, facts),
        ]
    results.append(_timestamps(general))
    return results


def _general_fix(*lines: str) -> Fix:
    return Fix(in_section(MANAGER, "general"), lines)


def _enabled(general: Section) -> Result:
    title = "AMI включён (enabled = yes)"
    if is_true(general.get("enabled")):
        return ok(GROUP, title)
    return fail(
        GROUP, title, "AMI выключен: служба не увидит звонков", _general_fix("enabled = yes")
    )


def _port(general: Section, wanted: int) -> Result:
    value = general.get("port")
    port = int(value) if value and value.strip().isdigit() else DEFAULT_PORT
    title = f"порт AMI {port} = CONSULT_LINE_AMI_PORT"
    if port == wanted:
        return ok(GROUP, title)
    return fail(
        GROUP,
        f"порт AMI {port} ≠ CONSULT_LINE_AMI_PORT ({wanted})",
        "служба подключается не к тому порту",
        _general_fix(f"port = {wanted}"),
        Fix("в настройках службы", (f"CONSULT_LINE_AMI_PORT={port}",), alternative=True),
    )


def bind_address(general: Section) -> IPAddress:
    """``bindaddr`` without a port; ``[::]`` (every address) when absent or invalid."""
    value = (general.get("bindaddr") or "").strip()
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else value
    elif value.count(":") == 1:
        value = value.split(":")[0]
    return parse_address(value) or ipaddress.ip_address("::")


def _accepts(bind: IPAddress, target: IPAddress) -> bool:
    if bind.is_unspecified:
        return bind.version == 6 or target.version == 4  # [::] takes IPv4 too
    return bind == target


def ami_route(general: Section, facts: Facts) -> AmiRoute | None:
    """The address the service ends up connected to: the first one Asterisk listens on, as a
    client trying the resolved addresses in order does."""
    bind = bind_address(general)
    return next((r for r in facts.ami_routes if _accepts(bind, r.target)), None)


def _bind(general: Section, facts: Facts) -> Result:
    bind = bind_address(general)
    title = f"AMI слушает {bind}, служба подключается к {facts.settings.ami_host}"
    if not facts.ami_routes:
        return fail(GROUP, title, facts.ami_route_problem)
    if ami_route(general, facts) is not None:
        return ok(GROUP, title)
    target = facts.ami_routes[0].target
    return fail(
        GROUP,
        title,
        f"Asterisk принимает AMI только на {bind}",
        _general_fix(f"bindaddr = {target}"),
        Fix("в настройках службы", (f"CONSULT_LINE_AMI_HOST={bind}",), alternative=True),
    )


def _no_user(general: Section, facts: Facts, advised: dict[str, str]) -> Result:
    name = facts.settings.ami_username
    route = ami_route(general, facts)
    source = route.source if route else ipaddress.ip_address("127.0.0.1")
    return fail(
        GROUP,
        f"пользователь [{name}] есть",
        f"в manager.conf нет секции [{name}] (CONSULT_LINE_AMI_USERNAME)",
        Fix(
            f"{MANAGER}, добавить секцию",
            (
                f"[{name}]",
                "secret = <значение CONSULT_LINE_AMI_SECRET>",
                *_acl_lines(source, bind_address(general)),
                f"read = {','.join([*READ_CLASSES, *advised])}",
                f"write = {','.join(WRITE_CLASSES)}",
            ),
        ),
    )


def _secret(users: list[Section], facts: Facts) -> Result:
    name = facts.settings.ami_username
    wanted = facts.settings.ami_secret.get_secret_value()
    secret = _last(users, "secret")
    title = "пароль совпадает с CONSULT_LINE_AMI_SECRET"
    if not wanted:
        return fail(
            GROUP,
            title,
            "CONSULT_LINE_AMI_SECRET не задан",
            Fix(
                "в настройках службы (.env или окружение)",
                ("CONSULT_LINE_AMI_SECRET=<secret из manager.conf>",),
            ),
        )
    if secret is None or secret.value != wanted:
        found = (
            "в секции нет secret" if secret is None else "значения не совпадают (не показываются)"
        )
        return fail(
            GROUP,
            title,
            found,
            Fix(_where(name, secret), ("secret = <значение CONSULT_LINE_AMI_SECRET>",)),
        )
    if wanted.startswith(_PLACEHOLDER):
        return warn(
            GROUP,
            title,
            "это заглушка из образца: задайте длинный случайный пароль в обоих местах",
        )
    return ok(GROUP, title)


def granted(value: str, cls: str) -> bool:
    """``get_perm``/``ast_instring`` of manager.c: *cls* (or ``all``) is one of the items."""
    items = value.split(",")
    return any(
        _item_grants(item, name, last=i == len(items) - 1)
        for name in (cls, "all")
        for i, item in enumerate(items)
    )


def _item_grants(item: str, name: str, *, last: bool) -> bool:
    # strncmp(item, name, len(item)) for all but the last item, strcmp for the last one.
    return item == name if last else name.startswith(item)


def _classes(
    users: list[Section],
    key: str,
    needed: dict[str, str],
    name: str,
    advised: dict[str, str] | None = None,
) -> Result:
    """``needed`` missing fails; ``advised`` missing (and nothing needed) warns."""
    wanted = {**needed, **(advised or {})}
    setting = _last(users, key)
    value = setting.value if setting else ""
    missing = [c for c in wanted if not granted(value, c)]
    title = f"права {key}: {','.join(wanted)}"
    if not missing:
        return ok(GROUP, title)
    items = [item.strip() for item in value.split(",") if item.strip()]
    reasons = ", ".join(f"{c} ({wanted[c]})" for c in missing)
    spaced = "; Asterisk не понимает пробелы после запятых" if ", " in value else ""
    lines = ",".join(dict.fromkeys([*items, *missing]))
    report = fail if any(c in needed for c in missing) else warn
    return report(
        GROUP,
        title,
        f"нет {reasons}{spaced}",
        Fix(_where(name, setting), (f"{key} = {lines}",)),
    )


def _acl(user: Section, general: Section, facts: Facts) -> Result:
    route = ami_route(general, facts)
    title = "permit/deny пускают службу и только её"
    if route is None:
        return fail(GROUP, title, facts.ami_route_problem or "служба не подключится (см. выше)")
    bind = bind_address(general)
    rules: list[_Rule] = []
    for setting in user.settings:
        key = setting.key.lower()
        if key == "acl":
            return warn(
                GROUP, title, f"именованный ACL ({setting.where}) не проверяется: сверьте acl.conf"
            )
        if key in {"permit", "deny"}:
            parsed = _rules(key == "permit", setting.value)
            if parsed is None:
                return fail(
                    GROUP,
                    title,
                    f"{setting.where}: неверный адрес {setting.value!r} — Asterisk удалит "
                    "пользователя",
                    Fix(_where(user.name, setting), _acl_lines(route.source, bind)),
                )
            rules += parsed
    restrict = Fix(in_section(MANAGER, user.name), _acl_lines(route.source, bind))
    if not allowed(rules, route.source):
        return fail(GROUP, title, f"{route.source} (адрес службы) не пропускается", restrict)
    if not bind.is_loopback and any(_accepts(bind, a) and allowed(rules, a) for a in _OUTSIDERS):
        loopback = (
            (Fix(in_section(MANAGER, "general"), ("bindaddr = 127.0.0.1",), alternative=True),)
            if route.source.is_loopback
            else ()
        )
        return fail(
            GROUP,
            title,
            f"AMI слушает {bind}, а permit/deny пропускают любой адрес сети: "
            "с паролем к нему подключится кто угодно",
            restrict,
            *loopback,
        )
    return ok(GROUP, title)


def _rules(allow: bool, value: str) -> list[_Rule] | None:
    rules = []
    for item in value.split(","):
        address, _, mask = item.strip().partition("/")
        sense = allow
        if address.startswith("!"):
            sense, address = not allow, address[1:]
        parsed = parse_address(address.split("]")[0].strip("[") if "[" in address else address)
        if parsed is None:
            return None
        try:
            network = ipaddress.ip_network(f"{parsed}/{mask or parsed.max_prefixlen}", strict=False)
        except ValueError:
            return None
        rules.append(_Rule(sense, network))
    return rules


def allowed(rules: list[_Rule], address: IPAddress) -> bool:
    """``ast_apply_ha``: the last rule of the address's family that matches wins."""
    result = True
    for rule in rules:
        if rule.network.version == address.version and address in rule.network:
            result = rule.allow
    return result


def _acl_lines(source: IPAddress, bind: IPAddress) -> tuple[str, ...]:
    """Deny every family Asterisk listens on (IPv4 rules do not cover IPv6), permit *source*."""
    families = {4, 6} if bind.is_unspecified and bind.version == 6 else {bind.version}
    denies = [_DENY_ALL[f] for f in sorted(families | {source.version})]
    mask = "255.255.255.255" if source.version == 4 else "128"
    return (*denies, f"permit = {source}/{mask}")


def _timestamps(general: Section) -> Result:
    title = "timestampevents = yes"
    if is_true(general.get("timestampevents")):
        return ok(GROUP, title)
    return warn(
        GROUP,
        title,
        "без меток времени журнал звонков ставит время получения события, а не время в Asterisk",
        _general_fix("timestampevents = yes"),
    )


def _last(users: list[Section], key: str) -> Setting | None:
    found = [s for user in users if (s := user.setting(key)) is not None]
    return found[-1] if found else None


def _where(user: str, setting: Setting | None) -> str:
    where = in_section(MANAGER, user)
    return f"{where} (сейчас {setting.where})" if setting is not None else where
