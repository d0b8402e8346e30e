"""The training line's phone keys: «Ответить» and «Завершить» on the operator's screen.

On the training line nobody holds a desk phone: the operator's phone is simulated
(``simulator.handsets``), and the console presses its keys with AMI's ``UserEvent`` action
over the bridge's own connection. A real Asterisk accepts the same action (it relays the event
to the other manager sessions and does nothing else), so the console opens no second way into
the PBX and the AMI user needs no right beyond ``write = user``, which only the training line
grants. The event: ``UserEvent: ConsultLineHandset``, ``Device: PJSIP/201``,
``Key: answer | hangup``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from ami.actions import ActionResult, ActionStatus, run_action
from ami.connection import AmiConnection

HANDSET_EVENT: Final = "ConsultLineHandset"


class HandsetKey(StrEnum):
    ANSWER = "answer"  # the ringing phone picks up
    HANG_UP = "hangup"  # the phone in a conversation puts down


async def press_handset(ami: AmiConnection, *, device: str, key: HandsetKey) -> ActionResult:
    """Presses ``key`` on the simulated phone of ``device`` (``PJSIP/201``)."""
    if not device:
        return ActionResult(ActionStatus.REFUSED, "Для вас не указан телефон.")
    action = {"Action": "UserEvent", "UserEvent": HANDSET_EVENT, "Device": device, "Key": key}
    return await run_action(ami, action)
