"""Calling a device (a queue member, a transfer target) and the simulated phones behind them.

A *leg* is what Queue() or Dial() creates for one device: a Local channel pair for a
``Local/<exten>@<context>`` interface (as the recorded queue members are), or one channel for
any other technology (``PJSIP/201`` → ``PJSIP/201-0000000a``). The application holds the leg's
near channel (``;1``, or the only one) and bridges it with the caller; the phone plays the far
one: it rings, answers after a while and hangs up after a talk, per its
:class:`PhoneBehaviour` (simulated operators and employees), or when its keys are pressed at
the console (``simulator.handsets``, the training line's operator); a device nobody simulates
rings until the caller gives up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ami.training_phone import HandsetKey
from simulator import ami_events as ev
from simulator.channels import ChannelState, Leg, SimChannel
from simulator.handsets import Handsets
from simulator.pbx import CallerId, Pbx

CANCELLED = 0  # app_queue/Dial hang up the legs they no longer need with cause 0


@dataclass(frozen=True, slots=True)
class PhoneBehaviour:
    """How a simulated phone takes a call: rings ``ring_s``, answers (or never), talks
    ``talk_s`` and hangs up (None: stays until the other side ends). With ``transfer_to``
    the person transfers the caller after ``transfer_after_s`` instead (its transfer key,
    as the console's transfer does): blind, or attended, then hangs up ``talk_s`` later to
    hand the caller over. With ``handsets`` a person at the console answers and hangs up
    instead (the other fields are not used)."""

    ring_s: float = 3.0
    answers: bool = True
    talk_s: float | None = 5.0
    transfer_to: str = ""
    transfer_after_s: float = 10.0
    attended: bool = False
    handsets: Handsets | None = None


# How a phone's transfer key reaches the PBX: (the phone's channel, number, attended).
TransferKey = Callable[[SimChannel, str, bool], None]


class Phones(Protocol):
    """Who answers a device: the behaviour of its phone for the call about to ring it."""

    def behaviour(self, interface: str) -> PhoneBehaviour | None: ...


@dataclass(frozen=True)
class PhoneBook:
    """The phones behind the interfaces; ``default`` for an interface not listed (None: it
    rings and is never answered)."""

    phones: Mapping[str, PhoneBehaviour] = field(default_factory=dict)
    default: PhoneBehaviour | None = None

    def behaviour(self, interface: str) -> PhoneBehaviour | None:
        return self.phones.get(interface, self.default)


def place_leg(
    pbx: Pbx,
    interface: str,
    caller: SimChannel,
    *,
    application: str,
    phones: Phones,
    transfer_key: TransferKey | None = None,
) -> Leg:
    """Creates the leg's channel(s) as app_queue/Dial do (``application`` = ``AppQueue`` or
    ``AppDial``) and starts its phone."""
    ids = CallerId(caller.caller_num, caller.caller_name)
    if interface.startswith("Local/"):
        near, far = pbx.new_local_pair(
            interface.removeprefix("Local/"),
            caller=ids,
            linkedid=caller.linkedid,
            language=caller.language,
        )
    else:
        near = far = pbx.new_channel(
            f"{channel_device(interface)}-{pbx.ids.name_suffix()}",
            context="default",
            exten="",
            state=ChannelState.DOWN,
            caller=ids,
            linkedid=caller.linkedid,
            language=caller.language,
        )
    pbx.app(near, application, "(Outgoing Line)")
    pbx.set_caller(near, caller.caller_num, caller.caller_name)
    near.inherit_from(caller)
    for name, value in near.variables.items():
        pbx.emit(ev.varset(near, name, value))
    if far is not near:
        far.inherit_from(caller)
        for name, value in far.variables.items():
            pbx.emit(ev.varset(far, name, value))
        pbx.set_caller(far, caller.caller_num, caller.caller_name)
        pbx.set_connected(far, caller.caller_num, caller.caller_name)
        pbx.emit(ev.local_bridge(near, far, far.context, far.exten))
    leg = Leg(interface, near, far, pbx.clock.now())
    behaviour = phones.behaviour(interface)
    pbx.clock.spawn(play_phone(pbx, leg, behaviour, transfer_key), name=f"phone {far.name}")
    return leg


async def play_phone(
    pbx: Pbx, leg: Leg, behaviour: PhoneBehaviour | None, transfer_key: TransferKey | None = None
) -> None:
    """The phone on the leg's far channel; stops as soon as the PBX drops the leg."""
    far = leg.far
    clock = pbx.clock
    if leg.local:
        pbx.app(far, "Ringing")
    pbx.set_state(far, ChannelState.RINGING)
    if leg.local:
        pbx.set_connected(leg.near, far.caller_num, far.caller_name)
    if behaviour is not None and behaviour.handsets is not None:
        await _by_hand(pbx, leg, behaviour.handsets)
        return
    if behaviour is None or not behaviour.answers:
        await clock.wait(far.hangup_requested)
        return
    if await clock.wait(far.hangup_requested, timeout=behaviour.ring_s) is not None:
        return
    _pick_up(pbx, leg)
    if behaviour.transfer_to and transfer_key is not None:
        if await clock.wait(far.hangup_requested, timeout=behaviour.transfer_after_s):
            return
        transfer_key(leg.near, behaviour.transfer_to, behaviour.attended)
        if not behaviour.attended:
            return  # the PBX hangs the leg up as the caller leaves
    if await clock.wait(far.hangup_requested, timeout=behaviour.talk_s) is not None:
        return
    hang_up_phone(pbx, leg)


