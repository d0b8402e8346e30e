"""The contract checks on the shipped samples, and on copies broken in exactly one place."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from asterisk_check.checks import exit_code, run_checks
from asterisk_check.checks_dialplan import LINE_CONTEXTS
from asterisk_check.config_reader import read_config
from asterisk_check.facts import AmiRoute, Facts
from asterisk_check.report import render
from asterisk_check.results import Result, Status
from asterisk_check.setup import load_setup
from asterisk_check.sounds import SoundFolder
from models.settings import Settings
from tests.asterisk_samples import DIALPLAN, QUEUE_MEMBERS, copy_etc, edit, make_sounds

SAMPLE_SECRET = "CHANGE-ME-ami-secret"  # asterisk/etc/manager.conf as shipped
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LOOPBACK = ipaddress.ip_address("127.0.0.1")
MEMBERS: Mapping[str, bool] = MappingProxyType({m: True for m in QUEUE_MEMBERS})


@pytest.fixture
def etc(tmp_path: Path) -> Path:
    return copy_etc(tmp_path / "etc")


@pytest.fixture
def sounds(tmp_path: Path) -> Path:
    return make_sounds(tmp_path / "sounds")


MOSCOW_HOST = ZoneInfo("Europe/Moscow")  # a machine whose /etc/localtime is Moscow


def run(
    etc: Path,
    sounds: Path,
    directory: Mapping[str, bool] | None = MEMBERS,
    host_zone: tzinfo = UTC,
    **overrides: Any,
) -> list[Result]:
    values = {"ami_secret": SAMPLE_SECRET, **overrides}
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    facts = Facts(
        settings=settings,
        now=NOW,
        etc_dir=etc,
        directory=directory,
        directory_problem="база данных недоступна",
        ami_routes=(AmiRoute(LOOPBACK, LOOPBACK),),
        host_zone=host_zone,
    )
    return run_checks(load_setup(etc), SoundFolder(sounds), facts)


def lines(results: list[Result]) -> list[str]:
    return [line.strip() for line in render(results)]


def failed(results: list[Result]) -> list[str]:
    return [r.title for r in results if r.status is Status.FAIL]


def test_shipped_samples_pass(etc: Path, sounds: Path) -> None:
    results = run(etc, sounds)
    not_ok = [(r.title, r.status) for r in results if r.status is not Status.OK]
    # The sample's secret is a placeholder Asterisk accepts: a warning, not a failure.
    assert not_ok == [("пароль совпадает с CONSULT_LINE_AMI_SECRET", Status.WARN)]
    assert exit_code(results) == 0


def test_contract_contexts_are_those_of_the_shipped_dialplan() -> None:
    sections = read_config(DIALPLAN).sections
    assert tuple(s.name for s in sections) == LINE_CONTEXTS


@dataclass(frozen=True)
class Case:
    """One thing broken; the failure line and the fix lines the report must show."""

    name: str
    breaks: Callable[[Path, Path], None]
    failure: str
    fix: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)


def _remove(path: str) -> Callable[[Path, Path], None]:
    return lambda _etc, sounds: (sounds / path).unlink()


CASES = [
    Case(
        "read-without-dialplan",
        lambda etc, _s: edit(etc / "manager.conf", "cdr,dialplan", "cdr"),
        "[FAIL] права read: call,agent,system,cdr,dialplan",
        ("read = call,agent,system,cdr,dtmf,dialplan",),
    ),
    Case(
        "read-with-spaces",  # Asterisk compares the items as written: " agent" is no class
        lambda etc, _s: edit(etc / "manager.conf", "call,agent,", "call, agent, "),
        "[FAIL] права read: call,agent,system,cdr,dialplan",
        ("read = call,agent,system,cdr,dialplan,dtmf",),
    ),
    Case(
        "write-without-reporting",
        lambda etc, _s: edit(etc / "manager.conf", "agent,reporting", "agent"),
        "[FAIL] права write: call,originate,agent,reporting",
        ("write = call,originate,agent,reporting",),
    ),
    Case(
        "wrong-secret",
        lambda _e, _s: None,
        "[FAIL] пароль совпадает с CONSULT_LINE_AMI_SECRET",
        ("secret = <значение CONSULT_LINE_AMI_SECRET>",),
        {"ami_secret": "another-secret"},
    ),
    Case(
        "open-to-network",
        lambda etc, _s: (
            edit(etc / "manager.conf", "bindaddr = 127.0.0.1", "bindaddr = 0.0.0.0"),
            edit(etc / "manager.conf", "deny = 0.0.0.0/0.0.0.0\n", ""),
            edit(etc / "manager.conf", "permit = 127.0.0.1/255.255.255.255\n", ""),
        ),
        "[FAIL] permit/deny пускают службу и только её",
        ("deny = 0.0.0.0/0.0.0.0", "permit = 127.0.0.1/255.255.255.255"),
    ),
    Case(
        "ami-disabled",
        lambda etc, _s: edit(etc / "manager.conf", "enabled = yes", "enabled = no"),
        "[FAIL] AMI включён (enabled = yes)",
        ("enabled = yes",),
    ),
    Case(
        "no-queue",
        lambda etc, _s: edit(etc / "queues.conf", "[consult-line]", "[consult-line-old]"),
        "[FAIL] очередь [consult-line] есть",
        ("[consult-line]", "strategy = leastrecent", "setinterfacevar = yes"),
    ),
    Case(
        "no-setinterfacevar",
        lambda etc, _s: edit(etc / "queues.conf", "setinterfacevar = yes", "setinterfacevar = no"),
        "[FAIL] setinterfacevar = yes",
        ("setinterfacevar = yes",),
    ),
    Case(
        "member-without-employee",
        lambda etc, _s: edit(
            etc / "queues.conf", "member => PJSIP/205", "member => PJSIP/299\nmember => PJSIP/205"
        ),
        "[FAIL] участники очереди есть в справочнике сотрудников",
        ("device: PJSIP/299", "consult-line staff import <файл справочника>"),
    ),
    Case(
        "no-include",
        lambda etc, _s: edit(etc / "extensions.conf", '#include "consult-line.conf"\n', ""),
        '[FAIL] #include "consult-line.conf"',
        ('#include "consult-line.conf"',),
    ),
    Case(
        "included-file-missing",
        lambda etc, _s: (etc / "consult-line.conf").unlink(),
        '[FAIL] #include "consult-line.conf"',
        ("cp dialplan/consult-line.conf {etc}/",),
    ),
    Case(
        "agi-other-port",
        lambda etc, _s: edit(etc / "extensions.conf", "127.0.0.1:4573", "127.0.0.1:4574"),
        "[FAIL] CONSULT_AGI = agi://127.0.0.1:4574",
        ("CONSULT_AGI = agi://127.0.0.1:4573",),
    ),
    Case(
        "unanswered-off",
        lambda etc, _s: edit(etc / "cdr.conf", "unanswered = yes", "unanswered = no"),
        "[FAIL] CDR и для неотвеченных (unanswered = yes)",
        ("unanswered = yes",),
    ),
    Case(
        "no-loguniqueid",
        lambda etc, _s: edit(etc / "cdr.conf", "loguniqueid = yes", "loguniqueid = no"),
        "[FAIL] loguniqueid = yes",
        ("loguniqueid = yes",),
    ),
    Case(
        "cdr-csv-noload",
        lambda etc, _s: edit(etc / "modules.conf", "require = cdr_csv.so", "noload = cdr_csv.so"),
        "[FAIL] cdr_csv.so загружается (modules.conf)",
        ("require = cdr_csv.so",),
    ),
    Case(
        "queue-log-off",
        lambda etc, _s: edit(etc / "logger.conf", "queue_log = yes", "queue_log = no"),
        "[FAIL] queue_log пишется в файл",
        ("queue_log = yes",),
    ),
    Case(
        "queue-log-to-database-only",
        lambda etc, _s: (
            (etc / "extconfig.conf").write_text(
                "[settings]\nqueue_log => odbc,asterisk\n", encoding="utf-8"
            ),
            edit(etc / "logger.conf", "queue_log_to_file = yes", "queue_log_to_file = no"),
        ),
        "[FAIL] queue_log пишется в файл",
        ("queue_log_to_file = yes",),
    ),
    Case(
        "queue-log-elsewhere",
        lambda etc, _s: edit(
            etc / "logger.conf", "queue_log_name = queue_log", "queue_log_name = ql"
        ),
        "[FAIL] файл queue_log /var/log/asterisk/ql = CONSULT_LINE_QUEUE_LOG_PATH",
        ("CONSULT_LINE_QUEUE_LOG_PATH=/var/log/asterisk/ql",),
    ),
    Case(
        "russian-prompt-missing",
        _remove("consult-line/ru/goodbye.wav"),
        "[FAIL] подсказки линии (ru): consult-line/ru/<id>",
        ("make prompts", "cp -r asterisk/sounds/consult-line {sounds}/"),
    ),
    Case(
        "english-prompt-missing",
        _remove("consult-line/en/survey-thanks.wav"),
        "[FAIL] подсказки линии (en): consult-line/en/<id>",
        ("make prompts", "cp -r asterisk/sounds/consult-line {sounds}/"),
    ),
    Case(
        "russian-month-missing",  # the English file is there: Asterisk would say it in English
        _remove("ru/digits/mon-0.gsm"),
        "[FAIL] звуки Asterisk для чисел и дат (ru): SAY DIGITS, SAY DATETIME",
        ("{sounds}/ru/digits/",),
    ),
]


# Other spellings of the same contract, as Asterisk reads them: they must pass.
EQUIVALENTS = {
    "read-all": ("manager.conf", "read = call,agent,system,cdr,dialplan,dtmf", "read = all"),
    "last-read-counts": (
        "manager.conf",
        "read = call,agent,system,cdr,dialplan,dtmf",
        "read = call\nread = system,call,cdr,agent,dialplan",
    ),
    "permit-netmask": (
        "manager.conf",
        "permit = 127.0.0.1/255.255.255.255",
        "permit = 127.0.0.1/255.255.255.0",
    ),
    "bind-any-with-acl": ("manager.conf", "bindaddr = 127.0.0.1", "bindaddr = 0.0.0.0"),
    "queue-template": (
        "queues.conf",
        "[consult-line]\n",
        "[line-base](!)\nsetinterfacevar = yes\n[consult-line](line-base)\n",
    ),
    "bare-include": (
        "extensions.conf",
        '#include "consult-line.conf"',
        "#include consult-line.conf",
    ),
    "agi-default": ("extensions.conf", "CONSULT_AGI = agi://127.0.0.1:4573\n", ""),
    "cdr-columns-18": ("cdr.conf", "newcdrcolumns = yes", "newcdrcolumns = no"),
    "logger-defaults": (
        "logger.conf",
        "queue_log = yes\nqueue_log_to_file = yes\nqueue_log_name = queue_log\n",
        "",
    ),
}


@pytest.mark.parametrize("change", EQUIVALENTS.values(), ids=EQUIVALENTS.keys())
def test_equivalent_spellings_pass(etc: Path, sounds: Path, change: tuple[str, str, str]) -> None:
    name, old, new = change
    edit(etc / name, old, new)
    assert failed(run(etc, sounds)) == []


def test_several_addresses_of_the_ami_host_the_first_one_listened_on_counts(
    etc: Path, sounds: Path
) -> None:
    # "localhost" -> ::1 first: Asterisk listens on 127.0.0.1 only, the client moves on to it.
    ipv6 = ipaddress.ip_address("::1")
    settings = Settings(_env_file=None, ami_secret=SAMPLE_SECRET, ami_host="localhost")  # type: ignore[call-arg]
    facts = Facts(
        settings=settings,
        now=NOW,
        etc_dir=etc,
        directory=MEMBERS,
        ami_routes=(AmiRoute(ipv6, ipv6), AmiRoute(LOOPBACK, LOOPBACK)),
    )
    assert failed(run_checks(load_setup(etc), SoundFolder(sounds), facts)) == []
    # Every address, IPv6 too: the sample's IPv4 deny does not cover IPv6 (acl.c).
    edit(etc / "manager.conf", "bindaddr = 127.0.0.1", "bindaddr = ::")
    results = run_checks(load_setup(etc), SoundFolder(sounds), facts)
    assert failed(results) == ["permit/deny пускают службу и только её"]
    shown = lines(results)
    fix = shown.index("исправить — manager.conf, секция [consult-line]:") + 1
    assert shown[fix : fix + 3] == ["deny = 0.0.0.0/0.0.0.0", "deny = ::/0", "permit = ::1/128"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_broken_copy_fails_with_its_fix(etc: Path, sounds: Path, case: Case) -> None:
    case.breaks(etc, sounds)
    results = run(etc, sounds, **case.settings)
    shown = lines(results)
    assert case.failure in shown
    assert len(failed(results)) == 1, failed(results)
    fix_at = shown.index(case.failure)
    for line in case.fix:
        assert line.format(etc=etc, sounds=sounds) in shown[fix_at:]
    assert exit_code(results) == 1


def test_secrets_are_never_shown(etc: Path, sounds: Path) -> None:
    output = "\n".join(lines(run(etc, sounds, ami_secret="another-secret")))
    assert "another-secret" not in output
    assert SAMPLE_SECRET not in output
    assert "значения не совпадают" in output


def test_the_voice_prompts_are_required_only_with_speech_on(
    etc: Path, sounds: Path, tmp_path: Path
) -> None:
    for wav in (sounds / "consult-line" / "ru").glob("*-voice.wav"):
        wav.unlink()
    assert not [r for r in run(etc, sounds) if r.status is Status.FAIL]
    model = tmp_path / "model"
    model.mkdir()
    (result,) = [
        r for r in run(etc, sounds, speech_model_path=str(model)) if r.status is Status.FAIL
    ]
    assert result.detail.startswith("нет 7 из 42: callback-number-confirm-voice, ")


SPEECH_ON = {"speech_model_path": "/opt/vosk/vosk-model-small-ru-0.22"}
READ_WITH_DTMF = "права read: call,agent,system,cdr,dialplan,dtmf"


def test_with_speech_on_the_sample_grants_the_keys_read_class(etc: Path, sounds: Path) -> None:
    results = run(etc, sounds, **SPEECH_ON)
    assert f"[ OK ] {READ_WITH_DTMF}" in lines(results)
    assert failed(results) == []


def test_with_speech_on_a_user_without_dtmf_is_warned_not_failed(etc: Path, sounds: Path) -> None:
    # Asterisk 22 reports a key pressed while a spoken answer is listened to only as DTMFEnd:
    # without the class the key is lost (Asterisk 23 passes it over AudioSocket itself).
    edit(etc / "manager.conf", "cdr,dialplan,dtmf", "cdr,dialplan")
    results = run(etc, sounds, **SPEECH_ON)
    shown = lines(results)
    warning = shown.index(f"[WARN] {READ_WITH_DTMF}")
    assert shown[warning + 1].startswith("нет dtmf (DTMFEnd: клавиша, нажатая во время ответа")
    assert "read = call,agent,system,cdr,dialplan,dtmf" in shown[warning:]
    assert failed(results) == []
    assert exit_code(results) == 0
    # Speech off: the class is not wanted, nothing is said of it.
    plain = lines(run(etc, sounds))
    assert "[ OK ] права read: call,agent,system,cdr,dialplan" in plain
    assert not any("dtmf" in line for line in plain)


def test_with_speech_on_a_needed_class_missing_still_fails_and_the_fix_adds_both(
    etc: Path, sounds: Path
) -> None:
    edit(etc / "manager.conf", "cdr,dialplan,dtmf", "cdr")
    results = run(etc, sounds, **SPEECH_ON)
    shown = lines(results)
    failure = shown.index(f"[FAIL] {READ_WITH_DTMF}")
    assert "read = call,agent,system,cdr,dialplan,dtmf" in shown[failure:]
    assert failed(results) == [READ_WITH_DTMF]


def test_with_speech_on_a_missing_user_is_given_the_read_line_with_dtmf(
    etc: Path, sounds: Path
) -> None:
    results = run(etc, sounds, ami_username="someone-else", **SPEECH_ON)
    assert failed(results) == ["пользователь [someone-else] есть"]
    assert "read = call,agent,system,cdr,dialplan,dtmf" in lines(results)


def test_missing_prompts_are_listed_together(etc: Path, sounds: Path) -> None:
    for wav in (sounds / "consult-line" / "ru").glob("*.wav"):
        wav.unlink()
    (result,) = [r for r in run(etc, sounds) if r.status is Status.FAIL]
    assert result.detail.startswith("нет 33 из 33: agi-failure, callback-confirmed, ")
    assert result.detail.endswith(" и ещё 21")


def test_gmt_cdr_read_as_local_time_fails(etc: Path, sounds: Path) -> None:
    edit(etc / "cdr.conf", "usegmtime = no", "usegmtime = yes")
    results = run(etc, sounds, host_zone=MOSCOW_HOST, cdr_timezone="local")
    shown = lines(results)
    assert "[FAIL] usegmtime = yes ↔ CONSULT_LINE_CDR_TIMEZONE=local" in shown
    assert "CONSULT_LINE_CDR_TIMEZONE=UTC" in shown
    assert failed(results) == ["usegmtime = yes ↔ CONSULT_LINE_CDR_TIMEZONE=local"]


def test_local_cdr_read_as_utc_fails_and_a_zone_equal_to_the_host_passes(
    etc: Path, sounds: Path
) -> None:
    shown = lines(run(etc, sounds, host_zone=MOSCOW_HOST, cdr_timezone="UTC"))
    assert "[FAIL] usegmtime = no ↔ CONSULT_LINE_CDR_TIMEZONE=UTC" in shown
    assert "CONSULT_LINE_CDR_TIMEZONE=local" in shown
    assert failed(run(etc, sounds, host_zone=MOSCOW_HOST, cdr_timezone="Europe/Moscow")) == []
    assert failed(run(etc, sounds, host_zone=MOSCOW_HOST, cdr_timezone="local")) == []


def test_unreachable_directory_is_not_run_and_the_rest_still_runs(etc: Path, sounds: Path) -> None:
    results = run(etc, sounds, directory=None)
    shown = lines(results)
    assert "[ -- ] участники очереди есть в справочнике сотрудников" in shown
    assert "не проверено: база данных недоступна" in shown
    assert failed(results) == []
    assert exit_code(results) == 1


def test_inactive_employee_counts_as_missing(etc: Path, sounds: Path) -> None:
    directory = {**MEMBERS, "PJSIP/203": False}
    shown = lines(run(etc, sounds, directory=directory))
    assert (
        "нет действующего сотрудника с устройством PJSIP/203 (PJSIP/203 — отключён): "
        in " ".join(shown)
    )


def test_agi_on_every_address_accepts_any_host_but_not_another_port(
    etc: Path, sounds: Path
) -> None:
    edit(etc / "extensions.conf", "agi://127.0.0.1:4573", "agi://10.0.0.5:4573")
    every_address = {"agi_host": "0.0.0.0", "agi_allowed_sources": "10.0.0.5"}  # noqa: S104
    assert failed(run(etc, sounds, **every_address)) == []
    assert failed(run(etc, sounds, agi_host="127.0.0.1")) == ["CONSULT_AGI = agi://10.0.0.5:4573"]


def test_missing_manager_conf_fails_its_group_only(etc: Path, sounds: Path) -> None:
    (etc / "manager.conf").unlink()
    results = run(etc, sounds)
    assert failed(results) == ["manager.conf прочитан"]
    assert f"cp asterisk/etc/manager.conf {etc}/" in lines(results)


def test_asterisk_conf_directories_move_the_files(etc: Path, sounds: Path) -> None:
    # The stock asterisk.conf ships [directories](!): a template, so the defaults apply.
    (etc / "asterisk.conf").write_text(
        "[directories](!)\nastlogdir => /srv/log\n[options]\n", encoding="utf-8"
    )
    assert failed(run(etc, sounds)) == []
    edit(etc / "asterisk.conf", "[directories](!)", "[directories]")
    results = run(etc, sounds)
    assert failed(results) == [
        "файл CDR /srv/log/cdr-csv/Master.csv = CONSULT_LINE_CDR_PATH",
        "файл queue_log /srv/log/queue_log = CONSULT_LINE_QUEUE_LOG_PATH",
    ]
    shown = lines(results)
    assert "CONSULT_LINE_CDR_PATH=/srv/log/cdr-csv/Master.csv" in shown
    assert "CONSULT_LINE_QUEUE_LOG_PATH=/srv/log/queue_log" in shown


def test_missing_event_timestamps_only_warn(etc: Path, sounds: Path) -> None:
    # ami/events.py falls back to the time of receipt: worse ordering, nothing lost.
    edit(etc / "manager.conf", "timestampevents = yes", "timestampevents = no")
    results = run(etc, sounds)
    (warned,) = [r for r in results if r.title == "timestampevents = yes"]
    assert warned.status is Status.WARN
    assert warned.fixes[0].lines == ("timestampevents = yes",)
    assert exit_code(results) == 0


def test_unset_secret_asks_for_the_setting(etc: Path, sounds: Path) -> None:
    shown = lines(run(etc, sounds, ami_secret=""))
    at = shown.index("[FAIL] пароль совпадает с CONSULT_LINE_AMI_SECRET")
    assert shown[at + 1 : at + 4] == [
        "CONSULT_LINE_AMI_SECRET не задан",
        "исправить — в настройках службы (.env или окружение):",
        "CONSULT_LINE_AMI_SECRET=<secret из manager.conf>",
    ]


def test_log_paths_guessed_without_asterisk_conf_are_a_doubt_not_a_failure(
    etc: Path, sounds: Path
) -> None:
    # Seen on an Asterisk built with --prefix=/opt/ast and no asterisk.conf: it logged to
    # /opt/ast/var/log/asterisk, and a failure with "fix CONSULT_LINE_CDR_PATH" would have
    # told the administrator to break a setting that was right.
    results = run(
        etc,
        sounds,
        cdr_path="/opt/ast/var/log/asterisk/cdr-csv/Master.csv",
        queue_log_path="/opt/ast/var/log/asterisk/queue_log",
    )
    assert failed(results) == []
    doubts = [r for r in results if r.status is Status.WARN and "= CONSULT_LINE_" in r.title]
    assert len(doubts) == 2
    assert all("astlogdir" in r.detail for r in doubts)
    assert "astlogdir => <каталог журналов Asterisk>" in lines(results)
