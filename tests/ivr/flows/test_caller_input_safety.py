"""Caller-controlled text (caller ID number and name) is stored as text and never reaches
Asterisk in a command (docs/asterisk.md §5: argument parsing, ${} evaluation)."""

from __future__ import annotations

import pytest

from ivr.route_names import ENTRY, SURVEY, TRANSFER
from ivr.variables import LINE_LANGUAGE, LINE_ROUTE
from tests.factories import add_employee
from tests.ivr.flows.conftest import (
    SATURDAY,
    FixedClock,
    Line,
    prompts_played,
)

EVIL_NAME = 'Ivan "Boss" ${SHELL(rm -rf /)}\r\x1b'
EVIL_NUMBER = '79281234567" ${SHELL(rm -rf /)}'
FRAGMENTS = ("SHELL", "rm -rf", "Ivan", "Boss", "${", "79281234567")


def _assert_never_sent(commands: list[str]) -> None:
    for command in commands:
        for fragment in FRAGMENTS:
            assert fragment not in command, command


async def test_malicious_caller_id_is_stored_as_text_and_never_sent(line: Line) -> None:
    record = await line.call(ENTRY, digits=["1", "2"], callerid=EVIL_NUMBER, calleridname=EVIL_NAME)
    _assert_never_sent(record.commands)
    assert record.variables_set[LINE_ROUTE] == "queue"
    call = line.call_row()
    assert call is not None
    assert call.caller_name == 'Ivan "Boss" ${SHELL(rm -rf /)}'
    assert call.caller_number == EVIL_NUMBER
    assert call.caller_e164 is None


async def test_malicious_caller_id_after_hours_is_not_read_back_as_a_callback_number(
    line: Line, clock: FixedClock
) -> None:
    # Only a validated number is ever said back (SAY DIGITS); this one must be keyed in.
    clock.now = SATURDAY
    record = await line.call(
        ENTRY,
        digits=["1", "", "", "", "", "", "1", "", "", ""],
        callerid=EVIL_NUMBER,
        calleridname=EVIL_NAME,
    )
    _assert_never_sent(record.commands)
    assert "ru/callback-enter-number" in prompts_played(record)
    assert not any(command.startswith("SAY DIGITS") for command in record.commands)


@pytest.mark.parametrize("route", [SURVEY, TRANSFER])
async def test_later_routes_never_echo_the_caller_id(line: Line, route: str) -> None:
    add_employee(line.engine, "301", "PJSIP/301")
    args = ("1795867285.0", "301") if route == TRANSFER else ("1795867285.0",)
    record = await line.call(
        route,
        args,
        digits=["", "1", "1", ""],
        variables={LINE_LANGUAGE: "ru"},
        callerid=EVIL_NUMBER,
        calleridname=EVIL_NAME,
    )
    _assert_never_sent(record.commands)


async def test_newline_in_the_caller_name_falls_back_without_running_a_flow(line: Line) -> None:
    # Asterisk sends the name raw: a newline ends the environment line early. The server
    # refuses the block, the dialplan falls back to the queue, nothing is stored or echoed.
    record = await line.call(ENTRY, calleridname="Evil\n${SHELL(rm -rf /)}", expect_failure=True)
    assert record.commands == ['SET VARIABLE LINE_AGI_FAILED "1"']
    assert line.call_row() is None
