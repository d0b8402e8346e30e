"""What one viewer of the live stream may see of the bus (``agent_console.live_stream.LiveFilter``).

Supervisors and administrators see everything. Anyone else (operators, experts, editors) sees:

* of the line's live picture (topics ``queue`` and ``operators``): their own phone's line only,
  never another operator's state or call; the callers waiting as a queue (how many, how long,
  which topic), without their numbers or names;
* of the callback notices (``callbacks``): a window opening only for their own tasks and the
  tasks nobody owns yet (those are on everyone's list); the other notices carry no personal data;
* nothing of the supervisors' topic.

A reload notice (``ami.pg_relay.RELOAD_PAYLOAD``) passes unchanged: it says only "re-read".
Pure: the viewer's phone and internal number are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from agent_console.live_stream import LiveFilter
from ami.bridge import CALLBACKS_TOPIC
from ami.live_state import OPERATORS_TOPIC, QUEUE_TOPIC
from consult_line.scheduler import SUPERVISOR_TOPIC

LIVE_PICTURE_TOPICS: Final = frozenset({QUEUE_TOPIC, OPERATORS_TOPIC})
# What of a waiting caller every viewer may see; the number and name are left out.
WAITING_FIELDS: Final = ("uniqueid", "linkedid", "topic", "wait_s")


def own_view(*, device: str, internal_number: str) -> LiveFilter:
    """The filter of a viewer whose phone is ``device`` (as the queue names its member) and
    whose internal number is ``internal_number``."""

    def view(topic: str, payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
        if topic == SUPERVISOR_TOPIC:
            return None
        if topic in LIVE_PICTURE_TOPICS and "operators" in payload:
            return _own_picture(payload, device)
        if topic == CALLBACKS_TOPIC and payload.get("kind") == "window_opens":
            return payload if payload.get("owner") in ("", internal_number) else None
        return payload

    return view


def _own_picture(picture: Mapping[str, Any], device: str) -> dict[str, Any]:
    return {
        "waiting": [
            {name: call[name] for name in WAITING_FIELDS if name in call}
            for call in picture.get("waiting", [])
        ],
        "operators": [
            operator
            for operator in picture["operators"]
            if device and operator.get("interface") == device
        ],
    }
