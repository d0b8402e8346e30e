"""Out of remit (C14): the agencies of the knowledge base with the contacts to read out, the
script naming the agency, and the outcome kept on the call as it was said."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from call_card.agencies import (
    Referral,
    call_referrals,
    find_agency,
    out_of_remit_script,
    record_out_of_remit,
)
from call_card.refusals import Refusal, RefusalKind
from call_card.scripts import Script
from models.db import session_scope
from models.kb_agencies import Agency, agency_directory
from models.tables import Call, CallReferral, KbEntry, Language
from models.topics import Topic
from tests.call_card.samples import NOW, add_call, add_person


def _directory(engine: Engine, topic: Topic | None = None) -> list[Agency]:
    with session_scope(engine) as session:
        return agency_directory(session, topic=topic)


def _record(
    engine: Engine, operator: int, agency_id: str | None, linkedid: str = "call-1"
) -> Referral | Refusal:
    with session_scope(engine) as session:
        return record_out_of_remit(
            session, linkedid=linkedid, operator_id=operator, agency_id=agency_id, now=NOW
        )


def _rows(engine: Engine) -> list[CallReferral]:
    with session_scope(engine) as session:
        return list(session.exec(select(CallReferral)))


def test_directory_lists_every_agency_with_its_contacts(engine: Engine) -> None:
    agencies = {agency.entry_id: agency for agency in _directory(engine)}
    assert len(agencies) == 12
    assert "agency-directory-howto" not in agencies  # the index, not an agency
    mvd = agencies["agency-mvd"]
    assert mvd.title == "МВД по Республике Дагестан (полиция)"
    assert mvd.contacts.startswith("дежурная часть полиции — «102»")
    assert mvd.duties.startswith("пресечение правонарушений")
    assert mvd.when.startswith("нарушение происходит прямо сейчас")
    assert mvd.unconfirmed  # the trust line is still «[уточнить: …]»
    rosalkogol = agencies["agency-rosalkogol"]
    assert rosalkogol.not_when.startswith("лицензии на розничную продажу алкоголя")
    municipal = agencies["agency-municipal"]
    assert municipal.duties.startswith("(в сфере торговли) утверждение схем")
    assert agencies["agency-minpromtorg-rf"].notes[0].startswith("Важно: Минпромторг России")


def test_agencies_of_the_calls_topic_come_first(engine: Engine) -> None:
    ids = [agency.entry_id for agency in _directory(engine, Topic.CONTROL_SUPERVISION)]
    assert set(ids[:2]) == {"agency-mvd", "agency-rosalkogol"}
    titles = [agency.title for agency in _directory(engine)]
    assert titles == sorted(titles)


def test_confirmed_contacts_are_not_flagged(engine: Engine) -> None:
    with session_scope(engine) as session:
        entry = session.get(KbEntry, "agency-fns")
        assert entry is not None
        entry.body = "Чем занимается: налоги.\n\nКак связаться: nalog.gov.ru, 8 800 222-22-22."
        session.add(entry)
    with session_scope(engine) as session:
        fns = find_agency(session, "agency-fns")
    assert isinstance(fns, Agency)
    assert (fns.contacts, fns.unconfirmed) == ("nalog.gov.ru, 8 800 222-22-22.", False)


def test_withdrawn_agency_is_not_offered(engine: Engine) -> None:
    with session_scope(engine) as session:
        entry = session.get(KbEntry, "agency-fas")
        assert entry is not None
        entry.withdrawn_at = NOW
        session.add(entry)
    assert "agency-fas" not in {agency.entry_id for agency in _directory(engine)}
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator)
    assert isinstance(_record(engine, operator, "agency-fas"), Refusal)


def test_script_names_the_agency_in_the_calls_language(engine: Engine) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator)
    add_call(engine, "call-en", operator_id=operator, language=Language.EN, caller_e164=None)
    with session_scope(engine) as session:
        russian = out_of_remit_script(
            session, linkedid="call-1", operator_id=operator, agency_id="agency-rospotrebnadzor"
        )
        english = out_of_remit_script(
            session, linkedid="call-en", operator_id=operator, agency_id=None
        )
    assert isinstance(russian, Script)
    assert "им занимается Роспотребнадзор — Управление по Республике Дагестан»" in russian.text
    assert isinstance(english, Script)
    assert english.entry_id == "script-out-of-remit-en"
    assert "it is handled by [agency]." in english.text


def test_outcome_keeps_the_agency_and_the_contacts_as_read_out(engine: Engine) -> None:
    # C14: «out of remit» outcome with the contacts given
    operator = add_person(engine, "201", "Оператор Один")
    call_id = add_call(engine, "call-1", operator_id=operator, ended=True)
    referral = _record(engine, operator, "agency-fns")
    assert isinstance(referral, Referral), referral
    assert (referral.agency_entry_id, referral.employee_name, referral.at) == (
        "agency-fns",
        "Оператор Один",
        NOW,
    )
    assert referral.contacts.startswith("официальный сайт ФНС России nalog.gov.ru")
    assert not referral.already_recorded
    with session_scope(engine) as session:  # the entry changes later; the record does not
        entry = session.get(KbEntry, "agency-fns")
        assert entry is not None
        entry.body = "Как связаться: другой телефон."
        session.add(entry)
    with session_scope(engine) as session:
        call = session.get(Call, call_id)
        assert call is not None
        (kept,) = call_referrals(session, call)
    assert kept.contacts == referral.contacts


def test_double_submit_keeps_one_record_and_several_agencies_may_be_named(
    engine: Engine,
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator)
    first = _record(engine, operator, "agency-fns")
    again = _record(engine, operator, "agency-fns")
    other = _record(engine, operator, "agency-mvd")
    unnamed = _record(engine, operator, None)
    unnamed_again = _record(engine, operator, None)
    assert isinstance(again, Referral)
    assert isinstance(unnamed_again, Referral)
    assert again.already_recorded
    assert unnamed_again.already_recorded
    assert isinstance(first, Referral)
    assert isinstance(other, Referral)
    assert isinstance(unnamed, Referral)
    assert unnamed.agency_title == ""
    assert sorted(row.agency_entry_id or "" for row in _rows(engine)) == [
        "",
        "agency-fns",
        "agency-mvd",
    ]


@pytest.mark.parametrize(
    ("linkedid", "agency_id", "kind", "words"),
    [
        ("nope", "agency-fns", RefusalKind.NOT_FOUND, "Звонок 'nope' не найден."),
        ("call-1", "agency-nope", RefusalKind.NOT_FOUND, "Ведомства 'agency-nope' нет"),
        ("call-1", "script-greeting", RefusalKind.NOT_FOUND, "нет в справочнике"),
        ("missed", "agency-fns", RefusalKind.CONFLICT, "не был принят оператором"),
    ],
)
def test_bad_outcome_is_refused_and_nothing_recorded(
    engine: Engine, linkedid: str, agency_id: str, kind: RefusalKind, words: str
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator)
    add_call(engine, "missed", ended=True)
    refused = _record(engine, operator, agency_id, linkedid)
    assert isinstance(refused, Refusal)
    assert (refused.kind, words in refused.reason) == (kind, True), refused.reason
    assert _rows(engine) == []
