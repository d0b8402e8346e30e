"""Every mistake a user can make with ``consult-line`` ends in one Russian sentence and a code.

2: the command line, the settings or an input file is wrong; 1: the command could not be
carried out; 130: Ctrl+C. Never a traceback, an English argparse phrase or a class name.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest
from sqlmodel import Session, select

from consult_line.arguments import EXPORT_KINDS, ROLES
from consult_line.cli import main
from models.db import create_db_engine
from models.exports import ExportKind
from models.tables import AuditEntry, Role

EXAMPLE_STAFF = Path(__file__).resolve().parents[2] / "examples" / "staff.yaml"
ENGLISH = ("usage", "error", "argument", "invalid", "required", "expected", "options", "Traceback")


@pytest.fixture
def migrated(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    return database_url


def _audit(database_url: str) -> list[AuditEntry]:
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(AuditEntry)))
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "argv", [["--help"], ["calendar", "--help"], ["calendar", "override", "-h"]]
)
def test_help_is_russian(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"использование: consult-line {' '.join(argv[:-1])}".rstrip() + " [-h]")
    assert "параметры:\n  -h, --help" in out
    assert "показать эту справку и выйти" in out
    if argv != ["calendar", "override", "-h"]:
        assert "позиционные аргументы:" in out
    assert not [word for word in (*ENGLISH, "positional", "show this help") if word in out]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "consult-line: не указаны обязательные аргументы: КОМАНДА"),
        (
            ["servе"],  # a Cyrillic "е" typed by mistake
            "consult-line: аргумент КОМАНДА: недопустимое значение 'servе', возможные: 'serve', "
            "'migrate', 'check-config', 'check-asterisk', 'staff', 'user', 'seed-demo', "
            "'calendar', 'export', 'report', 'kb', 'simulate', 'messages', 'mailings', 'visits', "
            "'retention'",
        ),
        (["migrate", "--now"], "consult-line: лишние аргументы: --now"),
        (
            ["export", "kinds"],
            "consult-line export: аргумент ЧТО: недопустимое значение 'kinds', "
            "возможные: 'calls', 'callbacks', 'surveys'",
        ),
        (["export", "calls", "--since"], "consult-line export: аргумент --since: нужно значение"),
        (
            ["export", "calls", "--since", "2026-13-01"],
            "consult-line export: аргумент --since: дата в виде ГГГГ-ММ-ДД, получено '2026-13-01'",
        ),
        (
            ["export", "calls", "--format", "xml"],
            "consult-line export: аргумент --format: недопустимое значение 'xml', "
            "возможные: 'jsonl', 'csv'",
        ),
        (
            ["calendar", "1999"],
            "consult-line calendar show: аргумент ГОД: год от 2000 до 2100, получено '1999'",
        ),
        (
            ["calendar", "overrides", "--year", "двадцать"],
            "consult-line calendar overrides: аргумент --year: год от 2000 до 2100, "
            "получено 'двадцать'",
        ),
        (
            ["calendar", "override", "2026-06-15", "--working", "--non-working", "--reason", "x"],
            "consult-line calendar override: аргумент --non-working: "
            "нельзя указывать вместе с --working",
        ),
        (
            ["calendar", "override", "2026-06-15", "--reason", "x"],
            "consult-line calendar override: нужен один из аргументов: --working --non-working",
        ),
        (
            ["calendar", "override", "2026-06-15", "--working"],
            "consult-line calendar override: не указаны обязательные аргументы: --reason",
        ),
        (
            ["calendar", "override", "2026-06-15", "--working", "--hours", "18:00-09:00"],
            "consult-line calendar override: аргумент --hours: "
            "начало рабочего дня должно быть раньше конца",
        ),
        (
            ["seed-demo", "--days", "0"],
            "consult-line seed-demo: аргумент --days: число от 1 до 366, получено '0'",
        ),
        (
            ["seed-demo", "--seed", "x"],
            "consult-line seed-demo: аргумент --seed: целое число, получено 'x'",
        ),
        (
            ["kb", "search", "лицензия", "--limit", "все"],
            "consult-line kb search: аргумент --limit: число от 1 до 100, получено 'все'",
        ),
        (
            ["kb", "gaps", "--until", "30.11.2026"],
            "consult-line kb gaps: аргумент --until: дата в виде ГГГГ-ММ-ДД, получено '30.11.2026'",
        ),
        (
            ["staff", "import", "no-such-staff.yaml"],
            "consult-line staff import: аргумент ФАЙЛ: файл 'no-such-staff.yaml' не найден",
        ),
        (
            ["kb", "check", "no-such-folder"],
            "consult-line kb check: аргумент ПАПКА: папка 'no-such-folder' не найдена",
        ),
    ],
)
def test_usage_error_is_one_russian_sentence_and_exit_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    help_for = expected.split(":")[0]
    assert capsys.readouterr().err == f"{expected} (справка: {help_for} --help)\n"


def test_input_paths_of_the_wrong_kind_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain_file = tmp_path / "notes.txt"
    plain_file.write_text("x", encoding="utf-8")
    assert main(["staff", "import", str(tmp_path)]) == 2
    assert f"аргумент ФАЙЛ: '{tmp_path}' — папка, а нужен файл (справка:" in capsys.readouterr().err
    assert main(["kb", "load", str(plain_file)]) == 2
    assert f"аргумент ПАПКА: '{plain_file}' — файл, а нужна папка (справка:" in (
        capsys.readouterr().err
    )


def test_export_kinds_on_the_command_line_are_those_of_the_exports() -> None:
    assert list(EXPORT_KINDS) == [kind.value for kind in ExportKind]


def test_roles_on_the_command_line_are_those_of_the_staff_directory() -> None:
    assert list(ROLES) == [role.value for role in Role]


def test_export_into_a_missing_folder_or_onto_a_folder_exits_1_without_audit(
    migrated: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "reports" / "calls.csv"
    assert main(["export", "calls", "--output", str(target)]) == 1
    assert capsys.readouterr().err == (
        f"Не удалось создать файл {target}: папки {target.parent} нет.\n"
    )
    assert main(["export", "calls", "--output", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"Не удалось создать файл {tmp_path}: это папка, а не файл.\n"
    assert not target.parent.exists()
    assert _audit(migrated) == []


def test_export_onto_a_full_disk_exits_1_and_is_audited_as_interrupted(
    migrated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "surveys", "--format", "csv", "--output", "/dev/full"]) == 1
    assert capsys.readouterr().err == (
        "Выгрузка прервана: не удалось записать файл /dev/full: нет места на диске.\n"
    )
    [entry] = _audit(migrated)
    assert entry.detail.endswith("interrupted")


def test_export_into_a_read_only_folder_exits_1(
    migrated: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    # root writes into any folder of its own; sysfs refuses new files even to root
    target = Path("/sys/consult-line-calls.csv") if os.geteuid() == 0 else folder / "calls.csv"
    assert main(["export", "calls", "--output", str(target)]) == 1
    assert capsys.readouterr().err == f"Не удалось создать файл {target}: нет прав доступа.\n"


def test_a_command_before_migrate_says_to_migrate(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["calendar", "overrides"]) == 1
    assert capsys.readouterr().err == (
        "Схема базы данных не создана или устарела: выполните consult-line migrate.\n"
    )


def test_demo_without_an_active_operator_exits_1(
    migrated: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every employee switched off by an import: nobody could have answered the demo's calls.
    staff_file = tmp_path / "staff.yaml"
    staff_file.write_text(
        "departments:\n  - code: consult\n    name: Линия\nemployees: []\n", encoding="utf-8"
    )
    assert main(["staff", "import", str(EXAMPLE_STAFF)]) == 0
    assert main(["staff", "import", str(staff_file), "--deactivate-missing"]) == 0
    capsys.readouterr()
    assert main(["seed-demo", "--days", "1"]) == 1
    assert capsys.readouterr().err == (
        "Ошибка: в справочнике сотрудников нет ни одного активного оператора\n"
    )


def test_check_config_before_migrate_says_to_migrate(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["check-config"]) == 1
    out = capsys.readouterr().out
    assert (
        "База данных: НЕДОСТУПНА\n"
        "ВНИМАНИЕ: схема базы данных устарела: выполните consult-line migrate\n"
    ) in out
    assert "Error" not in out


@pytest.mark.parametrize(
    "argv", [["check-config"], ["migrate"], ["serve"], ["calendar", "2026"], ["kb", "check"]]
)
def test_sqlite_database_in_a_missing_folder_is_refused_by_every_command(
    argv: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite:///{tmp_path / 'typo' / 'consult-line.db'}"
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", url)
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "Неверные настройки:\n"
        f"  CONSULT_LINE_DATABASE_URL: папки {tmp_path / 'typo'} для базы SQLite нет: "
        f"создайте её или укажите другую (задано: {url!r})\n"
    )
    assert not (tmp_path / "typo").exists()


def test_default_sqlite_database_creates_its_var_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONSULT_LINE_DATABASE_URL", raising=False)
    assert main(["migrate"]) == 0
    assert (tmp_path / "var" / "consult-line.db").is_file()


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite:///data/line.db"])
def test_in_memory_and_relative_sqlite_urls_work(
    url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", url)
    assert main(["migrate"]) == 0


def test_pydantic_checks_are_reported_in_russian(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_AGI_PORT", "0")
    monkeypatch.setenv("CONSULT_LINE_AMI_ENABLED", "maybe")
    assert main(["check-config"]) == 2
    assert capsys.readouterr().err == (
        "Неверные настройки:\n"
        "  CONSULT_LINE_AGI_PORT: должно быть не меньше 1 (задано: '0')\n"
        "  CONSULT_LINE_AMI_ENABLED: нужно true или false (задано: 'maybe')\n"
    )


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "consult_line.cli", *args]


def test_ctrl_c_prints_one_line_and_exits_130(migrated: str, tmp_path: Path) -> None:
    # The import reads from a named pipe that never gets data: the process is waiting in the
    # read when the interrupt arrives, as an administrator's Ctrl+C during a long command.
    pipe = tmp_path / "staff.yaml"
    os.mkfifo(pipe)
    process = subprocess.Popen(
        _cli("staff", "import", str(pipe)),
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    writer: list[IO[str]] = []
    opening = threading.Thread(target=lambda: writer.append(pipe.open("w")), daemon=True)
    opening.start()
    opening.join(timeout=60)  # returns once the command has opened the pipe for reading
    try:
        assert writer, "the command never opened the pipe"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        for stream in writer:
            stream.close()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()
    assert (process.returncode, err) == (130, "Прервано (Ctrl+C).\n")


def test_reading_the_command_line_loads_no_database_or_web_library() -> None:
    script = (
        "import sys\n"
        "from consult_line.cli import main\n"
        "main(['calendar', '--help'])\n"
        "main(['export', 'calls', '--since', '2026-13-01'])\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'fastapi', 'uvicorn', 'alembic', 'holidays',\n"
        "         'panoramisk', 'pydantic', 'yaml')\n"
        "print(sorted(name for name in heavy if name in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stderr.splitlines()[-1] == "[]"


def test_argparse_elsewhere_in_the_process_keeps_its_own_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    assert argparse.ArgumentParser(prog="other").format_usage() == "usage: other [-h]\n"


@pytest.mark.parametrize("variable", ["CONSULT_LINE_HTTP_PORT", "CONSULT_LINE_AGI_PORT"])
def test_serve_on_a_busy_port_exits_1_naming_it(
    variable: str, migrated: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as free:  # the other port, not the default
        for other in ("CONSULT_LINE_HTTP_PORT", "CONSULT_LINE_AGI_PORT"):
            monkeypatch.setenv(other, str(free.getsockname()[1]))
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        monkeypatch.setenv(variable, str(port))
        assert main(["serve"]) == 1
    assert caplog.messages[-1] == (
        f"порт 127.0.0.1:{port} ({variable}) недоступен: адрес уже занят другой программой"
    )
