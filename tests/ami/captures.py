"""Helpers to replay the real Asterisk 22 AMI captures (``tests/fixtures/asterisk/``).

Each ``NAME.ami.txt`` holds the raw bytes the AMI socket delivered (CRLF, banner first).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from ami.call_record import CallLogEntry
from ami.cdr import CAPTURES_CONTEXTS
from ami.events import AmiEvent, ParseStats, parse_event
from ami.projector import CallFinished, CallLogProjector, ProjectorOutput
from ami.stream import AmiMessage, AmiStreamDecoder, decode_all
from tests import asterisk_captures
from tests.asterisk_captures import Kind

SCENARIOS = (
    "a-answered",
    "a2-answered-caller-hangs-up",
    "b-abandoned",
    "c-afterhours",
    "c2-noagents-joinempty",
    "d-blind-transfer-chain",
    "d2-blind-transfer-third-refused",
    "e-attended-transfer",
    "f-agi-caller-hangup",
    "f3-agi-caller-hangup-nosighup",
    "g-agi-server-down",
    "ivr-dtmf",
    "x-full-flow-ivr-queue-survey",
)

# The harness dialplan's equivalents of the line's contexts (tests/fixtures/asterisk/etc/).
HARNESS_CONTEXTS = CAPTURES_CONTEXTS

# "Received" time for the few events without a Timestamp header (FullyBooted at login).
RECEIVED_AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def capture_bytes(name: str) -> bytes:
    return asterisk_captures.capture_bytes(name, Kind.AMI)


def capture_messages(name: str) -> list[AmiMessage]:
    return decode_all(capture_bytes(name))


def capture_events(name: str, stats: ParseStats | None = None) -> list[AmiEvent]:
    return events_of(capture_messages(name), stats)


def events_of(messages: Iterable[AmiMessage], stats: ParseStats | None = None) -> list[AmiEvent]:
    parsed = (parse_event(message, RECEIVED_AT, stats) for message in messages)
    return [event for event in parsed if event is not None]


def first_message(name: str, event: str, **headers: str) -> AmiMessage:
    """The first message of capture ``name`` with ``Event: event`` and the given headers."""
    for message in capture_messages(name):
        if message.first("Event") != event:
            continue
        if all(message.first(key) == value for key, value in headers.items()):
            return message
    raise LookupError(f"no {event} {headers} in {name}")


def chunks(data: bytes, *, seed: int, max_size: int) -> Iterator[bytes]:
    """``data`` cut into pieces of random sizes between 1 and ``max_size`` bytes."""
    rng = random.Random(seed)
    position = 0
    while position < len(data):
        size = rng.randint(1, max_size)
        yield data[position : position + size]
        position += size


def decode_chunked(pieces: Iterable[bytes]) -> list[AmiMessage]:
    decoder = AmiStreamDecoder()
    messages: list[AmiMessage] = []
    for piece in pieces:
        messages.extend(decoder.feed(piece))
    return messages


def project(events: Iterable[AmiEvent]) -> list[ProjectorOutput]:
    projector = CallLogProjector(line_contexts=HARNESS_CONTEXTS)
    outputs: list[ProjectorOutput] = []
    for event in events:
        outputs.extend(projector.apply(event))
    assert projector.tracked == 0, "a finished capture leaves no call in the projector"
    return outputs


def final_entry(name: str) -> CallLogEntry:
    """The one finished call of capture ``name``."""
    finished = [out for out in project(capture_events(name)) if isinstance(out, CallFinished)]
    assert len(finished) == 1
    assert finished[0].complete
    return finished[0].entry
