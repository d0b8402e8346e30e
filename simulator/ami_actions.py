"""The AMI actions the simulated PBX answers, with Asterisk 22's replies and messages.

Each action is registered with the write class Asterisk registers it with (``manager.c``,
``app_queue.c``, ``app_senddtmf.c``); a session whose user lacks it gets "Permission
denied" (``simulator.ami_server``). Replies and error texts are Asterisk's own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ami.training_phone import HANDSET_EVENT
from simulator import ami_events as ev
from simulator import ami_wire as wire
from simulator.ami_events import AmiEvent
from simulator.ami_wire import Request
from simulator.originate import OriginateRequest, originate
from simulator.switch import Switch
from simulator.transfers import (
    TransferError,
    blind_transfer,
    send_digits,
    start_attended_transfer,
    transfer_context,
)

TRUE_WORDS = frozenset({"yes", "true", "y", "t", "1", "on"})

Handler = Callable[[Switch, Request], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    synopsis: str
    authority: str  # the write class that grants it; "" for none
    handler: Handler


def _error(request: Request, message: str) -> bytes:
    return wire.response(request, "Error", message)


def _ack(request: Request, message: str) -> bytes:
    return wire.response(request, "Success", message)


def _true(value: str) -> bool:
    return value.strip().lower() in TRUE_WORDS


# ------------------------------------------------------------------------ the link


async def ping(switch: Switch, request: Request) -> bytes:
    return wire.response(
        request,
        "Success",
        None,
        extra=(("Ping", "Pong"), ("Timestamp", wire.timestamp(switch.pbx.clock.now()))),
    )


# ------------------------------------------------------------------------ queues


async def queue_add(switch: Switch, request: Request) -> bytes:
    name, interface = request.get("Queue"), request.get("Interface")
    if not name:
        return _error(request, "'Queue' not specified.")
    if not interface:
        return _error(request, "'Interface' not specified.")
    queue = switch.queues.get(name)
    if queue is None:
        return _error(request, "Unable to add interface to queue: No such queue")
    paused = _true(request.get("Paused"))
    problem = queue.add_member(
        interface, request.get("MemberName"), paused=paused, reason=request.get("Reason")
    )
    return _error(request, problem) if problem else _ack(request, "Added interface to queue")


async def queue_remove(switch: Switch, request: Request) -> bytes:
    name, interface = request.get("Queue"), request.get("Interface")
    if not name or not interface:
        return _error(request, "Need 'Queue' and 'Interface' parameters.")
    queue = switch.queues.get(name)
    if queue is None:
        return _error(request, "Unable to remove interface from queue: No such queue")
    problem = queue.remove_member(interface)
    return _error(request, problem) if problem else _ack(request, "Removed interface from queue")


async def queue_pause(switch: Switch, request: Request) -> bytes:
    interface, paused_text = request.get("Interface"), request.get("Paused")
    if not interface or not paused_text:
        return _error(request, "Need 'Interface' and 'Paused' parameters.")
    paused = _true(paused_text)
    name = request.get("Queue")
    queues = [q for q in switch.queues.values() if not name or q.name == name]
    found = [q.pause(interface, paused, request.get("Reason")) for q in queues]
    if not any(found):
        return _error(request, "Interface not found")
    message = "Interface paused successfully" if paused else "Interface unpaused successfully"
    return _ack(request, message)


async def queue_status(switch: Switch, request: Request) -> bytes:
    name = request.get("Queue")
    member_filter = request.get("Member")
    now = switch.pbx.clock.now()
    parts = [wire.response(request, "Success", "Queue status will follow", list_flag="start")]
    items = 0
    for queue in switch.queues.values():
        if name and queue.name != name:
            continue
        for event in queue.status_events(now):
            if (
                member_filter
                and event.name == "QueueMember"
                and member_filter
                not in (
                    dict(event.headers).get("Location"),
                    dict(event.headers).get("Name"),
                )
            ):
                continue
            parts.append(wire.list_item(request, event, id_first=False))
            items += 1
    parts.append(wire.list_complete(request, "QueueStatusComplete", items))
    return b"".join(parts)


# ------------------------------------------------------------------------ channels


async def core_show_channels(switch: Switch, request: Request) -> bytes:
    now = switch.pbx.clock.now()
    parts = [wire.response(request, "Success", "Channels will follow", list_flag="start")]
    channels = list(switch.pbx.channels())
    for chan in channels:
        duration = int(now - chan.created_at)
        event = AmiEvent(
            "CoreShowChannel",
            "",
            (
                *ev.channel(chan),
                ("Application", chan.application),
                ("ApplicationData", chan.app_data),
                (
                    "Duration",
                    f"{duration // 3600:02d}:{duration % 3600 // 60:02d}:{duration % 60:02d}",
                ),
                ("BridgeId", chan.bridge.uniqueid if chan.bridge else ""),
            ),
        )
        parts.append(wire.list_item(request, event, id_first=True))
    parts.append(wire.list_complete(request, "CoreShowChannelsComplete", len(channels)))
    return b"".join(parts)


async def hangup(switch: Switch, request: Request) -> bytes:
    name = request.get("Channel")
    if not name:
        return _error(request, "No channel specified")
    chan = switch.pbx.channel(name)
    if chan is None:
        return _error(request, "No such channel")
    cause = int(request.get("Cause")) if request.get("Cause").isdigit() else 16
    switch.pbx.soft_hangup(chan, cause)
    return _ack(request, "Channel Hungup")


async def play_dtmf(switch: Switch, request: Request) -> bytes:
    name, digit = request.get("Channel"), request.get("Digit")
    if switch.pbx.channel(name) is None:
        return _error(request, "Channel not found")
    if not digit:
        return _error(request, "No digit specified")
    send_digits(switch, name, digit[0])
    return _ack(request, "DTMF successfully queued")


async def user_event(switch: Switch, request: Request) -> bytes:
    """``UserEvent``: the ack, then the event to every session (``manager.c``
    ``action_userevent``: every header but ``Action`` and ``UserEvent``, ``ActionID`` too).
    The training line's console presses its phone keys so (``simulator.handsets``)."""
    name = request.get("UserEvent")
    body = tuple(
        (key, value) for key, value in request.headers if key.lower() not in ("action", "userevent")
    )
    event = AmiEvent("UserEvent", "user,all", (("UserEvent", name), *body))
    asyncio.get_running_loop().call_soon(switch.pbx.emit, event)  # after the reply
    if name == HANDSET_EVENT and switch.handsets is not None:
        switch.handsets.press(request.get("Device"), request.get("Key"))
    return _ack(request, "Event Sent")


