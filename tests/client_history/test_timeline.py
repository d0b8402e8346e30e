"""A client's history as a timeline (G3, G4): each call with its transfers, wrap-up, referral,
survey and the tasks it opened; each task with its windows, attempts and changes; oldest
first."""

from __future__ import annotations

from dataclasses import replace

from client_history.records import Records
from client_history.timeline import (
    CallbackEntry,
    CallEntry,
    EntryKind,
    MessageEntry,
    build_timeline,
)
from tests.client_history.message_samples import (
    ANSWER,
    FILE_JPG,
    FILE_PDF,
    LINK_ANSWERED,
    LINK_UNANSWERED,
    MESSAGE_A,
    MESSAGE_B,
    PRIMARY_EMAIL,
    PRIMARY_POST,
    PRIMARY_SMS,
    with_messages,
)
from tests.client_history.samples import (
    ANSWERED,
    CALL_A,
    CALL_B,
    CALL_C,
    CALL_D,
    CLIENT,
    CLOSED,
    DISMISSED,
    NO_ANSWER,
    REFERRAL,
    RESCHEDULED,
    SURVEY_A,
    SURVEY_D,
    TASK_MISSED,
    TASK_OPERATOR,
    TRANSFER,
    WINDOW,
    WRAPUP,
    msk,
    story_records,
)


def test_calls_and_tasks_come_oldest_first_each_task_after_the_call_that_opened_it() -> None:
    timeline = build_timeline(CLIENT, story_records())
    assert [(entry.kind, entry.ref_id) for entry in timeline.entries] == [
        (EntryKind.CALL, 11),  # 01.12 10:00
        (EntryKind.CALLBACK, 22),  # 01.12 10:03:30, opened by call 11
        (EntryKind.CALL, 12),  # 02.12 17:30
        (EntryKind.CALLBACK, 21),  # 02.12 17:35:06, opened by call 12
        (EntryKind.CALL, 13),  # 04.12 19:10
        (EntryKind.CALL, 14),  # 07.12 11:00
    ]
    assert [entry.call for entry in timeline.calls] == [CALL_A, CALL_B, CALL_C, CALL_D]
    assert [entry.task for entry in timeline.callbacks] == [TASK_OPERATOR, TASK_MISSED]


def test_each_call_carries_what_happened_on_it() -> None:
    a, b, c, d = build_timeline(CLIENT, story_records()).calls
    assert a == CallEntry(
        call=CALL_A,
        transfers=(TRANSFER,),
        wrapup=WRAPUP,
        dismissal=None,
        referrals=(),
        survey=SURVEY_A,
        task_ids=(22,),
    )
    assert (b.task_ids, b.transfers, b.wrapup, b.survey) == ((21,), (), None, None)
    assert (c.task_ids, c.referrals, c.survey) == ((), (), None)
    assert (d.referrals, d.dismissal, d.survey, d.wrapup) == (
        (REFERRAL,),
        DISMISSED,
        SURVEY_D,
        None,
    )


def test_each_task_carries_its_windows_and_attempts_and_changes_in_time_order() -> None:
    operator_task, missed_task = build_timeline(CLIENT, story_records()).callbacks
    assert missed_task == CallbackEntry(
        task=TASK_MISSED,
        windows=(WINDOW,),
        attempts=(NO_ANSWER, ANSWERED),  # given the other way round
        changes=(RESCHEDULED, CLOSED),
    )
    assert (operator_task.windows, operator_task.attempts, operator_task.changes) == ((), (), ())


def test_transfers_come_in_their_order_whatever_order_they_were_read_in() -> None:
    second = replace(TRANSFER, seq=2, at=msk(1, 10, 3))
    records = Records(calls=(CALL_A,), transfers=(second, TRANSFER))
    assert build_timeline(CLIENT, records).calls[0].transfers == (TRANSFER, second)


def test_a_call_and_a_task_at_the_same_instant_the_call_first() -> None:
    task = replace(TASK_MISSED, requested_at=CALL_B.arrived_at, origin_call_id=None)
    records = Records(calls=(CALL_B,), tasks=(task,))
    kinds = [entry.kind for entry in build_timeline(CLIENT, records).entries]
    assert kinds == [EntryKind.CALL, EntryKind.CALLBACK]


def test_rows_of_calls_or_tasks_not_read_are_left_out() -> None:
    records = Records(
        calls=(CALL_B,),
        transfers=(TRANSFER,),  # of call 11, not read
        surveys=(SURVEY_A,),
        tasks=(TASK_OPERATOR,),  # opened by call 11: shown, but call 12 did not open it
        attempts=(NO_ANSWER,),  # of task 21, not read
    )
    timeline = build_timeline(CLIENT, records)
    (call,) = timeline.calls
    assert (call.transfers, call.survey, call.task_ids) == ((), None, ())
    (task,) = timeline.callbacks
    assert task.attempts == ()


def test_an_empty_history_is_an_empty_timeline() -> None:
    timeline = build_timeline(CLIENT, Records())
    assert (timeline.client, timeline.entries) == (CLIENT, ())


def test_messages_take_their_place_in_time_with_their_files_notices_and_surveys() -> None:
    # G3: one history across channels; message A came 03.12 09:15, message B 05.12 14:00
    timeline = build_timeline(CLIENT, with_messages(story_records()))
    assert [(entry.kind, entry.ref_id) for entry in timeline.entries] == [
        (EntryKind.CALL, 11),
        (EntryKind.CALLBACK, 22),
        (EntryKind.CALL, 12),
        (EntryKind.CALLBACK, 21),
        (EntryKind.MESSAGE, 31),
        (EntryKind.CALL, 13),
        (EntryKind.MESSAGE, 32),
        (EntryKind.CALL, 14),
    ]
    a, b = timeline.messages
    assert a == MessageEntry(
        message=MESSAGE_A,
        attachments=(FILE_PDF, FILE_JPG),
        notices=(PRIMARY_EMAIL, PRIMARY_SMS, ANSWER),
        surveys=(LINK_UNANSWERED, LINK_ANSWERED),
    )
    assert b == MessageEntry(message=MESSAGE_B, attachments=(), notices=(PRIMARY_POST,), surveys=())


def test_a_message_at_the_same_instant_as_a_call_comes_after_it() -> None:
    at_once = replace(MESSAGE_A, received_at=CALL_A.arrived_at)
    timeline = build_timeline(CLIENT, Records(calls=(CALL_A,), messages=(at_once,)))
    assert [entry.kind for entry in timeline.entries] == [EntryKind.CALL, EntryKind.MESSAGE]
