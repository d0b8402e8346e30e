"""What every flow gets besides the channel, and the checks on the dialplan's arguments."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from consult_line.clock import Clock
from ivr.agi.channel import AgiChannel
from ivr.db_workers import DatabaseWorkers
from ivr.variables import LINE_LANGUAGE
from ivr.voice import Voice
from models.line_store import LineStore
from models.settings import Settings
from models.tables import Language

_P = ParamSpec("_P")
_R = TypeVar("_R")

_LINKEDID = re.compile(r"[0-9]+\.[0-9]+")
_EXTENSION = re.compile(r"[0-9]{2,6}")
_TASK_ID = re.compile(r"[1-9][0-9]{0,17}")
# A channel's Uniqueid: Asterisk's "1795867285.12", or the ChannelId the console gives an
# Originate (a UUID).
_CHANNEL_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z.-]{0,63}")


@dataclass(frozen=True)
class FlowContext:
    store: LineStore  # on the caller's engine (models.db.caller_path_engine)
    clock: Clock
    settings: Settings
    workers: DatabaseWorkers
    voice: Voice | None = None  # speech (ivr.voice); None: the keypad only

    async def blocking(self, fn: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """Runs a synchronous (database) call in one of the caller's worker threads, so the
        loop serves other calls; raises DatabaseTooSlow past the caller's time limit."""
        return await self.workers.run(fn, *args, **kwargs)


class RouteArgumentError(ValueError):
    """The dialplan passed a bad argument: a defect to fix there, reported through the
    server's one error path (LINE_AGI_FAILED=1)."""


def argument(channel: AgiChannel, index: int, what: str) -> str:
    args = channel.env.args
    if index >= len(args):
        raise RouteArgumentError(f"missing argument {index + 1} ({what})")
    return args[index]


def linkedid_arg(channel: AgiChannel, index: int = 0) -> str:
    value = argument(channel, index, "linkedid")
    if len(value) > 64 or not _LINKEDID.fullmatch(value):
        raise RouteArgumentError(f"bad linkedid: {value[:40]!r}")
    return value


def extension_arg(channel: AgiChannel, index: int) -> str:
    value = argument(channel, index, "extension")
    if not _EXTENSION.fullmatch(value):
        raise RouteArgumentError(f"bad extension: {value[:40]!r}")
    return value


def task_id_arg(channel: AgiChannel, index: int = 0) -> int:
    value = argument(channel, index, "task id")
    if not _TASK_ID.fullmatch(value):
        raise RouteArgumentError(f"bad task id: {value[:40]!r}")
    return int(value)


def channel_id_arg(channel: AgiChannel, index: int) -> str:
    value = argument(channel, index, "channel")
    if not _CHANNEL_ID.fullmatch(value):
        raise RouteArgumentError(f"bad channel id: {value[:40]!r}")
    return value


async def call_language(channel: AgiChannel) -> Language:
    """The language the entry flow chose for this call (LINE_LANGUAGE), Russian by default."""
    value = await channel.get_variable(LINE_LANGUAGE)
    try:
        return Language(value) if value else Language.RU
    except ValueError:
        return Language.RU
