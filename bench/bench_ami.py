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
4. Lag: after a warm-up (calls in progress, operators known; its writes done), events are
   paced at each rate for ``LAG_WINDOW_S`` through the bridge's own handler: bytes → decoder
   (in the loop, as ``data_received``) → a queue → one consumer task calling
   ``AmiBridge._on_event`` (parse, project, live state and the ``LiveBus`` publication of its
   snapshot, then the call-log writes handed to the bridge's write queue, which writes them in
   its worker thread) → a subscriber. Bus lag = from the moment the event's bytes were handed
   to the decoder to the subscriber holding the snapshot. Also shown: the write queue's longest
   backlog during the window and how long after the window its last write was done; on SQLite
   and on PostgreSQL.

Prints two Markdown tables. Stages 3 and 4 are single runs: on a busy 2-core machine rates move
by 10-20 % from run to run (see the "all runs" column of stages 1 and 2).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

from panoramisk.ami_protocol import AMIProtocol
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from ami.bridge import AmiBridge
from ami.bus import LiveBus, Subscription
from ami.cdr import CAPTURES_CONTEXTS, CAPTURES_DIALPLAN
from ami.connection import Utf8SafeAmiProtocol
from ami.events import ParseStats, parse_event
from ami.live_state import OPERATORS_TOPIC, QUEUE_TOPIC
from ami.pending_calls import live_writes
from ami.projector import CallLogProjector, ProjectorOutput
from ami.stream import AmiMessage, AmiStreamDecoder
from models.call_log_store import CallLogStore
from models.db import create_db_engine
from models.migrate import upgrade
from models.settings import Settings

# The recordings are read through the tests' one helper (the repository root is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.ami.workload import build
from tests.asterisk_captures import CAPTURES_DIR

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
LIVE_TOPICS = (QUEUE_TOPIC, OPERATORS_TOPIC)  # what the bridge publishes from live state


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ workload


@dataclass
class Workload:
    messages: list[str]  # one AMI event each, CRLF, in stream order
    stream: bytes  # the banner, then every message
    calls: Counter[str]
    span_s: float
    call_seconds: float  # sum of the calls' durations


def build_workload(calls: int) -> Workload:
    """``calls`` distinct calls made from the recordings (``tests/ami/workload.py``), each
    from its own number."""
    made = build(
        MIX,
        calls,
        seed=SEED,
        start=TIMELINE_START,
        mean_gap_s=MEAN_GAP_S,
        callers=[f"7928{index:07d}" for index in range(calls)],
    )
    messages = [event.text for event in made.events]
    span_s = (made.events[-1].at - made.events[0].at).total_seconds() if made.events else 0.0
    call_seconds = sum((c.events[-1].at - c.events[0].at).total_seconds() for c in made.calls)
    chosen = Counter(call.capture for call in made.calls)
    return Workload(
        messages, BANNER + "".join(messages).encode("utf-8"), chosen, span_s, call_seconds
    )


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


def _persist(store: CallLogStore, output: ProjectorOutput) -> int:
    """The writes AmiBridge hands to its write queue for ``output``, done synchronously here.
    Returns the number of transactions."""
    writes = live_writes(output)
    if writes.progress is not None:
        store.record_progress(writes.progress)
    if writes.finish is not None:
        store.record_finished(writes.finish, datetime.now(UTC))
    return (writes.progress is not None) + (writes.finish is not None)


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
                if store is not None:
                    stage.transactions += _persist(store, output)
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


@contextlib.contextmanager
def sqlite_engine(path: Path) -> Iterator[Engine]:
    """A fresh migrated SQLite file."""
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@contextlib.contextmanager
def postgres_engine(notes: list[str]) -> Iterator[Engine | None]:
    """A fresh migrated schema at ``PG_URL``, dropped afterwards; None (with a note) when
    PostgreSQL is unreachable."""
    schema = f"bench_ami_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(PG_URL), connect_args={"connect_timeout": 3})
    try:
        try:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            notes.append(f"PostgreSQL at {PG_URL} unreachable, its rows skipped: {reason}")
            yield None
            return
        try:
            url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
            engine = create_db_engine(url.render_as_string(hide_password=False))
            try:
                upgrade(engine)
                yield engine
            finally:
                engine.dispose()
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        admin.dispose()


def persist(stream: bytes, engine: Engine, database: str) -> Stage:
    stage = run_ours(
        f"parse + project + persist, {database}",
        stream,
        project=True,
        store=CallLogStore(engine, _settings(engine)),
        cap_s=PERSIST_CAP_S,
    )
    stage.note = _database_note(engine)
    return stage


# ------------------------------------------------------------------------------ stage 4


@dataclass
class Lag:
    rate: int
    database: str
    events: int = 0
    seconds: float = 0.0
    bus_s: list[float] = field(default_factory=list)  # per snapshot delivered
    handled_s: list[float] = field(default_factory=list)  # per event, to its handler's end
    late_s: list[float] = field(default_factory=list)  # producer behind its schedule
    transactions: int = 0
    writes_behind_max: int = 0  # the write queue's longest backlog during the window
    drain_s: float = 0.0  # after the window, until every write was done
    dropped: int = 0
    capped: bool = False


