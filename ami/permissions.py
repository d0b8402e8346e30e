"""Whether the AMI user may send what the line sends, from Asterisk's own answer.

``ListCommands`` (allowed to every user) lists exactly the actions the logged-in user's
``write`` classes permit (``manager.c`` ``action_listcommands``). The bridge asks after every
login; an action missing from the answer would fail later with "Permission denied" in the
middle of a call (a transfer, a callback) or a resync. The read classes cannot be asked
this way; ``consult-line check-asterisk`` reads them from ``manager.conf``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

# Each action the line sends and the write classes that grant it, as Asterisk registers them
# (manager.c, app_queue.c). QueueStatus, Ping and ListCommands need none.
NEEDED_ACTIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "Originate": ("originate",),  # click-to-call (C11)
        "BlindTransfer": ("call",),  # console transfers (C9, C10)
        "Atxfer": ("call",),
        "QueueAdd": ("agent",),  # operator login to the queue (C4)
        "QueueRemove": ("agent",),
        "QueuePause": ("agent",),
        "CoreShowChannels": ("system", "reporting"),  # resync after every login
    }
)
# What the contract asks for (asterisk/README.md, manager.conf).
WRITE_CLASSES: Final = "call,originate,agent,reporting"


@dataclass(frozen=True, slots=True)
class PermissionCheck:
    missing: tuple[str, ...]  # needed actions the user may not send

    @property
    def problem(self) -> str:
        if not self.missing:
            return ""
        actions = ", ".join(
            f"{name} ({' или '.join(NEEDED_ACTIONS[name])})" for name in self.missing
        )
        return (
            f"пользователю AMI запрещены действия: {actions}; в manager.conf, в секции этого "
            f"пользователя, нужна строка «write = {WRITE_CLASSES}», затем «manager reload» "
            "(служба войдёт заново и проверит сама)"
        )

    def as_dict(self) -> dict[str, Any]:
        return {"missing": list(self.missing), "problem": self.problem}


def check_listed(reply: Mapping[str, Any]) -> PermissionCheck:
    """``reply``: the ListCommands response, one header per permitted action."""
    listed = {str(key).lower() for key in reply}
    return PermissionCheck(tuple(name for name in NEEDED_ACTIONS if name.lower() not in listed))
