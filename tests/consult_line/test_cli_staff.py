"""``consult-line staff import``: provisioning a deployment from the example directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from consult_line.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "staff.yaml"


@pytest.fixture
def migrated(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0


def test_example_directory_imports_once_then_reports_no_change(
    migrated: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["staff", "import", str(EXAMPLE)]) == 0
    assert "создано" in capsys.readouterr().out
    assert main(["staff", "import", str(EXAMPLE)]) == 0
    assert "Изменений нет." in capsys.readouterr().out


def test_broken_file_names_line_and_field_and_exits_2(
    migrated: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "staff.yaml"
    broken.write_text(
        "departments:\n"
        "  - code: consult\n"
        "    name: Линия\n"
        "employees:\n"
        "  - internal_number: '201'\n"
        "    full_name: Оператор\n"
        "    device: 201\n"
        "    department: consult\n"
        "    roles: [operator]\n",
        encoding="utf-8",
    )
    assert main(["staff", "import", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "staff.yaml:7: employees[0].device" in err
