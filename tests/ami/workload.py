"""Many distinct calls made from the recorded ones: AMI events, queue_log lines and CDR rows.

Each new call is one recording (``tests/fixtures/asterisk``) moved in time, with its
Uniqueids/Linkedids, channel-name counters, bridge ids and caller number replaced the same way
in all three sources, as one Asterisk would have written them for that call. The calls of a
workload arrive as a Poisson stream and overlap; their events are merged in time order as one
AMI connection delivers them, and each queue_log line and CDR row carries the moment Asterisk
wrote it (queue_log: its own epoch; a CDR row: its end, when the channel hung up). CDR times are
UTC wall clock, as the recording host (UTC, ``usegmtime = no``) wrote them.
"""

from __future__ import annotations

import csv
import functools
import heapq
import random
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.asterisk_captures import Kind, capture_bytes, capture_lines

CAPTURE_CALLER = "79281234567"  # the caller number every recording has
# Events of the recording harness's own AMI login, not of a call.
_CONNECTION_EVENTS = frozenset({"FullyBooted", "SuccessfulAuth"})
_TOKENS = re.compile(
    r"(?P<ts>(?<=\nTimestamp: )\d+\.\d{6}(?=\r\n|$))"
    r"|(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"|(?P<uid>(?<![\w.])\d{9,10}\.\d{1,5}(?![\w.]))"  # Uniqueid, Linkedid: epoch.counter
    r"|(?P<chan>(?<=-)[0-9a-f]{8}(?![\w-]))"  # channel-name counter: Local/x@ctx-0000001a;1
    rf"|(?P<cid>{CAPTURE_CALLER})"
)
_QUEUE_LOG_EPOCH = re.compile(r"^(\d{9,10})\|")
_CDR_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
_CDR_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class Timed:
    at: datetime  # when Asterisk sent or wrote it
    text: str  # an AMI event (CRLF, blank line included) or a log line (with its "\n")


@dataclass(frozen=True, slots=True)
class CallCopy:
    capture: str
    linkedid: str
    caller: str
    events: tuple[Timed, ...]
    queue_log: tuple[Timed, ...]
    cdr: tuple[Timed, ...]


@dataclass
class Workload:
    calls: list[CallCopy]
    events: list[Timed] = field(default_factory=list)  # every call's, in stream order
    queue_log: list[Timed] = field(default_factory=list)  # in the order Asterisk wrote them
    cdr: list[Timed] = field(default_factory=list)


class _Ids:
    """Asterisk's process-wide counters, continued from call to call."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._uniqueid = 0
        self._channel = 0

    def uniqueid(self, epoch: int) -> str:
        self._uniqueid += 1
        return f"{epoch}.{self._uniqueid}"

    def channel(self) -> str:
        self._channel += 1
        return f"{self._channel:08x}"

    def bridge(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


def _micros(value: str) -> int:
    seconds, fraction = value.split(".")
    return int(seconds) * 1_000_000 + int(fraction)


@functools.cache
def capture_event_blocks(name: str) -> tuple[str, ...]:
    """The recording's event messages (without the harness's login events), CRLF-terminated."""
    blocks = capture_bytes(name, Kind.AMI).decode("utf-8").split("\r\n\r\n")
    return tuple(
        block + "\r\n\r\n"
        for block in blocks
        if block.startswith("Event: ") and block[7:].partition("\r\n")[0] not in _CONNECTION_EVENTS
    )


class _Renamer:
    """One call's replacement of every identifier, shared by its AMI, queue_log and CDR."""

    def __init__(self, ids: _Ids, shift_us: int, caller: str) -> None:
        self._ids = ids
        self.shift_us = shift_us
        self.shift_s = round(shift_us / 1e6)
        self._caller = caller
        self._renamed: dict[tuple[str, str], str] = {}

    def text(self, text: str) -> str:
        return _TOKENS.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        kind = match.lastgroup
        value = match.group()
        if kind == "ts":
            micros = _micros(value) + self.shift_us
            return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
        if kind == "cid":
            return self._caller
        assert kind is not None
        found = self._renamed.get((kind, value))
        if found is None:
            if kind == "uid":
                found = self._ids.uniqueid(int(value.partition(".")[0]) + self.shift_s)
            elif kind == "chan":
                found = self._ids.channel()
            else:
                found = self._ids.bridge()
            self._renamed[(kind, value)] = found
        return found

    def uniqueid(self, value: str) -> str:
        return self.text(value)


