"""The AMI pipeline: parse, project and persist throughput, and live-bus lag at a paced rate.

Run: .venv/bin/python bench/bench_ami.py [calls] [rates...]
     e.g. .venv/bin/python bench/bench_ami.py 2000 200 1000   (the defaults)

The workload is made from the raw bytes of five real Asterisk 22 captures
(``tests/fixtures/asterisk``, read through ``tests/asterisk_captures.py``): each call is one capture
chosen at random (fixed seed, weights in ``MIX``) with its Uniqueids/Linkedids, channel-name
counters, bridge UUIDs, caller number and Timestamps rewritten, so that every call is distinct
and they arrive as a Poisson stream on a Monday morning (working hours, so a missed call opens a
callback task). The calls' events are interleaved in time order into one byte stream, as one AMI
connection delivers them. Only events are kept: the harness's action responses and the login
events are not part of a live stream. An "event" below is one AMI event message, used or not.

1. Parse only, the stream fed in ``READ_SIZE`` pieces: ``AmiStreamDecoder`` (→ ``AmiMessage``),
   with and without ``parse_event``; and panoramisk 1.4's own parser as the baseline: an
   ``AMIProtocol`` given a do-nothing transport and, as its manager, a stand-in whose
   ``dispatch`` receives each ``Message`` (its real ``data_received`` → ``Message.from_line`` →
   ``handle_message`` path, without ``Manager.dispatch``'s callback matching), also with
   ``parse_event``, and the bridge's own ``Utf8SafeAmiProtocol`` (panoramisk behind an
   incremental UTF-8 decoder: what the live connection runs) with ``parse_event``.
2. Parse + project: ``CallLogProjector(line_contexts=None)``, every call logged.
   Stages 1 and 2 are CPU only: they run on the first ``PARSE_EVENTS`` events, ``ROUNDS``
   times in rotating order, and the median round is shown with every round's rate.
3. Parse + project + persist: ``CallLogStore``, one transaction per output as the bridge does
   (``record_progress`` / ``record_finished``), called synchronously in this thread, on SQLite
   (a migrated file in a temporary directory) and PostgreSQL (``PG_URL``, a fresh schema created
   and dropped here; skipped with a note if unreachable). Capped at ``PERSIST_CAP_S``: the rate
   is over the prefix of the stream it got through.
4. Lag: after a warm-up (calls in progress, operators known), events are paced at each rate for
   ``LAG_WINDOW_S`` through the bridge's wiring: bytes → decoder (in the loop, as
   ``data_received``) → a queue → one consumer task doing ``AmiBridge._on_event`` (parse,
   project, store calls through ``asyncio.to_thread`` on SQLite, LiveState, ``LiveBus.publish``
   of the snapshot) → a subscriber. Bus lag = from the moment the event's bytes were handed to
   the decoder to the subscriber holding the snapshot. At the highest rate it also runs
   without the store calls, for comparison.

Prints two Markdown tables. Stages 3 and 4 are single runs: on a busy 2-core machine rates move
by 10-20 % from run to run (see the "all runs" column of stages 1 and 2).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

from panoramisk.ami_protocol import AMIProtocol
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from ami.bus import LiveBus, Subscription
from ami.connection import Utf8SafeAmiProtocol
from ami.events import ParseStats, parse_event
from ami.live_state import LiveState
from ami.projector import CallFinished, CallLogProjector, CallUpdated, ProjectorOutput
from ami.stream import AmiMessage, AmiStreamDecoder
from models.call_log_store import CallLogStore
from models.db import create_db_engine
from models.migrate import upgrade
from models.settings import Settings

# The recordings are read through the tests' one helper (the repository root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.asterisk_captures import CAPTURES_DIR, Kind, capture_bytes

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

SEED = 20261130
DEFAULT_CALLS = 2000
DEFAULT_RATES = (200, 1000)
# (capture, weight): answered, abandoned, no operators, blind transfer chain, attended transfer.
MIX: tuple[tuple[str, int], ...] = (
    ("a-answered", 40),
    ("b-abandoned", 20),
    ("c2-noagents-joinempty", 10),
    ("d-blind-transfer-chain", 15),
    ("e-attended-transfer", 15),
)
MEAN_GAP_S = 0.5  # mean time between two call arrivals
TIMELINE_START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow
CAPTURE_CALLER = "79281234567"  # the caller number every capture has
QUEUE_NAME = "consult"  # the harness's queue (the line's is ami.actions.QUEUE)
READ_SIZE = 4096  # bytes per data_received in stages 1-3
RECEIVED_AT = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # for events without a Timestamp

# Parse and project stages: the first PARSE_EVENTS events of the stream, ROUNDS times (the
# order of the stages rotates between rounds; the median round is shown).
PARSE_EVENTS = 150_000
ROUNDS = 3
STAGE_CAP_S = 30.0  # per parse or project run (one takes a few seconds)
PERSIST_CAP_S = 20.0  # each persist stage
LAG_WINDOW_S = 8.0  # paced events per rate: rate x this
LAG_WARMUP_EVENTS = 20_000  # fed unpaced and without persistence before the paced window
DRAIN_CAP_S = 30.0  # after the window, for the consumer and the subscriber to finish

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
# Events of the harness's AMI login, not of a call.
_CONNECTION_EVENTS = frozenset({"FullyBooted", "SuccessfulAuth"})
_TOKENS = re.compile(
    r"(?P<ts>(?<=\nTimestamp: )\d+\.\d{6}(?=\r\n|$))"
    r"|(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"|(?P<uid>(?<![\w.])\d{9,10}\.\d{1,5}(?![\w.]))"  # Uniqueid, Linkedid: epoch.counter
    r"|(?P<chan>(?<=-)[0-9a-f]{8}(?![\w-]))"  # channel-name counter: Local/x@ctx-0000001a;1
    rf"|(?P<cid>{CAPTURE_CALLER})"
)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ workload


@dataclass(frozen=True, slots=True)
class _Message:
    at_us: int  # the event's Timestamp in the capture, microseconds
    parts: tuple[str, ...]  # the literal text around the tokens
    tokens: tuple[tuple[str, str], ...]  # (kind, value as captured)


def _micros(value: str) -> int:
    seconds, fraction = value.split(".")
    return int(seconds) * 1_000_000 + int(fraction)


def _template(name: str) -> list[_Message]:
    messages: list[_Message] = []
    at_us = 0
    for block in capture_bytes(name, Kind.AMI).decode("utf-8").split("\r\n\r\n"):
        if not block.startswith("Event: "):
            continue  # the banner and login reply, replies to the harness's actions, the tail
        if block[7:].partition("\r\n")[0] in _CONNECTION_EVENTS:
            continue
        parts: list[str] = []
        tokens: list[tuple[str, str]] = []
        position = 0
        for match in _TOKENS.finditer(block):
            kind = match.lastgroup
            assert kind is not None
            parts.append(block[position : match.start()])
            tokens.append((kind, match.group()))
            position = match.end()
            if kind == "ts":
                at_us = _micros(match.group())
        parts.append(block[position:] + "\r\n\r\n")
        messages.append(_Message(at_us, tuple(parts), tuple(tokens)))
    return messages


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


def _one_call(
    template: Sequence[_Message], start_us: int, caller: str, ids: _Ids
) -> list[tuple[int, str]]:
    """The capture's events for a new call starting at ``start_us``: (time, text) in order."""
    shift_us = start_us - template[0].at_us
    shift_s = round(shift_us / 1e6)
    renamed: dict[tuple[str, str], str] = {}
    out: list[tuple[int, str]] = []
    for message in template:
        pieces = [message.parts[0]]
        for (kind, value), literal in zip(message.tokens, message.parts[1:], strict=True):
            if kind == "ts":
                micros = _micros(value) + shift_us
                new = f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
            elif kind == "cid":
                new = caller
            else:
                found = renamed.get((kind, value))
                if found is None:
                    if kind == "uid":
                        found = ids.uniqueid(int(value.partition(".")[0]) + shift_s)
                    elif kind == "chan":
                        found = ids.channel()
                    else:
                        found = ids.bridge()
                    renamed[(kind, value)] = found
                new = found
            pieces.append(new)
            pieces.append(literal)
        out.append((message.at_us + shift_us, "".join(pieces)))
    return out


