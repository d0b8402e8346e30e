"""The line's dialplan on the simulator, its FastAGI routes answered by the real server.

The simulated Asterisk connects to the line's FastAGI server (the real route table on a real
database, the flows' fixed clock: Monday 10:00 or a Saturday), sends the environment, answers
each command, presses the caller's keys; the routes' variables decide the call's path, and
the AMI stream of the call gives the call-log record the projector makes of it. Also: the
priorities the simulator announces are those of ``dialplan/consult-line.conf``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ami.call_record import CallLogEntry
from ivr.agi.channel import AgiChannel
from ivr.agi.server import AgiServer
from models.rules.missed import QueueExit
from models.rules.transfers import TransferOutcome
from models.tables import Call
from models.tables.calls import HangupSide, TransferKind
from models.tables.surveys import SurveyResponse
from models.topics import Topic
from simulator.caller import CallerPlan
from simulator.devices import PhoneBehaviour
from simulator.queues import MemberConfig
from tests.dialplan_parser import Dialplan, load_config
from tests.ivr.flows.conftest import OPEN, SATURDAY, FixedClock
from tests.simulator.line import CALLER, MENU_KEYS, OPERATOR, play

ROOT = Path(__file__).resolve().parents[2]


def _call(engine: Engine) -> Call:
    with Session(engine) as session:
        return session.exec(select(Call)).one()


async def test_a_caller_in_working_hours_chooses_a_topic_talks_and_answers_the_survey(
    server: AgiServer, db_engine: Engine
) -> None:  # C1, C3, C15
    plan = CallerPlan(CALLER, "Ivan Petrov", keys=MENU_KEYS)
    played = await play(server, plan, start=OPEN.timestamp())
    variables = played.variables()
    assert variables["LINE_OPEN"] == "1"
    assert variables["LINE_ROUTE"] == "queue"
    assert variables["LINE_TOPIC"] == Topic.SUPPORT_MEASURES.value
    assert variables["QUEUESTATUS"] == "CONTINUE"
    assert variables["SURVEY_ANSWER_RECEIVED"] == "yes"
    entry = played.entry
    assert entry.queue_exit is QueueExit.CONNECTED
    assert entry.operator_interface == OPERATOR
    assert entry.did == "78722678091"
    assert entry.talk_s == 30.0  # the operator's phone hung up after 30 s
    assert entry.queue_wait_s == pytest.approx(4.0)  # rang 4 s, exactly: virtual time
    assert entry.hangup_side is HangupSide.OPERATOR
    call = _call(db_engine)  # what the entry route recorded
    assert (call.linkedid, call.topic) == (entry.linkedid, Topic.SUPPORT_MEASURES)
    with Session(db_engine) as session:
        survey = session.exec(select(SurveyResponse)).one()
    assert survey.completed


async def test_after_hours_the_route_speaks_and_the_pbx_hangs_up(
    server: AgiServer, clock: FixedClock, db_engine: Engine
) -> None:  # C3
    clock.now = SATURDAY
    played = await play(server, CallerPlan(CALLER), start=SATURDAY.timestamp())
    variables = played.variables()
    assert (variables["LINE_OPEN"], variables["LINE_ROUTE"]) == ("0", "hangup")
    entry = played.entry
    assert entry.queue_exit is QueueExit.NOT_QUEUED
    assert entry.hangup_side is HangupSide.SYSTEM
    assert not [event for event, _ in played.events if event.name == "QueueCallerJoin"]


async def test_every_operator_paused_is_joinempty_then_the_no_operators_message(
    server: AgiServer,
) -> None:  # C13
    plan = CallerPlan(CALLER, keys=MENU_KEYS)
    paused = (MemberConfig(OPERATOR, paused=True),)
    played = await play(server, plan, start=OPEN.timestamp(), members=paused)
    assert played.variables()["QUEUESTATUS"] == "JOINEMPTY"
    assert played.entry.queue_exit is QueueExit.EMPTY
    assert ("consult-line-fallback", "no-operators", 1, "Playback") in set(played.locations())


async def test_a_caller_who_hangs_up_in_the_menu_ends_the_agi_with_hangup(
    server: AgiServer,
) -> None:  # C13: abandoned in the IVR
    plan = CallerPlan(CALLER, keys={"welcome-language": "1"}, patience_s=5.0)
    played = await play(server, plan, start=OPEN.timestamp())
    assert played.variables()["AGISTATUS"] == "HANGUP"
    entry = played.entry
    assert entry.queue_exit is QueueExit.NOT_QUEUED
    assert entry.hangup_side is HangupSide.CALLER
    assert (entry.ended_at - entry.arrived_at).total_seconds() == pytest.approx(5.0)


async def test_fastagi_down_the_dialplan_falls_back_to_the_queue(server: AgiServer) -> None:
    # Nothing listens on the port: AGISTATUS=FAILURE, no LINE_OPEN, Monday 10:00 Moscow
    # time is working time for GotoIfTime: the agi-failure message, then the queue.
    port = server.port
    await server.stop()
    plan = CallerPlan(CALLER)
    played = await play(server, plan, start=OPEN.timestamp(), agi_port=port)
    assert played.variables()["AGISTATUS"] == "FAILURE"
    assert ("consult-line-fallback", "entry-failed", 7, "Playback") in set(played.locations())
    assert played.entry.queue_exit is QueueExit.CONNECTED


async def test_the_announced_priorities_are_those_of_the_dialplan_file(
    server: AgiServer,
) -> None:
    dialplan = Dialplan(load_config(ROOT / "dialplan" / "consult-line.conf"))
    plans = [
        CallerPlan(CALLER, keys=MENU_KEYS),
        CallerPlan(CALLER, patience_s=3.0),
    ]
    seen: set[tuple[str, str, int, str]] = set()
    for plan in plans:
        seen |= set((await play(server, plan, start=OPEN.timestamp())).locations())
    # The member's leg shows app_queue's own "AppQueue((Outgoing Line))" outside any context.
    ours = {location for location in seen if location[0] in dialplan.contexts}
    assert len(ours) > 30
    assert seen - ours == {("default", "", 1, "AppQueue")}
    for context, exten, priority, application in ours:
        [extension] = dialplan.extensions_for(context, exten)
        step = extension.steps[priority]
        assert step.app == application, (context, exten, priority)


def _transfers(entry: CallLogEntry) -> list[tuple[TransferKind, str, str, TransferOutcome]]:
    return [(t.kind, t.to_extension, t.from_interface, t.outcome) for t in entry.transfers]


@pytest.mark.usefixtures("employees")
async def test_the_operators_blind_transfer_passes_the_guard_and_reaches_the_employee(
    server: AgiServer,
) -> None:  # C9, C10
    phones = {
        OPERATOR: PhoneBehaviour(ring_s=4, talk_s=None, transfer_to="301", transfer_after_s=10),
        "PJSIP/301": PhoneBehaviour(ring_s=3, talk_s=20),
    }
    played = await play(server, CallerPlan(CALLER, keys=MENU_KEYS), start=OPEN.timestamp(),
                        phones=phones)  # fmt: skip
    variables = played.variables()
    assert (variables["XFER_LEG"], variables["TRANSFER_ALLOWED"]) == ("caller", "1")
    assert variables["TRANSFER_DEVICE"] == "PJSIP/301"
    entry = played.entry
    assert _transfers(entry) == [(TransferKind.BLIND, "301", OPERATOR, TransferOutcome.COMPLETED)]
    assert entry.talk_s == 10.0  # queue time only: the employee was dialled, not queued
    assert entry.hangup_side is HangupSide.OPERATOR  # the employee hung up
    assert variables["SURVEY_ANSWER_RECEIVED"] == "yes"  # then the survey (C15)


@pytest.mark.usefixtures("employees")
async def test_the_third_transfer_is_refused_by_the_guard(server: AgiServer) -> None:  # C10
    phones = {
        OPERATOR: PhoneBehaviour(ring_s=4, talk_s=None, transfer_to="301", transfer_after_s=5),
        "PJSIP/301": PhoneBehaviour(ring_s=3, talk_s=None, transfer_to="302", transfer_after_s=5),
        "PJSIP/302": PhoneBehaviour(ring_s=3, talk_s=None, transfer_to="303", transfer_after_s=5),
        "PJSIP/303": PhoneBehaviour(ring_s=3, talk_s=20),
    }
    played = await play(server, CallerPlan(CALLER, keys=MENU_KEYS), start=OPEN.timestamp(),
                        phones=phones)  # fmt: skip
    assert _transfers(played.entry) == [
        (TransferKind.BLIND, "301", OPERATOR, TransferOutcome.COMPLETED),
        (TransferKind.BLIND, "302", "PJSIP/301", TransferOutcome.COMPLETED),
        (TransferKind.BLIND, "303", "PJSIP/302", TransferOutcome.FAILED),
    ]
    assert played.variables()["LINE_ROUTE"] == "hangup"  # the route told the caller
    assert played.entry.hangup_side is HangupSide.SYSTEM
    dialled = {dict(e.headers)["DestChannel"].rsplit("-", 1)[0]
               for e, _ in played.events if e.name == "DialBegin"}  # fmt: skip
    assert "PJSIP/303" not in dialled


@pytest.mark.usefixtures("employees")
async def test_an_attended_transfer_hands_the_caller_over_when_the_operator_hangs_up(
    server: AgiServer,
) -> None:  # C9
    phones = {
        OPERATOR: PhoneBehaviour(
            ring_s=4, talk_s=6, transfer_to="301", transfer_after_s=10, attended=True
        ),
        "PJSIP/301": PhoneBehaviour(ring_s=3, talk_s=20),
    }
    played = await play(server, CallerPlan(CALLER, keys=MENU_KEYS), start=OPEN.timestamp(),
                        phones=phones)  # fmt: skip
    entry = played.entry
    assert _transfers(entry) == [
        (TransferKind.ATTENDED, "301", OPERATOR, TransferOutcome.COMPLETED)
    ]
    assert played.variables("Local/301@consult-line-transfer-")["XFER_LEG"] == "consult"
    assert entry.hangup_side is HangupSide.OPERATOR
    assert played.variables()["QUEUESTATUS"] == "CONTINUE"


async def test_a_route_that_fails_sends_the_caller_down_the_fallback_path() -> None:
    """The server's one error path (``LINE_AGI_FAILED=1``) under the simulator, as on
    Asterisk: the dialplan falls back (working time: the apology, then the queue)."""

    async def broken(_channel: AgiChannel) -> None:
        raise RuntimeError("the route is broken")

    failing = AgiServer({"entry": broken}, host="127.0.0.1", port=0)
    await failing.start()
    try:
        played = await play(failing, CallerPlan(CALLER), start=OPEN.timestamp())
    finally:
        await failing.stop()
    variables = played.variables()
    assert variables["LINE_AGI_FAILED"] == "1"
    assert "LINE_AGI_DONE" not in {k for k, v in variables.items() if v}
    assert ("consult-line-fallback", "entry-failed", 7, "Playback") in set(played.locations())
    assert played.entry.queue_exit is QueueExit.CONNECTED
