"""The migrations build the schema the models describe, identically on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.history import client_history
from models.migrate import alembic_config, pending_migrations, schema_drift, upgrade
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome
from models.rules.survey import AnswerReceived
from models.tables import (
    Call,
    CallbackSource,
    CallbackTask,
    Client,
    KbEntryVersion,
    MessageIntake,
    SurveyResponse,
    WrittenMessage,
)
from tests.visits.rating_report_samples import msk, write_visit
from tests.visits.samples import load_examples

T0 = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)


def test_fresh_database_reports_pending_migrations_until_migrated(empty_engine: Engine) -> None:
    assert pending_migrations(empty_engine)
    upgrade(empty_engine)
    assert not pending_migrations(empty_engine)


def test_migrated_schema_has_no_drift_from_the_models(db_engine: Engine) -> None:
    assert schema_drift(db_engine) == []


def test_migrating_twice_changes_nothing(db_engine: Engine) -> None:
    upgrade(db_engine)
    assert schema_drift(db_engine) == []


def test_history_view_unites_calls_callbacks_and_surveys_in_time_order(db_engine: Engine) -> None:
    # G3: one history per client across channels.
    with session_scope(db_engine) as session:
        client = Client(phone_e164="+79280000001", created_at=T0)
        other = Client(phone_e164="+79280000002", created_at=T0)
        session.add_all([client, other])
        session.flush()
        assert client.id is not None
        assert other.id is not None
        call = Call(
            linkedid="1700000000.1",
            client_id=client.id,
            arrived_at=T0,
            in_working_hours=True,
            outcome=CallOutcome.ANSWERED,
        )
        foreign = Call(
            linkedid="1700000000.9", client_id=other.id, arrived_at=T0, in_working_hours=True
        )
        session.add_all([call, foreign])
        session.flush()
        assert call.id is not None
        session.add(
            SurveyResponse(
                call_id=call.id,
                answer_received=AnswerReceived.YES,
                created_at=T0 + timedelta(minutes=5),
            )
        )
        session.add(
            CallbackTask(
                client_id=client.id,
                phone_e164="+79280000001",
                question="Статус лицензии",
                source=CallbackSource.OPERATOR,
                requested_at=T0 + timedelta(minutes=3),
                promised_on=date(2026, 10, 8),
            )
        )
        session.add(
            WrittenMessage(
                number="ПО-2026-000001",
                received_at=T0 + timedelta(minutes=7),
                intake=MessageIntake.EMAIL,
                client_id=client.id,
                primary_due=date(2026, 10, 8),
                answer_due=date(2026, 11, 5),
            )
        )
        client_id = client.id

    with session_scope(db_engine) as session:
        items = client_history(session=session, client_id=client_id)

    assert [(item.kind, item.status) for item in items] == [
        ("call", "answered"),
        ("callback", CallbackStatus.OPEN.value),
        ("survey", "partial"),
        ("message", "registered"),  # revision 0019
    ]
    assert (items[3].channel, items[3].summary) == ("email", "ПО-2026-000001")
    assert items[0].occurred_at == T0
    assert items[2].summary == "yes/"


def test_entries_loaded_before_0004_get_their_text_as_version_1(empty_engine: Engine) -> None:
    config = alembic_config(empty_engine.url.render_as_string(hide_password=False))
    with empty_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    with empty_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO kb_sections VALUES ('alco', 'Лицензии', 'licensing', '[]', :day)"),
            {"day": date(2026, 11, 1)},
        )
        connection.execute(
            text(
                "INSERT INTO kb_entries VALUES ('alco-fee', 'faq', 'Пошлина', 'alco', 'licensing',"
                " '[\"state_services\"]', '[]', '[]', 'ru', :day, 'Текст', 'h', 'edit', :at, NULL)"
            ),
            {"day": date(2026, 11, 1), "at": T0},
        )
    upgrade(empty_engine)
    with session_scope(empty_engine) as session:
        (version,) = session.exec(select(KbEntryVersion)).all()
    assert (version.entry_id, version.version, version.title, version.body) == (
        "alco-fee",
        1,
        "Пошлина",
        "Текст",
    )
    assert (version.changed_by, version.changed_at, version.source) == ("kb load", T0, "edit")


def test_0019_goes_down_and_up_again(db_engine: Engine) -> None:
    # employees.email, message_reminders and the view's messages come and go together
    config = alembic_config(db_engine.url.render_as_string(hide_password=False))
    with db_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0018")
    with db_engine.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("employees")}
        assert "email" not in columns
        assert not inspect(connection).has_table("message_reminders")
        kinds = connection.execute(text("SELECT kind FROM client_interaction_history")).all()
        assert kinds == []
    upgrade(db_engine)
    assert schema_drift(db_engine) == []


def test_0022_goes_down_and_up_again(db_engine: Engine) -> None:
    # the personal visits' tables (V1–V6) come and go together
    config = alembic_config(db_engine.url.render_as_string(hide_password=False))
    with db_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0021")
    with db_engine.connect() as connection:
        for table in ("reception_points", "reception_hours", "visit_bookings"):
            assert not inspect(connection).has_table(table)
    upgrade(db_engine)
    assert schema_drift(db_engine) == []


def test_0023_goes_down_and_up_again(db_engine: Engine) -> None:
    # V3–V6: the letters and calls of bookings
    config = alembic_config(db_engine.url.render_as_string(hide_password=False))
    with db_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0022")
    with db_engine.connect() as connection:
        assert not inspect(connection).has_table("visit_reminders")
        assert inspect(connection).has_table("visit_bookings")
    upgrade(db_engine)
    assert schema_drift(db_engine) == []


def test_0024_visits_in_the_history_view_and_their_ratings_come_and_go(db_engine: Engine) -> None:
    # G3, V13: the view lists a client's visit bookings; visit_surveys comes with 0024
    load_examples(db_engine)
    with session_scope(db_engine) as session:
        client = Client(phone_e164="+79281234567", created_at=T0)
        session.add(client)
        session.flush()
        client_id = client.id
    assert client_id is not None
    visit = write_visit(db_engine, msk(1, 10), client_id=client_id)
    with session_scope(db_engine) as session:
        [item] = client_history(session=session, client_id=client_id)
    assert (item.kind, item.ref_id, item.channel, item.status) == ("visit", visit, "line", "booked")
    config = alembic_config(db_engine.url.render_as_string(hide_password=False))
    with db_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0023")
    with db_engine.connect() as connection:
        assert not inspect(connection).has_table("visit_surveys")
        assert inspect(connection).has_table("visit_reminders")
        kinds = connection.execute(text("SELECT kind FROM client_interaction_history")).all()
        assert kinds == []
    upgrade(db_engine)
    assert schema_drift(db_engine) == []
