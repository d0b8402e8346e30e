"""Written messages ready for a notice, for the tests of notices (models, console, browser): the
shipped knowledge base loaded (the templates, the refusals, the agencies), a message with its
client and their channels (G1–G2), the outgoing server's settings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.settings import Settings
from models.tables import (
    AbuseCheck,
    Channel,
    Client,
    MessageIntake,
    MessageStatus,
    WrittenMessage,
)
from scripts_kb.content_files import KbContent, load_content
from scripts_kb.store import load_into_db

KB_LOADED = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
RECEIVED = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)  # Thursday 11:30 in Moscow
PUBLIC_URL = "https://obr.minprom.example.ru"
FROM = "Консультационная линия <line@minprom.example.ru>"
NAME = "Гаджиева Марьям Алиевна"
EMAIL = "gadzhieva@mail.example.ru"
ADDRESS = "367000, г. Махачкала, ул. Ленина, д. 1, кв. 5"
PHONE = "+79281234567"


@cache
def shipped_kb() -> KbContent:
    return load_content()


def load_kb(engine: Engine) -> None:
    """The shipped knowledge base, as ``consult-line kb load`` puts it in the database."""
    with session_scope(engine) as session:
        load_into_db(session=session, content=shipped_kb(), now=KB_LOADED)


def notice_settings(engine: Engine, smtp_port: int | None, **more: Any) -> Settings:
    """The app's settings with the outgoing server at ``smtp_port`` on loopback (None: no
    outgoing server configured) and the public address of survey links."""
    fields: dict[str, Any] = {
        "database_url": engine.url.render_as_string(hide_password=False),
        "public_url": PUBLIC_URL,
        **more,
    }
    if smtp_port is not None:
        fields |= {
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "smtp_from": FROM,
            "smtp_starttls": False,
        }
    return Settings(**fields)


def add_message(
    engine: Engine,
    number: str,
    *,
    intake: MessageIntake = MessageIntake.PAPER,
    chosen: Channel | None = Channel.EMAIL,
    extra: Channel | None = None,
    status: MessageStatus = MessageStatus.REGISTERED,
    abuse: AbuseCheck = AbuseCheck.CLEAN,
    **fields: Any,
) -> int:
    """A registered message; with a client who chose ``chosen`` (and ``extra``) unless
    ``chosen`` is None. Sender's fields default to a name, an e-mail and a postal address."""
    with session_scope(engine) as session:
        client_id = None
        if chosen is not None:
            client = Client(
                full_name=fields.get("sender_name", NAME),
                email=fields.get("sender_email", EMAIL) or None,
                phone_e164=fields.pop("client_phone", None),
                preferred_channel=chosen,
                extra_channel=extra,
                created_at=RECEIVED,
            )
            session.add(client)
            session.flush()
            client_id = client.id
        values: dict[str, Any] = {
            "number": number,
            "received_at": RECEIVED,
            "intake": intake,
            "client_id": client_id,
            "sender_name": NAME,
            "sender_email": EMAIL,
            "sender_address": ADDRESS,
            "subject": "Субсидия на модернизацию",
            "body": "Прошу разъяснить условия субсидии на модернизацию производства.",
            "primary_due": date(2026, 12, 8),
            "answer_due": date(2027, 1, 11),
            "status": status,
            "abuse": abuse,
            "registered_by": "clerk",
            **fields,
        }
        message = WrittenMessage.model_validate(values)
        session.add(message)
        session.flush()
        assert message.id is not None
        return message.id
