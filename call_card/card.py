"""The call card (G3): everything the operator sees about one call, built whole in Python for
the page to print.

Who is calling (number, the client's name if known), what the IVR learned (language, topic,
path), the caller's history (``call_card.history``), the number's open callback tasks, the
transfers made and left (C10), the out-of-remit outcomes recorded (C14), whether the call has
ended and whether its wrap-up is written (K7); what the caller said their question was, with the
knowledge-base entries it finds (``call_card.spoken_question``, C8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from call_card.agencies import Referral, call_referrals
from call_card.history import HISTORY_LIMIT, HistoryEntry, interaction_history, owner_filter
from call_card.labels import CALLBACK_STATUS_LABELS_RU, LANGUAGE_LABELS_RU
from call_card.lookup import call_client, employee_names, find_call_and_operator
from call_card.refusals import Refusal
from call_card.spoken_question import SpokenQuestion, spoken_question
from call_card.transfers import TransferCount, transfer_count
from call_card.wrapups import WrapupState, wrapup_state
from models.phones import format_phone
from models.rules.calendar import ProductionCalendar, require_aware
from models.rules.callbacks import ACTIVE_STATUSES, CallbackStatus, TimeWindow, is_overdue
from models.rules.transfers import MAX_TRANSFERS_PER_CALL
from models.tables import CallbackTask, CallbackWindow, Language
from models.topics import TOPIC_LABELS_RU, Topic
from scripts_kb.search import SearchIndex


@dataclass(frozen=True, slots=True)
class OpenCallback:
    """An active callback task of the caller (or of the number)."""

    task_id: int
    phone_display: str
    promised_on: date
    status: CallbackStatus
    status_label: str
    overdue: bool
    owner_name: str  # "" when nobody owns it
    question: str
    windows: tuple[TimeWindow, ...]  # earliest first


@dataclass(frozen=True, slots=True)
class CallCard:
    linkedid: str
    call_id: int
    # who is calling
    caller_number: str  # the caller ID as received ("" when hidden)
    caller_e164: str | None  # None: hidden or not a valid number
    caller_display: str  # the number as people read it, else the raw caller ID
    caller_id_name: str  # the caller ID name: the caller's own text, not verified
    client_id: int | None
    client_name: str  # "" when the caller is not in the client directory
    # the call
    arrived_at: datetime
    in_working_hours: bool
    answered_at: datetime | None
    answered_by: str  # the operator who answered, "" before that
    ended_at: datetime | None
    ended: bool
    viewer_answered: bool  # the operator viewing the card is the one who answered
    # what the IVR learned
    language: Language | None  # None: no choice made in the IVR
    language_label: str
    topic: Topic | None
    topic_label: str
    ivr_path: str
    # what the caller said their question was; None: nothing said (or not asked)
    spoken_question: SpokenQuestion | None
    # G3, C10, C11, C14, K7
    history: tuple[HistoryEntry, ...]  # earlier interactions, newest first
    open_callbacks: tuple[OpenCallback, ...]
    transfers: TransferCount
    referrals: tuple[Referral, ...]
    wrapup: WrapupState

    @property
    def wrapup_exists(self) -> bool:
        return self.wrapup is WrapupState.RECORDED


def call_card(
    session: Session,
    *,
    linkedid: str,
    operator_id: int,
    calendar: ProductionCalendar,
    now: datetime,
    transfer_cap: int = MAX_TRANSFERS_PER_CALL,
    history_limit: int = HISTORY_LIMIT,
    kb_index: SearchIndex | None = None,
) -> CallCard | Refusal:
    """The card of the call ``linkedid`` for the operator ``operator_id``; a Refusal (not
    found) for an unknown call or employee. ``transfer_cap``: the line's setting
    (``max_transfers_per_call``); ``kb_index``: the knowledge base the spoken question is
    searched in (None: not searched)."""
    require_aware(now, "now")
    found = find_call_and_operator(session, linkedid, operator_id)
    if isinstance(found, Refusal):
        return found
    call, operator = found
    assert call.id is not None
    client = call_client(session, call)
    client_id = client.id if client is not None else None
    answered_by = employee_names(session, {call.operator_id}).get(call.operator_id or 0, "")
    return CallCard(
        linkedid=call.linkedid,
        call_id=call.id,
        caller_number=call.caller_number,
        caller_e164=call.caller_e164,
        caller_display=format_phone(call.caller_e164) if call.caller_e164 else call.caller_number,
        caller_id_name=call.caller_name,
        client_id=client_id,
        client_name=(client.full_name or "") if client is not None else "",
        arrived_at=call.arrived_at,
        in_working_hours=call.in_working_hours,
        answered_at=call.answered_at,
        answered_by=answered_by,
        ended_at=call.ended_at,
        ended=call.ended_at is not None,
        viewer_answered=call.operator_id is not None and call.operator_id == operator.id,
        language=call.language,
        language_label=LANGUAGE_LABELS_RU[call.language] if call.language else "не выбран",
        topic=call.topic,
        topic_label=TOPIC_LABELS_RU[call.topic] if call.topic else "тема не выбрана",
        ivr_path=call.ivr_path,
        spoken_question=spoken_question(
            call.spoken_question,
            call.spoken_question_confidence,
            topic=call.topic,
            index=kb_index,
        ),
        history=tuple(
            interaction_history(
                session,
                client_id=client_id,
                phone_e164=call.caller_e164,
                exclude_call_id=call.id,
                limit=history_limit,
            )
        ),
        open_callbacks=tuple(
            open_callbacks(
                session,
                client_id=client_id,
                phone_e164=call.caller_e164,
                calendar=calendar,
                now=now,
            )
        ),
        transfers=transfer_count(session, call, cap=transfer_cap),
        referrals=tuple(call_referrals(session, call)),
        wrapup=wrapup_state(session, call),
    )


def open_callbacks(
    session: Session,
    *,
    client_id: int | None,
    phone_e164: str | None,
    calendar: ProductionCalendar,
    now: datetime,
) -> list[OpenCallback]:
    """The active tasks of the client or the number, the earliest promise first."""
    if client_id is None and phone_e164 is None:
        return []
    belongs = owner_filter(CallbackTask.client_id, CallbackTask.phone_e164, client_id, phone_e164)
    tasks = list(
        session.exec(
            select(CallbackTask)
            .where(belongs, col(CallbackTask.status).in_(ACTIVE_STATUSES))
            .order_by(col(CallbackTask.promised_on), col(CallbackTask.id))
        )
    )
    ids = [task.id for task in tasks if task.id is not None]
    windows: dict[int, list[TimeWindow]] = {}
    if ids:
        for row in session.exec(select(CallbackWindow).where(col(CallbackWindow.task_id).in_(ids))):
            windows.setdefault(row.task_id, []).append(TimeWindow(row.starts_at, row.ends_at))
    owners = employee_names(session, {task.owner_id for task in tasks})
    found = []
    for task in tasks:
        assert task.id is not None
        found.append(
            OpenCallback(
                task_id=task.id,
                phone_display=format_phone(task.phone_e164),
                promised_on=task.promised_on,
                status=task.status,
                status_label=CALLBACK_STATUS_LABELS_RU[task.status],
                overdue=is_overdue(task.promised_on, task.status, now, calendar),
                owner_name=owners.get(task.owner_id, "") if task.owner_id else "",
                question=task.question,
                windows=tuple(sorted(windows.get(task.id, []), key=lambda w: w.starts_at)),
            )
        )
    return found