@dataclass
class Workload:
    messages: list[str]  # one AMI event each, CRLF, in stream order
    stream: bytes  # the banner, then every message
    calls: Counter[str]
    span_s: float
    call_seconds: float  # sum of the calls' durations


def build_workload(calls: int) -> Workload:
    rng = random.Random(SEED)
    templates = {name: _template(name) for name, _ in MIX}
    names = [name for name, _ in MIX]
    weights = [weight for _, weight in MIX]
    ids = _Ids(rng)
    start_us = int(TIMELINE_START.timestamp()) * 1_000_000
    first_us = start_us
    copies: list[list[tuple[int, str]]] = []
    chosen: Counter[str] = Counter()
    call_seconds = 0.0
    for index in range(calls):
        name = rng.choices(names, weights)[0]
        chosen[name] += 1
        template = templates[name]
        call_seconds += (template[-1].at_us - template[0].at_us) / 1e6
        copies.append(_one_call(template, start_us, f"7928{index:07d}", ids))
        start_us += int(rng.expovariate(1 / MEAN_GAP_S) * 1_000_000)
    merged = list(heapq.merge(*copies, key=lambda item: item[0]))
    messages = [text for _, text in merged]
    stream = BANNER + "".join(messages).encode("utf-8")
    span_s = (merged[-1][0] - first_us) / 1e6 if merged else 0.0
    return Workload(messages, stream, chosen, span_s, call_seconds)


