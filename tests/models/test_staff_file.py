"""The staff directory file: every problem is reported with its line and field (C4, C9)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from models.staff_file import StaffFileError, load_staff_file
from tests.models.staff_samples import (
    BASE,
    EXAMPLE,
    MARK,
    TODAY,
    assert_problem,
    edited,
    load,
    marked_line,
    write,
)

# --- loading: every bad input names its line and field ---------------------------------------

BAD_FILES = [
    pytest.param(
        [("device: PJSIP/201", f'device: "201"  {MARK}')],
        "employees[0].device",
        "«201» — ожидается вид PJSIP/201",
        id="device-without-technology",
    ),
    pytest.param(
        [
            (
                "competences: [state_services, support_measures]",
                f"competence: [state_services]  {MARK}",
            )
        ],
        "employees[0].competence",
        "неизвестное поле «competence» (может быть, competences?)",
        id="typo-in-a-key",
    ),
    pytest.param(
        [("roles: [operator]", f"roles: [operator, operatr]  {MARK}")],
        "employees[0].roles[1]",
        "«operatr» — нет такого значения; допустимые: operator, expert, supervisor, kb_editor",
        id="unknown-role",
    ),
    pytest.param(
        [("competences: [state_services]\n", f"competences: [state_service]  {MARK}\n")],
        "employees[1].competences[0]",
        "допустимые: state_services, support_measures, messages, control_supervision",
        id="unknown-topic",
    ),
    pytest.param(
        [("kind: initial", f"kind: initail  {MARK}")],
        "employees[0].training[0].kind",
        "«initail» — нет такого значения; допустимые: initial, new_service, periodic",
        id="unknown-training-kind",
    ),
    pytest.param(  # C4: a training that has not happened yet cannot count
        [("completed_on: 2025-09-01", f"completed_on: 2026-11-21  {MARK}")],
        "employees[0].training[0].completed_on",
        "«2026-11-21» — дата ещё не наступила (сегодня 2026-11-20)",
        id="training-tomorrow",
    ),
    pytest.param(
        [("completed_on: 2025-09-01", f"completed_on: 2025-02-30  {MARK}")],
        "employees[0].training[0].completed_on",
        "«2025-02-30» — такой даты нет",
        id="impossible-date",
    ),
    pytest.param(
        [("  - code: licensing", f"  - code: consult  {MARK}")],
        "departments[1].code",
        "«consult» повторяется: уже есть в departments[0].code (строка 2)",
        id="duplicate-department-code",
    ),
    pytest.param(
        [("  - code: alco-license-epgu", f"  - code: support-2026-grant  {MARK}")],
        "services[1].code",
        "«support-2026-grant» повторяется: уже есть в services[0].code (строка 7)",
        id="duplicate-service-code",
    ),
    pytest.param(
        [('internal_number: "301"', f'internal_number: "201"  {MARK}')],
        "employees[1].internal_number",
        "«201» повторяется: уже есть в employees[0].internal_number (строка 14)",
        id="duplicate-internal-number",
    ),
    pytest.param(
        [("device: PJSIP/301", f"device: PJSIP/201  {MARK}")],
        "employees[1].device",
        "«PJSIP/201» повторяется: уже есть в employees[0].device (строка 16)",
        id="duplicate-device",
    ),
    pytest.param(
        [("department: licensing", f"department: licensng  {MARK}")],
        "employees[1].department",
        "неизвестный отдел «licensng»",
        id="unknown-department",
    ),
    pytest.param(  # C9: transfers go by competence, so an expert without one is unreachable
        [
            ('internal_number: "301"', f'internal_number: "301"  {MARK}'),
            ("    competences: [state_services]\n", ""),
        ],
        "employees[1].competences",
        "у эксперта (роль expert) должна быть хотя бы одна компетенция",
        id="expert-without-competences",
    ),
    pytest.param(
        [
            ('internal_number: "301"', f'internal_number: "301"  {MARK}'),
            ("    full_name: Исмаилов Арсен Камилович\n", ""),
        ],
        "employees[1].full_name",
        "обязательное поле не указано",
        id="missing-field",
    ),
    pytest.param(
        [("    roles: [expert]\n", f"    roles: [expert]\n    roles: [expert]  {MARK}\n")],
        "employees[1].roles",
        "ключ «roles» повторяется (уже был в строке 28)",
        id="key-written-twice",
    ),
    pytest.param(
        [("services:", f"servises:  {MARK}")],
        "servises",
        "неизвестный раздел «servises» (может быть, services?)",
        id="unknown-section",
    ),
    pytest.param(
        [("    device: PJSIP/301", f"     device: PJSIP/301  {MARK}")],
        "",
        "ошибка синтаксиса YAML",
        id="yaml-syntax-error",
    ),
]


@pytest.mark.parametrize(("edits", "path", "fragment"), BAD_FILES)
def test_bad_file_is_refused_naming_line_and_field(
    tmp_path: Path, edits: list[tuple[str, str]], path: str, fragment: str
) -> None:
    content = edited(*edits)
    with pytest.raises(StaffFileError) as caught:
        load(tmp_path, content)
    assert_problem(caught.value, marked_line(content), path, fragment)


def test_every_problem_is_listed_not_only_the_first(tmp_path: Path) -> None:
    content = edited(
        ("device: PJSIP/201", 'device: "201"'),  # line 16
        ("completed_on: 2025-09-01", "completed_on: 2027-01-01"),  # line 22
        ("device: PJSIP/301", "device: PJSIP/201"),  # line 26, still distinct from "201"
        ("department: licensing", "department: nowhere"),  # line 27
    )
    with pytest.raises(StaffFileError) as caught:
        load(tmp_path, content)
    found = [(p.line, p.path) for p in caught.value.problems]
    assert found == [
        (16, "employees[0].device"),
        (22, "employees[0].training[0].completed_on"),
        (27, "employees[1].department"),
    ]
    assert str(caught.value).startswith("Справочник сотрудников staff.yaml не загружен, ошибок: 3.")


def test_training_completed_today_is_accepted(tmp_path: Path) -> None:
    # C4 boundary: today counts, tomorrow does not (see training-tomorrow above).
    content = edited(("completed_on: 2025-09-01", "completed_on: 2026-11-20"))
    (record,) = load(tmp_path, content).employees[0].training
    assert record.completed_on == TODAY


def test_operator_without_competences_is_accepted(tmp_path: Path) -> None:
    # C9 binds experts (transfer targets); an operator answers the queue whatever the topic.
    content = edited(("    competences: [state_services, support_measures]\n", ""))
    assert load(tmp_path, content).employees[0].competences == ()


def test_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(StaffFileError) as caught:
        load_staff_file(write(tmp_path, BASE.encode("cp1251")), today=TODAY)
    assert_problem(caught.value, 3, "", "файл не в кодировке UTF-8")


def test_top_level_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StaffFileError) as caught:
        load(tmp_path, "- code: consult\n- code: trade\n")
    assert_problem(caught.value, 1, "", "верхний уровень файла — словарь с разделами")


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StaffFileError) as caught:
        load(tmp_path, "# только комментарий\n")
    assert_problem(caught.value, None, "", "файл пуст")


def test_numbers_written_as_yaml_integers_are_kept_as_written(tmp_path: Path) -> None:
    content = edited(
        ('internal_number: "201"', "internal_number: 201"),
        ('internal_number: "301"', "internal_number: 0301"),  # YAML 1.1 would read octal 193
    )
    numbers = [e.internal_number for e in load(tmp_path, content).employees]
    assert numbers == ["201", "0301"]


def test_department_known_from_the_database_may_be_referenced(tmp_path: Path) -> None:
    content = edited(("department: licensing", "department: archive"))
    with pytest.raises(StaffFileError):
        load(tmp_path, content)
    directory = load(tmp_path, content, known_departments=frozenset({"archive"}))
    assert directory.employees[1].department == "archive"


def test_example_file_loads() -> None:
    directory = load_staff_file(EXAMPLE, today=TODAY)
    numbers = {e.internal_number for e in directory.employees}
    assert {"201", "202", "203", "204", "205"} <= numbers
    assert len(directory.departments) == 5
    assert len(directory.services) == 2
    # C4 demo cases: 203 has no initial training, 204's last one is over two years old.
    by_number = {e.internal_number: e for e in directory.employees}
    assert by_number["203"].training == ()
    assert max(t.completed_on for t in by_number["204"].training) < date(2024, 11, 20)
    assert all(
        e.competences for e in directory.employees if "expert" in e.roles
    )  # C9: experts are reachable by topic
