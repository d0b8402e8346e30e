"""``Queue(name,options,,,timeout)`` on the simulated PBX: app_queue's events, in its order.

The caller joins (QueueCallerJoin, music on hold) unless no member may take calls
(``JOINEMPTY``: only the ``QUEUESTATUS`` VarSet, no queue event, no queue_log line); members
are rung per the queue's strategy (AgentCalled, DialBegin), a member who does not answer in
``timeout`` gets AgentRingNoAnswer and the queue tries again after ``retry``; the first to
answer is connected (QueueCallerLeave before AgentConnect, then the bridge). What ends the
conversation decides AgentComplete's ``Reason``: ``agent`` (the member hung up; option ``c``:
the caller goes on in the dialplan with ``QUEUESTATUS=CONTINUE``), ``caller``, or
``transfer``. A caller who hangs up while waiting abandons (QueueCallerAbandon); one who waits
past ``timeout`` leaves with ``QUEUESTATUS=TIMEOUT``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from simulator import ami_events as ev
from simulator.channels import ChannelState, Conversation, Leg, SimChannel
from simulator.conversation import Ending, connect, converse, end_bridge
from simulator.devices import CANCELLED, close_leg, dial_string, drop_leg, place_leg
from simulator.pbx import HungUp, Redirect
from simulator.queues import QueueEntry, QueueMember, SimQueue
from simulator.switch import Switch
from simulator.transfers import transfer_key

_TIMES = ("ANSWEREDTIME", "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS")


@dataclass(eq=False)
class _Ringing:
    leg: Leg
    member: QueueMember


async def queue(
    switch: Switch, chan: SimChannel, name: str, *, timeout_s: float, priority: int = 0
) -> str:
    """Runs Queue() on ``chan``; returns (and sets) ``QUEUESTATUS``. Raises HungUp when the
    caller hangs up, Redirect when a blind transfer takes them elsewhere."""
    pbx = switch.pbx
    q = switch.queues[name]
    started = pbx.clock.now()
    for variable in (*_TIMES, "QUEUEWAIT", "QUEUEWAIT_MS"):
        pbx.set_var(chan, variable, "")
    if not q.may_join():
        pbx.set_var(chan, "QUEUESTATUS", "JOINEMPTY")
        return "JOINEMPTY"
    entry = q.join(chan, priority)
    pbx.emit(ev.music_on_hold_start(chan))
    ringing = await _wait_for_answer(switch, q, entry, started + timeout_s)
    if ringing is None:
        pbx.emit(ev.channel_event("MusicOnHoldStop", chan))
        position = q.position(entry)
        q.leave(entry)
        waited = seconds_between(entry.joined_at, pbx.clock.now())
        original = str(entry.original_position)
        q.log(chan.uniqueid, "NONE", "EXITWITHTIMEOUT", str(position), original, str(waited))
        return _returns(switch, q, chan, "TIMEOUT", started, None)
    conversation = _connect(switch, q, entry, ringing)
    await _talk(switch, q, entry, conversation, ringing.member)
    return _returns(switch, q, chan, "CONTINUE", started, conversation.started_at)


# ---------------------------------------------------------------------------- waiting


async def _wait_for_answer(
    switch: Switch, q: SimQueue, entry: QueueEntry, deadline: float
) -> _Ringing | None:
    """The member who answered (the other legs dropped), or None at the caller's timeout."""
    pbx = switch.pbx
    clock = pbx.clock
    chan = entry.chan
    legs: list[_Ringing] = []
    ring_until = 0.0
    retry_at = 0.0
    while True:
        now = clock.now()
        if not legs and now >= retry_at:
            legs = [_call(switch, q, entry, member) for member in q.pick(entry, now)]
            entry.ringing = bool(legs)
            ring_until = now + q.config.member_timeout_s
        if legs:
            wake = min(deadline, ring_until)
        elif retry_at > now:
            wake = min(deadline, retry_at)
        else:
            wake = deadline  # nobody to ring: until a member is free (q.changed) or the end
        assert q.changed is not None
        signals = [chan.hangup_requested, q.changed.signal]
        for ring in legs:
            signals += [ring.leg.near.up, ring.leg.near.hangup_requested]
        fired = await clock.wait(*signals, timeout=max(wake - now, 0.0))
        if fired is chan.hangup_requested:
            _abandon(switch, q, entry, legs)
            raise HungUp(fired.value if isinstance(fired.value, int) else 16)
        answered = next((ring for ring in legs if ring.leg.near.up.fired), None)
        if answered is not None:
            for ring in legs:
                if ring is not answered:
                    _cancel(switch, q, chan, ring)
            entry.ringing = False
            return answered
        for ring in [ring for ring in legs if ring.leg.near.hangup_requested.fired]:
            legs.remove(ring)  # busy or gone before answering
            _no_answer(switch, q, chan, ring)
        now = clock.now()
        if now >= deadline:
            for ring in legs:
                _cancel(switch, q, chan, ring)
            entry.ringing = False
            return None
        if legs and now >= ring_until:
            for ring in legs:
                _no_answer(switch, q, chan, ring)
            legs = []
            entry.ringing = False
            retry_at = now + q.config.retry_s
            q.notify()
        elif not legs:
            entry.ringing = False


