"""The survey link of a written message (W12): issued with a notice, answered once.

A link is ``<public address>/public/survey/<token>``: the token is 24 random bytes
(``secrets.token_urlsafe``), which nobody can guess or forge, and the database keeps only its
SHA-256 (``models.tables.MessageSurvey.token_hash``), so a copy of the database does not give
working links. Each notice carrying the link gets its own row; the public page answers a row
once (``MessageSurvey.answered_at``).

The rating of a personal visit (V13) uses the same links and the same page: its rows are in
``visit_surveys`` (``issue_visit_survey_link``), and a token is looked up in both tables.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from typing import Final, TypeVar

from sqlmodel import Session, col, select

from models.settings import Settings
from models.tables import MessageSurvey, VisitSurvey

SURVEY_PATH: Final = "/public/survey"
_TOKEN_BYTES: Final = 24
_TOKEN_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{20,64}")
_Survey = TypeVar("_Survey", MessageSurvey, VisitSurvey)


def issue_survey_link(session: Session, settings: Settings, message_id: int, now: datetime) -> str:
    """A new survey link for the message (its row added to ``session``)."""
    token = new_token()
    session.add(MessageSurvey(message_id=message_id, token_hash=token_hash(token), issued_at=now))
    return f"{settings.public_base}{SURVEY_PATH}/{token}"


def issue_visit_survey_link(
    session: Session, settings: Settings, booking_id: int, now: datetime
) -> str:
    """A new rating link for the visit (V13; its row added to ``session``)."""
    token = new_token()
    session.add(VisitSurvey(booking_id=booking_id, token_hash=token_hash(token), issued_at=now))
    return f"{settings.public_base}{SURVEY_PATH}/{token}"


def find_survey(session: Session, token: str) -> MessageSurvey | None:
    """The survey a link's token names; None for any text that is not one of ours."""
    return _by_token(session, MessageSurvey, token)


def find_visit_survey(session: Session, token: str) -> VisitSurvey | None:
    """The visit's rating a link's token names (V13); None for any other text."""
    return _by_token(session, VisitSurvey, token)


def _by_token(session: Session, table: type[_Survey], token: str) -> _Survey | None:
    if not looks_like_token(token):
        return None
    return session.exec(select(table).where(col(table.token_hash) == token_hash(token))).first()


def new_token() -> str:
    """A random link token (also the visits' cancellation links, ``visits.links``)."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def looks_like_token(token: str) -> bool:
    """Whether the text could be a token of :func:`new_token`: anything else is not looked up."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()
