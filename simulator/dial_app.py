"""``Dial(device,timeout)`` on the simulated PBX: a transfer target rung directly.

DialBegin/DialState/DialEnd with Dial()'s DialString; an answer answers the calling channel
if it was not yet (a Local consultation leg) and bridges the two; ``DIALSTATUS`` is set
before the DialEnd, as Asterisk does: ANSWER, NOANSWER (timeout), BUSY (the device hung up
before answering).
"""

from __future__ import annotations

from functools import partial

from simulator import ami_events as ev
from simulator.channels import ChannelState, SimChannel
from simulator.conversation import Ending, connect, converse, end_bridge
from simulator.devices import CANCELLED, close_leg, dial_string, drop_leg, place_leg
from simulator.pbx import HungUp, Redirect
from simulator.switch import Switch
from simulator.transfers import transfer_key


async def dial(switch: Switch, chan: SimChannel, interface: str, *, timeout_s: float) -> str:
    """Runs Dial() on ``chan``; returns DIALSTATUS. Raises HungUp when ``chan`` hangs up
    and Redirect when a blind transfer moves it."""
    pbx = switch.pbx
    clock = pbx.clock
    pbx.set_var(chan, "DIALSTATUS", "")
    leg = place_leg(
        pbx,
        interface,
        chan,
        application="AppDial",
        phones=switch.phones,
        transfer_key=partial(transfer_key, switch),
    )
    near = leg.near
    pbx.emit(
        ev.dial("DialBegin", chan, near, ("DialString", dial_string(interface, for_queue=False)))
    )
    pbx.emit(ev.dial("DialState", chan, near, ("DialStatus", "RINGING")))
    fired = await clock.wait(
        near.up, near.hangup_requested, chan.hangup_requested, timeout=timeout_s
    )
    if fired is chan.hangup_requested:
        pbx.emit(ev.dial("DialEnd", chan, near, ("DialStatus", "CANCEL")))
        drop_leg(pbx, leg, CANCELLED)
        raise HungUp(fired.value if isinstance(fired.value, int) else 16)
    if fired is not near.up:
        status = "NOANSWER" if fired is None else "BUSY"
        pbx.set_var(chan, "DIALSTATUS", status)
        pbx.emit(ev.dial("DialEnd", chan, near, ("DialStatus", status)))
        drop_leg(pbx, leg, CANCELLED)
        return status
    if chan.state is not ChannelState.UP:
        pbx.set_state(chan, ChannelState.UP)
    pbx.set_var(chan, "DIALSTATUS", "ANSWER")
    pbx.emit(ev.dial("DialEnd", chan, near, ("DialStatus", "ANSWER")))
    conversation = connect(pbx, chan, leg)
    while True:
        outcome = await converse(pbx, conversation)
        if outcome.ending is Ending.ATTENDED_TRANSFER:
            continue
        peer = conversation.peer
        if outcome.ending is Ending.PEER_HUNG_UP:
            end_bridge(pbx, conversation)
            close_leg(pbx, peer, outcome.cause)
            pbx.set_var(chan, "DIALSTATUS", "ANSWER")
            return "ANSWER"
        drop_leg(pbx, peer, 16)
        end_bridge(pbx, conversation)
        if outcome.ending is Ending.CALLER_HUNG_UP:
            raise HungUp(outcome.cause)
        assert outcome.target is not None
        raise Redirect(*outcome.target)
