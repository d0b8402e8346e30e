"""A soak of the call log under faults, through the real bridge and a loopback Asterisk.

Many overlapping calls made from the recordings (``tests/ami/workload.py``) are played into an
``AmiBridge`` over a real TCP socket (``tests/ami/fake_ami.py``) while their queue_log lines and
CDR rows are appended to real files as Asterisk would write them. Faults happen at points the
seed chooses: the AMI link cut (the events meanwhile never reach the bridge; at the re-login
CoreShowChannels lists the channels live at that moment), the service stopped and a new one
started (the same database), the database locked so that every write fails for a while.
Afterwards the call log is compared with an uncut run's on the fields both can know, and every
number with a missed call must have exactly one callback task (C13, C11).

The stream's own time drives the bridge's clock; the real time of a run is what the bridge
needs to reconnect and write. ``tests/ami/test_soak.py`` runs a small soak in the suite;
``bench/soak_line.py`` a large one, with figures for the README.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, select

from ami.bridge import AmiBridge
from ami.bus import LiveBus
from ami.cdr import CAPTURES_DIALPLAN
from ami.events import parse_timestamp
from models.calendar_store import set_override
from models.db import session_scope
from models.rules.missed import CallOutcome
from models.settings import Settings
from models.tables import Call, CallbackTask, CallTransfer
from tests.ami.captures import HARNESS_CONTEXTS
from tests.ami.fake_ami import SECRET, USERNAME, FakeAmi, Reply
from tests.ami.workload import Timed, Workload, build
from tests.factories import add_employee

QUEUE = "consult"  # the recordings' harness queue
MIX: tuple[tuple[str, int], ...] = (
    ("a-answered", 35),
    ("a2-answered-caller-hangs-up", 10),
    ("b-abandoned", 20),
    ("d-blind-transfer-chain", 10),
    ("e-attended-transfer", 10),
    ("f-agi-caller-hangup", 15),
)
START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow: working hours
STEP = timedelta(seconds=1)  # the stream is played one second of its time at a time
SETTLE_S = 30.0  # real seconds for the bridge to catch up (reconnects, retries)
SECOND = timedelta(seconds=1)
_CHANNEL_HEADERS = (
    "Channel",
    "ChannelState",
    "ChannelStateDesc",
    "CallerIDNum",
    "CallerIDName",
    "ConnectedLineNum",
    "ConnectedLineName",
    "Language",
    "AccountCode",
    "Context",
    "Exten",
    "Priority",
    "Uniqueid",
    "Linkedid",
)


@dataclass(frozen=True, slots=True)
class Faults:
    """When things go wrong, in the stream's time after its start."""

    link_cuts: tuple[tuple[timedelta, timedelta], ...] = ()  # (at, how long) each
    restart: tuple[timedelta, timedelta] | None = None  # the service down (at, how long)
    database_blip: tuple[timedelta, timedelta] | None = None  # writes fail (at, how long)


@dataclass
class LiveChannels:
    """What CoreShowChannels would list: channels created and not hung up, with the standard
    headers of their latest event and their age (``Duration``, ``HH:MM:SS``) at ``now``."""

    clock: Callable[[], datetime]
    channels: dict[str, dict[str, str]] = field(default_factory=dict)
    created: dict[str, datetime] = field(default_factory=dict)
    listed_calls: set[str] = field(default_factory=set)  # inbound channels listed at a login

    def apply(self, text: str) -> None:
        headers = _headers(text)
        uniqueid = headers.get("Uniqueid")
        if not uniqueid:
            return
        if headers.get("Event") == "Hangup":
            self.channels.pop(uniqueid, None)
            self.created.pop(uniqueid, None)
            return
        if headers.get("Event") == "Newchannel":
            self.created[uniqueid] = parse_timestamp(headers["Timestamp"])
        if uniqueid in self.created:
            self.channels[uniqueid] = {k: headers[k] for k in _CHANNEL_HEADERS if k in headers}

    def reply(self) -> Reply:
        self.listed_calls.update(
            uniqueid
            for uniqueid, channel in self.channels.items()
            if channel.get("Linkedid") == uniqueid
        )
        events = [
            {
                "Event": "CoreShowChannel",
                "ActionID": "{ActionID}",
                **channel,
                "Duration": _hh_mm_ss(self.clock() - self.created[uniqueid]),
            }
            for uniqueid, channel in self.channels.items()
        ]
        complete = {
            "Event": "CoreShowChannelsComplete",
            "ActionID": "{ActionID}",
            "EventList": "Complete",
            "ListItems": str(len(events)),
        }
        return Reply(
            message="Channels will follow",
            headers={"EventList": "start"},
            events=(*events, complete),
        )