def _pieces(data: bytes, size: int = READ_SIZE) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


# ---------------------------------------------------------------------- stages 1 to 3


@dataclass
class Stage:
    name: str
    events: int = 0
    seconds: float = 0.0
    typed: int = 0
    outputs: int = 0
    transactions: int = 0
    capped: bool = False
    note: str = ""
    runs: list[float] = field(default_factory=list)  # events/s of every round

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def _settings(engine: Engine) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        timezone="Europe/Moscow",
        opening_time=time_of_day(9, 0),
        closing_time=time_of_day(18, 0),
        short_call_threshold_s=5.0,
        cdr_path=None,
    )


def _persist(store: CallLogStore, output: ProjectorOutput) -> bool:
    """What AmiBridge._persist does, synchronously. True when a transaction ran."""
    if isinstance(output, CallUpdated):
        store.record_progress(output.entry)
        return True
    if isinstance(output, CallFinished) and output.complete:
        store.record_finished(output.entry, datetime.now(UTC))
        return True
    return False


def run_ours(
    name: str,
    stream: bytes,
    *,
    parse: bool = True,
    project: bool = False,
    store: CallLogStore | None = None,
    cap_s: float = STAGE_CAP_S,
) -> Stage:
    stage = Stage(name)
    decoder = AmiStreamDecoder()
    stats = ParseStats()
    projector = CallLogProjector(line_contexts=None)
    started = time.perf_counter()
    deadline = started + cap_s
    for piece in _pieces(stream):
        for message in decoder.feed(piece):
            stage.events += 1
            if not parse:
                continue
            event = parse_event(message, RECEIVED_AT, stats)
            if event is None:
                continue
            stage.typed += 1
            if not project:
                continue
            for output in projector.apply(event):
                stage.outputs += 1
                if store is not None and _persist(store, output):
                    stage.transactions += 1
        if time.perf_counter() > deadline:
            stage.capped = True
            break
    stage.seconds = time.perf_counter() - started
    if stats.rejected:
        stage.note = f"rejected: {dict(stats.rejected)}"
    return stage


class _ManagerStandIn:
    """What AMIProtocol needs of panoramisk's Manager: ``dispatch`` gets each event."""

    save_stream = None

    def __init__(self, on_message: Callable[[Any], None]) -> None:
        self.dispatch = on_message


async def run_panoramisk(
    name: str, stream: bytes, protocol_class: type[Any], *, parse: bool
) -> Stage:
    """Async only because Utf8SafeAmiProtocol.connection_made wants a running loop."""
    stage = Stage(name)
    stats = ParseStats()

    def on_message(message: Any) -> None:
        stage.events += 1
        if parse and parse_event(message, RECEIVED_AT, stats) is not None:
            stage.typed += 1

    protocol = protocol_class()
    protocol.connection_made(asyncio.Transport())
    # What Manager.connection_made sets on its protocol.
    protocol.factory = _ManagerStandIn(on_message)
    protocol.encoding = "utf8"
    started = time.perf_counter()
    deadline = started + STAGE_CAP_S
    for piece in _pieces(stream):
        protocol.data_received(piece)
        if time.perf_counter() > deadline:
            stage.capped = True
            break
    stage.seconds = time.perf_counter() - started
    return stage


