"""An attended transfer through the line's transfer guard, derived from the recording
``e-attended-transfer`` (tests/fixtures/asterisk/README.md), completed or cancelled (C10).

The recording was made with the harness dialplan, so the guard's own marks are added where
``[consult-line-transfer-guard]`` sets them: ``XFER_LEG=consult`` and ``TRANSFER_ALLOWED`` on
the consultation leg (the Local ``;2`` half that dials the employee) before its Dial. A
cancelled consultation is derived from the same bytes: the call up to the employee's answer,
then what Asterisk does when the operator presses the abort key (``bridge_basic.c``, state
*Rebridge*): the operator goes back to the caller's bridge, the consultation's Local halves
and the employee's leg hang up, and no ``AttendedTransfer`` is published. Further
consultations on the same call are the recorded one again with new channels, 20 s later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from ami.events import AmiEvent, parse_event
from tests.ami.captures import RECEIVED_AT
from tests.ami.fake_ami import capture_events, format_message

CAPTURE = "e-attended-transfer"
LINKEDID = "1795867227.0"  # the caller's channel
OPERATOR = "1795867227.2"  # agent1's ;1 leg, bridged with the caller
CONSULT_TARGET = "1795867233.4"  # Local/2002@harness-transfer-00000002;1 (the operator's side)
CONSULT_LEG = "1795867233.5"  # its ;2 half: runs the guard and dials employee2
EMPLOYEE_LEGS = ("1795867233.6", "1795867233.7")
CALLER_BRIDGE = "89e46464-0c23-478f-8dbd-e22774ef5901"
CONSULT_BRIDGE = "b034e616-cbbf-4ca4-ac13-1855abdf16ef"
# Where the recording's consultation starts (the operator keys *2) and where its hand-over
# starts (*2 again: complete); the employee hangs up on the caller at the end.
CONSULTATION_STARTS = 1795867233.448
HAND_OVER_STARTS = 1795867237.951
CALL_GOES_ON = 1795867243.9

Block = dict[str, str]


@cache
def _recorded() -> tuple[Mapping[str, str], ...]:
    blocks = []
    for raw in capture_events(CAPTURE).split(b"\r\n\r\n"):
        if raw:
            lines = raw.decode("utf-8").split("\r\n")
            blocks.append(dict(line.split(": ", 1) for line in lines if ": " in line))
    return tuple(blocks)


def _blocks() -> list[Block]:
    return [dict(block) for block in _recorded()]


def between(start: float, end: float) -> list[Block]:
    return [b for b in _blocks() if start <= float(b.get("Timestamp", "0")) < end]


def _find(event: str, uniqueid: str, **headers: str) -> Block:
    for block in _blocks():
        wanted = block["Event"] == event and block.get("Uniqueid") == uniqueid
        if wanted and all(block.get(key) == value for key, value in headers.items()):
            return block
    raise LookupError(f"{event} {uniqueid} {headers}")


def _varset(channel_of: Block, variable: str, value: str) -> Block:
    """A VarSet on the channel of ``channel_of``, at its time (the guard's Set/SET VARIABLE)."""
    dropped = {"Event", "Privilege", "Timestamp", "DialString"}
    channel = {k: v for k, v in channel_of.items() if k not in dropped and k[:4] != "Dest"}
    return {
        "Event": "VarSet",
        "Privilege": "dialplan,all",
        "Timestamp": channel_of["Timestamp"],
        **channel,
        "Variable": variable,
        "Value": value,
    }


def _with_guard(blocks: list[Block]) -> list[Block]:
    """The guard's marks on the consultation leg, just before it dials the employee."""
    out: list[Block] = []
    for block in blocks:
        if block["Event"] == "DialBegin" and block.get("Uniqueid") == CONSULT_LEG:
            out += [
                _varset(block, "XFER_LEG", "consult"),
                _varset(block, "TRANSFER_ALLOWED", ""),
                _varset(block, "TRANSFER_ALLOWED", "1"),  # the route allowed it
            ]
        out.append(block)
    return out


def _aborted() -> list[Block]:
    """The operator presses the abort key during the consultation (Asterisk's Rebridge)."""
    at = f"{HAND_OVER_STARTS:.6f}"
    steps = [
        _find("BridgeLeave", OPERATOR, BridgeUniqueid=CONSULT_BRIDGE),
        _find("BridgeEnter", OPERATOR, BridgeUniqueid=CALLER_BRIDGE),
        _find("Hangup", CONSULT_TARGET),
        _find("BridgeLeave", CONSULT_LEG),
        _find("Hangup", CONSULT_LEG),
        *(_find("Hangup", leg) for leg in EMPLOYEE_LEGS),
    ]
    return [{**block, "Timestamp": at} for block in steps]


def consultation(number: int, *, completed: bool) -> list[Block]:
    """The recorded consultation (``number`` > 1: the same with new channels, later)."""
    blocks = _with_guard(between(CONSULTATION_STARTS, HAND_OVER_STARTS))
    blocks += between(HAND_OVER_STARTS, CALL_GOES_ON) if completed else _aborted()
    return [_renumbered(block, number) for block in blocks]


def _renumbered(block: Block, number: int) -> Block:
    if number == 1:
        return block
    shift = 20.0 * (number - 1)
    text = {
        "1795867233.": f"{1795867233 + 20 * (number - 1)}.",
        "harness-transfer-00000002": f"harness-transfer-{number + 10:08d}",
        "harness-agents-00000003": f"harness-agents-{number + 20:08d}",
        CONSULT_BRIDGE: f"{CONSULT_BRIDGE[:-2]}{number:02d}",
        "e6216e53-": f"e6216e{number:02d}-",
    }
    out = {}
    for key, value in block.items():
        for old, new in text.items():
            value = value.replace(old, new)
        out[key] = value
    if "Timestamp" in out:
        out["Timestamp"] = f"{float(block['Timestamp']) + shift:.6f}"
    return out


def consult_leg(number: int) -> str:
    return f"{1795867233 + 20 * (number - 1)}.5"


def as_bytes(blocks: Iterable[Mapping[str, str]]) -> bytes:
    return b"".join(format_message(block) for block in blocks)


def prelude() -> list[Block]:
    """The call until the operator starts the consultation: the caller, agent1 answering."""
    return between(0, CONSULTATION_STARTS)


def as_events(blocks: Iterable[Mapping[str, str]]) -> list[AmiEvent]:
    parsed = (parse_event(block, RECEIVED_AT) for block in blocks)
    return [event for event in parsed if event is not None]
