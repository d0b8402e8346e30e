"""Live state for the console: callers waiting in the queue and what each operator is doing.

Pure: fed with typed AMI events (live, or the QueueStatus list after a (re)login), it keeps
the picture and says which part changed, so the bridge publishes only what moved. Time is
read from the events; ``snapshot`` takes ``now`` for the running times (a caller's ``wait_s``,
an operator's ``in_state_s``), which a page ticks on from the moment it received them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ami.events import (
    AgentComplete,
    AgentConnect,
    AmiEvent,
    Hangup,
    MemberEvent,
    QueueCallerAbandon,
    QueueCallerJoin,
    QueueCallerLeave,
    QueueEntry,
    QueueMember,
    QueueMemberRemoved,
    VarSet,
)
from ivr.variables import LINE_TOPIC

QUEUE_TOPIC = "queue"
OPERATORS_TOPIC = "operators"

# AST_DEVICE_* values in QueueMember/QueueMemberStatus.
_DEVICE_IN_USE = {2, 3, 7}  # in use, busy, on hold
_DEVICE_RINGING = {6, 7}
_DEVICE_UNAVAILABLE = {4, 5}  # invalid, unavailable


class OperatorActivity(StrEnum):
    READY = "ready"
    PAUSED = "paused"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class WaitingCall:
    uniqueid: str
    linkedid: str
    queue: str
    caller_num: str
    caller_name: str
    joined_at: datetime
    topic: str = ""


@dataclass(frozen=True, slots=True)
class OperatorState:
    interface: str
    member_name: str
    activity: OperatorActivity
    paused_reason: str
    since: datetime
    # The call the queue connected to this member (AgentConnect): its linkedid, kept through
    # the wrap-up so the console can show the card's farewell, and the member's own channel
    # (what a transfer moves), "" once the conversation is over.
    linkedid: str = ""
    channel: str = ""


class LiveState:
    def __init__(self, queue: str) -> None:
        self._queue = queue
        self._waiting: dict[str, WaitingCall] = {}
        self._operators: dict[str, OperatorState] = {}
        self._topics: dict[str, str] = {}  # uniqueid -> LINE_TOPIC, until the channel hangs up

    def apply(self, event: AmiEvent) -> frozenset[str]:
        """Takes one event; returns the topics whose picture changed."""
        if isinstance(event, VarSet) and event.variable == LINE_TOPIC:
            self._topics[event.uniqueid] = event.value
            return self._retopic(event.uniqueid, event.value)
        if isinstance(event, QueueCallerJoin) and event.queue == self._queue:
            self._waiting[event.uniqueid] = WaitingCall(
                event.uniqueid,
                event.linkedid,
                event.queue,
                event.chan.caller_num,
                event.chan.caller_name,
                event.at,
                self._topics.get(event.uniqueid, ""),
            )
            return frozenset({QUEUE_TOPIC})
        if isinstance(event, QueueCallerLeave | QueueCallerAbandon):
            return self._leave(event.uniqueid)
        if isinstance(event, Hangup):
            self._topics.pop(event.uniqueid, None)
            return self._leave(event.uniqueid)
        if isinstance(event, AgentConnect | AgentComplete) and event.queue == self._queue:
            return self._agent(event)
        if isinstance(event, MemberEvent) and event.queue == self._queue:
            return self._member(event)
        return frozenset()

    def resync(self, entries: Iterable[QueueEntry], members: Iterable[QueueMember]) -> None:
        """Replaces the picture with a QueueStatus reply (after every (re)login)."""
        self._waiting = {
            entry.uniqueid: WaitingCall(
                entry.uniqueid,
                entry.linkedid or entry.uniqueid,
                entry.queue,
                entry.caller_num,
                entry.caller_name,
                entry.at - timedelta(seconds=entry.wait_s),
                self._topics.get(entry.uniqueid, ""),
            )
            for entry in entries
            if entry.queue == self._queue
        }
        self._operators = {
            member.interface: _operator(member) for member in members if member.queue == self._queue
        }

    def snapshot(self, now: datetime) -> dict[str, Any]:
        waiting = sorted(self._waiting.values(), key=lambda call: call.joined_at)
        return {
            "waiting": [
                {
                    "uniqueid": call.uniqueid,
                    "linkedid": call.linkedid,
                    "caller_num": call.caller_num,
                    "caller_name": call.caller_name,
                    "topic": call.topic,
                    "wait_s": max(0, int((now - call.joined_at).total_seconds())),
                }
                for call in waiting
            ],
            "operators": [
                {
                    "interface": state.interface,
                    "member_name": state.member_name,
                    "activity": state.activity.value,
                    "paused_reason": state.paused_reason,
                    "since": state.since.isoformat(),
                    "in_state_s": max(0, int((now - state.since).total_seconds())),
                    "linkedid": state.linkedid,
                    "channel": state.channel,
                }
                for state in sorted(self._operators.values(), key=lambda s: s.interface)
            ],
        }

    def _retopic(self, uniqueid: str, topic: str) -> frozenset[str]:
        call = self._waiting.get(uniqueid)
        if call is None:
            return frozenset()
        self._waiting[uniqueid] = replace(call, topic=topic)
        return frozenset({QUEUE_TOPIC})

    def _leave(self, uniqueid: str) -> frozenset[str]:
        if self._waiting.pop(uniqueid, None) is None:
            return frozenset()
        return frozenset({QUEUE_TOPIC})

    def _agent(self, event: AgentConnect | AgentComplete) -> frozenset[str]:
        current = self._operators.get(event.interface)
        if current is None:
            return frozenset()
        if isinstance(event, AgentConnect):
            member = event.member.name if event.member is not None else ""
            fresh = replace(
                current,
                activity=OperatorActivity.ON_CALL,
                since=event.at,
                linkedid=event.linkedid,
                channel=member,
            )
        else:
            fresh = replace(current, activity=OperatorActivity.WRAP_UP, since=event.at, channel="")
        self._operators[event.interface] = fresh
        return frozenset({OPERATORS_TOPIC})

    def _member(self, event: MemberEvent) -> frozenset[str]:
        if isinstance(event, QueueMemberRemoved):
            self._operators.pop(event.interface, None)
            return frozenset({OPERATORS_TOPIC})
        fresh = _operator(event)
        current = self._operators.get(event.interface)
        if current is not None:
            fresh = replace(fresh, linkedid=current.linkedid, channel=current.channel)
        if current is not None and current.activity is fresh.activity:
            fresh = replace(fresh, since=current.since)
        if (
            current is not None
            and current.activity is OperatorActivity.WRAP_UP
            and fresh.activity is OperatorActivity.READY
            and event.wrapup_time > 0
            and (event.at - current.since).total_seconds() < event.wrapup_time
        ):
            return frozenset()  # still in wrap-up: the device is free but the queue waits
        if fresh == current:
            return frozenset()
        self._operators[event.interface] = fresh
        return frozenset({OPERATORS_TOPIC})


def _operator(member: MemberEvent) -> OperatorState:
    return OperatorState(
        interface=member.interface,
        member_name=member.member_name,
        activity=_activity(member),
        paused_reason=member.paused_reason if member.paused else "",
        since=member.at,
    )


def _activity(member: MemberEvent) -> OperatorActivity:
    if member.status in _DEVICE_UNAVAILABLE:
        return OperatorActivity.UNAVAILABLE
    if member.status in _DEVICE_RINGING:
        return OperatorActivity.RINGING
    if member.in_call or member.status in _DEVICE_IN_USE:
        return OperatorActivity.ON_CALL
    if member.paused:
        return OperatorActivity.PAUSED
    return OperatorActivity.READY
