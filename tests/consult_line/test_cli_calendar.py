"""``consult-line calendar``: what an administrator compares with the official calendar (C3)."""

from __future__ import annotations

import pytest

from consult_line.cli import main


@pytest.fixture
def migrated(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_year_listing_shows_weekdays_off_working_saturdays_and_shortened_days(
    migrated: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["calendar", "2025"]) == 0
    lines = _lines(capsys)
    assert "2025-01-03 non-working" in lines
    assert "2025-04-30 shortened 09:00-17:00" in lines
    assert "2025-11-01 shortened 09:00-17:00" in lines  # working Saturday, decree No. 1335
    assert "2025-12-31 non-working" in lines
    assert len(lines) == 19  # 15 weekdays off + 3 shortened weekdays + 1 working Saturday


SHORTENED_NOTE = "Предпраздничный день, сокращён на час (ст. 95 ТК РФ)"


@pytest.mark.parametrize(
    ("close_early", "note"),
    [
        ("false", f"{SHORTENED_NOTE}; линия работает в обычные часы"),
        ("true", SHORTENED_NOTE),
    ],
    ids=["line-keeps-its-hours", "line-closes-early"],
)
def test_shortened_days_are_listed_whatever_the_line_does_on_them(
    migrated: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    close_early: str,
    note: str,
) -> None:
    # C3: the listing is the official calendar's; the note says whether the line closes early.
    monkeypatch.setenv("CONSULT_LINE_SHORTENED_DAYS_CLOSE_EARLY", close_early)
    capsys.readouterr()
    assert main(["calendar", "2026", "--notes"]) == 0
    lines = _lines(capsys)
    assert f"2026-04-30 shortened 09:00-17:00  # {note}" in lines
    assert [line[:10] for line in lines if " shortened " in line] == [
        "2026-04-30",
        "2026-05-08",
        "2026-06-11",
        "2026-11-03",
    ]


def test_override_changes_the_listing_and_removal_restores_it(
    migrated: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "calendar",
                "override",
                "2026-11-03",
                "--working",
                "--hours",
                "09:00-17:00",
                "--reason",
                "Сокращённый предпраздничный день (ст. 95 ТК РФ)",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "calendar",
                "override",
                "2026-06-15",
                "--non-working",
                "--reason",
                "Указ Главы РД № 0 (пример)",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["calendar", "2026"]) == 0
    lines = _lines(capsys)
    assert "2026-11-03 working 09:00-17:00" in lines
    assert "2026-06-15 non-working" in lines

    assert main(["calendar", "remove-override", "2026-06-15"]) == 0
    capsys.readouterr()
    assert main(["calendar", "2026"]) == 0
    assert "2026-06-15 non-working" not in _lines(capsys)


def test_hours_on_a_non_working_override_are_refused(
    migrated: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "calendar",
            "override",
            "2026-06-15",
            "--non-working",
            "--hours",
            "09:00-12:00",
            "--reason",
            "x",
        ]
    )
    assert code == 2
    assert "Ошибка" in capsys.readouterr().err
    assert main(["calendar", "overrides"]) == 0
    assert _lines(capsys) == []


def test_malformed_hours_are_rejected_before_anything_is_written(
    migrated: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["calendar", "override", "2026-06-15", "--working", "--hours", "9-17", "--reason", "x"]
    )
    assert code == 2
    assert "09:00-17:00" in capsys.readouterr().err


@pytest.mark.parametrize("year", ["2027", "2031"])  # no official shortened days; no decree
def test_unconfirmed_year_warns_until_the_admin_confirms_it(
    migrated: None, capsys: pytest.CaptureFixture[str], year: str
) -> None:
    capsys.readouterr()
    assert main(["calendar", year]) == 0
    warning = capsys.readouterr().err
    assert "ВНИМАНИЕ" in warning
    assert "ст. 95 ТК РФ" in warning
    assert (
        main(
            [
                "calendar",
                "confirm-year",
                year,
                "--source",
                "Постановление Правительства РФ (реквизиты)",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["calendar", year]) == 0
    assert "ВНИМАНИЕ" not in capsys.readouterr().err


def test_removing_a_missing_override_says_so(
    migrated: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calendar", "remove-override", "2026-06-16"]) == 1
    assert "нет" in capsys.readouterr().out
