"""The cancellation link of a booking (V6): ``<public address>/public/visits/cancel/<token>``.

The token is random (``models.survey_links.new_token``); the database keeps only its SHA-256
(``visit_cancel_links.token_hash``, the scheme of the survey links), so a copy of the database
gives no working links. Each issued link is a row of its own: the confirmation and every
reminder may carry a fresh one, and all of them work until the booking is cancelled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlmodel import Session, col, select

from models.settings import Settings
from models.survey_links import looks_like_token, new_token, token_hash
from models.tables import VisitBooking, VisitCancelLink

CANCEL_PATH: Final = "/public/visits/cancel"


def issue_cancel_link(session: Session, settings: Settings, booking_id: int, now: datetime) -> str:
    """A new cancellation link for the booking (its row added to ``session``)."""
    token = new_token()
    session.add(VisitCancelLink(booking_id=booking_id, token_hash=token_hash(token), issued_at=now))
    return f"{settings.public_base}{CANCEL_PATH}/{token}"


def find_booking_by_token(session: Session, token: str) -> VisitBooking | None:
    """The booking a link's token names; None for any text that is not one of ours."""
    if not looks_like_token(token):
        return None
    return session.exec(
        select(VisitBooking)
        .join(VisitCancelLink, col(VisitCancelLink.booking_id) == col(VisitBooking.id))
        .where(col(VisitCancelLink.token_hash) == token_hash(token))
    ).first()