def _hh_mm_ss(age: timedelta) -> str:
    seconds = max(0, int(age.total_seconds()))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _headers(text: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in text.split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep and key not in headers:
            headers[key] = value
    return headers


class SimClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Line:
    """Asterisk as the bridge and the reconciliation see it: the socket and the two files."""

    fake: FakeAmi
    queue_log: Path
    cdr: Path
    channels: LiveChannels
    _files_written: dict[str, int] = field(default_factory=lambda: {"queue_log": 0, "cdr": 0})

    def write_files(self, workload: Workload, until: datetime) -> None:
        for name, lines, path in (
            ("queue_log", workload.queue_log, self.queue_log),
            ("cdr", workload.cdr, self.cdr),
        ):
            start = self._files_written[name]
            end = start
            while end < len(lines) and lines[end].at <= until:
                end += 1
            if end > start:
                with path.open("a", encoding="utf-8") as file:
                    file.writelines(line.text for line in lines[start:end])
                self._files_written[name] = end


@dataclass
class Run:
    calls: dict[str, Call]
    transfers: dict[str, list[CallTransfer]]
    tasks: list[CallbackTask]
    real_seconds: float
    adopted: int  # calls whose start the bridge missed, still live at a re-login
    fault_log: list[str] = field(default_factory=list)


def prepare(engine: Engine) -> None:
    """The recordings' operators in the staff directory; the stream's day a working day."""
    add_employee(engine, "2101", "Local/agent1@harness-agents")
    add_employee(engine, "2102", "Local/employee1@harness-agents")
    add_employee(engine, "2002", "Local/employee2@harness-agents")
    with session_scope(engine) as session:
        set_override(
            session=session,
            day=START.date(),
            working=True,
            hours=(time(9), time(18)),
            reason="soak: the stream's day",
            actor="soak",
            now=START,
        )


def settings_for(engine: Engine, fake: FakeAmi, folder: Path) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        ami_port=fake.port,
        ami_username=USERNAME,
        ami_secret=SECRET,  # type: ignore[arg-type]
        queue_log_path=folder / "queue_log",
        cdr_path=folder / "Master.csv",
        cdr_timezone="UTC",  # the recording host's clock
        timezone="Europe/Moscow",
    )


async def settled(bridge: AmiBridge, pushed: int) -> None:
    """Until the bridge has taken every event pushed on this connection."""
    async with asyncio.timeout(SETTLE_S):
        while True:
            status = bridge.connection.status()
            if status["events_received"] >= pushed and status["events_pending"] == 0:
                return
            await asyncio.sleep(0.005)


def snapshot(
    engine: Engine,
) -> tuple[dict[str, Call], dict[str, list[CallTransfer]], list[CallbackTask]]:
    with Session(engine) as session:
        calls = {c.linkedid: c for c in session.exec(select(Call)).all()}
        transfers: dict[str, list[CallTransfer]] = {}
        for linkedid, call in calls.items():
            transfers[linkedid] = list(
                session.exec(
                    select(CallTransfer)
                    .where(CallTransfer.call_id == call.id)
                    .order_by(col(CallTransfer.seq))
                ).all()
            )
        tasks = list(session.exec(select(CallbackTask)).all())
        for row in [*calls.values(), *tasks, *(t for ts in transfers.values() for t in ts)]:
            session.expunge(row)
        return calls, transfers, tasks


