"""A question outside the Ministry's remit (C14): the directory of other agencies from the
knowledge base, the script with the agency named, and the outcome recorded on the call.

An agency is a KB entry of kind ``agency`` in the ``external-agencies`` section. Its body is
written in labelled paragraphs («Чем занимается: …», «Когда направлять: …», «Как связаться:
…»); the contacts to read out are the «Как связаться» paragraph. Contacts the owning department
has not confirmed yet are marked «[уточнить: …]» in the text: such an agency is flagged, and
the operator offers the agency's official website rather than dictating them as exact.

The outcome keeps a copy of the agency's title and contacts as they were read out: the entry
may change later, what the caller was told must not (G3).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from call_card.lookup import call_client, find_call_and_operator, insert_once
from call_card.refusals import Refusal, conflict, not_found
from call_card.script_text import Slot
from call_card.scripts import Script, ScriptKind, call_language, call_values, script
from models.rules.calendar import require_aware
from models.tables import Call, CallReferral, Employee, KbEntry
from models.topics import Topic

AGENCY_SECTION = "external-agencies"
AGENCY_KIND = "agency"
UNCONFIRMED_MARK = "[уточнить"

_LABELS = {
    "Чем занимается": "duties",
    "Чем занимаются": "duties",
    "Когда направлять": "when",
    "Не направлять": "not_when",
    "Как связаться": "contacts",
}
# «Label: text», the label possibly qualified: «Чем занимаются (в сфере торговли): …».
_LABELLED = re.compile(r"(?P<label>[^:(]+?)\s*(?P<qualifier>\([^)]*\))?:\s*(?P<text>.+)", re.DOTALL)
_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class Agency:
    entry_id: str
    title: str
    topics: tuple[Topic, ...]
    duties: str  # «Чем занимается»
    when: str  # «Когда направлять»
    not_when: str  # «Не направлять», "" when the entry has none
    contacts: str  # «Как связаться»: what the operator reads out
    notes: tuple[str, ...]  # any other paragraph («Важно: …»)
    unconfirmed: bool  # some contact is still «[уточнить: …]»


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


def agency_directory(session: Session, *, topic: Topic | None = None) -> list[Agency]:
    """Every agency in the KB (withdrawn ones left out); those whose topics include ``topic``
    (the call's) first, then by title."""
    rows = session.exec(
        select(KbEntry).where(
            KbEntry.section_id == AGENCY_SECTION,
            KbEntry.kind == AGENCY_KIND,
            col(KbEntry.withdrawn_at).is_(None),
        )
    )
    agencies = [parse_agency(row) for row in rows]
    return sorted(
        agencies, key=lambda a: (topic is None or topic not in a.topics, a.title, a.entry_id)
    )


def parse_agency(entry: KbEntry) -> Agency:
    fields: dict[str, str] = {}
    notes: list[str] = []
    for paragraph in _PARAGRAPH.split(entry.body.strip()):
        text = " ".join(paragraph.split())
        match = _LABELLED.fullmatch(text)
        key = _LABELS.get(match.group("label")) if match else None
        if match is not None and key is not None and key not in fields:
            qualifier = match.group("qualifier")
            fields[key] = f"{qualifier} {match.group('text')}" if qualifier else match.group("text")
        elif text:
            notes.append(text)
    contacts = fields.get("contacts", "")
    return Agency(
        entry_id=entry.id,
        title=entry.title,
        topics=tuple(Topic(value) for value in json.loads(entry.topics)),
        duties=fields.get("duties", ""),
        when=fields.get("when", ""),
        not_when=fields.get("not_when", ""),
        contacts=contacts,
        notes=tuple(notes),
        unconfirmed=not contacts or UNCONFIRMED_MARK in contacts,
    )


def find_agency(session: Session, agency_id: str) -> Agency | Refusal:
    entry = session.get(KbEntry, agency_id)
    if (
        entry is None
        or entry.withdrawn_at is not None
        or entry.section_id != AGENCY_SECTION
        or entry.kind != AGENCY_KIND
    ):
        return not_found(f"Ведомства {agency_id!r} нет в справочнике базы знаний.")
    return parse_agency(entry)


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
