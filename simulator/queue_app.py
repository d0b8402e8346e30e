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

from simulator import ami_events as ev
from simulator.channels import ChannelState, Conversation, Leg, SimChannel
from simulator.conversation import Ending, connect, converse, end_bridge
from simulator.devices import close_leg, drop_leg
from simulator.pbx import HungUp, Redirect
from simulator.queue_wait import Ringing, seconds_between, wait_for_answer
from simulator.queues import QueueEntry, QueueMember, SimQueue
from simulator.switch import Switch

_TIMES = ("ANSWEREDTIME", "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS")


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
    ringing = await wait_for_answer(switch, q, entry, started + timeout_s)
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


# ---------------------------------------------------------------------------- connected


def _connect(switch: Switch, q: SimQueue, entry: QueueEntry, ringing: Ringing) -> Conversation:
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

    def complete(reason: str, leg: Leg, event: str, *before: str) -> None:
        """AgentComplete, and the queue_log line ``event|before…|hold|talk|origposition``."""
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
        position = str(entry.original_position)
        q.log(chan.uniqueid, q.agent(member), event, *before, str(hold), str(talk), position)
        q.stats.completed(hold, talk)
        _member_done(switch, q, member)

    while True:
        outcome = await converse(pbx, conversation)
        peer = conversation.peer
        if outcome.ending is Ending.ATTENDED_TRANSFER:
            assert outcome.replaced is not None
            bridge = conversation.bridge.uniqueid
            if not completed:
                complete("transfer", outcome.replaced, "ATTENDEDTRANSFER", "BRIDGE", bridge)
                completed = True
            continue
        if outcome.ending is Ending.PEER_HUNG_UP:
            if not completed:
                complete("agent", peer, "COMPLETEAGENT")
            end_bridge(pbx, conversation)
            close_leg(pbx, peer, outcome.cause)
            return
        if outcome.ending is Ending.CALLER_HUNG_UP:
            if not completed:
                complete("caller", peer, "COMPLETECALLER")
            pbx.leave_bridge(conversation.bridge, chan)
            pbx.set_var(chan, "QUEUESTATUS", "CONTINUE")
            drop_leg(pbx, peer, outcome.cause)
            end_bridge(pbx, conversation)
            raise HungUp(outcome.cause)
        assert outcome.target is not None
        context, exten = outcome.target
        if not completed:
            complete("transfer", peer, "BLINDTRANSFER", exten, context)
        drop_leg(pbx, peer, 16)
        end_bridge(pbx, conversation)
        raise Redirect(context, exten)


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
