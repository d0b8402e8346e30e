"""``consult-line user``: accounts for the console, the password never on the command line."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col
from sqlmodel import select as sql_select

from agent_console.auth.passwords import PRODUCTION
from consult_line.cli import main
from models.db import create_db_engine
from models.tables import AuditEntry, UserAccount, UserSession
from models.user_sessions import open_session
from tests.agent_console.console import Clock, Console, sign_in

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "staff.yaml"
PASSWORD = "пароль-оператора-1"
TERMINAL_TIMEOUT_S = 60
_PROMPT_END = "пароль: ".encode()


@pytest.fixture
def migrated(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert main(["staff", "import", str(EXAMPLE)]) == 0
    return database_url


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = f"{PASSWORD}\n") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["user", *argv])


def _accounts(database_url: str) -> list[UserAccount]:
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(sql_select(UserAccount).order_by(col(UserAccount.login))))
    finally:
        engine.dispose()


def _audit(database_url: str) -> list[tuple[str, str, str]]:
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.exec(sql_select(AuditEntry).order_by(col(AuditEntry.id)))
            return [(row.action, row.subject, row.detail) for row in rows]
    finally:
        engine.dispose()


def _open_sessions(database_url: str, login: str, count: int) -> None:
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            account = session.exec(
                sql_select(UserAccount).where(col(UserAccount.login) == login)
            ).one()
            assert account.id is not None
            for _ in range(count):
                open_session(session=session, account_id=account.id, now=account.created_at)
            session.commit()
    finally:
        engine.dispose()


def test_add_reads_the_password_from_standard_input(
    migrated: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = _run(
        monkeypatch, ["add", "Alieva", "--employee", "201", "--role", "operator", "--role", "admin"]
    )
    assert code == 0
    assert capsys.readouterr().out == (
        "Учётная запись alieva создана: сотрудник 201 (Магомедова Патимат Гасановна), "
        "роли: operator, admin.\n"
    )
    (account,) = _accounts(migrated)
    assert account.login == "alieva"
    assert account.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PRODUCTION.verify(account.password_hash, PASSWORD)
    assert _audit(migrated)[-1] == (
        "account_created",
        "user:alieva",
        "employee=201 roles=operator,admin",
    )


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["add", "a", "--employee", "201", "--role", "operator"], PASSWORD, "логин 'a': от 2"),
        (
            ["add", "alieva", "--employee", "999", "--role", "operator"],
            PASSWORD,
            "сотрудника с внутренним номером '999' нет в справочнике",
        ),
        (
            ["add", "alieva", "--employee", "201", "--role", "operator"],
            "короткий\n",
            "пароль короче 10 знаков; ничего не изменено",
        ),
        (
            ["add", "alieva", "--employee", "201", "--role", "operator"],
            "",
            "пароль не получен: передайте его первой строкой стандартного ввода",
        ),
        (
            ["add", "alieva", "--employee", "201", "--role", "operator"],
            "alieva-2026-пароль\n",
            "пароль содержит логин",
        ),
        (["passwd", "nobody"], PASSWORD, "учётной записи 'nobody' нет"),
        (["disable", "nobody"], "", "учётной записи 'nobody' нет"),
    ],
)
def test_mistakes_exit_2_with_a_russian_sentence_and_change_nothing(
    migrated: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdin: str,
    message: str,
) -> None:
    capsys.readouterr()
    assert _run(monkeypatch, argv, stdin) == 2
    err = capsys.readouterr().err
    assert err.startswith("Ошибка: ")
    assert message in err
    assert _accounts(migrated) == []


def test_login_taken_or_employee_with_an_account(
    migrated: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, ["add", "alieva", "--employee", "201", "--role", "operator"]) == 0
    capsys.readouterr()
    assert _run(monkeypatch, ["add", "alieva", "--employee", "202", "--role", "operator"]) == 2
    assert "логин 'alieva' уже занят" in capsys.readouterr().err
    assert _run(monkeypatch, ["add", "other", "--employee", "201", "--role", "operator"]) == 2
    assert "у сотрудника 201 уже есть учётная запись 'alieva'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["add", "alieva", "--employee", "201", "--role", "operator", "--password", PASSWORD],
            "лишние аргументы: --password",
        ),
        (["add", "alieva", "--employee", "201"], "не указаны обязательные аргументы: --role"),
        (
            ["add", "alieva", "--employee", "201", "--role", "boss"],
            "аргумент --role: недопустимое значение 'boss'",
        ),
    ],
)
def test_no_password_on_the_command_line_and_known_roles_only(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["user", *argv]) == 2
    assert message in capsys.readouterr().err


def test_passwd_ends_every_session_and_lifts_a_lock(
    migrated: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, ["add", "alieva", "--employee", "201", "--role", "operator"]) == 0
    _open_sessions(migrated, "alieva", 2)
    capsys.readouterr()
    assert _run(monkeypatch, ["passwd", "alieva"], "новый-пароль-2027\n") == 0
    assert capsys.readouterr().out == (
        "Пароль alieva изменён, блокировка снята; завершено сеансов: 2.\n"
    )
    (account,) = _accounts(migrated)
    assert PRODUCTION.verify(account.password_hash, "новый-пароль-2027")
    assert not PRODUCTION.verify(account.password_hash, PASSWORD)
    assert _audit(migrated)[-1] == ("password_changed", "user:alieva", "sessions_ended=2")


def test_disable_enable_and_list(
    migrated: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, ["add", "alieva", "--employee", "201", "--role", "operator"]) == 0
    assert _run(monkeypatch, ["add", "suleymanova", "--employee", "200", "--role", "admin"]) == 0
    _open_sessions(migrated, "alieva", 1)
    capsys.readouterr()
    assert main(["user", "disable", "alieva"]) == 0
    assert capsys.readouterr().out == "Учётная запись alieva отключена; завершено сеансов: 1.\n"
    assert main(["user", "disable", "alieva"]) == 0
    assert capsys.readouterr().out == "Учётная запись alieva уже отключена.\n"
    assert main(["user", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "логин        сотрудник                         роли                          состояние",
        "alieva       201 Магомедова Патимат Гасановна  operator                      отключена",
        "suleymanova  200 Сулейманова Хадижат Омаровна  supervisor, kb_editor, admin  активна",
    ]
    assert main(["user", "enable", "alieva"]) == 0
    assert capsys.readouterr().out == "Учётная запись alieva включена.\n"
    engine = create_db_engine(migrated)
    try:
        with Session(engine) as session:
            assert session.exec(sql_select(UserSession)).all() == []
    finally:
        engine.dispose()
    assert [action for action, _subject, _detail in _audit(migrated)] == [
        "account_created",
        "account_created",
        "account_disabled",
        "account_enabled",
    ]


def test_list_without_accounts(migrated: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["user", "list"]) == 0
    assert capsys.readouterr().out == (
        "Учётных записей нет: создайте первую командой consult-line user add.\n"
    )


# --- in a terminal ----------------------------------------------------------------------------


def _in_terminal(argv: list[str], answers: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Runs ``consult-line`` on a pseudo-terminal, answering each prompt in turn."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, with the terminal as its own
        os.execve(sys.executable, [sys.executable, "-m", "consult_line.cli", *argv], env)  # noqa: S606
    output = b""
    pending = [answer.encode() + b"\n" for answer in answers]
    answered = 0
    deadline = time.monotonic() + TERMINAL_TIMEOUT_S
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], deadline - time.monotonic())
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if answered < len(pending) and output.count(_PROMPT_END) > answered:
            os.write(fd, pending[answered])
            answered += 1
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


def test_in_a_terminal_the_password_is_asked_twice_without_echo(migrated: str) -> None:
    env = {**os.environ, "CONSULT_LINE_DATABASE_URL": migrated}
    argv = ["user", "add", "alieva", "--employee", "201", "--role", "operator"]
    code, output = _in_terminal(argv, [PASSWORD, PASSWORD], env)
    assert code == 0, output
    assert "Новый пароль:" in output
    assert "Повторите пароль:" in output
    assert PASSWORD not in output  # not echoed
    assert "Учётная запись alieva создана" in output
    (account,) = _accounts(migrated)
    assert PRODUCTION.verify(account.password_hash, PASSWORD)


def test_in_a_terminal_two_different_passwords_change_nothing(migrated: str) -> None:
    env = {**os.environ, "CONSULT_LINE_DATABASE_URL": migrated}
    argv = ["user", "add", "alieva", "--employee", "201", "--role", "operator"]
    code, output = _in_terminal(argv, [PASSWORD, PASSWORD + "x"], env)
    assert code == 2
    assert "Ошибка: пароли не совпадают, ничего не изменено." in output
    assert _accounts(migrated) == []


def test_seed_demo_prints_one_account_per_role_that_signs_in(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["seed-demo", "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert "Учётные записи для входа в консоль (пароли показаны один раз):" in out
    accounts = re.findall(r"^  (\S+)\s+пароль: (\S+)  \((.+)\)$", out, re.MULTILINE)
    assert [(login, shown) for login, _password, shown in accounts] == [
        ("operator", "оператор, Алиева Патимат Магомедовна"),
        ("expert", "эксперт, Гаджиев Марат Шамилович"),
        ("supervisor", "руководитель, Сулейманова Аминат Исаевна"),
        ("kb-editor", "редактор базы знаний, Ахмедова Заира Курбановна"),
        ("admin", "администратор, Магомедов Шамиль Расулович"),
    ]
    engine = create_db_engine(database_url)
    try:
        console = Console(engine, Clock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)))
        for login, password, _shown in accounts:
            assert sign_in(console.browser(), login, password).status_code == 303, login
    finally:
        engine.dispose()
    assert main(["seed-demo", "--days", "1"]) == 0
    assert "Демонстрационные учётные записи не созданы" in capsys.readouterr().out
