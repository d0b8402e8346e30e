"""AMI ``Originate`` on the simulated PBX: a device rings; once answered it runs the dialplan.

As ``Async: true`` asks (the line's click-to-call, C11): the action is accepted at once and
the outcome arrives as ``OriginateResponse`` (Reason 4 answered, 3 no answer before the
timeout, 1 hung up), the channel's Uniqueid being the request's ``ChannelId``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from simulator import ami_events as ev
from simulator.channels import ChannelState, Leg
from simulator.devices import PhoneBehaviour, channel_device, play_phone
from simulator.pbx import CallerId
from simulator.switch import Switch

ANSWERED, HUNG_UP, NO_ANSWER = 4, 1, 3
AUTO_ANSWER = PhoneBehaviour(ring_s=1.0, talk_s=None)
_CALLER_ID = re.compile(r'\s*"?(?P<name>[^"<]*?)"?\s*<(?P<number>[^>]*)>\s*')


@dataclass(frozen=True, slots=True)
class OriginateRequest:
    action_id: str
    channel: str  # the device to ring, e.g. PJSIP/201
    context: str
    exten: str
    timeout_s: float
    caller_id: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    channel_id: str = ""


def parse_caller_id(text: str) -> CallerId:
    """``"Name" <number>`` or a bare number."""
    match = _CALLER_ID.fullmatch(text)
    if match is None:
        return CallerId(text.strip())
    return CallerId(match["number"], match["name"].strip())


def originate(switch: Switch, order: OriginateRequest) -> asyncio.Future[bool]:
    """Starts ringing; the future says whether the device answered."""
    future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    switch.pbx.clock.spawn(_originate(switch, order, future), name=f"originate {order.channel}")
    return future


async def _originate(switch: Switch, order: OriginateRequest, future: asyncio.Future[bool]) -> None:
    pbx = switch.pbx
    chan = pbx.new_channel(
        f"{channel_device(order.channel)}-{pbx.ids.name_suffix()}",
        context=order.context,
        exten=order.exten,
        state=ChannelState.DOWN,
        caller=parse_caller_id(order.caller_id),
        uniqueid=order.channel_id,
    )
    for name, value in order.variables.items():
        pbx.set_var(chan, name, value)
    leg = Leg(order.channel, chan, chan, pbx.clock.now())
    behaviour = switch.phones.behaviour(order.channel)
    if behaviour is not None and behaviour.handsets is not None:
        # A console operator asked for this call on the screen: their phone picks up by
        # itself (auto-answer) and stays until the other side ends.
        behaviour = AUTO_ANSWER
    pbx.clock.spawn(play_phone(pbx, leg, behaviour), name=f"phone {chan.name}")
    fired = await pbx.clock.wait(chan.up, chan.hangup_requested, timeout=order.timeout_s)
    answered = fired is chan.up
    reason = ANSWERED if answered else (NO_ANSWER if fired is None else HUNG_UP)
    caller = (chan.caller_num, chan.caller_name)
    if not answered:
        pbx.soft_hangup(chan)
        pbx.finish(chan, 0)
    pbx.emit(
        ev.originate_response(
            order.action_id,
            "Success" if answered else "Failure",
            chan.name,
            order.context,
            order.exten,
            reason,
            chan.uniqueid,
            caller,
        )
    )
    if not future.done():
        future.set_result(answered)
    if answered and order.context:
        await switch.run_channel(chan, order.context, order.exten or "s")