async def _by_hand(pbx: Pbx, leg: Leg, handsets: Handsets) -> None:
    """Rings until the console answers, talks until it hangs up (or the PBX drops the leg)."""
    for wanted in (HandsetKey.ANSWER, HandsetKey.HANG_UP):
        while True:
            fired = await pbx.clock.wait(leg.far.hangup_requested, handsets.next_key(leg.interface))
            if fired is leg.far.hangup_requested:
                return
            if fired is not None and fired.value == wanted:
                break
        if wanted is HandsetKey.ANSWER:
            _pick_up(pbx, leg)
    hang_up_phone(pbx, leg)


def _pick_up(pbx: Pbx, leg: Leg) -> None:
    if leg.local:
        pbx.app(leg.far, "Answer")
    pbx.set_state(leg.far, ChannelState.UP)


def hang_up_phone(pbx: Pbx, leg: Leg) -> None:
    """The person puts the phone down: the near channel's far end hung up."""
    if not leg.local:
        pbx.request_hangup(leg.near)
        return
    pbx.app(leg.far, "Hangup")
    pbx.soft_hangup(leg.far)


def drop_leg(pbx: Pbx, leg: Leg, cause: int = CANCELLED) -> None:
    """The PBX hangs the leg up (another member answered, the caller left, a transfer took
    the caller away): the phone stops ringing or talking."""
    if leg.local:
        pbx.request_hangup(leg.far, cause)
        pbx.finish(leg.near, cause)
        pbx.soft_hangup(leg.far)
        pbx.finish(leg.far, cause)
        return
    pbx.finish(leg.near, cause)


def close_leg(pbx: Pbx, leg: Leg, cause: int = 16) -> None:
    """The leg's phone hung up; its channels go (the far half first, as Asterisk sends)."""
    pbx.finish(leg.far, cause)
    pbx.finish(leg.near, cause)


def channel_device(interface: str) -> str:
    """The device part of a channel's name: ``PJSIP/79281234567@trunk`` dials out through
    the ``trunk`` endpoint, so its channel is ``PJSIP/trunk-…``."""
    technology, _, resource = interface.partition("/")
    if "@" in resource:
        return f"{technology}/{resource.rsplit('@', 1)[1]}"
    return interface


def dial_string(interface: str, *, for_queue: bool) -> str:
    """DialBegin's ``DialString``: app_queue gives the whole interface, Dial() what follows
    the technology (``Local/employee2@agents`` → ``employee2@agents``)."""
    if for_queue:
        return interface
    return interface.split("/", 1)[1] if "/" in interface else interface
