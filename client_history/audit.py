"""Every look at a client's history is in the audit log: who, when, what.

``actor`` as elsewhere (``web:<login>``); ``subject`` ``client:<record number>`` and
``client_id`` the record (never the phone number: the purge of G3 anonymises the record and
keeps the log); ``detail`` what was shown: how many calls and callback requests, and on the
page which page of the history.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from models.tables import AuditEntry

_ACTOR_MAX = 128


class HistoryAccess(StrEnum):
    VIEW = "client_history_view"  # the supervisors' page
    PRINT = "client_history_print"  # the printable document for the client
    EXPORT_JSON = "client_history_export_json"  # the JSON file for the client


def record_history_access(
    session: Session,
    *,
    at: datetime,
    actor: str,
    access: HistoryAccess,
    client_id: int,
    detail: str,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor=actor[:_ACTOR_MAX],
            action=access.value,
            subject=f"client:{client_id}",
            client_id=client_id,
            detail=detail,
        )
    )
