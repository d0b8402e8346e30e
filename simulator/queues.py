"""A queue of the simulated PBX (app_queue's state): its members and waiting callers.

What the AMI actions change (QueueAdd, QueueRemove, QueuePause) and list (QueueStatus), and
what Queue() (``simulator.queue_app``) reads: who may be rung and whose turn it is. Every
change of a member sends the member event app_queue sends and writes its ``queue_log`` line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from simulator import ami_events as ev
from simulator.ami_events import AmiEvent, MemberFacts
from simulator.channels import SimChannel
from simulator.clock import Notifier
from simulator.pbx import Pbx
from simulator.queue_log import NONE, QueueLog

Strategy = Literal["ringall", "leastrecent"]

# AST_DEVICE_* as QueueMemberStatus shows them.
NOT_INUSE, INUSE, RINGING = 1, 2, 6


@dataclass(frozen=True, slots=True)
class MemberConfig:
    interface: str
    name: str = ""
    paused: bool = False
    penalty: int = 0


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """The ``queues.conf`` settings the simulation uses."""

    name: str
    strategy: Strategy = "ringall"
    member_timeout_s: float = 15.0  # timeout: how long one member rings
    retry_s: float = 2.0  # retry: the pause before ringing again
    wrapup_s: float = 0.0  # wrapuptime
    log_membername_as_agent: bool = True
    members: tuple[MemberConfig, ...] = ()


@dataclass(eq=False)
class QueueMember:
    interface: str
    name: str
    dynamic: bool
    paused: bool = False
    paused_reason: str = ""
    penalty: int = 0
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    login_time: int = 0
    in_call: bool = False
    ringing: bool = False
    free_at: float = 0.0  # end of the wrap-up after the last call

    @property
    def status(self) -> int:
        if self.in_call:
            return INUSE
        if self.ringing:
            # A Local member's device shows in use while it rings (the recordings).
            return INUSE if self.interface.startswith("Local/") else RINGING
        return NOT_INUSE


@dataclass(eq=False)
class QueueEntry:
    chan: SimChannel
    joined_at: float
    priority: int
    original_position: int
    ringing: bool = False  # has legs out right now


@dataclass
class QueueStats:
    calls_completed: int = 0
    calls_abandoned: int = 0
    holdtime: int = 0  # app_queue's running averages: (3 × old + new) / 4
    talktime: int = 0

    def completed(self, hold_s: int, talk_s: int) -> None:
        self.calls_completed += 1
        self.holdtime = (self.holdtime * 3 + hold_s) // 4
        self.talktime = (self.talktime * 3 + talk_s) // 4


@dataclass(eq=False)
class SimQueue:
    pbx: Pbx
    config: QueueConfig
    queue_log: QueueLog
    members: dict[str, QueueMember] = field(default_factory=dict)
    entries: list[QueueEntry] = field(default_factory=list)
    stats: QueueStats = field(default_factory=QueueStats)
    changed: Notifier | None = None

    def __post_init__(self) -> None:
        self.changed = Notifier(self.pbx.clock, f"queue {self.config.name}")
        for member in self.config.members:
            self.members[member.interface] = QueueMember(
                interface=member.interface,
                name=member.name or member.interface,
                dynamic=False,
                paused=member.paused,
                penalty=member.penalty,
            )

    @property
    def name(self) -> str:
        return self.config.name

    def notify(self) -> None:
        assert self.changed is not None
        self.changed.notify()

    def agent(self, member: QueueMember) -> str:
        return member.name if self.config.log_membername_as_agent else member.interface

    def log(self, callid: str, agent: str, event: str, *data: str) -> None:
        self.queue_log.write(self.pbx.clock.now(), callid, self.name, agent, event, *data)

    # ------------------------------------------------------------------ members

    def facts(self, member: QueueMember) -> MemberFacts:
        return MemberFacts(
            queue=self.name,
            name=member.name,
            interface=member.interface,
            state_interface=member.interface,
            dynamic=member.dynamic,
            penalty=member.penalty,
            calls_taken=member.calls_taken,
            last_call=member.last_call,
            last_pause=member.last_pause,
            login_time=member.login_time,
            in_call=member.in_call,
            status=member.status,
            paused=member.paused,
            paused_reason=member.paused_reason,
            wrapup_time=int(self.config.wrapup_s),
        )

    def publish(self, member: QueueMember, event: str = "QueueMemberStatus") -> None:
        self.pbx.emit(ev.member_event(event, self.facts(member)))

    def add_member(self, interface: str, name: str, *, paused: bool, reason: str) -> str | None:
        """QueueAdd; the error Asterisk answers, or None."""
        if interface in self.members:
            return "Unable to add interface: Already there"
        now = int(self.pbx.clock.now())
        member = QueueMember(
            interface=interface,
            name=name or interface,
            dynamic=True,
            paused=paused,
            paused_reason=reason if paused else "",
            login_time=now,
            last_pause=now if paused else 0,
        )
        self.members[interface] = member
        self.log("MANAGER", self.agent(member), "ADDMEMBER", "PAUSED" if paused else "")
        self.publish(member, "QueueMemberAdded")
        self.notify()
        return None

    def remove_member(self, interface: str) -> str | None:
        member = self.members.get(interface)
        if member is None:
            return "Unable to remove interface: Not there"
        if not member.dynamic:
            return "Member not dynamic"
        del self.members[interface]
        self.log("MANAGER", self.agent(member), "REMOVEMEMBER", "")
        self.publish(member, "QueueMemberRemoved")
        self.notify()
        return None

    def pause(self, interface: str, paused: bool, reason: str) -> bool:
        """QueuePause; False when the interface is no member."""
        member = self.members.get(interface)
        if member is None:
            return False
        member.paused = paused
        member.paused_reason = reason if paused else ""
        member.last_pause = int(self.pbx.clock.now()) if paused else member.last_pause
        if paused:
            self.log(NONE, self.agent(member), "PAUSE", reason)
        else:
            self.log(NONE, self.agent(member), "UNPAUSE", "")
        self.publish(member, "QueueMemberPause")
        self.notify()
        return True

    def may_join(self) -> bool:
        """``joinempty = paused,unavailable,invalid``: someone not paused is a member."""
        return any(not member.paused for member in self.members.values())

    def free(self, member: QueueMember, now: float) -> bool:
        return (
            not member.paused
            and not member.in_call
            and not member.ringing
            and now >= member.free_at
        )

    def wrapup_ends(self, now: float) -> float | None:
        """When the first member now in wrap-up may be rung again (app_queue looks again
        every second; nothing else announces the end of a wrap-up)."""
        ends = [
            member.free_at
            for member in self.members.values()
            if member.free_at > now and not (member.paused or member.in_call or member.ringing)
        ]
        return min(ends, default=None)

    # ------------------------------------------------------------------ callers

    def join(self, chan: SimChannel, priority: int) -> QueueEntry:
        """QueueCallerJoin; behind every caller of the same or a higher priority."""
        index = len(self.entries)
        for number, entry in enumerate(self.entries):
            if entry.priority < priority:
                index = number
                break
        entry = QueueEntry(chan, self.pbx.clock.now(), priority, original_position=index + 1)
        self.entries.insert(index, entry)
        self.pbx.emit(
            ev.queue_caller(
                "QueueCallerJoin",
                chan,
                self.name,
                (("Position", str(index + 1)), ("Count", str(len(self.entries)))),
            )
        )
        self.log(chan.uniqueid, NONE, "ENTERQUEUE", "", chan.caller_num, str(index + 1))
        return entry

    def position(self, entry: QueueEntry) -> int:
        return self.entries.index(entry) + 1

    def leave(self, entry: QueueEntry) -> None:
        """QueueCallerLeave, sent for every exit (an answered call too)."""
        position = self.position(entry)
        self.entries.remove(entry)
        self.pbx.emit(
            ev.queue_caller(
                "QueueCallerLeave",
                entry.chan,
                self.name,
                (("Position", str(position)), ("Count", str(len(self.entries)))),
            )
        )
        self.notify()

    def pick(self, entry: QueueEntry, now: float) -> list[QueueMember]:
        """Who ``entry`` may ring now: its turn comes once every caller ahead of it is
        ringing someone (``autofill = yes``); ``ringall`` rings every free member,
        ``leastrecent`` the one whose last call ended longest ago."""
        ahead = self.entries[: self.entries.index(entry)]
        if any(not other.ringing for other in ahead):
            return []
        free = [member for member in self.members.values() if self.free(member, now)]
        if self.config.strategy == "ringall" or not free:
            return free
        return [min(free, key=lambda member: (member.last_call, member.penalty))]

    # ------------------------------------------------------------------ QueueStatus

    def status_events(self, now: float) -> Sequence[AmiEvent]:
        """QueueParams, one QueueMember per member, one QueueEntry per waiting caller."""
        stats = self.stats
        params = AmiEvent(
            "QueueParams",
            "",
            (
                ("Queue", self.name),
                ("Max", "0"),
                ("Strategy", self.config.strategy),
                ("Calls", str(len(self.entries))),
                ("Holdtime", str(stats.holdtime)),
                ("TalkTime", str(stats.talktime)),
                ("Completed", str(stats.calls_completed)),
                ("Abandoned", str(stats.calls_abandoned)),
                ("ServiceLevel", "0"),
                ("ServicelevelPerf", "0.0"),
                ("ServicelevelPerf2", "0.0"),
                ("Weight", "0"),
            ),
        )
        members = [_member_listing(self.facts(member)) for member in self.members.values()]
        entries = [
            AmiEvent(
                "QueueEntry",
                "",
                (
                    ("Queue", self.name),
                    ("Position", str(position)),
                    ("Channel", entry.chan.name),
                    ("Uniqueid", entry.chan.uniqueid),
                    ("CallerIDNum", entry.chan.caller_num or "unknown"),
                    ("CallerIDName", entry.chan.caller_name or "unknown"),
                    ("ConnectedLineNum", entry.chan.connected_num or "unknown"),
                    ("ConnectedLineName", entry.chan.connected_name or "unknown"),
                    ("Wait", str(int(now - entry.joined_at))),
                    ("Priority", str(entry.priority)),
                ),
            )
            for position, entry in enumerate(self.entries, start=1)
        ]
        return [params, *members, *entries]


def _member_listing(facts: MemberFacts) -> AmiEvent:
    """QueueStatus's QueueMember."""
    return AmiEvent("QueueMember", "", ev.member_fields(facts, listing=True))
