"""Scripts for a call from the knowledge base (C5, C7, C9, C11, C14, V11): the call's
language, the operator's and caller's names, the guiding questions of the IVR topic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from call_card.refusals import Refusal, RefusalKind
from call_card.script_text import Slot, placeholders
from call_card.scripts import (
    QUESTION_ENTRIES,
    SCRIPT_ENTRIES,
    CallScripts,
    ScriptKind,
    call_scripts,
)
from models.db import session_scope
from models.tables import KbEntry, Language
from models.topics import Topic
from scripts_kb.content_files import EntryKind, KbContent
from tests.call_card.samples import CALLER, NOW, add_call, add_client, add_person

OPERATOR = "Магомедова Патимат Гасановна"


def _scripts(engine: Engine, linkedid: str, operator_id: int) -> CallScripts:
    with session_scope(engine) as session:
        scripts = call_scripts(session, linkedid=linkedid, operator_id=operator_id)
    assert isinstance(scripts, CallScripts), scripts
    return scripts


def _withdraw(engine: Engine, entry_id: str) -> None:
    with session_scope(engine) as session:
        entry = session.get(KbEntry, entry_id)
        assert entry is not None
        entry.withdrawn_at = NOW
        session.add(entry)


def test_russian_call_gets_the_russian_scripts_with_the_operators_given_name(
    engine: Engine,
) -> None:
    # C5: greeting on answer, farewell at the end, both from the KB, personalised
    operator = add_person(engine, "201", OPERATOR)
    add_call(engine, "call-1", operator_id=operator)
    scripts = _scripts(engine, "call-1", operator)
    assert scripts.language is Language.RU
    assert scripts.greeting is not None
    assert scripts.greeting.entry_id == "script-greeting"
    assert "меня зовут Патимат. Здравствуйте!" in scripts.greeting.text
    assert "{" not in scripts.greeting.text
    assert scripts.farewell is not None
    assert scripts.farewell.entry_id == "script-farewell"
    # An unknown caller is not addressed by name.
    assert scripts.farewell.text.startswith("«Я могу Вам ещё чем-нибудь помочь?»")


def test_known_client_is_addressed_by_the_directory_name_not_the_caller_id(engine: Engine) -> None:
    operator = add_person(engine, "201", OPERATOR)
    client = add_client(engine, CALLER, "Магомед Алиевич", Language.RU)
    add_call(engine, "call-1", operator_id=operator, client_id=client)
    scripts = _scripts(engine, "call-1", operator)
    assert scripts.values[Slot.CALLER_NAME] == "Магомед Алиевич"
    assert scripts.farewell is not None
    assert scripts.farewell.text.startswith("«Магомед Алиевич, я могу Вам ещё")
    assert "CID NAME" not in scripts.farewell.text


def test_english_call_gets_every_english_script(engine: Engine) -> None:
    # V11: explanations in English for foreign citizens
    operator = add_person(engine, "201", OPERATOR)
    add_call(engine, "call-en", operator_id=operator, language=Language.EN)
    scripts = _scripts(engine, "call-en", operator)
    shown = {
        ScriptKind.GREETING: scripts.greeting,
        ScriptKind.TRANSFER: scripts.transfer,
        ScriptKind.CALLBACK_CLOSING: scripts.callback_closing,
        ScriptKind.OUT_OF_REMIT: scripts.out_of_remit,
        ScriptKind.FAREWELL: scripts.farewell,
    }
    for kind, script in shown.items():
        assert script is not None, kind
        assert (script.entry_id, script.language) == (SCRIPT_ENTRIES[kind][Language.EN], "en")
    assert scripts.greeting is not None
    assert "my name is Патимат. Good afternoon!" in scripts.greeting.text
    assert scripts.questions is not None
    assert scripts.questions.entry_id == "script-questions-en"


def test_english_call_falls_back_to_russian_where_the_english_entry_is_withdrawn(
    engine: Engine,
) -> None:
    operator = add_person(engine, "201", OPERATOR)
    add_call(engine, "call-en", operator_id=operator, language=Language.EN)
    _withdraw(engine, "script-farewell-en")
    scripts = _scripts(engine, "call-en", operator)
    assert scripts.farewell is not None
    assert (scripts.farewell.entry_id, scripts.farewell.language) == ("script-farewell", "ru")
    assert scripts.greeting is not None
    assert scripts.greeting.language is Language.EN


def test_caller_who_chose_no_language_gets_the_clients_stored_one(engine: Engine) -> None:
    operator = add_person(engine, "201", OPERATOR)
    client = add_client(engine, CALLER, None, Language.EN)
    add_call(engine, "call-1", operator_id=operator, client_id=client, language=None)
    assert _scripts(engine, "call-1", operator).language is Language.EN


@pytest.mark.parametrize(
    ("topic", "entry_id"),
    [
        (Topic.STATE_SERVICES, "script-questions-state-services"),
        (Topic.SUPPORT_MEASURES, "script-questions-support"),
        (Topic.MESSAGES, "script-questions-messages"),
        (Topic.CONTROL_SUPERVISION, "script-questions-control"),
        (Topic.HOURS_AND_VISITS, "script-questions-hours"),
        (Topic.GENERAL, "script-questions-general"),
        (None, "script-questions-general"),
    ],
)
def test_guiding_questions_follow_the_ivr_topic(
    engine: Engine, topic: Topic | None, entry_id: str
) -> None:
    # C7: per-topic guiding questions, the general ones without a topic
    operator = add_person(engine, "201", OPERATOR)
    add_call(engine, "call-1", operator_id=operator, topic=topic)
    questions = _scripts(engine, "call-1", operator).questions
    assert questions is not None
    assert (questions.kind, questions.entry_id) == (ScriptKind.QUESTIONS, entry_id)


def test_topic_whose_questions_are_withdrawn_falls_back_to_the_general_ones(
    engine: Engine,
) -> None:
    operator = add_person(engine, "201", OPERATOR)
    add_call(engine, "call-1", operator_id=operator, topic=Topic.MESSAGES)
    _withdraw(engine, "script-questions-messages")
    questions = _scripts(engine, "call-1", operator).questions
    assert questions is not None
    assert questions.entry_id == "script-questions-general"


def test_without_the_knowledge_base_loaded_scripts_are_missing_not_an_error(
    db_engine: Engine,
) -> None:
    operator = add_person(db_engine, "201", OPERATOR)
    add_call(db_engine, "call-1", operator_id=operator)
    scripts = _scripts(db_engine, "call-1", operator)
    assert (scripts.greeting, scripts.questions, scripts.farewell) == (None, None, None)


def test_unknown_call_or_employee_is_a_clear_refusal(engine: Engine) -> None:
    operator = add_person(engine, "201", OPERATOR)
    retired = add_person(engine, "202", "Ушедший Сотрудник", active=False)
    add_call(engine, "call-1", operator_id=operator)
    with session_scope(engine) as session:
        unknown_call = call_scripts(session, linkedid="nope", operator_id=operator)
        unknown_employee = call_scripts(session, linkedid="call-1", operator_id=99999)
        inactive = call_scripts(session, linkedid="call-1", operator_id=retired)
    assert unknown_call == Refusal(RefusalKind.NOT_FOUND, "Звонок 'nope' не найден.")
    assert isinstance(unknown_employee, Refusal)
    assert unknown_employee.kind is RefusalKind.NOT_FOUND
    assert isinstance(inactive, Refusal)
    assert inactive.kind is RefusalKind.CONFLICT
    assert "отключён" in inactive.reason


def test_every_script_the_card_names_is_a_script_entry_of_the_shipped_kb(
    shipped_kb: KbContent,
) -> None:
    entries = {entry.id: entry for entry in shipped_kb.entries}
    named = {entry_id for kinds in SCRIPT_ENTRIES.values() for entry_id in kinds.values()}
    named |= {entry_id for kinds in QUESTION_ENTRIES.values() for entry_id in kinds.values()}
    for entry_id in sorted(named):
        assert entry_id in entries, entry_id
        assert entries[entry_id].kind is EntryKind.SCRIPT
    for topic, kinds in QUESTION_ENTRIES.items():
        assert topic in entries[kinds[Language.RU]].topics
        assert topic in entries[kinds[Language.EN]].topics


def test_line_scripts_use_only_placeholders_the_card_fills(shipped_kb: KbContent) -> None:
    slots = {slot.value for slot in Slot}
    for entry in shipped_kb.entries:
        if entry.section == "line-scripts":
            assert placeholders(entry.body) <= slots, entry.id


def test_greeting_is_shown_for_a_call_that_ended_too(engine: Engine) -> None:
    operator = add_person(engine, "201", OPERATOR)
    add_call(
        engine, "call-1", operator_id=operator, ended=True, arrived_at=NOW - timedelta(hours=1)
    )
    assert _scripts(engine, "call-1", operator).farewell is not None
