"""Reading a client's history (G3, G4): by the client's record and by the number, the tasks the
client's calls opened whatever number they carry, nobody else's; a number with history gets a
client record when it is first opened, once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from client_history.records import Records
from client_history.reference import ClientNumber, PhoneNumber
from client_history.store import entry_keys, find_client, load_timeline, open_client
from client_history.timeline import EntryKind, build_timeline
from models.db import session_scope
from models.tables import Call, CallWrapup, Client, MessageIntake, WrittenMessage
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db
from tests.client_history.message_samples import (
    MESSAGE_A,
    MESSAGE_B,
    message_records,
    write_messages,
)
from tests.client_history.samples import (
    ANSWERED,
    CLIENT,
    CLOSED,
    DISMISSED,
    EXPERT,
    NO_ANSWER,
    OPERATOR,
    PHONE,
    REFERRAL,
    RESCHEDULED,
    STRANGER,
    SURVEY_A,
    SURVEY_D,
    TRANSFER,
    WINDOW,
    WRAPUP,
    StoryIds,
    msk,
    story_records,
    write_story,
)

NOW = msk(9, 12)
KB_SECTION = "line-scripts"  # a small section of the shipped knowledge base


def _clients(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(Client)).one()


def _story_with(ids: StoryIds) -> Records:
    """The sample records with the database's ids."""
    story = story_records()
    calls = {
        old.id: ids.calls[name]
        for name, old in zip("ABCD", sorted(story.calls, key=lambda c: c.id), strict=True)
    }
    tasks = {21: ids.tasks["missed"], 22: ids.tasks["operator"]}
    return Records(
        calls=tuple(replace(row, id=calls[row.id]) for row in story.calls),
        transfers=(replace(TRANSFER, call_id=calls[TRANSFER.call_id]),),
        wrapups=(replace(WRAPUP, call_id=calls[WRAPUP.call_id]),),
        dismissals=(replace(DISMISSED, call_id=calls[DISMISSED.call_id]),),
        referrals=(replace(REFERRAL, call_id=calls[REFERRAL.call_id]),),
        surveys=tuple(replace(row, call_id=calls[row.call_id]) for row in (SURVEY_A, SURVEY_D)),
        tasks=tuple(
            replace(row, id=tasks[row.id], origin_call_id=calls[row.origin_call_id or 0])
            for row in story.tasks
        ),
        windows=(replace(WINDOW, task_id=tasks[21]),),
        attempts=tuple(replace(row, task_id=tasks[21]) for row in (NO_ANSWER, ANSWERED)),
        changes=tuple(replace(row, task_id=tasks[21]) for row in (RESCHEDULED, CLOSED)),
    )


def test_a_number_without_a_record_gets_one_when_its_history_is_opened(  # G4
    db_engine: Engine,
) -> None:
    write_story(db_engine)
    assert _clients(db_engine) == 0
    with session_scope(db_engine) as session:
        client = open_client(session, PhoneNumber(PHONE), NOW)
    assert client is not None
    assert (client.phone, client.full_name, client.created_at) == (PHONE, None, NOW)
    with session_scope(db_engine) as session:
        again = open_client(session, PhoneNumber(PHONE), NOW + timedelta(hours=1))
        by_number = find_client(session, ClientNumber(client.id))
    assert again == client  # the same record, not a second one
    assert by_number == client
    assert _clients(db_engine) == 1


def test_a_number_or_record_with_nothing_is_not_found_and_no_record_is_made(
    db_engine: Engine,
) -> None:
    write_story(db_engine)
    with session_scope(db_engine) as session:
        assert open_client(session, PhoneNumber("+79287777777"), NOW) is None
        assert open_client(session, ClientNumber(424242), NOW) is None
    assert _clients(db_engine) == 0


def test_the_history_of_a_number_its_calls_and_tasks_and_the_tasks_its_calls_opened(
    db_engine: Engine,
) -> None:
    ids = write_story(db_engine)
    with session_scope(db_engine) as session:
        client = open_client(session, PhoneNumber(PHONE), NOW)
        assert client is not None
        keys = entry_keys(session, client)
    assert [(key.kind, key.ref_id) for key in keys] == [
        (EntryKind.CALL, ids.calls["A"]),
        (EntryKind.CALLBACK, ids.tasks["operator"]),  # another number: opened by call A
        (EntryKind.CALL, ids.calls["B"]),
        (EntryKind.CALLBACK, ids.tasks["missed"]),
        (EntryKind.CALL, ids.calls["C"]),
        (EntryKind.CALL, ids.calls["D"]),
    ]  # the stranger's call and task are not there
    assert keys[0].at == msk(1, 10)


def test_the_history_read_in_full_is_the_story_as_written(db_engine: Engine) -> None:
    ids = write_story(db_engine, client=True)
    with session_scope(db_engine) as session:
        client = open_client(session, PhoneNumber(PHONE), NOW)
        assert client is not None
        timeline = load_timeline(session, client, entry_keys(session, client))
    assert replace(client, id=CLIENT.id) == CLIENT
    assert timeline == build_timeline(client, _story_with(ids))