@contextlib.contextmanager
def database_locked(engine: Engine) -> Iterator[None]:
    """Every write of the call log fails while this holds the database (a blip)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        holder = sqlite3.connect(url.database, timeout=1)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.rollback()
            holder.close()
        return
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as holder:
        holder.execute("LOCK TABLE calls, callback_tasks IN ACCESS EXCLUSIVE MODE")
        yield
        holder.rollback()


def make_workload(calls: int, *, seed: int, mean_gap_s: float, numbers: int) -> Workload:
    """``calls`` overlapping calls from ``numbers`` different callers (some call again)."""
    callers = [f"7928{100 + n:07d}" for n in range(numbers)]
    return build(MIX, calls, seed=seed, start=START, mean_gap_s=mean_gap_s, callers=callers)


def faults_for(workload: Workload, *, seed: int, cuts: int) -> Faults:
    """``cuts`` link cuts, one restart and one database blip at random points of the first
    80 % of the stream, one fault at a time (each in a slot of its own, in random order):
    calls in progress at the last re-login end live after it, the case of calls across a
    reconnect (issue 9, item 1)."""
    rng = random.Random(seed)
    span = workload.events[-1].at - workload.events[0].at
    kinds = ["cut"] * cuts + ["restart", "blip"]
    rng.shuffle(kinds)
    slot = span * 0.8 / len(kinds)
    windows: dict[str, list[tuple[timedelta, timedelta]]] = {"cut": [], "restart": [], "blip": []}
    for number, kind in enumerate(kinds):
        length = slot * rng.uniform(0.3, 0.7)
        at = slot * number + (slot - length) * rng.random()
        windows[kind].append((at, length))
    return Faults(
        link_cuts=tuple(windows["cut"]),
        restart=windows["restart"][0],
        database_blip=windows["blip"][0],
    )


async def play(workload: Workload, engine: Engine, folder: Path, faults: Faults = Faults()) -> Run:
    """The workload through a bridge (restarted as ``faults`` say), until everything settled."""
    started = loop_time()
    prepare(engine)
    fake = FakeAmi()
    await fake.start()
    port = fake.port
    clock = SimClock(workload.events[0].at - STEP)
    line = Line(fake, folder / "queue_log", folder / "Master.csv", LiveChannels(clock))
    line.queue_log.touch()
    line.cdr.touch()
    fake.reply("coreshowchannels", line.channels.reply)
    settings = settings_for(engine, fake, folder)
    events = workload.events
    first = events[0].at
    plan = _Plan(faults, first)
    bridge: AmiBridge | None = await _new_bridge(settings, engine, clock)
    await login_reconciled(bridge)
    pushed = 0
    index = 0
    moment = first
    starts_missed: set[str] = set()  # calls whose first event the bridge never received
    try:
        while index < len(events):
            moment += STEP
            bridge, pushed = await plan.apply(
                moment, bridge, fake, port, settings, engine, clock, pushed
            )
            clock.now = moment
            line.write_files(workload, moment)
            end = _events_until(events, index, moment)
            batch = events[index:end]
            index = end
            for event in batch:
                line.channels.apply(event.text)
                if not (bridge is not None and plan.linked):
                    starts_missed.update(_call_start(event.text))
            if batch and bridge is not None and plan.linked:
                await fake.push("".join(event.text for event in batch).encode("utf-8"))
                pushed += len(batch)
                await settled(bridge, pushed)
        moment += STEP
        bridge, pushed = await plan.finish(
            moment, bridge, fake, port, settings, engine, clock, pushed
        )
        assert bridge is not None
        clock.now = moment + timedelta(minutes=2)
        line.write_files(workload, clock.now)
        await quiet(bridge, workload, engine)
    finally:
        if bridge is not None:
            await bridge.stop()
        await fake.stop()
    calls, transfers, tasks = snapshot(engine)
    adopted = len(starts_missed & line.channels.listed_calls)
    return Run(calls, transfers, tasks, loop_time() - started, adopted, plan.log)


def loop_time() -> float:
    return asyncio.get_running_loop().time()


async def _new_bridge(settings: Settings, engine: Engine, clock: SimClock) -> AmiBridge:
    bridge = AmiBridge(
        settings=settings,
        engine=engine,
        clock=clock,
        bus=LiveBus(),
        line_contexts=HARNESS_CONTEXTS,
        queue=QUEUE,
        dialplan=CAPTURES_DIALPLAN,
        reconcile_delay=timedelta(milliseconds=50),
        reconcile_retry=timedelta(milliseconds=200),
        write_backoff=(0.05, 0.1, 0.2),
        backoff=(0.05,),
    )
    await bridge.start()
    await bridge.connection.wait_logged_in(timeout=SETTLE_S)
    return bridge


async def login_reconciled(bridge: AmiBridge) -> None:
    """The login's reconciliation has run. The stream's time waits for it: in the service it
    takes milliseconds, while the soak plays many seconds of calls per second, and a run
    starting later would read calls that end after the login from the files."""
    async with asyncio.timeout(SETTLE_S):
        while bridge.last_reconcile is None or bridge.reconciling:
            await asyncio.sleep(0.005)


async def quiet(bridge: AmiBridge, workload: Workload, engine: Engine) -> None:
    """Until every call has its outcome and nothing is left to write or reconcile."""
    linkedids = {call.linkedid for call in workload.calls}
    try:
        async with asyncio.timeout(SETTLE_S * 4):
            while True:
                writes = bridge.status()["call_log_writes"]
                pending = bridge.reconciliation_status()["pending_calls"]["calls"]
                done = not _unfinished(engine, linkedids)
                if not writes["pending"] and not pending and not bridge.reconciling and done:
                    return
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(
            f"not settled: unfinished {sorted(_unfinished(engine, linkedids))}, "
            f"writes {bridge.status()['call_log_writes']}, "
            f"reconciliation {bridge.reconciliation_status()}"
        ) from None


def _unfinished(engine: Engine, linkedids: set[str]) -> set[str]:
    with Session(engine) as session:
        finished = session.exec(select(Call.linkedid).where(col(Call.outcome).is_not(None))).all()
    return linkedids - set(finished)


@dataclass
class _Plan:
    """Carries out the faults as the stream's time passes them."""

    faults: Faults
    first: datetime
    linked: bool = True
    _link_down_until: datetime | None = None
    _stopped_until: datetime | None = None
    _blip: contextlib.ExitStack | None = None
    _blip_until: datetime | None = None
    _cuts_done: int = 0
    _restart_done: bool = False
    _blip_done: bool = False
    log: list[str] = field(default_factory=list)

    async def apply(
        self,
        moment: datetime,
        bridge: AmiBridge | None,
        fake: FakeAmi,
        port: int,
        settings: Settings,
        engine: Engine,
        clock: SimClock,
        pushed: int,
    ) -> tuple[AmiBridge | None, int]:
        offset = moment - self.first
        cuts = self.faults.link_cuts
        if self._link_down_until is not None and moment >= self._link_down_until:
            self._link_down_until = None
            clock.now = moment
            await fake.start(port=port)
            assert bridge is not None
            logins = bridge.connection.status()["logins"]
            async with asyncio.timeout(SETTLE_S):
                while bridge.connection.status()["logins"] == logins:
                    await asyncio.sleep(0.005)
            pushed = bridge.connection.status()["events_received"]
            if self._blip is None:  # a locked database holds the run up: it goes on later
                await login_reconciled(bridge)
            self.linked = True
            self.log.append(f"{offset}: link back")
        if self._stopped_until is not None and moment >= self._stopped_until:
            self._stopped_until = None
            clock.now = moment
            bridge = await _new_bridge(settings, engine, clock)
            if self._blip is None:
                await login_reconciled(bridge)
            pushed = 0
            self.linked = True
            self.log.append(f"{offset}: service started again")
        if self._blip is not None and self._blip_until is not None and moment >= self._blip_until:
            self._blip.close()
            self._blip = None
            self.log.append(f"{offset}: database back")
        if self._cuts_done < len(cuts) and offset >= cuts[self._cuts_done][0] and self.linked:
            _, length = cuts[self._cuts_done]
            self._cuts_done += 1
            await fake.stop()  # the link drops and nothing answers until it is back
            self.linked = False
            self._link_down_until = moment + length
            self.log.append(f"{offset}: link cut for {length}")
        restart = self.faults.restart
        if restart and not self._restart_done and offset >= restart[0] and self.linked:
            self._restart_done = True
            assert bridge is not None
            await bridge.stop()
            bridge = None
            self.linked = False
            self._stopped_until = moment + restart[1]
            self.log.append(f"{offset}: service stopped for {restart[1]}")
        blip = self.faults.database_blip
        if blip and not self._blip_done and offset >= blip[0]:
            self._blip_done = True
            self._blip = contextlib.ExitStack()
            self._blip.enter_context(database_locked(engine))
            self._blip_until = moment + blip[1]
            self.log.append(f"{offset}: database locked for {blip[1]}")
        return bridge, pushed

    async def finish(
        self,
        moment: datetime,
        bridge: AmiBridge | None,
        fake: FakeAmi,
        port: int,
        settings: Settings,
        engine: Engine,
        clock: SimClock,
        pushed: int,
    ) -> tuple[AmiBridge | None, int]:
        """Whatever is still down at the end of the stream comes back at ``moment``."""
        for name in ("_link_down_until", "_stopped_until", "_blip_until"):
            if getattr(self, name) is not None:
                setattr(self, name, moment)
        self._cuts_done = len(self.faults.link_cuts)
        self._restart_done = self._blip_done = True
        return await self.apply(moment, bridge, fake, port, settings, engine, clock, pushed)


