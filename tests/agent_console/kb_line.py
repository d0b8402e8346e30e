"""The knowledge base behind the console, for the tests of its API and its pages: the sample
content (``tests.scripts_kb.kb_samples``) loaded into a migrated database, the console's app over
it, a KB editor and an operator signed in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.tables import Call, CallWrapup, Role
from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.store import LoadSummary, load_into_db
from tests.agent_console.console import PASSWORD, Clock, Console, page_token, sign_in
from tests.scripts_kb.kb_samples import write_content

LOADED = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday 12:00 MSK; sections reviewed 01.11


class Line:
    """A migrated database with the sample content loaded, the console's app over it, a KB
    editor (``client``) and an operator (``operator``) signed in."""

    def __init__(self, engine: Engine, root: Path) -> None:
        self.engine = engine
        self.root = write_content(root)
        self.load(LOADED)
        self.console = Console(engine, Clock(NOW))
        self.backend = self.console.backend
        self.console.add_user("ivanova", Role.KB_EDITOR)
        self.operator_id = self.console.add_user("petrov", Role.OPERATOR)
        self.client = self.console.signed_in("ivanova")
        self.operator = self.console.signed_in("petrov")

    def load(self, now: datetime) -> LoadSummary:
        with session_scope(self.engine) as session:
            return load_into_db(session=session, content=load_content(self.root), now=now)

    def add_call(
        self, linkedid: str, topic: Topic | None = None, operator_id: int | None = None
    ) -> None:
        with session_scope(self.engine) as session:
            session.add(
                Call(
                    linkedid=linkedid,
                    arrived_at=NOW,
                    in_working_hours=True,
                    topic=topic,
                    operator_id=operator_id,
                )
            )


def form_browser(console: Console, login: str) -> tuple[TestClient, str]:
    """A browser signed in as ``login`` that sends forms as a page does: the CSRF token in the
    form's hidden field (returned), never in a header."""
    browser = console.browser()
    assert sign_in(browser, login, PASSWORD).status_code == 303
    return browser, page_token(browser)


def add_wrapup(
    engine: Engine,
    linkedid: str,
    at: datetime,
    question: str,
    *,
    entry: str | None = None,
    topic: Topic | None = None,
) -> None:
    """A call and its wrap-up written at ``at``: the answer found in ``entry``, or (None) not
    found."""
    with session_scope(engine) as session:
        call = Call(linkedid=linkedid, arrived_at=at, in_working_hours=True)
        session.add(call)
        session.flush()
        assert call.id is not None
        session.add(
            CallWrapup(
                call_id=call.id,
                kb_answer_found=entry is not None,
                kb_entry_id=entry,
                question=question,
                topic=topic,
                created_at=at,
            )
        )