def _call(switch: Switch, q: SimQueue, entry: QueueEntry, member: QueueMember) -> _Ringing:
    pbx = switch.pbx
    chan = entry.chan
    leg = place_leg(
        pbx,
        member.interface,
        chan,
        application="AppQueue",
        phones=switch.phones,
        transfer_key=partial(transfer_key, switch),
    )
    member.ringing = True
    pbx.emit(ev.agent_event("AgentCalled", chan, leg.near, q.name, member.interface, member.name))
    pbx.emit(
        ev.dial(
            "DialBegin",
            chan,
            leg.near,
            ("DialString", dial_string(member.interface, for_queue=True)),
        )
    )
    q.publish(member)
    pbx.emit(ev.dial("DialState", chan, leg.near, ("DialStatus", "RINGING")))
    return _Ringing(leg, member)


def _release(q: SimQueue, member: QueueMember) -> None:
    member.ringing = False
    q.publish(member)
    q.notify()


def _cancel(switch: Switch, q: SimQueue, chan: SimChannel, ring: _Ringing) -> None:
    pbx = switch.pbx
    pbx.emit(ev.dial("DialEnd", chan, ring.leg.near, ("DialStatus", "CANCEL")))
    drop_leg(pbx, ring.leg, CANCELLED)
    _release(q, ring.member)


def _no_answer(switch: Switch, q: SimQueue, chan: SimChannel, ring: _Ringing) -> None:
    pbx = switch.pbx
    rang_ms = int((pbx.clock.now() - ring.leg.placed_at) * 1000)
    pbx.emit(ev.dial("DialEnd", chan, ring.leg.near, ("DialStatus", "NOANSWER")))
    pbx.emit(
        ev.agent_event(
            "AgentRingNoAnswer",
            chan,
            ring.leg.near,
            q.name,
            ring.member.interface,
            ring.member.name,
            (("RingTime", str(rang_ms)),),
        )
    )
    q.log(chan.uniqueid, q.agent(ring.member), "RINGNOANSWER", str(rang_ms))
    drop_leg(pbx, ring.leg, CANCELLED)
    _release(q, ring.member)


