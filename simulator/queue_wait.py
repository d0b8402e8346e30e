"""Queue() waiting for a member: ringing them per the queue's strategy, a member who does
not answer in ``timeout`` (AgentRingNoAnswer, then ``retry``), the caller who gives up
(QueueCallerAbandon) or waits past the queue's time limit; the first to answer wins, the
other legs are dropped (DialEnd CANCEL)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from simulator import ami_events as ev
from simulator.channels import Leg, SimChannel
from simulator.devices import CANCELLED, dial_string, drop_leg, place_leg
from simulator.pbx import HungUp
from simulator.queues import QueueEntry, QueueMember, SimQueue
from simulator.switch import Switch
from simulator.transfers import transfer_key


@dataclass(eq=False)
class Ringing:
    leg: Leg
    member: QueueMember


async def wait_for_answer(
    switch: Switch, q: SimQueue, entry: QueueEntry, deadline: float
) -> Ringing | None:
    """The member who answered (the other legs dropped), or None at the caller's timeout."""
    pbx = switch.pbx
    clock = pbx.clock
    chan = entry.chan
    legs: list[Ringing] = []
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
            # nobody to ring: until a member's wrap-up ends, another change (q.changed) or
            # the end
            wake = min(deadline, q.wrapup_ends(now) or deadline)
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


def _call(switch: Switch, q: SimQueue, entry: QueueEntry, member: QueueMember) -> Ringing:
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
    return Ringing(leg, member)


def _release(q: SimQueue, member: QueueMember) -> None:
    member.ringing = False
    q.publish(member)
    q.notify()


def _cancel(switch: Switch, q: SimQueue, chan: SimChannel, ring: Ringing) -> None:
    pbx = switch.pbx
    pbx.emit(ev.dial("DialEnd", chan, ring.leg.near, ("DialStatus", "CANCEL")))
    drop_leg(pbx, ring.leg, CANCELLED)
    _release(q, ring.member)


def _no_answer(switch: Switch, q: SimQueue, chan: SimChannel, ring: Ringing) -> None:
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


def _abandon(switch: Switch, q: SimQueue, entry: QueueEntry, legs: list[Ringing]) -> None:
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


def seconds_between(start: float, end: float) -> int:
    """app_queue counts in whole seconds of the clock (``time(NULL) - start``)."""
    return int(end) - int(start)
