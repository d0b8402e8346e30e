"""A question outside the Ministry's remit (C14): the script with the agency of the knowledge
base's directory named (``models.kb_agencies``), and the outcome recorded on the call.

The outcome keeps a copy of the agency's title and contacts as they were read out: the entry
may change later, what the caller was told must not (G3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from call_card.lookup import call_client, find_call_and_operator, insert_once
from call_card.refusals import Refusal, conflict, not_found
from call_card.script_text import Slot
from call_card.scripts import Script, ScriptKind, call_language, call_values, script
from models.kb_agencies import Agency, load_agency
from models.rules.calendar import require_aware
from models.tables import Call, CallReferral, Employee


@dataclass(frozen=True, slots=True)
class Referral:
    """The outcome «вне полномочий» recorded on a call."""

    linkedid: str
    agency_entry_id: str | None  # None: no competent agency was known
    agency_title: str
    contacts: str  # as read out
    employee_name: str
    at: datetime
    already_recorded: bool = False  # a repeated submit: the first record is returned


def find_agency(session: Session, agency_id: str) -> Agency | Refusal:
    agency = load_agency(session, agency_id)
    if agency is None:
        return not_found(f"Ведомства {agency_id!r} нет в справочнике базы знаний.")
    return agency


def out_of_remit_script(
    session: Session, *, linkedid: str, operator_id: int, agency_id: str | None
) -> Script | Refusal | None:
    """The out-of-remit script for the call with the agency named (``None``: a blank for the
    operator to fill); None when the KB has no such script."""
    found = find_call_and_operator(session, linkedid, operator_id)
    if isinstance(found, Refusal):
        return found
    call, operator = found
    values = call_values(session, call, operator.full_name)
    if agency_id is not None:
        agency = find_agency(session, agency_id)
        if isinstance(agency, Refusal):
            return agency
        values[Slot.AGENCY] = agency.title
    language = call_language(call, call_client(session, call))
    return script(session, ScriptKind.OUT_OF_REMIT, language=language, values=values)


def record_out_of_remit(
    session: Session, *, linkedid: str, operator_id: int, agency_id: str | None, now: datetime
) -> Referral | Refusal:
    """Records on an answered call that its question was outside the remit and which agency
    was named, with the contacts read out. A second submit for the same call and agency
    returns the first record (``already_recorded``) and adds nothing; a call may name several
    agencies."""
    require_aware(now, "now")
    found = find_call_and_operator(session, linkedid, operator_id)
    if isinstance(found, Refusal):
        return found
    call, operator = found
    if call.answered_at is None:
        return conflict("Звонок не был принят оператором: исход «вне полномочий» не записать.")
    agency = find_agency(session, agency_id) if agency_id is not None else None
    if isinstance(agency, Refusal):
        return agency
    present = _referral(session, call, agency_id)
    if present is not None:
        return _public(session, call, present, already=True)
    inserted = insert_once(
        session,
        CallReferral,
        call_id=call.id,
        agency_entry_id=agency_id,
        agency_title=agency.title if agency else "",
        contacts=agency.contacts if agency else "",
        employee_id=operator.id,
        at=now,
    )
    present = _referral(session, call, agency_id)  # a racing twin's, when not inserted
    assert present is not None
    return _public(session, call, present, already=not inserted)


def call_referrals(session: Session, call: Call) -> list[Referral]:
    """The call's out-of-remit outcomes, in the order recorded."""
    rows = session.exec(
        select(CallReferral)
        .where(CallReferral.call_id == call.id)
        .order_by(col(CallReferral.at), col(CallReferral.id))
    )
    return [_public(session, call, row, already=False) for row in rows]


def _referral(session: Session, call: Call, agency_id: str | None) -> CallReferral | None:
    query = select(CallReferral).where(CallReferral.call_id == call.id)
    if agency_id is None:
        query = query.where(col(CallReferral.agency_entry_id).is_(None))
    else:
        query = query.where(CallReferral.agency_entry_id == agency_id)
    return session.exec(query).first()


def _public(session: Session, call: Call, row: CallReferral, *, already: bool) -> Referral:
    employee = session.get(Employee, row.employee_id) if row.employee_id is not None else None
    return Referral(
        linkedid=call.linkedid,
        agency_entry_id=row.agency_entry_id,
        agency_title=row.agency_title,
        contacts=row.contacts,
        employee_name=employee.full_name if employee else "",
        at=row.at,
        already_recorded=already,
    )
