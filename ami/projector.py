"""The live call log: a pure state machine per call, fed with typed AMI events.

A call is keyed by the inbound channel's Linkedid, which is that channel's own Uniqueid: every
leg Asterisk creates for the call (queue members, transfer targets, Local channel halves)
carries the same Linkedid. ``CallLogProjector.apply(event)`` returns what changed:
:class:`CallUpdated` (a snapshot, ``ended_at`` None) and, once, :class:`CallFinished`. The
projector reads no clock and does no I/O: the same events give the same outputs.

Decisions:

* **Which calls.** A call is tracked from the ``Newchannel`` whose Uniqueid equals its Linkedid
  (arrival = that event's time) and is logged once its inbound channel shows up in one of the
  line's dialplan contexts (``line_contexts``, defined in ``ami.line_calls`` for the
  reconciliation too); callbacks the console originates start in ``consult-line-callback``
  and never are. Nothing is emitted before that.
* **When a call ends.** When the inbound channel hangs up (``ended_at`` = that Hangup, cause
  from it), or when every channel of the Linkedid has hung up. Operator legs and Local ``;2``
  halves share the Linkedid, so their hang-ups alone never end the call. If the caller's
  conversation with a queue member is still open (AgentConnect without AgentComplete, which
  app_queue publishes asynchronously) and other legs are up, the finish waits for the
  AgentComplete or the last leg, so talk time and hang-up side are not lost.
* **Queue.** Only the inbound channel's queue visits count, and only until an operator first
  answers: a later visit (a transfer to a second-line queue) does not change them.
  ``queue_joined_at`` is the first join, ``queue_wait_s`` the time spent waiting over all
  visits (timestamps, microsecond exact). The exit: AgentConnect → CONNECTED,
  QueueCallerAbandon → ABANDONED, else the ``QUEUESTATUS`` the Queue() application set
  (:data:`QUEUE_STATUS_EXITS`). Asterisk sets no QUEUESTATUS when the caller hangs up (that is
  an abandon) or leaves with a key, so a QueueCallerLeave with none of the above is KEY when
  this call's VarSet events are visible (the AMI user has the ``dialplan`` read class) and
  TIMEOUT when they are not (the likely exit, and a missed call either way). Never joined and
  no QUEUESTATUS → NOT_QUEUED.
* **Operator.** The first AgentConnect: ``answered_at`` and the member's Interface (or the
  device part of its DestChannel). ``talk_s`` is the sum of AgentComplete TalkTime (time with
  queue members, as queue_log counts it; a direct dial after a transfer is not a queue call).
  A call that lived through a gap may show its AgentComplete without the AgentConnect: it was
  answered TalkTime seconds before, by that Interface.
* **Transfers** (C10). Every BlindTransfer and AttendedTransfer, from-interface = the
  transferring member's Interface when known, else the device part of its channel. A Result
  other than Success, or DestType Fail, is FAILED. A successful blind transfer counts as
  COMPLETED once the caller is connected again (AgentConnect, or a bridge with another
  party); if the call ends first, the transfer reached nobody (refused by the dialplan guard,
  nobody answered) and is FAILED, as the guard's own record would say. These entries only fill
  in what the guard did not record; whether a guarded attempt counts while the call goes on
  is settled from the guard's channel by ``ami.transfer_watch``.
* **Hang-up side.** Decided per conversation: the first of AgentComplete ``Reason`` (agent →
  OPERATOR, caller → CALLER; it overrides), a ``HangupRequest`` on the inbound channel (the
  far end, i.e. the caller, hung up → CALLER), a hang-up of the party bridged with the caller
  (→ OPERATOR), a ``SoftHangupRequest`` on the inbound channel (the dialplan or an AMI Hangup
  → SYSTEM). A new conversation (answer, transfer) starts the decision again; nothing at all
  → SYSTEM.
* **A caller redirected out of the conversation.** When another AMI client ``Redirect``s the
  caller's channel out of the queue's bridge, app_queue sends AgentComplete without its
  Channel and DestChannel headers (the parser keys it on Uniqueid/Linkedid, DestUniqueid,
  Interface), with ``Reason: caller``, and queue_log says ``COMPLETECALLER``; the employee's
  leg, left alone in the bridge, is hung up by Asterisk after that and looks like the
  employee hanging up. The side is CALLER, live and reconciled alike: the employee did not
  end the conversation (OPERATOR would count against them), it was the caller's leg that left
  it, and neither source can tell a redirect from the caller's own hang-up, so a third
  answer (SYSTEM) live would only disagree with every reconciliation. The AgentComplete closes
  the queue leg with its TalkTime either way.
* **Memory.** A finished call is dropped. At the next login after a drop, in order with the
  events, :meth:`connection_lost` and :meth:`resync` (with the CoreShowChannels list) drop
  the calls that ended while the link was down (:class:`CallLost`) and adopt the calls whose
  inbound channel is up but were not known (begun while the link was down, or before the
  service started): their later events finish them live. A call that lived through a gap
  finishes with ``complete=False``: its events are partial, so its outcome is the
  reconciliation's (queue_log/CDR), which the bridge runs for it a few seconds after it ended
  (``ami.pending_calls``). The channel list is an answer to an action sent after the login,
  so it may list a call that began after it, whose events are still queued behind the
  login: when the first event of an adopted call is its inbound Newchannel, it is seen whole
  and starts afresh from it, complete.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, TypeAlias

from ami.call_record import CallLogEntry, EntrySource, TransferEntry
from ami.channels import device_of
from ami.events import (
    AgentCalled,
    AgentComplete,
    AgentConnect,
    AgentDump,
    AgentEvent,
    AgentRingNoAnswer,
    AmiEvent,
    AttendedTransfer,
    BlindTransfer,
    BridgeEnter,
    BridgeLeave,
    ChannelEvent,
    CoreShowChannel,
    Hangup,
    HangupRequest,
    Newchannel,
    QueueCallerAbandon,
    QueueCallerJoin,
    QueueCallerLeave,
    SoftHangupRequest,
    VarSet,
)
from ami.line_calls import LINE_CONTEXTS as LINE_CONTEXTS  # the one definition
from models.rules.missed import QueueExit
from models.rules.transfers import TransferOutcome
from models.tables.calls import HangupSide, TransferKind

# QUEUESTATUS (app_queue's queue_results) → how the caller left the queue.
QUEUE_STATUS_EXITS: Mapping[str, QueueExit] = MappingProxyType(
    {
        "TIMEOUT": QueueExit.TIMEOUT,
        # The queue's maxlen was reached: operators are on the line but all busy and the
        # waiting room is full. An overload, like a timeout, not an empty line (C13 reason
        # QUEUE_TIMEOUT). The line's queues.conf has maxlen = 0, so it should not happen.
        "FULL": QueueExit.TIMEOUT,
        # No member could take calls (all paused, unavailable or invalid): no operators.
        "JOINEMPTY": QueueExit.EMPTY,
        "LEAVEEMPTY": QueueExit.EMPTY,
        # Older names of the same "every member unavailable" condition.
        "JOINUNAVAIL": QueueExit.EMPTY,
        "LEAVEUNAVAIL": QueueExit.EMPTY,
        # Answered, then the member hung up and the caller continued (option c). Without an
        # AgentConnect the call did not reach an operator and C13 gives reason UNKNOWN.
        "CONTINUE": QueueExit.CONNECTED,
        # Taken out of the queue by QueueWithdrawCaller (Asterisk 21+): left the queue on
        # purpose before an answer, like a key press.
        "WITHDRAW": QueueExit.KEY,
        # queue_log's name for the key exit; Asterisk sets no QUEUESTATUS for it, but a
        # dialplan may report it so.
        "EXITWITHKEY": QueueExit.KEY,
        "WITHKEY": QueueExit.KEY,
    }
)


# ------------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class CallUpdated:
    """The call started or changed; ``entry.ended_at`` is None."""

    entry: CallLogEntry


@dataclass(frozen=True, slots=True)
class CallFinished:
    entry: CallLogEntry
    complete: bool = True  # False: events of this call were missed (AMI link down)


@dataclass(frozen=True, slots=True)
class CallLost:
    """The call ended while the AMI link was down; ``entry`` is the last snapshot."""

    entry: CallLogEntry


ProjectorOutput: TypeAlias = CallUpdated | CallFinished | CallLost


# --------------------------------------------------------------------------------- state


@dataclass
class _Transfer:
    at: datetime
    kind: TransferKind
    to_extension: str
    from_interface: str
    outcome: TransferOutcome
    confirmed: bool  # the caller reached someone after it (or it failed outright)

    def entry(self, *, final: bool) -> TransferEntry:
        outcome = self.outcome
        if final and not self.confirmed:
            outcome = TransferOutcome.FAILED
        return TransferEntry(self.at, self.kind, self.to_extension, self.from_interface, outcome)


@dataclass
class _Call:
    linkedid: str
    arrived_at: datetime
    confirmed: bool = False
    complete: bool = True
    adopted: bool = False  # made from the resync's channel list, nothing seen of it yet
    caller_number: str = ""
    caller_name: str = ""
    did: str = ""
    saw_varset: bool = False
    channels_up: set[str] = field(default_factory=set)
    # queue (until the first answer)
    queue_joined_at: datetime | None = None
    visit_started: datetime | None = None
    queue_wait_s: float | None = None
    queue_exit: QueueExit | None = None
    left_queue: bool = False  # a visit ended without a known exit yet
    # the operator
    answered_at: datetime | None = None
    operator_interface: str = ""
    members: dict[str, str] = field(default_factory=dict)  # member leg uniqueid → interface
    conversation_open: bool = False
    talk_s: float | None = None
    # transfers and bridges
    transfers: list[_Transfer] = field(default_factory=list)
    transferers: set[str] = field(default_factory=set)
    bridges: dict[str, set[str]] = field(default_factory=dict)
    caller_bridge: str | None = None
    # the end
    side: HangupSide | None = None
    ended_at: datetime | None = None
    hangup_cause: int | None = None
    hangup_cause_text: str = ""
    last_emitted: CallLogEntry | None = None

    @property
    def inbound(self) -> str:
        return self.linkedid


_Handler: TypeAlias = Callable[["CallLogProjector", _Call, Any], None]


class CallLogProjector:
    """Feed every parsed event in arrival order; act on the outputs."""

    def __init__(self, *, line_contexts: Collection[str] | None = LINE_CONTEXTS) -> None:
        # None: every call is logged (tests, a line without its own contexts).
        self._line_contexts = frozenset(line_contexts) if line_contexts is not None else None
        self._calls: dict[str, _Call] = {}

    @property
    def tracked(self) -> int:
        """Calls held in memory (logged or not yet known to be ours)."""
        return len(self._calls)

    def open_calls(self) -> list[CallLogEntry]:
        """Snapshots of the logged calls in progress, oldest first."""
        calls = sorted(self._calls.values(), key=lambda call: (call.arrived_at, call.linkedid))
        return [_entry(call, final=False) for call in calls if call.confirmed]

    # ------------------------------------------------------------------ feeding

    def apply(self, event: AmiEvent) -> list[ProjectorOutput]:
        linkedid = _linkedid_of(event)
        if linkedid is None:
            return []
        call = self._calls.get(linkedid)
        starts = isinstance(event, Newchannel) and event.uniqueid == linkedid
        if call is None or (call.adopted and starts):
            if not starts:
                return []  # not a call we know: begun before we connected, or already over
            # New; or adopted at the resync, though it began after the login: its events
            # were still queued behind the login, so we see it whole after all.
            fresh = _Call(linkedid=linkedid, arrived_at=event.at)
            if call is not None:
                fresh.last_emitted = call.last_emitted
            call = self._calls[linkedid] = fresh
        call.adopted = False
        if isinstance(event, ChannelEvent):
            self._channel_facts(call, event)
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, call, event)
        return self._outputs(call)

    def connection_lost(self) -> None:
        """The AMI link dropped: events of every call in progress will be missing."""
        for call in self._calls.values():
            call.complete = False

    def resync(self, live: Iterable[CoreShowChannel]) -> list[ProjectorOutput]:
        """After a (re)login, with the CoreShowChannels list: calls whose inbound channel is
        gone ended while the link was down (CallLost); inbound channels of calls we do not
        know are adopted (arrival = now − Duration; they finish with ``complete=False``)."""
        by_call: dict[str, list[CoreShowChannel]] = {}
        for channel in live:
            by_call.setdefault(channel.linkedid, []).append(channel)
        outputs: list[ProjectorOutput] = []
        for linkedid in sorted(self._calls):
            call = self._calls[linkedid]
            alive = {channel.uniqueid for channel in by_call.get(linkedid, ())}
            if call.inbound not in alive:
                del self._calls[linkedid]
                if call.confirmed:
                    outputs.append(CallLost(_entry(call, final=False)))
                continue
            call.complete = False
            call.channels_up = alive
        for linkedid in sorted(by_call):
            if linkedid in self._calls:
                continue
            channels = by_call[linkedid]
            inbound = next((c for c in channels if c.uniqueid == linkedid), None)
            if inbound is None:
                continue
            call = _Call(
                linkedid=linkedid,
                arrived_at=inbound.at - timedelta(seconds=inbound.duration_s),
                complete=False,
                adopted=True,
                channels_up={channel.uniqueid for channel in channels},
            )
            self._calls[linkedid] = call
            self._channel_facts(call, inbound)
            outputs.extend(self._outputs(call))
        return outputs

    # ------------------------------------------------------------------ common facts

    def _channel_facts(self, call: _Call, event: ChannelEvent) -> None:
        """What any event of the inbound channel tells: caller ID, DID, our context."""
        chan = event.chan
        if chan.uniqueid != call.inbound:
            return
        in_line_context = self._line_contexts is None or chan.context in self._line_contexts
        if in_line_context and not call.confirmed:
            call.confirmed = True
            # Where the call entered the line: the dialled number, unless the trunk sends "s".
            # (Later extensions are transfer targets, not the DID.)
            call.did = chan.exten if chan.exten.isdigit() else ""
        call.caller_number = call.caller_number or chan.caller_num
        call.caller_name = call.caller_name or chan.caller_name

    def _outputs(self, call: _Call) -> list[ProjectorOutput]:
        if call.ended_at is not None and not self._waits_for_more(call):
            del self._calls[call.linkedid]
            if not call.confirmed:
                return []
            _settle(call)
            return [CallFinished(_entry(call, final=True), call.complete)]
        if not call.confirmed:
            return []
        entry = _entry(call, final=False)
        if entry == call.last_emitted:
            return []
        call.last_emitted = entry
        return [CallUpdated(entry)]

    @staticmethod
    def _waits_for_more(call: _Call) -> bool:
        # AgentComplete still to come for an open conversation, and a leg still up to send it.
        return call.conversation_open and bool(call.channels_up)

    # ------------------------------------------------------------------ handlers

    def _on_newchannel(self, call: _Call, event: Newchannel) -> None:
        call.channels_up.add(event.uniqueid)

    def _on_hangup(self, call: _Call, event: Hangup) -> None:
        call.channels_up.discard(event.uniqueid)
        if event.uniqueid == call.inbound:
            call.ended_at = event.at
            call.hangup_cause = event.cause
            call.hangup_cause_text = event.cause_txt
        elif self._bridged_with_caller(call, event.uniqueid):
            _signal(call, HangupSide.OPERATOR)
        if call.ended_at is None and not call.channels_up:
            call.ended_at = event.at  # every channel of the call is gone

    def _on_hangup_request(self, call: _Call, event: HangupRequest) -> None:
        if event.uniqueid == call.inbound:
            _signal(call, HangupSide.CALLER)
        elif self._bridged_with_caller(call, event.uniqueid):
            _signal(call, HangupSide.OPERATOR)

    def _on_soft_hangup_request(self, call: _Call, event: SoftHangupRequest) -> None:
        if event.uniqueid == call.inbound:
            _signal(call, HangupSide.SYSTEM)

    def _on_varset(self, call: _Call, event: VarSet) -> None:
        if event.uniqueid != call.inbound:
            return
        call.saw_varset = True
        if event.variable != "QUEUESTATUS" or call.answered_at is not None:
            return
        exit_ = QUEUE_STATUS_EXITS.get(event.value.strip().upper())
        if exit_ is None:
            return
        _close_visit(call, event.at)
        call.queue_exit = exit_
        call.left_queue = False

    def _on_queue_join(self, call: _Call, event: QueueCallerJoin) -> None:
        if event.uniqueid != call.inbound or call.answered_at is not None:
            return
        _resolve_left_queue(call)
        call.queue_joined_at = call.queue_joined_at or event.at
        call.visit_started = event.at
        call.queue_wait_s = call.queue_wait_s or 0.0
        call.queue_exit = None

    def _on_queue_leave(self, call: _Call, event: QueueCallerLeave) -> None:
        if event.uniqueid != call.inbound or call.answered_at is not None:
            return
        if call.visit_started is not None:
            _close_visit(call, event.at)
            call.left_queue = call.queue_exit is None

    def _on_queue_abandon(self, call: _Call, event: QueueCallerAbandon) -> None:
        if event.uniqueid != call.inbound or call.answered_at is not None:
            return
        _close_visit(call, event.at)
        call.queue_exit = QueueExit.ABANDONED
        call.left_queue = False

    def _on_agent_seen(self, call: _Call, event: AgentEvent) -> None:
        if event.member is not None:
            call.members[event.member.uniqueid] = _interface(event)

    def _on_agent_connect(self, call: _Call, event: AgentConnect) -> None:
        self._on_agent_seen(call, event)
        if event.uniqueid != call.inbound:
            return
        if call.answered_at is None:
            _close_visit(call, event.at)
            call.answered_at = event.at
            call.operator_interface = _interface(event)
            call.queue_exit = QueueExit.CONNECTED
            call.left_queue = False
        call.conversation_open = True
        _connected(call)

    def _on_agent_complete(self, call: _Call, event: AgentComplete) -> None:
        self._on_agent_seen(call, event)
        if event.uniqueid != call.inbound:
            return
        if call.answered_at is None and not call.complete:
            # Its AgentConnect was missed in a gap: the answer was TalkTime seconds ago.
            answered_at = event.at - timedelta(seconds=event.talk_time)
            _close_visit(call, answered_at)
            call.answered_at = answered_at
            call.operator_interface = _interface(event)
            call.queue_exit = QueueExit.CONNECTED
            call.left_queue = False
        call.conversation_open = False
        call.talk_s = (call.talk_s or 0.0) + event.talk_time
        if event.reason == "agent":
            call.side = HangupSide.OPERATOR
        elif event.reason == "caller":
            call.side = HangupSide.CALLER

    def _on_bridge_enter(self, call: _Call, event: BridgeEnter) -> None:
        members = call.bridges.setdefault(event.bridge_uniqueid, set())
        members.discard(event.swap_uniqueid)
        members.add(event.uniqueid)
        if event.uniqueid == call.inbound:
            call.caller_bridge = event.bridge_uniqueid
        if call.caller_bridge == event.bridge_uniqueid and len(members) > 1:
            _connected(call)

    def _on_bridge_leave(self, call: _Call, event: BridgeLeave) -> None:
        members = call.bridges.get(event.bridge_uniqueid)
        if members is not None:
            members.discard(event.uniqueid)
            if not members:
                del call.bridges[event.bridge_uniqueid]
        if event.uniqueid == call.inbound and call.caller_bridge == event.bridge_uniqueid:
            call.caller_bridge = None

    def _on_blind_transfer(self, call: _Call, event: BlindTransfer) -> None:
        success = event.result.strip().lower() == "success"
        self._transfer(
            call,
            at=event.at,
            kind=TransferKind.BLIND,
            to_extension=event.extension,
            transferer=event.transferer.uniqueid if event.transferer else "",
            transferer_channel=event.transferer.name if event.transferer else "",
            success=success,
            confirmed=not success,
        )

    def _on_attended_transfer(self, call: _Call, event: AttendedTransfer) -> None:
        success = event.result.strip().lower() == "success" and event.dest_type.lower() != "fail"
        target = event.transfer_target or event.second_transferer
        extension = target.exten if target is not None and target.exten.isdigit() else ""
        orig = event.orig_transferer
        self._transfer(
            call,
            at=event.at,
            kind=TransferKind.ATTENDED,
            to_extension=extension,
            transferer=orig.uniqueid if orig else "",
            transferer_channel=orig.name if orig else "",
            success=success,
            # The target answered the consultation call: the caller is connected to them.
            confirmed=True,
        )

    def _transfer(
        self,
        call: _Call,
        *,
        at: datetime,
        kind: TransferKind,
        to_extension: str,
        transferer: str,
        transferer_channel: str,
        success: bool,
        confirmed: bool,
    ) -> None:
        from_interface = call.members.get(transferer) or device_of(transferer_channel)
        outcome = TransferOutcome.COMPLETED if success else TransferOutcome.FAILED
        call.transfers.append(
            _Transfer(at, kind, to_extension, from_interface, outcome, confirmed=confirmed)
        )
        if transferer:
            call.transferers.add(transferer)
        call.side = None  # a new conversation for the caller

    def _bridged_with_caller(self, call: _Call, uniqueid: str) -> bool:
        if call.caller_bridge is None or uniqueid in call.transferers:
            return False
        return uniqueid in call.bridges.get(call.caller_bridge, ())


def _signal(call: _Call, side: HangupSide) -> None:
    """The first hang-up signal of the current conversation decides its side."""
    if call.side is None:
        call.side = side


def _connected(call: _Call) -> None:
    """The caller talks to someone (again): a new conversation; pending transfers reached
    their target."""
    call.side = None
    for transfer in call.transfers:
        transfer.confirmed = True


def _close_visit(call: _Call, at: datetime) -> None:
    if call.visit_started is None:
        return
    waited = max((at - call.visit_started).total_seconds(), 0.0)
    call.queue_wait_s = (call.queue_wait_s or 0.0) + waited
    call.visit_started = None


def _resolve_left_queue(call: _Call) -> None:
    """A queue visit ended with no AgentConnect, abandon or QUEUESTATUS (see module doc)."""
    if call.left_queue and call.queue_exit is None:
        call.queue_exit = QueueExit.KEY if call.saw_varset else QueueExit.TIMEOUT
    call.left_queue = False


def _settle(call: _Call) -> None:
    """Final decisions when the call ends."""
    assert call.ended_at is not None
    if call.visit_started is not None:
        # Still waiting when the call ended, with no QueueCallerAbandon seen.
        _close_visit(call, call.ended_at)
        call.queue_exit = call.queue_exit or QueueExit.ABANDONED
    _resolve_left_queue(call)
    if call.side is None:
        call.side = HangupSide.SYSTEM


def _interface(event: AgentEvent) -> str:
    if event.interface:
        return event.interface
    return device_of(event.member.name) if event.member is not None else ""


def _entry(call: _Call, *, final: bool) -> CallLogEntry:
    queue_exit = call.queue_exit
    if queue_exit is None:
        queue_exit = QueueExit.NOT_QUEUED
    return CallLogEntry(
        linkedid=call.linkedid,
        source=EntrySource.AMI,
        arrived_at=call.arrived_at,
        caller_number=call.caller_number,
        caller_name=call.caller_name,
        did=call.did,
        queue_joined_at=call.queue_joined_at,
        queue_wait_s=call.queue_wait_s,
        queue_exit=queue_exit,
        answered_at=call.answered_at,
        operator_interface=call.operator_interface,
        transfers=tuple(transfer.entry(final=final) for transfer in call.transfers),
        ended_at=call.ended_at if final else None,
        talk_s=call.talk_s,
        hangup_side=call.side if final else None,
        hangup_cause=call.hangup_cause if final else None,
        hangup_cause_text=call.hangup_cause_text if final else "",
    )


def _linkedid_of(event: AmiEvent) -> str | None:
    if isinstance(event, ChannelEvent):
        return event.linkedid
    if isinstance(event, BlindTransfer | AttendedTransfer):
        return event.linkedid or None
    return None


_HANDLERS: Mapping[type[AmiEvent], _Handler] = MappingProxyType(
    {
        Newchannel: CallLogProjector._on_newchannel,
        Hangup: CallLogProjector._on_hangup,
        HangupRequest: CallLogProjector._on_hangup_request,
        SoftHangupRequest: CallLogProjector._on_soft_hangup_request,
        VarSet: CallLogProjector._on_varset,
        QueueCallerJoin: CallLogProjector._on_queue_join,
        QueueCallerLeave: CallLogProjector._on_queue_leave,
        QueueCallerAbandon: CallLogProjector._on_queue_abandon,
        AgentCalled: CallLogProjector._on_agent_seen,
        AgentRingNoAnswer: CallLogProjector._on_agent_seen,
        AgentDump: CallLogProjector._on_agent_seen,
        AgentConnect: CallLogProjector._on_agent_connect,
        AgentComplete: CallLogProjector._on_agent_complete,
        BridgeEnter: CallLogProjector._on_bridge_enter,
        BridgeLeave: CallLogProjector._on_bridge_leave,
        BlindTransfer: CallLogProjector._on_blind_transfer,
        AttendedTransfer: CallLogProjector._on_attended_transfer,
    }
)
