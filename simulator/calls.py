"""A call arriving at the simulated PBX from the trunk: its channel, its caller, its dialplan."""

from __future__ import annotations

from simulator.caller import CallerPlan, play_caller
from simulator.channels import ChannelState, SimChannel
from simulator.pbx import CallerId
from simulator.switch import Switch

TRUNK = "trunk"  # the provider's PJSIP endpoint
TRUNK_CHANNEL = f"PJSIP/{TRUNK}-"  # how the name of every inbound channel begins


def incoming_call(
    switch: Switch, plan: CallerPlan, *, context: str, exten: str | None = None
) -> SimChannel:
    """The trunk's channel rings in ``context`` at ``exten`` (default: the dialled number),
    the caller starts waiting and the dialplan runs."""
    pbx = switch.pbx
    exten = exten or plan.dialled or "s"
    chan = pbx.new_channel(
        f"{TRUNK_CHANNEL}{pbx.ids.name_suffix()}",
        context=context,
        exten=exten,
        state=ChannelState.RING,
        caller=CallerId(plan.number, plan.name),
    )
    chan.dnid = plan.dialled
    switch.callers[chan.linkedid] = plan
    pbx.clock.spawn(_forget_when_gone(switch, chan), name=f"caller {chan.name}")
    pbx.clock.spawn(play_caller(pbx, chan, plan), name=f"person {chan.name}")
    switch.start_channel(chan, context, exten)
    return chan


async def _forget_when_gone(switch: Switch, chan: SimChannel) -> None:
    await switch.pbx.clock.wait(chan.gone)
    switch.callers.pop(chan.linkedid, None)
