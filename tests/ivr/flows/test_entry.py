"""Route ``entry``: language, topic menu, routing by working hours (C1, C3, V11)."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine

from ivr.flows.context import FlowContext
from ivr.missing_sounds import MissingSounds
from ivr.route_names import ENTRY
from ivr.variables import (
    LINE_LANGUAGE,
    LINE_OPEN,
    LINE_QUEUE_PRIORITY,
    LINE_ROUTE,
    LINE_TOPIC,
)
from models.line_store import CallbackRequest
from models.rules.callbacks import TimeWindow
from models.settings import Settings
from models.tables import CallbackSource, Language
from models.topics import Topic
from tests.ivr.flows.conftest import (
    CALLER_E164,
    LINKEDID,
    MSK,
    OPEN,
    SATURDAY,
    FixedClock,
    Line,
    add_client,
    prompts_played,
)


async def test_happy_path_sets_queue_variables_and_logs_the_path(line: Line) -> None:
    # C1: topic 2 (support measures); C3: Monday 10:00 is open; V11: Russian chosen.
    record = await line.call(ENTRY, digits=["1", "2"])
    assert record.commands == [
        "ANSWER",
        'SET VARIABLE LINE_OPEN "1"',
        "GET DATA consult-line/ru/welcome-language 4000 1",
        'SET VARIABLE LINE_LANGUAGE "ru"',
        "GET DATA consult-line/ru/topic-menu 5000 1",
        'SET VARIABLE LINE_TOPIC "support_measures"',
        'SET VARIABLE LINE_QUEUE_PRIORITY "0"',
        'SET VARIABLE LINE_ROUTE "queue"',
    ]
    call = line.call_row()
    assert call is not None
    assert (call.ivr_path, call.topic, call.language) == (
        "lang:1>topic:2",
        Topic.SUPPORT_MEASURES,
        Language.RU,
    )
    assert (call.arrived_at, call.in_working_hours) == (OPEN, True)
    assert (call.caller_number, call.caller_e164, call.did) == (
        "79281234567",
        CALLER_E164,
        "78722678091",
    )


async def test_missing_dnid_is_stored_empty_not_as_unknown(line: Line) -> None:
    # Asterisk sends "agi_dnid: unknown" when the trunk gave no DNID (seen on a real 22.10.1).
    await line.call(ENTRY, digits=["1", "2"], dnid="unknown")
    call = line.call_row()
    assert call is not None
    assert call.did == ""


async def test_every_topic_key_of_the_menu_routes_to_its_topic(line: Line) -> None:
    # C1: the five topics and the operator.
    expected = {
        "1": "state_services",
        "2": "support_measures",
        "3": "messages",
        "4": "control_supervision",
        "5": "hours_and_visits",
        "0": "general",
    }
    for number, (key, topic) in enumerate(expected.items()):
        record = await line.call(ENTRY, [f"1795867285.{number}"], digits=["1", key])
        assert record.variables_set[LINE_TOPIC] == topic


async def test_wrong_key_twice_goes_to_the_operator_with_topic_general(line: Line) -> None:
    record = await line.call(ENTRY, digits=["1", "7", "", "8"])
    assert prompts_played(record) == [
        "ru/welcome-language",
        "ru/topic-menu",
        "ru/invalid-choice",
        "ru/topic-menu",
        "ru/to-operator",
    ]
    assert record.variables_set[LINE_TOPIC] == "general"
    assert record.variables_set[LINE_ROUTE] == "queue"
    call = line.call_row()
    assert call is not None
    assert call.ivr_path == "lang:1>topic:7>topic:8>topic=general"


async def test_wrong_key_then_a_valid_one_is_taken(line: Line) -> None:
    record = await line.call(ENTRY, digits=["1", "9", "", "3"])
    assert record.variables_set[LINE_TOPIC] == "messages"


async def test_key_pressed_during_the_repeat_notice_answers_the_menu(line: Line) -> None:
    # No idle gap: the key interrupting "invalid choice" is the answer, no second question.
    record = await line.call(ENTRY, digits=["1", "9", "4"])
    assert prompts_played(record) == [
        "ru/welcome-language",
        "ru/topic-menu",
        "ru/invalid-choice",
    ]
    assert record.variables_set[LINE_TOPIC] == "control_supervision"


async def test_silence_keeps_russian_and_ends_at_the_operator_queue(line: Line) -> None:
    record = await line.call(ENTRY, digits=[])
    assert prompts_played(record) == [
        "ru/welcome-language",
        "ru/topic-menu",
        "ru/no-input",
        "ru/topic-menu",
        "ru/to-operator",
    ]
    assert record.variables_set[LINE_LANGUAGE] == "ru"
    assert record.variables_set[LINE_TOPIC] == "general"
    assert record.variables_set[LINE_ROUTE] == "queue"
    call = line.call_row()
    assert call is not None
    assert call.ivr_path == "lang:->lang=ru>topic:->topic:->topic=general"


async def test_english_choice_plays_the_menu_in_english(line: Line) -> None:
    # V11: explanations in English for foreign citizens.
    record = await line.call(ENTRY, digits=["2", "5"])
    assert prompts_played(record) == ["ru/welcome-language", "en/topic-menu"]
    assert record.variables_set[LINE_LANGUAGE] == "en"
    assert record.variables_set[LINE_TOPIC] == "hours_and_visits"
    call = line.call_row()
    assert call is not None
    assert call.language is Language.EN


async def test_known_english_client_is_greeted_in_english_and_silence_keeps_it(
    line: Line, db_engine: Engine
) -> None:
    client_id = add_client(db_engine, language=Language.EN)
    record = await line.call(ENTRY, digits=["", "1"])
    assert prompts_played(record)[:2] == ["en/welcome-language", "en/topic-menu"]
    assert record.variables_set[LINE_LANGUAGE] == "en"
    call = line.call_row()
    assert call is not None
    assert call.client_id == client_id


async def test_caller_awaiting_a_callback_gets_queue_priority(
    line: Line, context: FlowContext
) -> None:
    # C11: a caller with an active callback task is already waiting for our answer.
    day = date(2026, 12, 8)
    window = TimeWindow(OPEN.replace(day=8), OPEN.replace(day=8, hour=12))
    context.store.open_callback(
        CallbackRequest(CALLER_E164, CallbackSource.OPERATOR, OPEN, day, (window,))
    )
    record = await line.call(ENTRY, digits=["1", "1"])
    assert record.variables_set[LINE_QUEUE_PRIORITY] == "5"


async def test_caller_hanging_up_mid_menu_leaves_the_path_and_no_error(line: Line) -> None:
    # The call log shows where they left (C13 reports "abandoned in IVR").
    record = await line.call(ENTRY, digits=["1"], hang_up_after=2)
    assert LINE_ROUTE not in record.variables_set
    assert record.variables_set[LINE_OPEN] == "1"
    call = line.call_row()
    assert call is not None
    assert (call.ivr_path, call.language, call.topic) == ("lang:1", Language.RU, None)


async def test_caller_hanging_up_at_the_greeting_is_still_logged(line: Line) -> None:
    await line.call(ENTRY, hang_up_after=1)
    call = line.call_row()
    assert call is not None
    assert (call.ivr_path, call.language, call.in_working_hours) == ("", None, True)


@pytest.mark.parametrize(("close_early", "open_flag"), [(False, "1"), (True, "0")])
async def test_shortened_day_closes_the_line_at_17_only_when_the_setting_says_so(
    line: Line, clock: FixedClock, settings: Settings, close_early: bool, open_flag: str
) -> None:
    # C3: 17:30 on Tuesday 2026-11-03, the eve of 4 November (Labour Code art. 95).
    settings.shortened_days_close_early = close_early
    clock.now = datetime(2026, 11, 3, 17, 30, tzinfo=MSK)
    record = await line.call(ENTRY, digits=["1", "2"] if open_flag == "1" else ["1"])
    assert record.variables_set[LINE_OPEN] == open_flag
    call = line.call_row()
    assert call is not None
    assert call.in_working_hours is (open_flag == "1")


async def test_closed_line_routes_to_hangup_after_the_after_hours_message(
    line: Line, clock: FixedClock
) -> None:
    # C3: Saturday. Details of the message are in test_after_hours.
    clock.now = SATURDAY
    record = await line.call(ENTRY, digits=["1"])
    assert record.variables_set[LINE_OPEN] == "0"
    assert record.variables_set[LINE_ROUTE] == "hangup"
    assert LINE_TOPIC not in record.variables_set
    call = line.call_row()
    assert call is not None
    assert (call.arrived_at, call.in_working_hours) == (SATURDAY, False)


async def test_bad_linkedid_argument_takes_the_error_path_before_answering(line: Line) -> None:
    record = await line.call(ENTRY, ["1795867285.0,EVIL"], expect_failure=True)
    assert record.commands == ['SET VARIABLE LINE_AGI_FAILED "1"']
    assert line.call_row("1795867285.0,EVIL") is None


async def test_missing_linkedid_argument_takes_the_error_path(line: Line) -> None:
    record = await line.call(ENTRY, [], expect_failure=True)
    assert record.commands == ['SET VARIABLE LINE_AGI_FAILED "1"']
    assert line.call_row(LINKEDID) is None


async def test_without_installed_prompts_the_caller_still_gets_the_menu(
    line: Line, sounds: MissingSounds
) -> None:
    # Seen on a real Asterisk: with no prompt files every STREAM FILE / GET DATA answers
    # result=-1 as for a hang-up, and the caller went to the queue without a topic. Now the
    # keys are still heard (C1), and the missing prompts are listed for /health.
    record = await line.call(ENTRY, digits=["1", "3"], missing_sounds=frozenset({"*"}))
    assert record.commands == [
        "ANSWER",
        'SET VARIABLE LINE_OPEN "1"',
        "GET DATA consult-line/ru/welcome-language 4000 1",
        "CHANNEL STATUS",
        'GET DATA "" 4000 1',
        'SET VARIABLE LINE_LANGUAGE "ru"',
        "GET DATA consult-line/ru/topic-menu 5000 1",
        "CHANNEL STATUS",
        'GET DATA "" 5000 1',
        'SET VARIABLE LINE_TOPIC "messages"',
        'SET VARIABLE LINE_QUEUE_PRIORITY "0"',
        'SET VARIABLE LINE_ROUTE "queue"',
    ]
    assert [item.sound for item in sounds.snapshot()] == [
        "consult-line/ru/topic-menu",
        "consult-line/ru/welcome-language",
    ]
    errors = [r.getMessage() for r in line.caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert "consult-line/ru/topic-menu" in errors[1]
    call = line.call_row()
    assert call is not None
    assert call.ivr_path == "lang:1>topic:3"


async def test_without_prompts_a_silent_caller_reaches_the_operator_queue(line: Line) -> None:
    record = await line.call(ENTRY, digits=[], missing_sounds=frozenset({"*"}))
    assert record.variables_set[LINE_TOPIC] == "general"
    assert record.variables_set[LINE_ROUTE] == "queue"