def _database_note(engine: Engine) -> str:
    with engine.connect() as connection:
        calls, finished = connection.exec_driver_sql(
            "SELECT count(*), count(outcome) FROM calls"
        ).one()
        tasks = connection.exec_driver_sql("SELECT count(*) FROM callback_tasks").scalar_one()
    return f"{calls:,} call rows ({finished:,} finished), {tasks:,} callback tasks"


def persist_sqlite(stream: bytes, directory: Path) -> Stage:
    engine = create_db_engine(f"sqlite:///{directory / 'persist.db'}")
    try:
        upgrade(engine)
        stage = run_ours(
            "parse + project + persist, SQLite",
            stream,
            project=True,
            store=CallLogStore(engine, _settings(engine)),
            cap_s=PERSIST_CAP_S,
        )
        stage.note = _database_note(engine)
    finally:
        engine.dispose()
    return stage


def persist_postgres(stream: bytes, notes: list[str]) -> Stage | None:
    schema = f"bench_ami_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(PG_URL), connect_args={"connect_timeout": 3})
    try:
        try:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            notes.append(f"PostgreSQL at {PG_URL} unreachable, its row skipped: {reason}")
            return None
        try:
            url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
            engine = create_db_engine(url.render_as_string(hide_password=False))
            try:
                upgrade(engine)
                stage = run_ours(
                    "parse + project + persist, PostgreSQL",
                    stream,
                    project=True,
                    store=CallLogStore(engine, _settings(engine)),
                    cap_s=PERSIST_CAP_S,
                )
                stage.note = _database_note(engine)
            finally:
                engine.dispose()
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        admin.dispose()
    return stage


# ------------------------------------------------------------------------------ stage 4


@dataclass
class Lag:
    rate: int
    persisted: bool
    events: int = 0
    seconds: float = 0.0
    bus_s: list[float] = field(default_factory=list)  # per snapshot delivered
    handled_s: list[float] = field(default_factory=list)  # per event, to its handler's end
    late_s: list[float] = field(default_factory=list)  # producer behind its schedule
    transactions: int = 0
    dropped: int = 0
    capped: bool = False


async def run_lag(
    warmup: Sequence[bytes], window: Sequence[bytes], rate: int, engine: Engine | None
) -> Lag:
    """Without an engine: the same, minus the store calls (for comparison)."""
    result = Lag(rate, persisted=engine is not None)
    bus = LiveBus()
    store = CallLogStore(engine, _settings(engine)) if engine is not None else None
    projector = CallLogProjector(line_contexts=None)
    live = LiveState(QUEUE_NAME)
    decoder = AmiStreamDecoder()
    stats = ParseStats()
    for chunk in warmup:  # calls already in progress when the window opens; not persisted
        for message in decoder.feed(chunk):
            event = parse_event(message, RECEIVED_AT, stats)
            if event is not None:
                projector.apply(event)
                live.apply(event)

    inbox: asyncio.Queue[tuple[float, AmiMessage]] = asyncio.Queue()
    entered_of_published: deque[float] = deque()  # in publish order, like the bus queue

    async def on_event(entered: float, message: AmiMessage) -> None:
        """AmiBridge._on_event, carrying the event's entry time to its snapshots."""
        event = parse_event(message, RECEIVED_AT, stats)
        if event is None:
            return
        for output in projector.apply(event):
            if store is None:
                continue
            if isinstance(output, CallUpdated):
                await asyncio.to_thread(store.record_progress, output.entry)
                result.transactions += 1
            elif isinstance(output, CallFinished) and output.complete:
                await asyncio.to_thread(store.record_finished, output.entry, datetime.now(UTC))
                result.transactions += 1
        for topic in live.apply(event):
            entered_of_published.append(entered)
            bus.publish(topic, live.snapshot(event.at))

    async def consume(count: int) -> None:
        for _ in range(count):
            entered, message = await inbox.get()
            await on_event(entered, message)
            result.handled_s.append(time.perf_counter() - entered)

    async def listen(subscription: Subscription) -> None:
        while True:
            await subscription.next()
            result.bus_s.append(time.perf_counter() - entered_of_published.popleft())

    async def produce() -> int:
        started = time.perf_counter()
        fed = 0
        for index, chunk in enumerate(window):
            due = started + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            entered = time.perf_counter()
            result.late_s.append(entered - due)
            for message in decoder.feed(chunk):  # data_received: decoded in the loop, queued
                inbox.put_nowait((entered, message))
                fed += 1
        return fed

    started = time.perf_counter()
    async with bus.subscribe() as subscription:
        listener = asyncio.create_task(listen(subscription))
        try:
            async with asyncio.timeout(LAG_WINDOW_S + DRAIN_CAP_S):
                # One message per chunk: the consumer handles exactly len(window) events.
                await asyncio.gather(produce(), consume(len(window)))
                for _ in range(10_000):  # let the subscriber catch up
                    if not entered_of_published:
                        break
                    await asyncio.sleep(0.001)
        except TimeoutError:
            result.capped = True
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        result.dropped = subscription.dropped
    result.seconds = time.perf_counter() - started
    result.events = len(result.handled_s)
    return result


