"""Subscribers and mailings for the tests of information mailings (M1–M4): addresses that gave
their consent through the same steps as the public page (request, then the confirmation link),
and the settings that send through the test SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from models.db import session_scope
from models.mailing_consent import confirm, request_subscription
from models.mailings import Start, create_draft, read_mailing_form, start_mailing
from models.rules.mailing_consent import AddressProblem, normalize_address
from models.settings import Settings

FROM = "Минпромторг РД <news@ministry.example.ru>"
PUBLIC_URL = "https://line.example.ru"
SUBJECT = "Изменился порядок приёма заявлений на субсидии"
BODY = "С 1 февраля заявления на субсидии принимаются только через Госуслуги."


def mail_settings(engine: Engine, smtp_port: int, **extra: Any) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_starttls=False,
        smtp_from=FROM,
        public_url=PUBLIC_URL,
        **extra,
    )


def subscribed(engine: Engine, addresses: Iterable[str], now: datetime) -> None:
    """Each address asked on the page and followed its confirmation link (M1, M3)."""
    for typed in addresses:
        address = normalize_address(typed)
        assert not isinstance(address, AddressProblem), address
        with session_scope(engine) as session:
            issued = request_subscription(session, address, actor="public:127.0.0.1", now=now)
            assert issued is not None
            confirm(session, issued.token, actor="public:127.0.0.1", now=now)


def started_mailing(engine: Engine, now: datetime, *, key: str = "form-1") -> int:
    """A draft written by a supervisor and started; its id."""
    with session_scope(engine) as session:
        mailing = create_draft(
            session, read_mailing_form(SUBJECT, BODY), by="web:chief", form_key=key, now=now
        )
        assert mailing.id is not None
        assert start_mailing(session, mailing.id, actor="web:chief", now=now) is Start.STARTED
        return mailing.id