def test_a_page_reads_only_its_entries(db_engine: Engine) -> None:
    ids = write_story(db_engine)
    with session_scope(db_engine) as session:
        client = open_client(session, PhoneNumber(PHONE), NOW)
        assert client is not None
        newest_two = entry_keys(session, client)[-2:]
        timeline = load_timeline(session, client, newest_two)
    assert [entry.ref_id for entry in timeline.entries] == [ids.calls["C"], ids.calls["D"]]
    (_, last) = timeline.calls
    assert last.referrals[0].agency_title == REFERRAL.agency_title


def test_a_clients_calls_from_another_number_belong_to_the_client(db_engine: Engine) -> None:
    ids = write_story(db_engine, client=True)
    with session_scope(db_engine) as session:
        client = find_client(session, PhoneNumber(PHONE))
        assert client is not None
        call = session.exec(select(Call).where(col(Call.id) == ids.calls["stranger"])).one()
        call.client_id = client.id  # the client called from a colleague's phone
        session.add(call)
    with session_scope(db_engine) as session:
        found = [key.ref_id for key in entry_keys(session, client) if key.kind is EntryKind.CALL]
        stranger = open_client(session, PhoneNumber(STRANGER), NOW)
        assert stranger is not None
        theirs = [key.ref_id for key in entry_keys(session, stranger)]
    assert ids.calls["stranger"] in found
    assert ids.calls["stranger"] in theirs  # and to the number it came from


def test_a_wrapup_names_the_knowledge_base_entry_the_operator_found(db_engine: Engine) -> None:
    shipped = load_content()
    entry = next(entry for entry in shipped.entries if entry.section == KB_SECTION)
    content = replace(
        shipped,
        sections=tuple(s for s in shipped.sections if s.id == KB_SECTION),
        entries=tuple(e for e in shipped.entries if e.section == KB_SECTION),
    )
    ids = write_story(db_engine)
    with session_scope(db_engine) as session:
        load_into_db(session=session, content=content, now=NOW)
        wrapup = session.exec(select(CallWrapup).where(col(CallWrapup.call_id) == ids.calls["A"]))
        row = wrapup.one()
        row.kb_answer_found, row.kb_entry_id = True, entry.id
        session.add(row)
    with session_scope(db_engine) as session:
        client = open_client(session, PhoneNumber(PHONE), NOW)
        assert client is not None
        (first, *_) = load_timeline(session, client, entry_keys(session, client)).calls
    assert first.wrapup is not None
    assert (first.wrapup.kb_answer_found, first.wrapup.kb_entry_id) == (True, entry.id)
    assert first.wrapup.kb_entry_title == entry.title


def test_the_clients_messages_are_read_in_full_and_nobody_elses(  # G3
    db_engine: Engine,
) -> None:
    ids = write_story(db_engine, client=True)
    with session_scope(db_engine) as session:
        client = find_client(session, PhoneNumber(PHONE))
        assert client is not None
        other = Client(phone_e164=STRANGER, created_at=NOW)
        session.add(other)
        session.flush()
        assert other.id is not None
        other_id = other.id
    staff = {OPERATOR.internal_number: ids.operator, EXPERT.internal_number: ids.expert}
    written = write_messages(db_engine, client.id, staff)
    with session_scope(db_engine) as session:  # somebody else's message: not theirs
        session.add(
            WrittenMessage(
                number="ПО-2026-000099",
                received_at=msk(5, 15),
                intake=MessageIntake.WEB,
                client_id=other_id,
                primary_due=date(2026, 12, 10),
                answer_due=date(2027, 1, 11),
            )
        )
    with session_scope(db_engine) as session:
        keys = entry_keys(session, client)
        timeline = load_timeline(session, client, keys)
    kinds = [(key.kind, key.ref_id) for key in keys]
    a, b = written.messages["A"], written.messages["B"]
    assert kinds[4:8] == [
        (EntryKind.MESSAGE, a),  # 03.12, after the missed call's task of 02.12
        (EntryKind.CALL, ids.calls["C"]),
        (EntryKind.MESSAGE, b),
        (EntryKind.CALL, ids.calls["D"]),
    ]
    assert len(kinds) == 8
    message_ids = {MESSAGE_A.id: a, MESSAGE_B.id: b}
    samples = message_records()
    expected = Records(
        messages=(replace(MESSAGE_A, id=a), replace(MESSAGE_B, id=b)),
        attachments=tuple(
            replace(row, id=written.attachments[row.filename], message_id=a)
            for row in samples.attachments
        ),
        notices=tuple(
            replace(row, id=written.notices[row.id], message_id=message_ids[row.message_id])
            for row in samples.notices
        ),
        message_surveys=tuple(replace(row, message_id=a) for row in samples.message_surveys),
    )
    assert timeline.messages == build_timeline(client, expected).messages