def lag(workload: Workload, rate: int, directory: Path | None) -> Lag:
    """Persisting to a fresh SQLite file in ``directory``; None: no persistence."""
    count = int(rate * LAG_WINDOW_S)
    skip = max(0, min(LAG_WARMUP_EVENTS, len(workload.messages) - count))
    warmup = [BANNER] + [text.encode("utf-8") for text in workload.messages[:skip]]
    window = [text.encode("utf-8") for text in workload.messages[skip : skip + count]]
    if directory is None:
        return asyncio.run(run_lag(warmup, window, rate, None))
    engine = create_db_engine(f"sqlite:///{directory / f'lag-{rate}.db'}")
    try:
        upgrade(engine)
        return asyncio.run(run_lag(warmup, window, rate, engine))
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------ report


def _quantile(samples: Sequence[float], percent: int) -> str:
    if len(samples) < 2:
        return "n/a"
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"{cuts[percent - 1] * 1000:.2f}"


def _count(value: int) -> str:
    return f"{value:,}" if value else "-"


def print_stages(stages: Sequence[Stage]) -> None:
    print(
        "| stage | events | s | events/s | all runs | µs/event | typed events "
        "| projector outputs | DB transactions | transactions/s | note |"
    )
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|")
    for stage in stages:
        capped = " (time cap)" if stage.capped else ""
        runs = "/".join(f"{rate / 1000:.1f}k" for rate in stage.runs) if stage.runs else "-"
        per_event = stage.seconds / stage.events * 1e6 if stage.events else 0.0
        tx_rate = f"{stage.transactions / stage.seconds:,.0f}" if stage.transactions else "-"
        print(
            f"| {stage.name} | {stage.events:,} | {stage.seconds:.1f} | "
            f"{stage.rate:,.0f}{capped} | {runs} | {per_event:.1f} | {_count(stage.typed)} | "
            f"{_count(stage.outputs)} | {_count(stage.transactions)} | {tx_rate} | "
            f"{stage.note} |"
        )