class _TimedBus(LiveBus):
    """The bridge's bus, noting for each live-state publication the entry time of the event
    the bridge is handling (set by the consumer just before it hands the event over)."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = 0.0
        self.entered_of_published: deque[float] = deque()  # in publish order

    def publish(self, topic: str, payload: Mapping[str, Any], *, relayed: bool = False) -> None:
        if topic in LIVE_TOPICS:
            self.entered_of_published.append(self.entered)
        super().publish(topic, payload, relayed=relayed)


def _bridge(engine: Engine, bus: LiveBus) -> AmiBridge:
    return AmiBridge(
        settings=_settings(engine),
        engine=engine,
        clock=lambda: RECEIVED_AT,
        bus=bus,
        line_contexts=CAPTURES_CONTEXTS,
        queue=QUEUE_NAME,
        dialplan=CAPTURES_DIALPLAN,
    )


async def run_lag(
    warmup: Sequence[bytes], window: Sequence[bytes], rate: int, engine: Engine, database: str
) -> Lag:
    """The bridge's own event handler (``AmiBridge._on_event``: parse, project, live state and
    its publication, the writes handed to its write queue) on paced events; its AMI
    connection is not started: the bytes are decoded here, as its protocol does."""
    result = Lag(rate, database)
    bus = _TimedBus()
    bridge = _bridge(engine, bus)
    writes = bridge._writes
    writes.start()
    decoder = AmiStreamDecoder()
    try:
        for chunk in warmup:  # calls already in progress when the window opens
            for message in decoder.feed(chunk):
                bridge._on_event(message)
        await writes.barrier()
        written_before = writes.status()["written"]
        bus.entered_of_published.clear()
        inbox: asyncio.Queue[tuple[float, AmiMessage]] = asyncio.Queue()

        async def consume(count: int) -> None:
            for _ in range(count):
                entered, message = await inbox.get()
                bus.entered = entered
                bridge._on_event(message)
                result.handled_s.append(time.perf_counter() - entered)
                result.writes_behind_max = max(result.writes_behind_max, writes.status()["pending"])

        async def listen(subscription: Subscription) -> None:
            while True:
                await subscription.next()
                result.bus_s.append(time.perf_counter() - bus.entered_of_published.popleft())

        async def produce() -> None:
            started = time.perf_counter()
            for index, chunk in enumerate(window):
                due = started + index / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                entered = time.perf_counter()
                result.late_s.append(entered - due)
                for message in decoder.feed(chunk):  # data_received: decoded in the loop
                    inbox.put_nowait((entered, message))

        started = time.perf_counter()
        async with bus.subscribe(*LIVE_TOPICS) as subscription:
            listener = asyncio.create_task(listen(subscription))
            try:
                async with asyncio.timeout(LAG_WINDOW_S + DRAIN_CAP_S):
                    # One message per chunk: the consumer handles exactly len(window) events.
                    await asyncio.gather(produce(), consume(len(window)))
                    result.seconds = time.perf_counter() - started
                    await writes.barrier()
                    result.drain_s = time.perf_counter() - started - result.seconds
                    for _ in range(10_000):  # let the subscriber catch up
                        if not bus.entered_of_published:
                            break
                        await asyncio.sleep(0.001)
            except TimeoutError:
                result.capped = True
            finally:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            result.dropped = subscription.dropped
        result.events = len(result.handled_s)
        result.transactions = writes.status()["written"] - written_before
    finally:
        await writes.stop()
    return result


def lag(workload: Workload, rate: int, engine: Engine, database: str) -> Lag:
    count = int(rate * LAG_WINDOW_S)
    skip = max(0, min(LAG_WARMUP_EVENTS, len(workload.messages) - count))
    warmup = [BANNER] + [text.encode("utf-8") for text in workload.messages[:skip]]
    window = [text.encode("utf-8") for text in workload.messages[skip : skip + count]]
    return asyncio.run(run_lag(warmup, window, rate, engine, database))


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
        "| paced rate, events/s | database | events | s | DB transactions "
        "| snapshots delivered | bus lag p50, ms | p95, ms | p99, ms | max, ms "
        "| event handled p50 / p99, ms | producer late p99, ms | writes behind, max "
        "| writes done after the window, s | dropped |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lag in lags:
        capped = " (time cap)" if lag.capped else ""
        worst = f"{max(lag.bus_s) * 1000:.2f}" if lag.bus_s else "n/a"
        handled = f"{_quantile(lag.handled_s, 50)} / {_quantile(lag.handled_s, 99)}"
        print(
            f"| {lag.rate:,}{capped} | {lag.database} | {lag.events:,} | {lag.seconds:.1f} | "
            f"{lag.transactions:,} | {len(lag.bus_s):,} | {_quantile(lag.bus_s, 50)} | "
            f"{_quantile(lag.bus_s, 95)} | {_quantile(lag.bus_s, 99)} | {worst} | "
            f"{handled} | {_quantile(lag.late_s, 99)} | {lag.writes_behind_max:,} | "
            f"{lag.drain_s:.2f} | {lag.dropped} |"
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
        with sqlite_engine(directory / "persist.db") as engine:
            stages.append(persist(workload.stream, engine, "SQLite"))
        for rate in rates:
            log(f"stage 4: lag at {rate} events/s, SQLite ...")
            with sqlite_engine(directory / f"lag-{rate}.db") as engine:
                lags.append(lag(workload, rate, engine, "SQLite"))
    log("stage 3: persist on PostgreSQL ...")
    with postgres_engine(notes) as engine:
        if engine is not None:
            stages.append(persist(workload.stream, engine, "PostgreSQL"))
    for rate in rates:
        with postgres_engine(notes) as engine:
            if engine is not None:
                log(f"stage 4: lag at {rate} events/s, PostgreSQL ...")
                lags.append(lag(workload, rate, engine, "PostgreSQL"))

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
        "event per read, through AmiBridge._on_event (live state published first, the writes "
        "handed to its write queue); bus lag = the event's bytes handed to the decoder → the "
        "subscriber holding the snapshot."
    )
    print()
    print_lags(lags)
    for note in notes:
        print()
        print(f"Note: {note}")


if __name__ == "__main__":
    main()
