"""Importing the staff directory: an idempotent upsert that writes nothing on error (C4, C9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.rules.training import TrainingKind
from models.staff_file import StaffDirectory, StaffFileError, load_staff_file
from models.staff_import import Counts, ImportSummary, department_codes, import_staff
from models.tables import (
    Department,
    Employee,
    EmployeeCompetence,
    EmployeeRole,
    ServiceIntroduction,
    TrainingEntry,
)
from models.topics import Topic
from models.training_log import TrainingInput, record_training
from tests.models.staff_samples import (
    BASE,
    EXAMPLE,
    MARK,
    TODAY,
    assert_problem,
    edited,
    load,
    marked_line,
)

T1 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
T3 = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


# --- helpers ---------------------------------------------------------------------------------


def _import(
    engine: Engine, directory: StaffDirectory, now: datetime, *, deactivate_missing: bool = False
) -> ImportSummary:
    with session_scope(engine) as session:
        return import_staff(
            session=session, directory=directory, now=now, deactivate_missing=deactivate_missing
        )


@dataclass(frozen=True)
class Stored:
    full_name: str
    device: str
    department: str
    active: bool
    roles: frozenset[str]
    competences: frozenset[str]
    training: tuple[tuple[str, date, str], ...]
    updated_at: datetime


def _stored(engine: Engine) -> dict[str, Stored]:
    with Session(engine) as session:
        codes = {d.id: d.code for d in session.exec(select(Department)).all()}
        result = {}
        for e in session.exec(select(Employee)).all():
            roles = session.exec(select(EmployeeRole).where(EmployeeRole.employee_id == e.id))
            topics = session.exec(
                select(EmployeeCompetence).where(EmployeeCompetence.employee_id == e.id)
            )
            training = session.exec(select(TrainingEntry).where(TrainingEntry.employee_id == e.id))
            result[e.internal_number] = Stored(
                full_name=e.full_name,
                device=e.device,
                department=codes[e.department_id],
                active=e.active,
                roles=frozenset(r.role.value for r in roles),
                competences=frozenset(c.topic.value for c in topics),
                training=tuple(sorted((t.kind.value, t.completed_on, t.subject) for t in training)),
                updated_at=e.updated_at,
            )
        return result


def _table_sizes(engine: Engine) -> dict[str, int]:
    tables = (
        Department,
        ServiceIntroduction,
        Employee,
        EmployeeRole,
        EmployeeCompetence,
        TrainingEntry,
    )
    with Session(engine) as session:
        return {t.__name__: len(session.exec(select(t)).all()) for t in tables}


def test_example_imports_and_a_second_import_changes_nothing(db_engine: Engine) -> None:
    directory = load_staff_file(EXAMPLE, today=TODAY)
    first = _import(db_engine, directory, T1)
    assert (first.departments, first.services, first.employees) == (
        Counts(created=5),
        Counts(created=2),
        Counts(created=10),
    )
    stored = _stored(db_engine)
    sizes = _table_sizes(db_engine)

    second = _import(db_engine, directory, T2)

    assert (second.departments, second.services, second.employees) == (
        Counts(unchanged=5),
        Counts(unchanged=2),
        Counts(unchanged=10),
    )
    assert not second.changed
    assert second.lines()[-1] == "Изменений нет."
    assert _stored(db_engine) == stored  # updated_at included: nothing was rewritten
    assert _table_sizes(db_engine) == sizes
    assert stored["201"].device == "PJSIP/201"
    assert stored["201"].training[0] == (
        "initial",
        date(2025, 9, 1),
        "Вводное обучение перед первой сменой",
    )


def test_summary_lines_report_counts_in_russian(db_engine: Engine, tmp_path: Path) -> None:
    summary = _import(db_engine, load(tmp_path, BASE), T1)
    assert summary.lines() == [
        "Отделы: создано 2, изменено 0, без изменений 0",
        "Новые услуги и функции: создано 2, изменено 0, без изменений 0",
        "Сотрудники: создано 2, изменено 0, без изменений 0",
    ]


def test_changed_device_is_reported_and_stored_and_others_are_not_rewritten(
    db_engine: Engine, tmp_path: Path
) -> None:
    _import(db_engine, load(tmp_path, BASE), T1)
    changed = load(tmp_path, edited(("device: PJSIP/201", "device: PJSIP/211")))

    summary = _import(db_engine, changed, T2)

    assert summary.employees == Counts(updated=1, unchanged=1)
    stored = _stored(db_engine)
    assert stored["201"].device == "PJSIP/211"
    assert stored["201"].updated_at == T2
    assert stored["301"].updated_at == T1


def test_changed_competence_is_reported_and_stored(db_engine: Engine, tmp_path: Path) -> None:
    # C9: competences decide who receives a transfer, so the file must reach the database.
    _import(db_engine, load(tmp_path, BASE), T1)
    edit = ("competences: [state_services]\n", "competences: [control_supervision]\n")

    summary = _import(db_engine, load(tmp_path, edited(edit)), T2)

    assert summary.employees == Counts(updated=1, unchanged=1)
    assert _stored(db_engine)["301"].competences == {Topic.CONTROL_SUPERVISION.value}


def test_competence_removed_from_file_is_removed_from_database(
    db_engine: Engine, tmp_path: Path
) -> None:
    _import(db_engine, load(tmp_path, BASE), T1)
    edit = ("[state_services, support_measures]", "[state_services]")

    summary = _import(db_engine, load(tmp_path, edited(edit)), T2)

    assert summary.employees == Counts(updated=1, unchanged=1)
    assert _stored(db_engine)["201"].competences == {"state_services"}


def test_training_records_follow_the_file(db_engine: Engine, tmp_path: Path) -> None:
    # C4: the training registry decides who may go "ready"; the file is its source here.
    _import(db_engine, load(tmp_path, BASE), T1)
    periodic = (
        "        subject: Вводное обучение\n",
        "        subject: Вводное обучение\n"
        "      - kind: periodic\n"
        "        completed_on: 2026-10-01\n",
    )
    _import(db_engine, load(tmp_path, edited(periodic)), T2)
    assert _stored(db_engine)["201"].training == (
        (TrainingKind.INITIAL.value, date(2025, 9, 1), "Вводное обучение"),
        (TrainingKind.PERIODIC.value, date(2026, 10, 1), ""),
    )
    summary = _import(db_engine, load(tmp_path, BASE), T3)
    assert summary.employees == Counts(updated=1, unchanged=1)
    assert _stored(db_engine)["201"].training == (
        (TrainingKind.INITIAL.value, date(2025, 9, 1), "Вводное обучение"),
    )


def test_a_training_recorded_in_the_console_survives_the_next_import(
    db_engine: Engine, tmp_path: Path
) -> None:
    # C4: a supervisor records a training in the console; the staff file does not list it yet.
    _import(db_engine, load(tmp_path, BASE), T1)
    with Session(db_engine) as session:
        patimat = session.exec(select(Employee).where(Employee.internal_number == "201")).one()
        assert patimat.id is not None
        employee_id = patimat.id
    periodic, on_service = (
        TrainingInput(employee_id, "201", "М. П.", kind, code, day, "")
        for kind, code, day in (
            (TrainingKind.PERIODIC, "", date(2026, 11, 2)),
            (TrainingKind.NEW_SERVICE, "alco-license-epgu", date(2026, 11, 3)),
        )
    )
    with session_scope(db_engine) as session:
        for item in (periodic, on_service):
            assert record_training(session, item, at=T1, actor="web:supervisor")
    recorded = (
        (TrainingKind.INITIAL.value, date(2025, 9, 1), "Вводное обучение"),
        (TrainingKind.NEW_SERVICE.value, date(2026, 11, 3), "alco-license-epgu"),
        (TrainingKind.PERIODIC.value, date(2026, 11, 2), ""),
    )  # sorted as stored
    assert _stored(db_engine)["201"].training == recorded

    summary = _import(db_engine, load(tmp_path, BASE), T2)

    assert summary.employees == Counts(unchanged=2)
    assert _stored(db_engine)["201"].training == recorded
    # The file catches up with the console: one record each, the file's initial one removed.
    caught_up = (
        "      - kind: initial\n"
        "        completed_on: 2025-09-01\n"
        "        subject: Вводное обучение\n",
        "      - kind: periodic\n        completed_on: 2026-11-02\n",
    )
    _import(db_engine, load(tmp_path, edited(caught_up)), T3)
    assert _stored(db_engine)["201"].training == recorded[1:]


def test_devices_may_be_swapped_between_employees_in_the_file(
    db_engine: Engine, tmp_path: Path
) -> None:
    _import(db_engine, load(tmp_path, BASE), T1)
    swapped = edited(
        ("device: PJSIP/201", "device: PJSIP/swap"),
        ("device: PJSIP/301", "device: PJSIP/201"),
    ).replace("device: PJSIP/swap", "device: PJSIP/301")
    summary = _import(db_engine, load(tmp_path, swapped), T2)
    assert summary.employees == Counts(updated=2)
    stored = _stored(db_engine)
    assert (stored["201"].device, stored["301"].device) == ("PJSIP/301", "PJSIP/201")


def _without_expert(content: str = BASE) -> str:
    return content[: content.index('  - internal_number: "301"')]


def test_device_of_an_employee_not_in_the_file_is_refused_and_nothing_is_written(
    db_engine: Engine, tmp_path: Path
) -> None:
    _import(db_engine, load(tmp_path, BASE), T1)
    before, sizes = _stored(db_engine), _table_sizes(db_engine)
    new_department = "  - code: industry\n    name: Промышленность\n  - code: licensing\n"
    content = edited(
        ("  - code: licensing\n", new_department),
        ("full_name: Магомедова Патимат Гасановна", "full_name: Магомедова Патимат"),
        ("device: PJSIP/201", f"device: PJSIP/301  {MARK}"),
        base=_without_expert(),
    )
    directory = load(tmp_path, content)

    with Session(db_engine) as session:
        with pytest.raises(StaffFileError) as caught:
            import_staff(session=session, directory=directory, now=T2)
        session.commit()  # even a caller that commits after the error writes nothing

    assert_problem(
        caught.value,
        marked_line(content),
        "employees[0].device",
        "устройство PJSIP/301 уже закреплено в базе за сотрудником 301",
    )
    assert _stored(db_engine) == before
    assert _table_sizes(db_engine) == sizes
    with Session(db_engine) as session:
        assert "industry" not in department_codes(session)


def test_unknown_department_at_import_is_refused_and_nothing_is_written(
    db_engine: Engine, tmp_path: Path
) -> None:
    content = edited(("department: licensing", f"department: archive  {MARK}"))
    directory = load(tmp_path, content, known_departments=frozenset({"archive"}))

    with Session(db_engine) as session:
        with pytest.raises(StaffFileError) as caught:
            import_staff(session=session, directory=directory, now=T1)
        session.commit()

    assert_problem(caught.value, marked_line(content), "employees[1].department", "archive")
    assert set(_table_sizes(db_engine).values()) == {0}


def test_employee_missing_from_file_is_left_alone_and_reported(
    db_engine: Engine, tmp_path: Path
) -> None:
    _import(db_engine, load(tmp_path, BASE), T1)

    summary = _import(db_engine, load(tmp_path, _without_expert()), T2)

    assert summary.not_in_file == ("301",)
    assert summary.deactivated == 0
    assert summary.employees == Counts(unchanged=1)
    assert "Нет в файле, оставлены как были (1): 301" in summary.lines()
    assert _stored(db_engine)["301"].active


def test_deactivate_missing_switches_off_employees_missing_from_file(
    db_engine: Engine, tmp_path: Path
) -> None:
    _import(db_engine, load(tmp_path, BASE), T1)
    smaller = load(tmp_path, _without_expert())

    summary = _import(db_engine, smaller, T2, deactivate_missing=True)

    assert (summary.not_in_file, summary.deactivated) == (("301",), 1)
    assert "Нет в файле, отключены (1): 301" in summary.lines()
    stored = _stored(db_engine)
    assert (stored["301"].active, stored["301"].updated_at) == (False, T2)
    assert (stored["201"].active, stored["201"].updated_at) == (True, T1)

    again = _import(db_engine, smaller, T3, deactivate_missing=True)
    assert (again.not_in_file, again.deactivated, again.changed) == ((), 0, False)

    back = _import(db_engine, load(tmp_path, BASE), T3)
    assert back.employees == Counts(updated=1, unchanged=1)
    assert _stored(db_engine)["301"].active


def test_device_passes_from_a_deactivated_employee_to_a_new_one(
    db_engine: Engine, tmp_path: Path
) -> None:
    _import(db_engine, load(tmp_path, BASE), T1)
    newcomer = _without_expert() + (
        '  - internal_number: "302"\n'
        "    full_name: Омаров Тимур Арсланович\n"
        "    device: PJSIP/301\n"
        "    department: licensing\n"
        "    roles: [expert]\n"
        "    competences: [state_services]\n"
    )
    summary = _import(db_engine, load(tmp_path, newcomer), T2, deactivate_missing=True)

    assert summary.employees == Counts(created=1, unchanged=1)
    stored = _stored(db_engine)
    assert (stored["301"].active, stored["302"].active) == (False, True)
    assert stored["302"].device == "PJSIP/301"


def test_an_employees_email_is_set_changed_and_removed_by_the_file(
    db_engine: Engine, tmp_path: Path
) -> None:
    # where the reminders of written messages' deadlines go (W3–W6)
    consult = "    department: consult\n"
    with_email = (consult, consult + "    email: pm@example.org\n")
    _import(db_engine, load(tmp_path, edited(with_email)), T1)
    assert _emails(db_engine) == {"201": "pm@example.org", "301": None}
    changed = (with_email[0], with_email[1].replace("pm@", "patimat@"))
    summary = _import(db_engine, load(tmp_path, edited(changed)), T2)
    assert summary.employees == Counts(updated=1, unchanged=1)
    assert _emails(db_engine) == {"201": "patimat@example.org", "301": None}
    _import(db_engine, load(tmp_path, BASE), T3)
    assert _emails(db_engine) == {"201": None, "301": None}


def test_an_email_that_is_not_an_address_is_refused(tmp_path: Path) -> None:
    bad = ("    department: consult\n", "    department: consult\n    email: патимат\n")
    with pytest.raises(StaffFileError) as refused:
        load(tmp_path, edited(bad))
    assert "«патимат» — ожидается адрес вида otdel@example.org" in str(refused.value)


def _emails(engine: Engine) -> dict[str, str | None]:
    with Session(engine) as session:
        return {e.internal_number: e.email for e in session.exec(select(Employee)).all()}
