"""``consult-line visits``: schedule, free slots, booking and cancellation (V1, V2, V5, V6).

The command reads the wall clock, so the day booked is the first Tuesday at least two weeks
ahead on which the production calendar works: its slots are in the future whenever it runs.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from consult_line import arguments
from consult_line.cli import main
from models.rules.visit_slots import ReminderChannel, ReminderKind, office_hours
from models.tables import Interpreter
from tests.visits.samples import CALENDAR, EXAMPLES


def future_tuesday() -> date:
    day = datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")).date() + timedelta(days=14)
    while day.weekday() != 1 or office_hours(CALENDAR, day) is None:
        day += timedelta(days=1)
    return day


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch, database_url: str) -> date:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert main(["staff", "import", str(EXAMPLES / "staff.yaml")]) == 0
    assert main(["visits", "schedule", str(EXAMPLES / "reception.yaml")]) == 0
    return future_tuesday()


def test_schedule_twice_reports_no_change(
    loaded: date, capsys: pytest.CaptureFixture[str]
) -> None:  # V1
    capsys.readouterr()
    assert main(["visits", "schedule", str(EXAMPLES / "reception.yaml")]) == 0
    assert "Изменений нет." in capsys.readouterr().out


def test_book_prints_the_confirmation_and_the_slot_is_gone(
    loaded: date, capsys: pytest.CaptureFixture[str]
) -> None:  # V1, V2, V5
    day = loaded.isoformat()
    assert main(["visits", "slots", day]) == 0
    assert "10:30–11:00  Исмаилов Арсен Камилович (внутр. 301)" in capsys.readouterr().out
    booked = ["visits", "book", day, "10:30", "--phone", "8 912 345-67-89", "--name", "Иванова"]
    assert main([*booked, "--interpreter", "sign_language", "--remind", "day_before"]) == 0
    out = capsys.readouterr().out
    assert "Вы записаны на личный приём" in out
    assert "Как добраться:" in out
    assert "сурдопереводчик" in out
    assert main(["visits", "slots", day, "--format", "jsonl"]) == 0
    starts = [json.loads(line)["starts_at"] for line in capsys.readouterr().out.splitlines()]
    assert f"{day}T10:00:00+03:00" in starts
    assert f"{day}T10:30:00+03:00" not in starts
    assert main(["visits", "book", day, "10:30", "--phone", "+7 912 000-00-01"]) == 3
    assert "Время уже занято" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("when", "phone", "message"),
    [
        ("10:10", "+7 912 345-67-89", "На это время приёма нет"),
        ("10:30", "нет номера", "Номер телефона не распознан"),
    ],
)
def test_bad_booking_exits_2_in_russian(
    loaded: date, capsys: pytest.CaptureFixture[str], when: str, phone: str, message: str
) -> None:  # V1
    capsys.readouterr()
    assert main(["visits", "book", loaded.isoformat(), when, "--phone", phone]) == 2
    assert message in capsys.readouterr().err


def test_a_reminder_by_e_mail_needs_an_address(
    loaded: date, capsys: pytest.CaptureFixture[str]
) -> None:  # V3–V4: the same rule as the pages, not a reminder nobody could send
    capsys.readouterr()
    book = ["visits", "book", loaded.isoformat(), "10:30", "--phone", "+79123456789"]
    assert main([*book, "--remind", "day_before", "--remind-by", "email"]) == 2
    assert "Для напоминания письмом укажите e-mail" in capsys.readouterr().err
    assert main([*book, "--remind", "day_before", "--remind-by", "email", "--email", "a@b.ru"]) == 0


def test_booking_in_the_past_or_on_a_holiday_exits_2(
    loaded: date, capsys: pytest.CaptureFixture[str]
) -> None:  # V1
    capsys.readouterr()
    assert main(["visits", "book", "2001-01-09", "10:30", "--phone", "+79123456789"]) == 2
    assert "уже прошло" in capsys.readouterr().err
    holiday = date(loaded.year + 1, 1, 1).isoformat()
    assert main(["visits", "book", holiday, "10:30", "--phone", "+79123456789"]) == 2
    assert "не работает" in capsys.readouterr().err


def test_cancel_twice_then_unknown(loaded: date, capsys: pytest.CaptureFixture[str]) -> None:  # V6
    assert main(["visits", "book", loaded.isoformat(), "11:00", "--phone", "+79123456789"]) == 0
    capsys.readouterr()
    assert main(["visits", "cancel", "1"]) == 0
    assert capsys.readouterr().out.strip() == "Запись № 1 отменена."
    assert main(["visits", "cancel", "1"]) == 0
    assert "уже была отменена" in capsys.readouterr().out
    assert main(["visits", "cancel", "99"]) == 2
    assert "Записи № 99 нет." in capsys.readouterr().err


def test_argument_lists_match_the_models() -> None:
    assert tuple(item.value for item in Interpreter) == arguments.INTERPRETERS
    assert tuple(item.value for item in ReminderKind) == arguments.REMINDERS
    assert tuple(item.value for item in ReminderChannel) == arguments.REMINDER_CHANNELS
