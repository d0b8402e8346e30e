"""Deadlines of written messages (W3–W6) on the production calendars 2024–2026, each expected
date counted by hand from the published calendar (comments say how); which of them are still
owed in each state, and how late one is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from models.rules.message_deadlines import (
    Duty,
    DutyState,
    Lateness,
    MessageDeadlines,
    deadlines,
    duty_state,
    lateness,
    next_due,
    overdue,
    urgent_term,
    urgent_term_of,
)
from models.rules.message_states import AbuseCheck, MessageStatus

MSK = ZoneInfo("Europe/Moscow")
CALENDAR = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)


def _at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=MSK)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # An ordinary week: Mon 07.12.2026 → primary Thu 10.12 (W6), abuse notice Mon 14.12
        # (W5); 30 days → Wed 06.01.2027, a New Year holiday, moved to the first working day.
        (_at(2026, 12, 7), (date(2026, 12, 10), date(2027, 1, 11), date(2026, 12, 14))),
        # The eve of the New Year holidays: Tue 30.12.2025; 31.12 is a day off (moved from
        # 04.01), 01–08.01 holidays, 09.01 moved from 03.01, 10–11.01 weekend: the first
        # working day is Mon 12.01.2026 → primary Wed 14.01, abuse Fri 16.01; 30 days →
        # Thu 29.01.2026, a working day.
        (_at(2025, 12, 30), (date(2026, 1, 14), date(2026, 1, 29), date(2026, 1, 16))),
        # Before a working Saturday: Fri 31.10.2025; Sat 01.11.2025 is worked (moved to
        # 03.11), 04.11 a holiday: 1 = 01.11, 2 = 05.11, 3 = 06.11; 4 = 07.11, 5 = 10.11;
        # 30 days → Sun 30.11.2025 → Mon 01.12.
        (_at(2025, 10, 31), (date(2025, 11, 6), date(2025, 12, 1), date(2025, 11, 10))),
        # On the working Saturday itself: 05.11, 06.11, 07.11; 5 = 11.11; 30 days → Mon 01.12.
        (_at(2025, 11, 1), (date(2025, 11, 7), date(2025, 12, 1), date(2025, 11, 11))),
        # Registered on a Sunday: Mon 11.03.2024 is the first day: 13.03; 5 = 15.03;
        # 30 days → Tue 09.04.2024.
        (_at(2024, 3, 10), (date(2024, 3, 13), date(2024, 4, 9), date(2024, 3, 15))),
        # 30 days landing on the May holidays: Tue 09.04.2024 → Thu 09.05.2024 (holiday),
        # Fri 10.05 (moved day off), weekend → Mon 13.05.
        (_at(2024, 4, 9), (date(2024, 4, 12), date(2024, 5, 13), date(2024, 4, 16))),
    ],
)
def test_terms_count_working_days_on_the_production_calendar(
    received: datetime, expected: tuple[date, date, date]
) -> None:
    assert deadlines(received, CALENDAR) == MessageDeadlines(*expected)


def test_the_day_is_the_lines_local_day_not_utcs() -> None:
    # 21:30 UTC on Thu 03.12.2026 is 00:30 on Fri 04.12 in Moscow: counted from Friday,
    # 1 = Mon 07.12, 2 = 08.12, 3 = 09.12 (from Thursday it would be 08.12).
    received = datetime(2026, 12, 3, 21, 30, tzinfo=UTC)
    assert deadlines(received, CALENDAR).primary_due == date(2026, 12, 9)


def test_an_urgent_message_gets_the_term_set_from_its_content_at_most_15_working_days() -> None:
    # W3–W4: from Tue 30.12.2025, 15 working days: 12–16.01 (5), 19–23.01 (10), 26–30.01.
    received = _at(2025, 12, 30)
    assert deadlines(received, CALENDAR, urgent_working_days=15).answer_due == date(2026, 1, 30)
    assert deadlines(received, CALENDAR, urgent_working_days=2).answer_due == date(2026, 1, 13)
    with pytest.raises(ValueError, match="от 1 до 15 рабочих дней"):
        deadlines(received, CALENDAR, urgent_working_days=16)


def test_the_statutory_term_is_a_setting() -> None:
    # 10 calendar days from Mon 07.12.2026: Thu 17.12.
    assert deadlines(_at(2026, 12, 7), CALENDAR, statutory_days=10).answer_due == date(2026, 12, 17)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        deadlines(datetime(2026, 12, 7, 10), CALENDAR)  # noqa: DTZ001


@pytest.mark.parametrize(("typed", "days"), [("1", 1), (" 15 ", 15), ("07", 7)])
def test_the_urgent_term_as_typed(typed: str, days: int) -> None:  # W3–W4
    assert urgent_term(typed) == days


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0", "от 1 до 15 рабочих дней, указано 0"),
        ("16", "от 1 до 15 рабочих дней, указано 16"),
        ("десять", "укажите целое число, указано «десять»"),
        ("", "укажите целое число, указано «ничего»"),
        ("2.5", "укажите целое число, указано «2.5»"),
        ("-3", "укажите целое число, указано «-3»"),
        ("1000", "укажите целое число, указано «1000»"),
    ],
)
def test_a_bad_urgent_term_is_refused_in_russian(typed: str, reason: str) -> None:
    with pytest.raises(ValueError, match=r"^Срок ответа на срочное обращение") as refused:
        urgent_term(typed)
    assert reason in str(refused.value)


R, A, RD, AN, RF, AB = (
    MessageStatus.REGISTERED,
    MessageStatus.ACKNOWLEDGED,
    MessageStatus.REDIRECTED,
    MessageStatus.ANSWERED,
    MessageStatus.REFUSED,
    MessageStatus.ABUSIVE,
)
OWED, DONE, NOT_NEEDED = DutyState.OWED, DutyState.DONE, DutyState.NOT_NEEDED


@pytest.mark.parametrize(
    ("status", "abuse", "primary", "answer", "notice"),
    [
        (R, AbuseCheck.CLEAN, OWED, OWED, NOT_NEEDED),
        (A, AbuseCheck.CLEAN, DONE, OWED, NOT_NEEDED),
        (RD, AbuseCheck.CLEAN, DONE, DONE, NOT_NEEDED),
        (AN, AbuseCheck.CLEAN, DONE, DONE, NOT_NEEDED),
        (RF, AbuseCheck.DISMISSED, DONE, DONE, NOT_NEEDED),
        (R, AbuseCheck.DISMISSED, OWED, OWED, NOT_NEEDED),
        # Suspected: a person decides; until then every deadline counts, the notice's too.
        (R, AbuseCheck.SUSPECTED, OWED, OWED, OWED),
        (A, AbuseCheck.SUSPECTED, DONE, OWED, OWED),
        # Confirmed (W5): no answer on the merits, the notice is owed until it went out.
        (R, AbuseCheck.CONFIRMED, NOT_NEEDED, NOT_NEEDED, OWED),
        (A, AbuseCheck.CONFIRMED, DONE, NOT_NEEDED, OWED),
        (AB, AbuseCheck.CONFIRMED, NOT_NEEDED, NOT_NEEDED, DONE),
        (AN, AbuseCheck.SUSPECTED, DONE, DONE, NOT_NEEDED),
    ],
)
def test_which_deadlines_are_owed(
    status: MessageStatus,
    abuse: AbuseCheck,
    primary: DutyState,
    answer: DutyState,
    notice: DutyState,
) -> None:  # W3–W6
    assert duty_state(Duty.PRIMARY, status, abuse) is primary
    assert duty_state(Duty.ANSWER, status, abuse) is answer
    assert duty_state(Duty.ABUSE_NOTICE, status, abuse) is notice


@dataclass(frozen=True)
class Dates:
    status: MessageStatus
    abuse: AbuseCheck = AbuseCheck.CLEAN
    primary_due: date = date(2026, 12, 10)
    answer_due: date = date(2027, 1, 11)
    abuse_notice_due: date | None = None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (Dates(R), date(2026, 12, 10)),
        (Dates(A), date(2027, 1, 11)),
        (Dates(AN), None),
        # An urgent term of one working day ends before the primary answer's.
        (Dates(R, answer_due=date(2026, 12, 8)), date(2026, 12, 8)),
        (Dates(R, AbuseCheck.CONFIRMED, abuse_notice_due=date(2026, 12, 14)), date(2026, 12, 14)),
        (Dates(A, AbuseCheck.SUSPECTED, abuse_notice_due=date(2026, 12, 14)), date(2026, 12, 14)),
        (Dates(AB, AbuseCheck.CONFIRMED, abuse_notice_due=date(2026, 12, 14)), None),
    ],
)
def test_the_next_deadline_is_the_earliest_still_owed(
    message: Dates, expected: date | None
) -> None:
    assert next_due(message) == expected


def test_a_deadline_is_overdue_from_the_next_day() -> None:
    assert not overdue(date(2026, 12, 7), today=date(2026, 12, 7))
    assert overdue(date(2026, 12, 6), today=date(2026, 12, 7))


@pytest.mark.parametrize(
    ("due", "today", "late"),
    [
        (date(2026, 12, 7), date(2026, 12, 7), Lateness(0, 0)),  # today: in time
        (date(2026, 12, 8), date(2026, 12, 7), Lateness(0, 0)),
        # Fri 04.12.2026 → Mon 07.12: three days, one of them working (Monday).
        (date(2026, 12, 4), date(2026, 12, 7), Lateness(3, 1)),
        # Fri 04.12 → Sun 06.12: only the weekend has passed.
        (date(2026, 12, 4), date(2026, 12, 6), Lateness(2, 0)),
        # Wed 30.12.2026 → Mon 11.01.2027: 31.12 is a day off (moved from Sun 04.01.2026),
        # 01–08.01 holidays, 09–10.01 the weekend; 11.01 is the one working day.
        (date(2026, 12, 30), date(2027, 1, 11), Lateness(12, 1)),
    ],
)
def test_how_late_in_calendar_and_working_days(due: date, today: date, late: Lateness) -> None:
    assert lateness(due, today, CALENDAR) == late


@pytest.mark.parametrize("days", [1, 2, 10, 15])
def test_the_urgent_term_read_back_from_its_deadline(days: int) -> None:
    received = _at(2025, 12, 30)  # over the New Year holidays
    due = deadlines(received, CALENDAR, urgent_working_days=days).answer_due
    assert urgent_term_of(received, due, CALENDAR) == days


def test_no_urgent_term_gives_a_deadline_past_15_working_days_or_on_a_day_off() -> None:
    # From Mon 07.12.2026 the 15th working day is Mon 28.12; the statutory 11.01.2027 is later.
    received = _at(2026, 12, 7)
    assert urgent_term_of(received, deadlines(received, CALENDAR).answer_due, CALENDAR) is None
    assert urgent_term_of(received, date(2026, 12, 28), CALENDAR) == 15
    assert urgent_term_of(received, date(2026, 12, 12), CALENDAR) is None  # a Saturday