def _call_start(text: str) -> set[str]:
    """The call this event starts (its first channel's Newchannel), if any."""
    headers = _headers(text)
    if headers.get("Event") == "Newchannel" and headers.get("Uniqueid") == headers.get("Linkedid"):
        return {headers["Uniqueid"]}
    return set()


def _events_until(events: Sequence[Timed], start: int, until: datetime) -> int:
    end = start
    while end < len(events) and events[end].at <= until:
        end += 1
    return end


# ------------------------------------------------------------------------------ verdict


@dataclass
class Verdict:
    calls: int
    same: int
    differences: list[str]
    missed_numbers: int
    numbers_without_one_task: list[str]

    @property
    def ok(self) -> bool:
        return not self.differences and not self.numbers_without_one_task


def compare(uncut: Run, faulty: Run) -> Verdict:
    differences = []
    for linkedid, call in uncut.calls.items():
        other = faulty.calls.get(linkedid)
        if other is None:
            differences.append(f"{linkedid}: missing")
            continue
        for problem in call_differences(
            call, other, uncut.transfers[linkedid], faulty.transfers[linkedid]
        ):
            differences.append(f"{linkedid}: {problem}")
    for linkedid in faulty.calls.keys() - uncut.calls.keys():
        differences.append(f"{linkedid}: not a call of the uncut run")
    missed = {c.caller_e164 for c in faulty.calls.values() if c.outcome is CallOutcome.MISSED}
    tasks = Counter(task.phone_e164 for task in faulty.tasks)
    wrong = sorted(str(number) for number in missed if tasks[number] != 1)
    same = len(uncut.calls) - len({d.split(":")[0] for d in differences})
    return Verdict(len(uncut.calls), same, differences, len(missed), wrong)


def call_differences(x: Call, y: Call, xs: list[CallTransfer], ys: list[CallTransfer]) -> list[str]:
    """The fields both a live and a reconciled record know (see tests/ami/test_outage.py)."""
    out = []
    for name in ("outcome", "missed_reason", "in_working_hours", "operator_id", "caller_e164"):
        if getattr(x, name) != getattr(y, name):
            out.append(f"{name} {getattr(x, name)!r} != {getattr(y, name)!r}")
    if (x.answered_at is None) != (y.answered_at is None):
        out.append("answered or not")
    if (x.callback_task_id is None) != (y.callback_task_id is None):
        out.append("callback task or not")
    for name in ("arrived_at", "ended_at"):
        left, right = getattr(x, name), getattr(y, name)
        if (left is None) != (right is None) or (left and right and abs(left - right) >= SECOND):
            out.append(f"{name} {left} != {right}")
    for name in ("queue_wait_s", "talk_s"):
        left, right = getattr(x, name), getattr(y, name)
        if (left is None) != (right is None) or (left is not None and abs(left - right) >= 1.0):
            out.append(f"{name} {left} != {right}")
    if x.transfer_count != y.transfer_count:
        out.append(f"transfer_count {x.transfer_count} != {y.transfer_count}")
    return out
