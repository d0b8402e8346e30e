"""Entries of the audit log (``audit_log``) about accounts: sign-ins, failures, lockouts,
sign-outs and the administrator's changes of accounts; about runs of the purge of the
interaction history past its term (G3); and any other event (:func:`record_event`: the consents
to mailings and the mailings, M1–M4, the personal visits, V1–V13).

``actor`` says who acted (``web:<login>``, ``cli:<system user>``), ``subject`` which account
(``user:<login>``), ``detail`` the rest (the browser's address, the attempt's number).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from models.retention import Affected
from models.tables import AuditEntry

_ACTOR_MAX = 128
_SUBJECT_MAX = 128


class AccountAction(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"  # wrong password or unknown login
    SIGN_IN_REFUSED = "sign_in_refused"  # not checked (locked, pause) or account unusable
    ACCOUNT_LOCKED = "account_locked"
    SIGN_OUT = "sign_out"
    ACCOUNT_CREATED = "account_created"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 — an action's name
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_ENABLED = "account_enabled"


def account_subject(login: str) -> str:
    return f"user:{login}"[:_SUBJECT_MAX]


def web_actor(login: str) -> str:
    return f"web:{login}"[:_ACTOR_MAX]


def record_account_event(
    *,
    session: Session,
    at: datetime,
    actor: str,
    action: AccountAction,
    login: str,
    detail: str = "",
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor=actor[:_ACTOR_MAX],
            action=action.value,
            subject=account_subject(login),
            detail=detail,
        )
    )


def record_event(
    *,
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    detail: str = "",
    client_id: int | None = None,
) -> None:
    """Any other entry: ``subject`` names what it is about (``subscriber:7``, ``mailing:3``,
    ``visit:12``); ``client_id`` the client it concerns, if any."""
    session.add(
        AuditEntry(
            at=at,
            actor=actor[:_ACTOR_MAX],
            action=action,
            subject=subject[:_SUBJECT_MAX],
            client_id=client_id,
            detail=detail,
        )
    )


def record_retention_run(
    *,
    session: Session,
    at: datetime,
    actor: str,
    cutoff: datetime,
    changes: Iterable[Affected],
    complete: bool,
) -> None:
    """What a run of the purge removed or blanked, per table; ``interrupted`` if it stopped
    before the end (the next run finishes it)."""
    counts = " ".join(f"{item.part.value}={item.rows}" for item in changes)
    session.add(
        AuditEntry(
            at=at,
            actor=actor[:_ACTOR_MAX],
            action="retention",
            subject=f"history:before {cutoff.isoformat()}"[:_SUBJECT_MAX],
            detail=counts if complete else f"{counts} interrupted",
        )
    )