def _abandon(switch: Switch, q: SimQueue, entry: QueueEntry, legs: list[_Ringing]) -> None:
    pbx = switch.pbx
    chan = entry.chan
    pbx.emit(ev.channel_event("MusicOnHoldStop", chan))
    now = pbx.clock.now()
    for ring in legs:
        pbx.emit(ev.dial("DialEnd", chan, ring.leg.near, ("DialStatus", "CANCEL")))
        rang_ms = int((now - ring.leg.placed_at) * 1000)
        q.log(chan.uniqueid, q.agent(ring.member), "RINGCANCELED", str(rang_ms))
        drop_leg(pbx, ring.leg, CANCELLED)
        ring.member.ringing = False
    position = q.position(entry)
    waited = seconds_between(entry.joined_at, now)
    pbx.emit(
        ev.queue_caller(
            "QueueCallerAbandon",
            chan,
            q.name,
            (
                ("Position", str(position)),
                ("OriginalPosition", str(entry.original_position)),
                ("HoldTime", str(waited)),
            ),
        )
    )
    q.log(
        chan.uniqueid, "NONE", "ABANDON", str(position), str(entry.original_position), str(waited)
    )
    q.stats.calls_abandoned += 1
    q.leave(entry)
    for ring in legs:
        q.publish(ring.member)


# ---------------------------------------------------------------------------- connected


def _connect(switch: Switch, q: SimQueue, entry: QueueEntry, ringing: _Ringing) -> Conversation:
    pbx = switch.pbx
    chan, leg, member = entry.chan, ringing.leg, ringing.member
    now = pbx.clock.now()
    hold = seconds_between(entry.joined_at, now)
    if chan.state is not ChannelState.UP:
        pbx.set_state(chan, ChannelState.UP)  # the member's answer answers the caller
    pbx.emit(ev.dial("DialEnd", chan, leg.near, ("DialStatus", "ANSWER")))
    pbx.emit(ev.channel_event("MusicOnHoldStop", chan))
    member_vars = (
        ("MEMBERINTERFACE", member.interface),
        ("MEMBERNAME", member.name),
        ("MEMBERCALLS", str(member.calls_taken)),
        ("MEMBERLASTCALL", str(member.last_call)),
        ("MEMBERPENALTY", str(member.penalty)),
        ("MEMBERDYNAMIC", str(int(member.dynamic))),
        ("MEMBERREALTIME", "0"),
    )
    for target in (chan, leg.near):
        for name, value in member_vars:
            pbx.set_var(target, name, value)
    for target in (chan, leg.near):
        pbx.set_var(target, "QEHOLDTIME", str(hold))
        pbx.set_var(target, "QEORIGINALPOS", str(entry.original_position))
    for target in (chan, leg.near):
        _queue_vars(switch, q, target)
    position = q.position(entry)
    q.leave(entry)
    pbx.set_var(chan, "QUEUEPOSITION", str(position))
    pbx.set_var(chan, "QUEUEWAIT", str(hold))
    pbx.set_var(chan, "QUEUEWAIT_MS", str(int((now - entry.joined_at) * 1000)))
    ring_s = seconds_between(leg.placed_at, now)
    pbx.emit(
        ev.agent_event(
            "AgentConnect",
            chan,
            leg.near,
            q.name,
            member.interface,
            member.name,
            (("HoldTime", str(hold)), ("RingTime", str(ring_s))),
        )
    )
    q.log(chan.uniqueid, q.agent(member), "CONNECT", str(hold), leg.near.uniqueid, str(ring_s))
    member.ringing = False
    member.in_call = True
    conversation = connect(pbx, chan, leg)
    q.publish(member)
    return conversation