# ------------------------------------------------------------------------ transfers


def _transfer_target(switch: Switch, request: Request) -> tuple[str, str, str] | bytes:
    """(channel, context, exten) of a BlindTransfer/Atxfer, or the error Asterisk answers.
    No Context: the channel's ``TRANSFER_CONTEXT``, else its own context."""
    name, exten = request.get("Channel"), request.get("Exten")
    if not name:
        return _error(request, "No channel specified")
    if not exten:
        return _error(request, "No extension specified")
    chan = switch.pbx.channel(name)
    if chan is None:
        return _error(request, "Channel specified does not exist")
    return name, transfer_context(switch, chan, request.get("Context")), exten


async def blind_transfer_action(switch: Switch, request: Request) -> bytes:
    target = _transfer_target(switch, request)
    if isinstance(target, bytes):
        return target
    try:
        blind_transfer(switch, *target)
    except TransferError as exc:
        return _error(request, str(exc))
    return _ack(request, "Transfer succeeded")


async def atxfer(switch: Switch, request: Request) -> bytes:
    target = _transfer_target(switch, request)
    if isinstance(target, bytes):
        return target
    # Asterisk only types the feature code and the number here; whether the consultation
    # starts shows in the events, not in this reply.
    with contextlib.suppress(TransferError):
        start_attended_transfer(switch, *target)
    return _ack(request, "Atxfer successfully queued")


# ------------------------------------------------------------------------ Originate


async def originate_action(switch: Switch, request: Request) -> bytes:
    channel = request.get("Channel")
    if not channel:
        return _error(request, "Channel not specified")
    priority = request.get("Priority")
    if request.get("Exten") and (not request.get("Context") or not priority):
        return _error(request, "Originate with 'Exten' requires 'Context' and 'Priority'")
    if priority and not priority.isdigit():
        return _error(request, "Invalid priority")
    timeout = request.get("Timeout") or "30000"
    if not timeout.isdigit():
        return _error(request, "Invalid timeout")
    if "/" not in channel:
        return _error(request, "Invalid channel")
    variables: dict[str, str] = {}
    for value in request.values("Variable"):
        for pair in value.split(","):
            key, sep, item = pair.partition("=")
            if sep:
                variables[key.strip()] = item
    order = OriginateRequest(
        action_id=request.action_id,
        channel=channel,
        context=request.get("Context"),
        exten=request.get("Exten"),
        timeout_s=int(timeout) / 1000,
        caller_id=request.get("CallerID"),
        variables=variables,
        channel_id=request.get("ChannelId"),
    )
    done = originate(switch, order)
    if _true(request.get("Async")):
        return _ack(request, "Originate successfully queued")
    if await done:
        return _ack(request, "Originate successfully queued")
    return _error(request, "Originate failed")


ACTIONS: Mapping[str, Action] = MappingProxyType(
    {
        action.name.lower(): action
        for action in (
            Action("Ping", "Keepalive command.", "", ping),
            Action("Originate", "Originate a call.", "originate", originate_action),
            Action("Hangup", "Hangup channel.", "system,call", hangup),
            Action("PlayDTMF", "Play DTMF signal on a specific channel.", "call", play_dtmf),
            Action("UserEvent", "Send an arbitrary event.", "user", user_event),
            Action(
                "BlindTransfer",
                "Blind transfer channel(s) to the given destination",
                "call",
                blind_transfer_action,
            ),
            Action("Atxfer", "Attended transfer.", "call", atxfer),
            Action(
                "CoreShowChannels",
                "List currently active channels.",
                "system,reporting",
                core_show_channels,
            ),
            Action("QueueStatus", "Show queue status.", "", queue_status),
            Action("QueueAdd", "Add interface to queue.", "agent", queue_add),
            Action("QueueRemove", "Remove interface from queue.", "agent", queue_remove),
            Action(
                "QueuePause", "Makes a queue member temporarily unavailable.", "agent", queue_pause
            ),
        )
    }
)
