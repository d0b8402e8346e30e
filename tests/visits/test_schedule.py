"""The reception schedule file and its import (V1, V5, V11): idempotent, refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.tables import ReceptionHours, ReceptionPoint
from tests.visits.samples import EXAMPLES, LOADED_AT, load_examples
from visits.schedule_file import ScheduleFileError, load_schedule_file
from visits.schedule_import import import_schedule

GOOD_POINT = """
points:
  - code: ministry
    name: {ru: Министерство, en: Ministry}
    address: {ru: "г. Махачкала", en: Makhachkala}
    directions: {ru: Вход с пандусом, en: Ramp at the entrance}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reception.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_loads_every_text_in_both_languages() -> None:  # V5, V11
    schedule = load_schedule_file(EXAMPLES / "reception.yaml")
    point = schedule.points[0]
    assert point.address.en
    assert point.directions.en
    assert {row.employee for row in schedule.rows} == {"301", "311", "321", "331"}


def test_second_import_changes_nothing_and_a_removed_day_goes(
    db_engine: Engine, tmp_path: Path
) -> None:  # V1
    load_examples(db_engine)
    text = (EXAMPLES / "reception.yaml").read_text(encoding="utf-8")
    with session_scope(db_engine) as session:
        again = import_schedule(
            session=session, schedule=load_schedule_file(EXAMPLES / "reception.yaml"), now=LOADED_AT
        )
    assert not again.changed
    assert again.lines()[-1] == "Изменений нет."
    shorter = text.replace("days: [tue, thu]", "days: [tue]").replace(
        "slot_minutes: 20", "slot_minutes: 15"
    )
    with session_scope(db_engine) as session:
        summary = import_schedule(
            session=session, schedule=load_schedule_file(write(tmp_path, shorter)), now=LOADED_AT
        )
    assert (summary.hours.removed, summary.hours.updated) == (1, 1)
    with Session(db_engine) as session:
        assert len(session.exec(select(ReceptionHours)).all()) == 5
        assert len(session.exec(select(ReceptionPoint)).all()) == 1


def reception(
    point: str = "ministry",
    slot: int = 30,
    hours: str = '{days: [mon], from: "10:00", to: "12:00"}',
) -> str:
    return f'[{{employee: "301", point: {point}, slot_minutes: {slot}, hours: [{hours}]}}]'


@pytest.mark.parametrize(
    ("receptions", "problem"),
    [
        (reception(point="nowhere"), "нет точки приёма «nowhere»"),
        (reception(hours='{days: [monday], from: "10:00", to: "12:00"}'), "«monday» — не день"),
        (reception(hours='{days: [mon], from: "12:00", to: "10:00"}'), "не раньше конца"),
        (
            reception(
                hours='{days: [mon], from: "10:00", to: "12:00"}, '
                '{days: [mon], from: "11:00", to: "13:00"}'
            ),
            "дважды в одно время",
        ),
        (reception(slot=2), "slot_minutes"),
        (reception(hours='{days: [mon], from: "10 часов", to: "12:00"}'), "не в виде ЧЧ:ММ"),
    ],
)
def test_a_broken_file_names_the_problem(tmp_path: Path, receptions: str, problem: str) -> None:
    with pytest.raises(ScheduleFileError, match=problem):
        load_schedule_file(write(tmp_path, GOOD_POINT + "receptions: " + receptions + "\n"))


def test_unquoted_times_are_read_as_clock_times(tmp_path: Path) -> None:
    text = GOOD_POINT + (
        'receptions: [{employee: "301", point: ministry, slot_minutes: 30,'
        " hours: [{days: [mon], from: 10:00, to: 12:30}]}]\n"
    )
    row = load_schedule_file(write(tmp_path, text)).rows[0]
    assert (f"{row.opens:%H:%M}", f"{row.closes:%H:%M}") == ("10:00", "12:30")


def test_an_unknown_employee_refuses_the_whole_file(db_engine: Engine, tmp_path: Path) -> None:
    text = GOOD_POINT + (
        'receptions: [{employee: "999", point: ministry, slot_minutes: 30,'
        ' hours: [{days: [mon], from: "10:00", to: "12:00"}]}]\n'
    )
    with (
        session_scope(db_engine) as session,
        pytest.raises(ScheduleFileError, match="номером 999 нет"),
    ):
        import_schedule(
            session=session, schedule=load_schedule_file(write(tmp_path, text)), now=LOADED_AT
        )
    with Session(db_engine) as session:
        assert session.exec(select(ReceptionPoint)).all() == []