def copy_call(name: str, start: datetime, caller: str, ids: _Ids) -> CallCopy:
    """Recording ``name`` as a new call whose first event is at ``start``."""
    blocks = capture_event_blocks(name)
    first_us = _micros(_TOKENS_TS(blocks[0]))
    # Whole seconds: queue_log and the CDR keep whole seconds, AMI microseconds.
    shift_s = round((start.timestamp() * 1_000_000 - first_us) / 1_000_000)
    renamer = _Renamer(ids, shift_s * 1_000_000, caller)
    events = []
    at_us = first_us
    for block in blocks:
        stamp = _TOKENS_TS(block)
        at_us = _micros(stamp) if stamp else at_us
        events.append(Timed(_at_us(at_us + renamer.shift_us), renamer.text(block)))
    linkedid = renamer.uniqueid(_first_linkedid(blocks))
    return CallCopy(
        capture=name,
        linkedid=linkedid,
        caller=caller,
        events=tuple(events),
        queue_log=tuple(_queue_log(name, renamer)),
        cdr=tuple(_cdr(name, renamer)),
    )


def _TOKENS_TS(block: str) -> str:  # noqa: N802 - reads as the token it returns
    match = re.search(r"\nTimestamp: (\d+\.\d{6})", block)
    return match.group(1) if match else ""


def _first_linkedid(blocks: Sequence[str]) -> str:
    """The call's key: the Linkedid of the first event that has one (the inbound Newchannel)."""
    for block in blocks:
        match = re.search(r"\nLinkedid: (\S+)", block)
        if match is not None:
            return match.group(1)
    raise AssertionError("a recording without a Linkedid")


def _at_us(micros: int) -> datetime:
    return datetime.fromtimestamp(micros / 1_000_000, UTC)


def _queue_log(name: str, renamer: _Renamer) -> list[Timed]:
    lines = []
    for line in capture_lines(name, Kind.QUEUE_LOG):
        if "|NONE|NONE|NONE|QUEUESTART|" in line:
            continue  # Asterisk's start-up line, not the call's
        epoch_match = _QUEUE_LOG_EPOCH.match(line)
        assert epoch_match is not None, line
        epoch = int(epoch_match.group(1)) + renamer.shift_s
        rest = renamer.text(line[epoch_match.end() :])
        lines.append(Timed(datetime.fromtimestamp(epoch, UTC), f"{epoch}|{rest}"))
    return lines


def _cdr(name: str, renamer: _Renamer) -> list[Timed]:
    """The call's CDR rows, each written when its channel hung up: Asterisk posts a channel's
    rows together at its hang-up (its last row's end), not as each row ends."""
    rows = []
    for line in capture_lines(name, Kind.CDR):
        shifted = _CDR_TIME.sub(lambda m: _shift_wall_clock(m.group(), renamer.shift_s), line)
        renamed = renamer.text(shifted)
        end = datetime.strptime(_CDR_TIME.findall(renamed)[-1], _CDR_FORMAT).replace(tzinfo=UTC)
        rows.append((_cdr_uniqueid(renamed), end, renamed))
    hung_up: dict[str, datetime] = {}
    for uniqueid, end, _ in rows:
        hung_up[uniqueid] = max(end, hung_up.get(uniqueid, end))
    return [Timed(hung_up[uniqueid], text) for uniqueid, _, text in rows]


def _cdr_uniqueid(row: str) -> str:
    fields = next(csv.reader([row]))
    return fields[16]  # loguniqueid: the 17th column


def _shift_wall_clock(value: str, seconds: int) -> str:
    moment = datetime.strptime(value, _CDR_FORMAT) + timedelta(seconds=seconds)  # noqa: DTZ007
    return moment.strftime(_CDR_FORMAT)


def build(
    mix: Sequence[tuple[str, int]],
    calls: int,
    *,
    seed: int,
    start: datetime,
    mean_gap_s: float,
    callers: Sequence[str],
) -> Workload:
    """``calls`` calls from the weighted ``mix`` of recordings, arriving ``mean_gap_s`` apart
    on average, each from one of ``callers`` (repeated numbers: a caller who calls again)."""
    rng = random.Random(seed)
    names = [name for name, _ in mix]
    weights = [weight for _, weight in mix]
    ids = _Ids(rng)
    moment = start
    copies = []
    for _ in range(calls):
        copies.append(copy_call(rng.choices(names, weights)[0], moment, rng.choice(callers), ids))
        moment += timedelta(seconds=rng.expovariate(1 / mean_gap_s))
    workload = Workload(copies)
    workload.events = list(heapq.merge(*(c.events for c in copies), key=lambda t: t.at))
    workload.queue_log = sorted((line for c in copies for line in c.queue_log), key=lambda t: t.at)
    workload.cdr = sorted((row for c in copies for row in c.cdr), key=lambda t: t.at)
    return workload
