"""The training-line bench's database: the knowledge base, the staff the line rings, their
console accounts, the line open all day, and a probe that notes when answers are written.

* **Staff.** A staff file as an administrator writes it, imported as ``consult-line staff
  import`` imports it: ``operators`` operators on the simulated operators' phones
  (``PJSIP/901``…), trained before their first shift (C4), and the employees 301 and 302 the
  simulated operators transfer calls to. Each operator gets a console account, its password
  hashed as the console hashes it.
* **Calendar.** Today and tomorrow (the line's local dates) open 00:00–23:59, an override as
  ``consult-line calendar override`` makes it, so that the line answers whenever the bench runs.
* **Answer probe.** A trigger on ``calls`` in the bench's own database notes the time each
  call's row is first written with its answer (``answered_at``, from AgentConnect) into the
  table ``bench_answers``: the statement's time, before its commit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import yaml
from sqlalchemy import text
from sqlalchemy.engine import Engine

from agent_console.auth.passwords import PRODUCTION
from models.accounts import add_account
from models.calendar_store import set_override
from models.db import session_scope
from models.rules.training import TrainingKind
from models.settings import Settings
from models.staff_file import load_staff_file
from models.staff_import import department_codes, import_staff
from models.tables import Role
from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db
from simulator.operators import EMPLOYEES, operator_interface

PASSWORD = "учебная-линия-замер"  # noqa: S105 - the bench's own accounts


def operator_number(n: int) -> str:
    """The internal number of the simulated operator ``n``'s phone (``PJSIP/901``…)."""
    return operator_interface(n).removeprefix("PJSIP/")


def login(n: int) -> str:
    return f"operator{operator_number(n)}"


def staff_file(folder: Path, operators: int, today: datetime) -> Path:
    """The staff directory as an administrator writes it (``consult-line staff import``)."""
    trained = (today - timedelta(days=30)).date().isoformat()
    people = [
        {
            "internal_number": operator_number(n),
            "full_name": f"Оператор учебной линии {n}",
            "device": operator_interface(n),
            "department": "consult",
            "roles": ["operator"],
            "competences": [topic.value for topic in Topic],
            "training": [
                {"kind": TrainingKind.INITIAL.value, "completed_on": trained, "subject": "вводное"}
            ],
        }
        for n in range(1, operators + 1)
    ]
    people += [
        {
            "internal_number": number,
            "full_name": f"Специалист {number}",
            "device": f"PJSIP/{number}",
            "department": "consult",
            "roles": ["expert"],
            "competences": [topic.value for topic in Topic],
        }
        for number in EMPLOYEES
    ]
    directory = {
        "departments": [{"code": "consult", "name": "Отдел консультационной линии"}],
        "employees": people,
    }
    path = folder / "staff.yaml"
    path.write_text(yaml.safe_dump(directory, allow_unicode=True), encoding="utf-8")
    return path


def prepare(engine: Engine, folder: Path, operators: int, settings: Settings) -> None:
    """The knowledge base, the staff and their accounts, the line open all day."""
    now = datetime.now(UTC)
    local_today = now.astimezone(settings.tz)
    password_hash = PRODUCTION.hash(PASSWORD)
    with session_scope(engine) as session:
        load_into_db(session=session, content=load_content(), now=now)
        directory = load_staff_file(
            staff_file(folder, operators, local_today),
            today=local_today.date(),
            known_departments=department_codes(session),
        )
        import_staff(session=session, directory=directory, now=now)
        for n in range(1, operators + 1):
            add_account(
                session=session,
                login=login(n),
                employee_number=operator_number(n),
                roles=[Role.OPERATOR],
                password_hash=password_hash,
                now=now,
            )
        for day in (local_today.date(), local_today.date() + timedelta(days=1)):
            set_override(
                session=session,
                day=day,
                working=True,
                hours=(clock_time(0, 0), clock_time(23, 59)),
                reason="замер учебной линии: линия открыта весь день",
                actor="bench",
                now=now,
            )
    add_answer_probe(engine)


SQLITE_PROBE = (
    "CREATE TABLE bench_answers (linkedid TEXT PRIMARY KEY, written_at REAL NOT NULL)",
    """CREATE TRIGGER bench_answer_inserted AFTER INSERT ON calls
       WHEN NEW.answered_at IS NOT NULL
       BEGIN INSERT OR IGNORE INTO bench_answers
             VALUES (NEW.linkedid, (julianday('now') - 2440587.5) * 86400.0); END""",
    """CREATE TRIGGER bench_answer_updated AFTER UPDATE OF answered_at ON calls
       WHEN OLD.answered_at IS NULL AND NEW.answered_at IS NOT NULL
       BEGIN INSERT OR IGNORE INTO bench_answers
             VALUES (NEW.linkedid, (julianday('now') - 2440587.5) * 86400.0); END""",
)
POSTGRESQL_PROBE = (
    "CREATE TABLE bench_answers (linkedid TEXT PRIMARY KEY, written_at DOUBLE PRECISION)",
    """CREATE FUNCTION bench_note_answer() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.answered_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.answered_at IS NULL) THEN
           INSERT INTO bench_answers
           VALUES (NEW.linkedid, extract(epoch FROM clock_timestamp()))
           ON CONFLICT DO NOTHING;
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER bench_answer AFTER INSERT OR UPDATE ON calls
       FOR EACH ROW EXECUTE FUNCTION bench_note_answer()""",
)


def add_answer_probe(engine: Engine) -> None:
    """Notes when each call's row is first written with its answer (the bench's own table)."""
    probe = SQLITE_PROBE if engine.dialect.name == "sqlite" else POSTGRESQL_PROBE
    with engine.begin() as connection:
        for statement in probe:
            connection.exec_driver_sql(statement)


def answers_written(engine: Engine) -> dict[str, float]:
    """linkedid → when its answer was written (epoch seconds), from the probe's table."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT linkedid, written_at FROM bench_answers"))
        return {linkedid: float(at) for linkedid, at in rows}


def call_rows(engine: Engine) -> dict[str, tuple[str | None, bool, str]]:
    """linkedid → the call log's outcome, whether answered, and the answering phone."""
    query = text(
        "SELECT c.linkedid, c.outcome, c.answered_at IS NOT NULL, e.device "
        "FROM calls c LEFT JOIN employees e ON e.id = c.operator_id"
    )
    with engine.connect() as connection:
        return {
            linkedid: (outcome, bool(answered), device or "")
            for linkedid, outcome, answered, device in connection.execute(query)
        }