def print_lags(lags: Sequence[Lag]) -> None:
    print(
        "| paced rate, events/s | persistence | events | s | DB transactions "
        "| snapshots delivered | bus lag p50, ms | p95, ms | p99, ms | max, ms "
        "| event handled p50 / p99, ms | producer late p99, ms | dropped |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lag in lags:
        capped = " (time cap)" if lag.capped else ""
        persistence = "SQLite, to_thread" if lag.persisted else "none (comparison)"
        worst = f"{max(lag.bus_s) * 1000:.2f}" if lag.bus_s else "n/a"
        handled = f"{_quantile(lag.handled_s, 50)} / {_quantile(lag.handled_s, 99)}"
        print(
            f"| {lag.rate:,}{capped} | {persistence} | {lag.events:,} | {lag.seconds:.1f} | "
            f"{lag.transactions:,} | {len(lag.bus_s):,} | {_quantile(lag.bus_s, 50)} | "
            f"{_quantile(lag.bus_s, 95)} | {_quantile(lag.bus_s, 99)} | {worst} | "
            f"{handled} | {_quantile(lag.late_s, 99)} | {lag.dropped} |"
        )


# ------------------------------------------------------------------------------ main


def cpu_stages(stream: bytes) -> list[Stage]:
    """Stages 1 and 2, ROUNDS times in rotating order; per stage the median round."""
    cases: list[tuple[str, Callable[[str], Stage]]] = [
        ("AmiStreamDecoder → AmiMessage", lambda name: run_ours(name, stream, parse=False)),
        ("AmiStreamDecoder + parse_event", lambda name: run_ours(name, stream)),
        (
            "panoramisk 1.4 AMIProtocol → Message (baseline)",
            lambda name: asyncio.run(run_panoramisk(name, stream, AMIProtocol, parse=False)),
        ),
        (
            "panoramisk 1.4 AMIProtocol + parse_event",
            lambda name: asyncio.run(run_panoramisk(name, stream, AMIProtocol, parse=True)),
        ),
        (
            "Utf8SafeAmiProtocol (the bridge's) + parse_event",
            lambda name: asyncio.run(run_panoramisk(name, stream, Utf8SafeAmiProtocol, parse=True)),
        ),
        (
            "AmiStreamDecoder + parse_event + project",
            lambda name: run_ours(name, stream, project=True),
        ),
    ]
    runs: dict[str, list[Stage]] = {name: [] for name, _ in cases}
    for round_ in range(ROUNDS):
        log(f"stages 1-2, round {round_ + 1} of {ROUNDS} ...")
        shift = round_ % len(cases)
        for name, run in cases[shift:] + cases[:shift]:
            runs[name].append(run(name))
    stages: list[Stage] = []
    for name, _ in cases:
        ordered = sorted(runs[name], key=lambda stage: stage.rate)
        median = ordered[len(ordered) // 2]
        median.runs = [stage.rate for stage in runs[name]]
        median.capped = any(stage.capped for stage in ordered)
        stages.append(median)
    return stages


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CALLS
    rates = [int(arg) for arg in sys.argv[2:]] or list(DEFAULT_RATES)
    log(f"generating {calls} calls from {CAPTURES_DIR} ...")
    workload = build_workload(calls)
    parse_events = min(PARSE_EVENTS, len(workload.messages))
    sample = BANNER + "".join(workload.messages[:parse_events]).encode("utf-8")
    notes: list[str] = []
    stages = cpu_stages(sample)
    if len({stage.events for stage in stages if not stage.capped}) > 1:
        notes.append("the parsers disagree on the number of events (see the events column)")
    lags: list[Lag] = []
    with tempfile.TemporaryDirectory(prefix="bench_ami_") as tmp:
        directory = Path(tmp)
        log("stage 3: persist on SQLite ...")
        stages.append(persist_sqlite(workload.stream, directory))
        log("stage 3: persist on PostgreSQL ...")
        postgres = persist_postgres(workload.stream, notes)
        if postgres is not None:
            stages.append(postgres)
        for rate in rates:
            log(f"stage 4: lag at {rate} events/s ...")
            lags.append(lag(workload, rate, directory))
    log(f"stage 4: lag at {max(rates)} events/s without persistence ...")
    lags.append(lag(workload, max(rates), None))

    total = len(workload.messages)
    mix = ", ".join(f"{name} {count}" for name, count in sorted(workload.calls.items()))
    print(
        f"{calls:,} calls ({mix}), seed {SEED}: {total:,} AMI events, "
        f"{len(workload.stream) / 1e6:.0f} MB, over {workload.span_s:.0f} s of call time "
        f"(~{workload.call_seconds / workload.span_s:.0f} calls up at once, "
        f"{total / workload.span_s:.0f} events/s as Asterisk would send them). "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs."
    )
    print()
    print(
        f"Throughput, stream fed in {READ_SIZE}-byte reads. Parse and project: the first "
        f"{parse_events:,} events, {ROUNDS} rounds (median shown). Persist: the whole stream "
        f"from the start, capped at {PERSIST_CAP_S:g} s, store called synchronously in this "
        "thread, one transaction per projector output."
    )
    print()
    print_stages(stages)
    print()
    print(
        f"Lag: {LAG_WARMUP_EVENTS:,} events of warm-up, then {LAG_WINDOW_S:g} s paced, one "
        "event per read, through the bridge's wiring (store calls through asyncio.to_thread, "
        "then LiveState and LiveBus.publish); bus lag = the event's bytes handed to the "
        "decoder → the subscriber holding the snapshot."
    )
    print()
    print_lags(lags)
    for note in notes:
        print()
        print(f"Note: {note}")


if __name__ == "__main__":
    main()