async def _talk(
    switch: Switch, q: SimQueue, entry: QueueEntry, conversation: Conversation, member: QueueMember
) -> None:
    """Until the conversation ends; returns when the caller goes on in the dialplan."""
    pbx = switch.pbx
    chan = entry.chan
    hold = seconds_between(entry.joined_at, conversation.started_at)
    completed = False  # AgentComplete sent (after an attended transfer the caller stays)

    def complete(reason: str, leg: Leg, *log: str) -> None:
        talk = seconds_between(conversation.started_at, pbx.clock.now())
        pbx.emit(
            ev.agent_event(
                "AgentComplete",
                chan,
                leg.near,
                q.name,
                member.interface,
                member.name,
                (("HoldTime", str(hold)), ("TalkTime", str(talk)), ("Reason", reason)),
            )
        )
        event, *data = log
        q.log(
            chan.uniqueid,
            q.agent(member),
            event,
            *[part.format(hold=hold, talk=talk) for part in data],
            str(entry.original_position),
        )
        q.stats.completed(hold, talk)
        _member_done(switch, q, member)

    while True:
        outcome = await converse(pbx, conversation)
        peer = conversation.peer
        if outcome.ending is Ending.ATTENDED_TRANSFER:
            assert outcome.replaced is not None
            bridge = conversation.bridge.uniqueid
            if not completed:
                complete("transfer", outcome.replaced, "ATTENDEDTRANSFER", "BRIDGE", bridge,
                         "{hold}", "{talk}")  # fmt: skip
                completed = True
            continue
        if outcome.ending is Ending.PEER_HUNG_UP:
            if not completed:
                complete("agent", peer, "COMPLETEAGENT", "{hold}", "{talk}")
            end_bridge(pbx, conversation)
            close_leg(pbx, peer, outcome.cause)
            return
        if outcome.ending is Ending.CALLER_HUNG_UP:
            if not completed:
                complete("caller", peer, "COMPLETECALLER", "{hold}", "{talk}")
            pbx.leave_bridge(conversation.bridge, chan)
            pbx.set_var(chan, "QUEUESTATUS", "CONTINUE")
            drop_leg(pbx, peer, outcome.cause)
            end_bridge(pbx, conversation)
            raise HungUp(outcome.cause)
        assert outcome.target is not None
        context, exten = outcome.target
        if not completed:
            complete("transfer", peer, "BLINDTRANSFER", exten, context, "{hold}", "{talk}")
        drop_leg(pbx, peer, 16)
        end_bridge(pbx, conversation)
        raise Redirect(context, exten)


def seconds_between(start: float, end: float) -> int:
    """app_queue counts in whole seconds of the clock (``time(NULL) - start``)."""
    return int(end) - int(start)


def _member_done(switch: Switch, q: SimQueue, member: QueueMember) -> None:
    now = switch.pbx.clock.now()
    member.in_call = False
    member.calls_taken += 1
    member.last_call = int(now)
    member.free_at = now + q.config.wrapup_s
    q.publish(member)
    q.notify()


def _queue_vars(switch: Switch, q: SimQueue, chan: SimChannel) -> None:
    """``setqueuevar = yes``: the queue's figures on the channel."""
    stats = q.stats
    for name, value in (
        ("QUEUENAME", q.name),
        ("QUEUEMAX", "0"),
        ("QUEUESTRATEGY", q.config.strategy),
        ("QUEUECALLS", str(len(q.entries))),
        ("QUEUEHOLDTIME", str(stats.holdtime)),
        ("QUEUETALKTIME", str(stats.talktime)),
        ("QUEUECOMPLETED", str(stats.calls_completed)),
        ("QUEUEABANDONED", str(stats.calls_abandoned)),
        ("QUEUESRVLEVEL", "0"),
        ("QUEUESRVLEVELPERF", "0.0"),
    ):
        switch.pbx.set_var(chan, name, value)


def _returns(
    switch: Switch,
    q: SimQueue,
    chan: SimChannel,
    status: str,
    started: float,
    answered_at: float | None,
) -> str:
    pbx = switch.pbx
    now = pbx.clock.now()
    _queue_vars(switch, q, chan)
    if answered_at is not None:
        talked, dialled = now - answered_at, now - started
        pbx.set_var(chan, "ANSWEREDTIME", str(int(talked)))
        pbx.set_var(chan, "ANSWEREDTIME_MS", str(int(talked * 1000)))
        pbx.set_var(chan, "DIALEDTIME", str(int(dialled)))
        pbx.set_var(chan, "DIALEDTIME_MS", str(int(dialled * 1000)))
    pbx.set_var(chan, "QUEUESTATUS", status)
    return status
