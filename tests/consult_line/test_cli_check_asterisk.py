"""``consult-line check-asterisk``: the shipped samples pass against a provisioned directory."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from asterisk_check.facts import AmiRoute
from consult_line.cli import main
from consult_line.commands.check_asterisk import ami_routes
from tests.asterisk_samples import STAFF_EXAMPLE, copy_etc, edit, make_sounds


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> list[str]:
    """Samples as shipped, every sound, the example directory imported; the command line."""
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_AMI_SECRET", "a-long-random-secret")
    etc = copy_etc(tmp_path / "etc")
    edit(etc / "manager.conf", "CHANGE-ME-ami-secret", "a-long-random-secret")
    sounds = make_sounds(tmp_path / "sounds")
    assert main(["migrate"]) == 0
    assert main(["staff", "import", str(STAFF_EXAMPLE)]) == 0
    return ["check-asterisk", "--etc", str(etc), "--sounds", str(sounds)]


def test_shipped_samples_pass(installed: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(installed) == 0
    out = capsys.readouterr().out
    assert "[FAIL]" not in out
    assert "[WARN]" not in out
    assert "  [ OK ] участники очереди есть в справочнике сотрудников — PJSIP/201, " in out
    assert out.rstrip().endswith("Asterisk настроен по контракту.")


def test_sounds_default_to_astdatadir(
    installed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    etc, sounds = Path(installed[2]), Path(installed[4])  # sounds: <astdatadir>/sounds
    (etc / "asterisk.conf").write_text(
        f"[directories]\nastdatadir => {sounds.parent}\n", encoding="utf-8"
    )
    capsys.readouterr()
    assert main(installed[:3]) == 0  # without --sounds
    assert f"звуки {sounds}" in capsys.readouterr().out


def test_a_broken_file_exits_1_with_the_line_to_add(
    installed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    etc = Path(installed[2])
    edit(etc / "manager.conf", "agent,reporting", "agent")
    capsys.readouterr()
    assert main(installed) == 1
    lines = capsys.readouterr().out.splitlines()
    failure = lines.index("  [FAIL] права write: call,originate,agent,reporting")
    assert "           write = call,originate,agent,reporting" in lines[failure:]


def test_unreachable_database_is_reported_and_the_rest_still_runs(
    installed: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    capsys.readouterr()
    assert main(installed) == 1
    out = capsys.readouterr().out
    assert "  [ -- ] участники очереди есть в справочнике сотрудников" in out
    assert "не проверено: база данных недоступна (connection failed" in out
    assert "[FAIL]" not in out


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)


@pytest.mark.usefixtures("database")
def test_missing_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-asterisk", "--etc", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert f"Каталог настроек Asterisk {tmp_path / 'nowhere'} не найден" in err


@pytest.mark.usefixtures("database")
def test_folder_without_asterisk_files_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "other.conf").write_text("[x]\n", encoding="utf-8")
    assert main(["check-asterisk", "--etc", str(tmp_path)]) == 2
    assert "это не каталог настроек Asterisk" in capsys.readouterr().err


def test_ami_routes_of_an_address_and_of_a_name() -> None:
    loopback = ipaddress.ip_address("127.0.0.1")
    assert ami_routes("127.0.0.1", 5038) == ((AmiRoute(loopback, loopback),), "")
    routes, problem = ami_routes("localhost", 5038)  # /etc/hosts: 127.0.0.1, perhaps ::1
    assert AmiRoute(loopback, loopback) in routes
    assert problem == ""
