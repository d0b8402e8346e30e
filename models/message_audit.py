"""Every look at a written message (personal data: the sender's name, contacts and text) is in
the audit log, as the looks at a client's history are (``client_history.audit``); so is every
change staff make while handling it (``models.message_handling``: before and after).

``subject`` ``message:<number>``; ``client_id`` the message's client when it has one (the purge
of G3 anonymises the record and keeps the log); ``detail`` what was shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlmodel import Session

from models.tables import AuditEntry

MESSAGE_VIEW: Final = "message_view"
MESSAGE_ATTACHMENT: Final = "message_attachment_download"
MESSAGE_CLASSIFIED: Final = "message_classified"  # W2
MESSAGE_URGENCY: Final = "message_urgency"  # W3–W4
MESSAGE_ABUSE_REVIEW: Final = "message_abuse_review"  # W5
MESSAGE_OWNER: Final = "message_owner"
MESSAGE_NOTICES_VIEW: Final = "message_notices_view"  # its notices, or one composed
MESSAGE_NOTICE_PRINT: Final = "message_notice_print"
_ACTOR_MAX = 128


def record_message_access(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    number: str,
    client_id: int | None,
    detail: str = "",
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor=actor[:_ACTOR_MAX],
            action=action,
            subject=f"message:{number}",
            client_id=client_id,
            detail=detail,
        )
    )
