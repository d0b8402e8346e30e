"""Live state for the console: who is waiting (with wait and topic) and what operators do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ami.events import AgentConnect, AmiEvent, QueueCallerJoin, QueueEntry, QueueMember, parse_event
from ami.live_state import OPERATORS_TOPIC, QUEUE_TOPIC, LiveState
from tests.ami.captures import capture_events

AT = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def _event(**headers: str) -> AmiEvent:
    event = parse_event({"Timestamp": f"{AT.timestamp():.6f}", **headers}, AT)
    assert event is not None, headers
    return event


def _replay(name: str, state: LiveState) -> list[frozenset[str]]:
    return [state.apply(event) for event in capture_events(name)]


def test_caller_waits_while_in_the_queue_then_leaves_when_answered() -> None:
    state = LiveState("consult")
    events = capture_events("a-answered")
    join = next(i for i, e in enumerate(events) if isinstance(e, QueueCallerJoin))
    for event in events[: join + 1]:
        state.apply(event)
    at_join = events[join].at
    waiting = state.snapshot(at_join + timedelta(seconds=2))["waiting"]
    assert [(w["caller_num"], w["wait_s"]) for w in waiting] == [("79281234567", 2)]

    for event in events[join + 1 :]:
        state.apply(event)
    snapshot = state.snapshot(at_join + timedelta(seconds=20))
    assert snapshot["waiting"] == []
    assert [op["member_name"] for op in snapshot["operators"]] == ["agent1"]


def test_abandoned_caller_disappears_from_the_waiting_list() -> None:
    state = LiveState("consult")
    changes = _replay("b-abandoned", state)
    assert sum(QUEUE_TOPIC in change for change in changes) == 2  # joined, then abandoned
    assert state.snapshot(AT)["waiting"] == []


def test_other_queues_are_not_shown() -> None:
    state = LiveState("consult-line")
    _replay("a-answered", state)  # the harness queue is "consult"
    assert state.snapshot(AT) == {"waiting": [], "operators": []}


def test_topic_chosen_in_the_ivr_is_shown_with_the_waiting_caller() -> None:
    # C1: the operator sees the topic before answering.
    state = LiveState("consult-line")
    channel = {
        "Channel": "PJSIP/trunk-00000001",
        "Uniqueid": "1.1",
        "Linkedid": "1.1",
        "CallerIDNum": "79281234567",
    }
    state.apply(_event(Event="VarSet", Variable="LINE_TOPIC", Value="support_measures", **channel))
    changed = state.apply(
        _event(Event="QueueCallerJoin", Queue="consult-line", Position="1", Count="1", **channel)
    )
    assert changed == {QUEUE_TOPIC}
    assert state.snapshot(AT)["waiting"][0]["topic"] == "support_measures"


def test_pause_with_reason_then_unpause() -> None:
    state = LiveState("consult-line")
    member = {
        "Queue": "consult-line",
        "MemberName": "Магомедова П. Г.",
        "Interface": "PJSIP/201",
        "Status": "1",
    }
    state.apply(_event(Event="QueueMemberAdded", Paused="0", **member))
    assert state.apply(
        _event(Event="QueueMemberPause", Paused="1", PausedReason="обед", **member)
    ) == {OPERATORS_TOPIC}
    [operator] = state.snapshot(AT + timedelta(seconds=75))["operators"]
    assert (operator["activity"], operator["paused_reason"]) == ("paused", "обед")
    assert operator["in_state_s"] == 75  # since the pause, for the wallboard
    state.apply(_event(Event="QueueMemberPause", Paused="0", **member))
    assert state.snapshot(AT)["operators"][0]["activity"] == "ready"


def test_resync_replaces_the_picture_with_queue_status() -> None:
    state = LiveState("consult-line")
    _replay("a-answered", state)
    entry = _event(
        Event="QueueEntry",
        Queue="consult-line",
        Position="1",
        Channel="PJSIP/trunk-00000009",
        Uniqueid="9.9",
        CallerIDNum="79880000001",
        CallerIDName="",
        Wait="40",
    )
    member = _event(
        Event="QueueMember",
        Queue="consult-line",
        Name="Оператор 202",
        Location="PJSIP/202",
        Status="1",
        Paused="0",
    )
    assert isinstance(entry, QueueEntry)
    assert isinstance(member, QueueMember)
    state.resync([entry], [member])
    snapshot = state.snapshot(AT + timedelta(seconds=5))
    assert [(w["uniqueid"], w["wait_s"]) for w in snapshot["waiting"]] == [("9.9", 45)]
    assert [(o["interface"], o["activity"]) for o in snapshot["operators"]] == [
        ("PJSIP/202", "ready")
    ]


def test_the_operator_shows_the_call_connected_to_them_until_the_next_one() -> None:
    # The console opens the card of the call AgentConnect gave this device, and keeps its
    # linkedid through the wrap-up (for the farewell); the channel is the member's leg.
    state = LiveState("consult")
    events = capture_events("a-answered")
    connect = next(i for i, e in enumerate(events) if isinstance(e, AgentConnect))
    changes = [state.apply(event) for event in events[: connect + 1]]
    assert OPERATORS_TOPIC in changes[-1]
    linkedid = events[connect].linkedid
    (operator,) = state.snapshot(AT)["operators"]
    assert operator["linkedid"] == linkedid
    assert operator["channel"].startswith("Local/agent1@harness-agents")
    for event in events[connect + 1 :]:
        state.apply(event)
    (operator,) = state.snapshot(AT)["operators"]
    assert (operator["linkedid"], operator["channel"]) == (linkedid, "")
