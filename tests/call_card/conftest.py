"""Fixtures of the call card's tests: the line's calendar and a migrated database holding the
shipped knowledge base."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from scripts_kb.content_files import KbContent, load_content
from scripts_kb.store import load_into_db
from tests.call_card.samples import CREATED, MSK


@pytest.fixture(scope="session")
def shipped_kb() -> KbContent:
    return load_content()


@pytest.fixture
def calendar() -> ProductionCalendar:
    return ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)


# The sections the card reads; loading only these keeps each test short.
CARD_SECTIONS = frozenset({"line-scripts", "external-agencies"})


@pytest.fixture(scope="session")
def card_kb(shipped_kb: KbContent) -> KbContent:
    return replace(
        shipped_kb,
        sections=tuple(s for s in shipped_kb.sections if s.id in CARD_SECTIONS),
        entries=tuple(e for e in shipped_kb.entries if e.section in CARD_SECTIONS),
    )


@pytest.fixture
def engine(db_engine: Engine, card_kb: KbContent) -> Engine:
    """A migrated database holding the shipped scripts and agencies (``consult-line kb load``)."""
    with session_scope(db_engine) as session:
        load_into_db(session=session, content=card_kb, now=CREATED)
    return db_engine
