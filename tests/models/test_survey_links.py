"""Survey links of written messages (W12): unguessable, stored only as a hash, found again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from models.db import session_scope
from models.message_store import MessageDraft, register_message
from models.settings import Settings
from models.survey_links import SURVEY_PATH, find_survey, issue_survey_link
from models.tables import MessageIntake, MessageSurvey

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def _settings(engine: Engine, **fields: object) -> Settings:
    url = engine.url.render_as_string(hide_password=False)
    return Settings(database_url=url, **fields)  # type: ignore[arg-type]


def _message(engine: Engine, settings: Settings) -> int:
    draft = MessageDraft(
        intake=MessageIntake.WEB, received_at=NOW, registered_by="web", sender_email="a@b.ru"
    )
    return register_message(engine, settings, draft).id


def test_link_names_its_survey_and_keeps_no_token(db_engine: Engine) -> None:  # W12
    settings = _settings(db_engine, public_url="https://obr.example.ru/line/")
    message_id = _message(db_engine, settings)
    with session_scope(db_engine) as session:
        first = issue_survey_link(session, settings, message_id, NOW)
        second = issue_survey_link(session, settings, message_id, NOW)
    prefix = f"https://obr.example.ru/line{SURVEY_PATH}/"
    assert first.startswith(prefix)
    assert second.startswith(prefix)
    assert first != second
    token = first.removeprefix(prefix)
    with session_scope(db_engine) as session:
        found = find_survey(session, token)
        assert found is not None
        assert found.message_id == message_id
        stored = session.exec(select(col(MessageSurvey.token_hash))).all()
        assert len(stored) == 2
        assert token not in stored
        # A changed character, another shape or a stored hash itself: none is a link.
        assert find_survey(session, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        assert find_survey(session, stored[0]) is None
        assert find_survey(session, "../../etc") is None


def test_default_address_is_the_consoles(db_engine: Engine) -> None:
    settings = _settings(db_engine, http_host="10.0.0.5", http_port=8080)
    message_id = _message(db_engine, settings)
    with session_scope(db_engine) as session:
        link = issue_survey_link(session, settings, message_id, NOW)
    assert link.startswith(f"http://10.0.0.5:8080{SURVEY_PATH}/")
