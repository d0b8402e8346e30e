"""The operator's workspace in the browser tests: the KB loaded, the page's operator given the
recordings' phone, a name and valid training (C4), and a competent person for every topic (the
transfer list)."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from models.db import session_scope
from models.rules.training import TrainingKind
from models.tables import Employee, TrainingEntry
from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db
from tests.call_card.samples import CREATED, add_person
from tests.e2e.server import LiveServer

AGENT_DEVICE = "Local/agent1@harness-agents"  # the recordings' operator
OPERATOR_NAME = "Магомедова Патимат Руслановна"


def prepare_operator(live_server: LiveServer) -> None:
    """The page's operator (the only employee so far) ready to take the recordings' calls."""
    engine = live_server._engine
    with session_scope(engine) as session:
        load_into_db(session=session, content=load_content(), now=CREATED)
        (employee,) = session.exec(select(Employee)).all()  # the page's operator
        employee.device = AGENT_DEVICE
        employee.full_name = OPERATOR_NAME
        assert employee.id is not None
        session.add(
            TrainingEntry(
                employee_id=employee.id, kind=TrainingKind.INITIAL, completed_on=date(2026, 9, 1)
            )
        )
    for topic in Topic:
        add_person(
            engine, f"3{list(Topic).index(topic):02d}", f"Специалист {topic.value}", topics=[topic]
        )
