"""``AGI(agi://host:port/route,args)`` on the simulated PBX: Asterisk's side of FastAGI.

It connects to the FastAGI server (the line's ``serve``), sends the ``agi_*`` environment as
Asterisk 22 does, and answers every command the route sends: sounds take as long as they
play, the simulated caller presses keys in the menus (:class:`simulator.caller.CallerPlan`),
``SET VARIABLE`` sets the channel variable (a VarSet event) the dialplan then branches on.
Each command is also an AGIExecStart/AGIExecEnd pair on AMI.

When the caller hangs up during a command, that command answers ``200 result=-1`` and the
``HANGUP`` line follows; from then on only GET/SET VARIABLE and VERBOSE answer 200, the rest
``511``, and ``AGISTATUS`` ends ``HANGUP`` (the dialplan stops). When the server ends the
session Asterisk sends ``HANGUP`` and closes. A server that cannot be reached within 2 s
gives ``AGISTATUS=FAILURE`` at once and the dialplan goes on (its fallback).

While the route thinks (between a reply and its next command) simulated time stands still.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Final

from simulator import agi_commands as cmd
from simulator import ami_events as ev
from simulator.apps import Apps
from simulator.caller import CallerPlan
from simulator.channels import ChannelState, SimChannel
from simulator.pbx import HungUp

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S: Final = 2.0  # res_agi.c MAX_AGI_CONNECT
COMMAND_WAIT_S: Final = 120.0  # wall seconds to wait for a route's next command
AGI_VERSION: Final = "22.10.1"
DTMF_GAP_S: Final = 0.25  # between two keys a caller presses


async def agi(
    apps: Apps, priority: int, route: str, args: Sequence[str], plan: CallerPlan | None
) -> str:
    """Runs the route on the channel; returns AGISTATUS (raises HungUp on HANGUP)."""
    target = apps.switch.agi
    chan = apps.chan
    data = ",".join([f"{target.url}/{route}", *args])
    apps.step(priority, "AGI", data)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            reader, writer = await asyncio.open_connection(target.host, target.port)
    except (OSError, TimeoutError):
        log.info("%s: FastAGI %s unreachable", chan.name, target.url)
        apps.pbx.set_var(chan, "AGISTATUS", "FAILURE")
        return "FAILURE"
    session = _Session(apps, plan, reader, writer)
    try:
        writer.write(environment(apps, route, args).encode("utf-8"))
        await session.serve()
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    status = "HANGUP" if session.dead else "SUCCESS"
    apps.pbx.set_var(chan, "AGISTATUS", status)
    if session.dead:
        raise HungUp(16)
    return status


def environment(apps: Apps, route: str, args: Sequence[str]) -> str:
    """The block ``setup_env`` sends, in its order, then the arguments and an empty line."""
    chan = apps.chan
    target = apps.switch.agi
    pairs = [
        ("agi_network", "yes"),
        ("agi_network_script", route),
        ("agi_request", f"{target.url}/{route}"),
        ("agi_channel", chan.name),
        ("agi_language", chan.language),
        ("agi_type", chan.name.split("/", 1)[0]),
        ("agi_uniqueid", chan.uniqueid),
        ("agi_version", AGI_VERSION),
        ("agi_callerid", chan.caller_num or "unknown"),
        ("agi_calleridname", chan.caller_name or "unknown"),
        ("agi_callingpres", "0"),
        ("agi_callingani2", "0"),
        ("agi_callington", "0"),
        ("agi_callingtns", "0"),
        ("agi_dnid", chan.dnid or "unknown"),
        ("agi_rdnis", "unknown"),
        ("agi_context", chan.context),
        ("agi_extension", chan.exten),
        ("agi_priority", str(chan.priority)),
        ("agi_enhanced", "0.0"),
        ("agi_accountcode", chan.accountcode),
        ("agi_threadid", str(140480192968384 + int(chan.uniqueid.rsplit(".", 1)[-1]))),
    ]
    pairs += [(f"agi_arg_{number}", value) for number, value in enumerate(args, start=1)]
    return "".join(f"{key}: {value}\n" for key, value in pairs) + "\n"


class _Session:
    def __init__(
        self,
        apps: Apps,
        plan: CallerPlan | None,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.apps = apps
        self.pbx = apps.pbx
        self.chan: SimChannel = apps.chan
        self.plan = plan
        self.reader = reader
        self.writer = writer
        self.dead = False
        self._asked: Counter[str] = Counter()  # how often each question came

    def _answer(self, prompt: str) -> str:
        if self.plan is None:
            return ""
        keys = self.plan.answer(prompt, self._asked[prompt])
        self._asked[prompt] += 1
        return keys

    async def serve(self) -> None:
        while True:
            try:
                async with asyncio.timeout(COMMAND_WAIT_S):
                    raw = await self.reader.readline()
            except (OSError, TimeoutError):
                return
            if not raw.endswith(b"\n"):
                break  # the server closed its side
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if not line:
                continue
            reply = await self._execute(line)
            self._send(reply)
            if reply == cmd.ok("-1") or reply.startswith("200 result=-1 "):
                self._send("HANGUP")  # the caller hung up during it
        self._send("HANGUP")

    def _send(self, line: str) -> None:
        if not self.writer.is_closing():
            self.writer.write(line.encode("utf-8") + b"\n")

    async def _execute(self, line: str) -> str:
        argv = cmd.parse_args(line)
        name = cmd.command_name(argv)
        command_id = str(self.pbx.rng.randrange(10**8, 2 * 10**9))
        self.pbx.emit(ev.agi_exec_start(self.chan, command_id, line))
        if name not in cmd.KNOWN:
            reply = cmd.INVALID
        elif self._is_dead() and name not in cmd.DEAD_SAFE:
            reply = cmd.DEAD
        else:
            reply = await self._run(name, argv[len(name.split()) :])
        code = int(reply[:3])
        result = "Success" if code == 200 else reply[4:]
        self.pbx.emit(ev.agi_exec_end(self.chan, command_id, line, code, result))
        return reply

    def _is_dead(self) -> bool:
        return self.dead or self.chan.hangup_requested.fired or self.chan.hung_up

    async def _run(self, name: str, args: list[str]) -> str:
        pbx, chan = self.pbx, self.chan
        if name == "ANSWER":
            if chan.state is not ChannelState.UP:
                pbx.set_state(chan, ChannelState.UP)
            return cmd.ok("0")
        if name == "SET VARIABLE" and len(args) >= 2:
            return self._set_variable(args[0], args[1])
        if name == "GET VARIABLE" and args:
            value = chan.language if args[0] == "CHANNEL(language)" else pbx.get_var(chan, args[0])
            return cmd.ok("0") if value is None else cmd.ok("1", value)
        if name == "CHANNEL STATUS":
            return cmd.ok(str(int(chan.state)))
        if name == "VERBOSE":
            return cmd.ok("1")
        if name == "HANGUP":
            pbx.soft_hangup(chan)
            self.dead = True
            return cmd.ok("1")
        if name == "STREAM FILE" and args:
            return await self._play(cmd.sound_seconds(args[0]), with_endpos=True)
        if name == "SAY DIGITS" and args:
            return await self._play(cmd.SAY_DIGIT_S * len(args[0]), with_endpos=False)
        if name == "SAY DATETIME" and args:
            return await self._play(cmd.SAY_DATETIME_S, with_endpos=False)
        if name == "GET DATA" and args:
            return await self._get_data(args)
        if name == "WAIT FOR DIGIT" and args:
            return await self._wait_for_digit(_number(args[0], 0))
        return "520 Invalid command syntax.  Proper usage not available."

    def _set_variable(self, name: str, value: str) -> str:
        if name == "CHANNEL(language)":
            self.chan.language = value
        else:
            self.pbx.set_var(self.chan, name, value)
        return cmd.ok("1")

    async def _hold(self, seconds: float) -> bool:
        """Sound or silence for ``seconds``; False if the caller hung up meanwhile."""
        fired = await self.pbx.clock.wait(self.chan.hangup_requested, timeout=seconds)
        if fired is None:
            return True
        self.dead = True
        return False

    async def _play(self, seconds: float, *, with_endpos: bool) -> str:
        started = self.pbx.clock.now()
        if not await self._hold(seconds):
            played = self.pbx.clock.now() - started
            return cmd.ok("-1", end=cmd.endpos(played) if with_endpos else None)
        return cmd.ok("0", end=cmd.endpos(seconds) if with_endpos else None)

    async def _press(self, keys: str) -> bool:
        """The caller keys ``keys`` (DTMF events); False if they hung up meanwhile."""
        for index, key in enumerate(keys):
            if index and not await self._hold(DTMF_GAP_S):
                return False
            self.pbx.emit(ev.dtmf_begin(self.chan, key))
            self.pbx.emit(ev.dtmf_end(self.chan, key, 100))
        return True

    async def _get_data(self, args: list[str]) -> str:
        """``GET DATA file [timeout_ms [max_digits]]``: the keys end with ``#``, at
        ``max_digits``, or ``timeout`` after the last one."""
        sound = args[0]
        timeout_s = _number(args[1] if len(args) > 1 else "", 2000) / 1000
        max_digits = _number(args[2] if len(args) > 2 else "", 1024)
        prompt_s = cmd.sound_seconds(sound)
        keys = self._answer(cmd.prompt_id(sound)) if sound else ""
        think_s = self.plan.think_s if self.plan else 0.0
        if not keys or think_s > prompt_s + timeout_s:
            if not await self._hold(prompt_s + timeout_s):
                return cmd.ok("-1")
            return cmd.ok("", "timeout")
        if not await self._hold(think_s) or not await self._press(keys):
            return cmd.ok("-1")
        if "#" in keys:
            return cmd.ok(keys.split("#", 1)[0])
        if len(keys) >= max_digits:
            return cmd.ok(keys[:max_digits])
        if not await self._hold(timeout_s):
            return cmd.ok("-1")
        return cmd.ok(keys, "timeout")

    async def _wait_for_digit(self, timeout_ms: int) -> str:
        keys = self._answer("")  # WAIT FOR DIGIT asks nothing aloud
        if not keys:
            if not await self._hold(timeout_ms / 1000 if timeout_ms >= 0 else 3600.0):
                return cmd.ok("-1")
            return cmd.ok("0")
        think_s = self.plan.think_s if self.plan else 0.0
        if not await self._hold(think_s) or not await self._press(keys[0]):
            return cmd.ok("-1")
        return cmd.ok(cmd.digit_result(keys[0]))


def _number(text: str, default: int) -> int:
    try:
        return int(text)
    except ValueError:
        return default
