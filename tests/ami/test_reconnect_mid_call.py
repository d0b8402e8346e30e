"""Calls in progress across an AMI reconnect are finished within a minute, like the uncut call
(issue 9: C13 outcome, C11 the missed caller's one callback task, C10 transfers).

For each recorded call, the stream is cut before every event: the prefix is delivered, the
link drops, the re-login's CoreShowChannels lists the channels still up (those of the prefix
with a Newchannel and no Hangup, as their last event showed them), and the rest of the stream
is delivered live, whole or with a few events lost in the gap. Then what the bridge runs: the
reconciliation at the login (queue_log and CDR as Asterisk had written them by then) and, for
the calls left pending (``ami.pending_calls``), the run after the call ended. Every cut must
give the uncut call on the fields both sources know (``test_outage``), its outcome and, for
the abandoned caller, exactly one callback task; nothing stays pending.

The projector runs every cut (several hundred); the store and the reconciliation run once per
distinct result (a hundred or so). One cut per call goes through the bridge end to end over
the fake AMI, with the files written as the call goes on.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import delete, update
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ami.bridge import FIRST_RECONCILE_LOOKBACK, AmiBridge
from ami.bus import LiveBus
from ami.cdr import CAPTURES_DIALPLAN
from ami.events import AmiEvent, ChannelEvent, CoreShowChannel, Hangup, Newchannel
from ami.pending_calls import PendingCalls, live_writes
from ami.projector import CallFinished, CallLogProjector, CallLost, ProjectorOutput
from ami.reconcile import Reconciler
from ami.stream import decode_all
from models.call_log_store import CallLogStore
from models.db import session_scope
from models.settings import Settings
from models.tables import Call, CallbackTask, CallTransfer
from tests.ami.captures import HARNESS_CONTEXTS, capture_events, events_of, final_entry
from tests.ami.fake_ami import FakeAmi, Reply
from tests.ami.fake_ami import capture_events as capture_event_bytes
from tests.ami.test_outage import (
    CallRow,
    assert_same_call,
    inbound_hangup_index,
    live_database,
    make_store,
    rows,
)
from tests.asterisk_captures import Kind, capture_lines
from tests.conftest import EngineFactory

CAPTURES = (
    "a-answered",
    "a2-answered-caller-hangs-up",
    "b-abandoned",
    "d-blind-transfer-chain",
    "e-attended-transfer",
)
# Events lost while the link was down: none (the rest is delivered whole), or a few (the
# gap swallows e.g. the inbound Newchannel, the answer or the hang-up).
LOSSES = (0, 1, 3, 10)
# After the call's last event: when the bridge's run for the pending calls has happened.
AFTER_THE_END = timedelta(minutes=1)
# Columns of the captures' 18-column Master.csv: the end, the channel's Uniqueid.
CDR_END = 11
CDR_UNIQUEID = 16


# ------------------------------------------------------------------------ the re-login


def show_channels(events: Sequence[AmiEvent], at: datetime) -> list[CoreShowChannel]:
    """What CoreShowChannels lists after ``events`` at ``at``: every channel with a Newchannel
    and no Hangup, as its last event showed it; Duration in whole seconds, as Asterisk says."""
    born: dict[str, datetime] = {}
    last: dict[str, ChannelEvent] = {}
    for event in events:
        if not isinstance(event, ChannelEvent):
            continue
        if isinstance(event, Newchannel):
            born[event.uniqueid] = event.at
        if isinstance(event, Hangup):
            born.pop(event.uniqueid, None)
        if event.uniqueid in born:
            last[event.uniqueid] = event
    return [
        CoreShowChannel(
            at=at,
            chan=last[uniqueid].chan,
            duration_s=int((at - started).total_seconds()),
        )
        for uniqueid, started in born.items()
    ]


def as_written(name: str, moment: datetime) -> tuple[list[str], list[str]]:
    """The capture's queue_log lines and CDR lines as Asterisk had written them at ``moment``:
    a queue_log line at once, a channel's CDR rows when that channel hung up (the end of its
    last row), in the line's own layout (newcdrcolumns = yes: peeraccount, linkedid and
    sequence added)."""
    queue_log = [
        line
        for line in capture_lines(name, Kind.QUEUE_LOG)
        if datetime.fromtimestamp(int(line.split("|", 1)[0]), UTC) <= moment
    ]
    rows = [next(csv.reader(io.StringIO(line))) for line in capture_lines(name, Kind.CDR)]
    hung_up: dict[str, datetime] = {}
    for row in rows:
        end = datetime.fromisoformat(row[CDR_END]).replace(tzinfo=UTC)
        hung_up[row[CDR_UNIQUEID]] = max(end, hung_up.get(row[CDR_UNIQUEID], end))
    linkedids = _linkedids(name)
    cdr: list[str] = []
    for sequence, row in enumerate(rows):
        if hung_up[row[CDR_UNIQUEID]] <= moment:
            out = io.StringIO()
            csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerow(
                [*row, "", linkedids[row[CDR_UNIQUEID]], str(sequence)]
            )
            cdr.append(out.getvalue())
    return queue_log, cdr


def written_by(name: str, moment: datetime, directory: Path) -> tuple[Path, Path]:
    """``as_written`` in files, the queue_log and the CDR ``Master.csv``: what is new since
    an earlier call is appended, as Asterisk does."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = (directory / "queue_log", directory / "Master.csv")
    for path, lines in zip(paths, as_written(name, moment), strict=True):
        text = "".join(lines)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        assert text.startswith(old), "the files only grow"
        with path.open("a", encoding="utf-8", newline="") as file:
            file.write(text[len(old) :])
    return paths


def files_written(name: str, moment: datetime) -> tuple[int, int]:
    queue_log, cdr = as_written(name, moment)
    return len(queue_log), len(cdr)


@cache
def _linkedids(name: str) -> dict[str, str]:
    return {
        event.uniqueid: event.linkedid
        for event in capture_events(name)
        if isinstance(event, Newchannel)
    }


# ------------------------------------------------------------------------ what the bridge does


class LiveLog:
    """The bridge's handling of the projector's outputs, synchronously (``_persist``)."""

    def __init__(self, store: CallLogStore, now: datetime) -> None:
        self.store = store
        self.now = now
        self.pending = PendingCalls()

    def take(self, outputs: Sequence[ProjectorOutput]) -> None:
        for output in outputs:
            writes = live_writes(output)
            if writes.progress is not None:
                self.store.record_progress(writes.progress)
            if writes.finish is not None:
                self.store.record_finished(writes.finish, self.now)
            if writes.pending is not None:
                self.pending.add(writes.pending)


def clear_call_log(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.exec(update(Call).values(callback_task_id=None))
        for table in (CallbackTask, CallTransfer, Call):
            session.exec(delete(table))


def unsynced(engine: Engine) -> None:
    """Hundreds of cuts, each a fresh call log: a SQLite file need not reach the disk at
    every commit (what the store does is the same)."""
    if engine.url.get_backend_name() != "sqlite":
        return

    @sa_event.listens_for(engine, "connect")
    def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=OFF")

    engine.dispose()


def tasks_for(engine: Engine, phone: str | None) -> int:
    with Session(engine) as session:
        return len(session.exec(select(CallbackTask).where(CallbackTask.phone_e164 == phone)).all())


@dataclass(frozen=True)
class Replay:
    """What the projector gave for one cut: before and at the re-login, and after it."""

    before: tuple[ProjectorOutput, ...]
    after: tuple[ProjectorOutput, ...]
    relogin: datetime
    files_at_login: tuple[int, int]  # queue_log lines and CDR rows Asterisk had written
    last_event: datetime

    @property
    def signature(self) -> tuple[object, ...]:
        """Two cuts with the same signature write the same call log."""
        return (self.before, self.after, self.files_at_login)


def replay_with_gap(name: str, events: list[AmiEvent], cut: int, lost: int) -> Replay:
    """The prefix, the drop, the re-login at ``events[cut + lost]`` (the ``lost`` events in
    between never arrive) with the channels still up, the rest live."""
    resume = min(cut + lost, len(events) - 1)
    relogin = events[resume].at
    projector = CallLogProjector(line_contexts=HARNESS_CONTEXTS)
    before: list[ProjectorOutput] = []
    for event in events[:cut]:
        before += projector.apply(event)
    projector.connection_lost()  # at the login, in order with the events
    before += projector.resync(show_channels(events[:resume], relogin))
    after: list[ProjectorOutput] = []
    for event in events[resume:]:
        after += projector.apply(event)
    assert projector.tracked == 0
    ends = [o for o in (*before, *after) if isinstance(o, CallFinished | CallLost)]
    assert len(ends) == 1, ends  # one end per call, finished or lost
    return Replay(tuple(before), tuple(after), relogin, files_written(name, relogin), events[-1].at)


def write_replay(
    name: str, replay: Replay, *, store: CallLogStore, settings: Settings, files: Path
) -> LiveLog:
    """What the bridge does with it: the writes, the reconciliation at the login (the files
    as they were then), and for the pending calls its next run, after the end."""
    end = replay.last_event + AFTER_THE_END
    live = LiveLog(store, end)
    live.take(replay.before)
    queue_log, cdr = written_by(name, replay.relogin, files)
    paths = settings.model_copy(update={"queue_log_path": queue_log, "cdr_path": cdr})
    reconciler = Reconciler(paths, dialplan=CAPTURES_DIALPLAN)  # the bridge's, one per process
    try:
        reconciler.run(store, replay.relogin - FIRST_RECONCILE_LOOKBACK, replay.relogin)
        live.take(replay.after)
        if len(live.pending):  # the bridge runs it again only for the calls pending
            written_by(name, end, files)
            reconciler.run(store, replay.relogin, end)
            unfinished = store.unfinished(live.pending.linkedids())
            assert live.pending.settle(unfinished, end) == [], "finished from the live facts"
    finally:
        reconciler.close()
    return live


@pytest.mark.parametrize("name", CAPTURES)
def test_every_cut_mid_call_gives_the_uncut_call_and_one_task(
    engine_factory: EngineFactory, tmp_path: Path, name: str
) -> None:
    events = capture_events(name)
    engine_a, _store_a, _settings_a = live_database(engine_factory, name)
    rows_a = rows(engine_a)
    (linkedid,) = rows_a
    uncut = rows_a[linkedid]
    phone = uncut.call.caller_e164
    tasks_a = tasks_for(engine_a, phone)
    assert tasks_a == (1 if name == "b-abandoned" else 0)

    # Every cut through the projector; the call log once per distinct result.
    replays: dict[tuple[object, ...], tuple[str, Replay]] = {}
    incomplete = 0
    for cut in range(1, len(events)):
        for lost in LOSSES:
            replay = replay_with_gap(name, events, cut, lost)
            what = f"cut before event {cut} ({type(events[cut]).__name__}), {lost} lost"
            replays.setdefault(replay.signature, (what, replay))
            incomplete += any(
                isinstance(o, CallLost) or (isinstance(o, CallFinished) and not o.complete)
                for o in (*replay.before, *replay.after)
            )
    assert incomplete > len(LOSSES) * (len(events) - 10)  # nearly every cut is mid-call

    engine_b = engine_factory()
    unsynced(engine_b)
    store, settings = make_store(engine_b, name)
    for number, (what, replay) in enumerate(replays.values()):
        clear_call_log(engine_b)
        files = tmp_path / str(number)
        try:
            live = write_replay(name, replay, store=store, settings=settings, files=files)
            rows_b = rows(engine_b)
            assert rows_b.keys() == {linkedid}
            assert rows_b[linkedid].call.outcome is not None  # C13
            assert_same_call(uncut, rows_b[linkedid])
            if name in ("a-answered", "a2-answered-caller-hangs-up", "b-abandoned"):
                assert rows_b[linkedid].call.hangup_side == uncut.call.hangup_side
            assert tasks_for(engine_b, phone) == tasks_a  # C11, C13: one task, or none
            assert len(live.pending) == 0
        except AssertionError as exc:
            raise AssertionError(f"{name}, {what}: {exc}") from exc


@pytest.mark.parametrize("name", CAPTURES)
def test_call_listed_at_the_login_but_queued_behind_it_is_seen_whole(name: str) -> None:
    """CoreShowChannels answers after the login: it lists a call that began meanwhile, whose
    events are all queued behind the login. Seen from its Newchannel, it is complete."""
    events = capture_events(name)
    uncut = final_entry(name)
    hangup = inbound_hangup_index(events)
    for listed_at in range(2, hangup):
        projector = CallLogProjector(line_contexts=HARNESS_CONTEXTS)
        projector.connection_lost()
        outputs = projector.resync(show_channels(events[:listed_at], events[listed_at].at))
        for event in events:
            outputs += projector.apply(event)
        finished = [o for o in outputs if isinstance(o, CallFinished)]
        assert [(f.entry, f.complete) for f in finished] == [(uncut, True)], listed_at


# ------------------------------------------------------------------------ the bridge end to end


def channel_list_reply(channels: Sequence[CoreShowChannel]) -> Reply:
    """The fake's CoreShowChannels answer: the channels as Asterisk 22 lists them."""
    items = [
        {
            "Event": "CoreShowChannel",
            "ActionID": "{ActionID}",
            "Channel": c.chan.name,
            "Uniqueid": c.chan.uniqueid,
            "Linkedid": c.chan.linkedid,
            "Context": c.chan.context,
            "Exten": c.chan.exten,
            "CallerIDNum": c.chan.caller_num or "<unknown>",
            "CallerIDName": c.chan.caller_name or "<unknown>",
            "Duration": f"{c.duration_s // 3600:02d}:{c.duration_s // 60 % 60:02d}:"
            f"{c.duration_s % 60:02d}",
        }
        for c in channels
    ]
    complete = {
        "Event": "CoreShowChannelsComplete",
        "ActionID": "{ActionID}",
        "EventList": "Complete",
        "ListItems": str(len(items)),
    }
    return Reply(
        message="Channels will follow", headers={"EventList": "start"}, events=[*items, complete]
    )


EMPTY_QUEUE_STATUS = Reply(
    message="Queue status will follow",
    headers={"EventList": "start"},
    events=[
        {
            "Event": "QueueStatusComplete",
            "ActionID": "{ActionID}",
            "EventList": "Complete",
            "ListItems": "0",
        }
    ],
)


def event_blocks(name: str) -> list[bytes]:
    """The capture's events as sent, one block per event (those the parser keeps and not)."""
    raw = capture_event_bytes(name)
    return [block + b"\r\n\r\n" for block in raw.split(b"\r\n\r\n") if block]


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


def events_in(blocks: Sequence[bytes]) -> list[AmiEvent]:
    return events_of(decode_all(b"".join(blocks)))


def outcome_of(engine: Engine, linkedid: str) -> CallRow | None:
    found = rows(engine).get(linkedid)
    return found if found is not None and found.call.outcome is not None else None


@pytest.fixture
async def asterisk() -> AsyncIterator[FakeAmi]:
    fake = FakeAmi()
    fake.reply("queuestatus", EMPTY_QUEUE_STATUS)
    fake.reply("coreshowchannels", channel_list_reply([]))
    await fake.start()
    yield fake
    await fake.stop()


@pytest.mark.parametrize("files_know_it", [True, False], ids=["files", "no-files"])
@pytest.mark.parametrize("name", ["b-abandoned", "a-answered"])
async def test_bridge_finishes_a_call_that_lived_through_a_reconnect(
    asterisk: FakeAmi,
    engine_factory: EngineFactory,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    name: str,
    files_know_it: bool,
) -> None:
    """``files``: the reconciliation a moment after the end finishes it. ``no-files``: the
    queue_log and CDR never show it (not written, another file): after its runs, the call
    is finished from what was seen live; within a minute either way."""
    events = capture_events(name)
    engine_a, _store, _settings = live_database(engine_factory, name)
    (uncut,) = rows(engine_a).values()
    linkedid = uncut.call.linkedid

    engine = engine_factory()
    _store_b, settings = make_store(engine, name)
    # Mid-call: the caller waits in the queue (b) / talks with the operator (a).
    blocks = event_blocks(name)
    cut = len(blocks) // 2
    prefix = events_in(blocks[:cut])
    relogin = prefix[-1].at
    now = [relogin]  # the service's clock
    queue_log, cdr = written_by(name, relogin, tmp_path / "files")
    bridge = AmiBridge(
        settings=settings.model_copy(
            update={
                "ami_port": asterisk.port,
                "ami_username": asterisk.username,
                "ami_secret": SecretStr(asterisk.secret),
                "queue_log_path": queue_log,
                "cdr_path": cdr,
            }
        ),
        engine=engine,
        clock=lambda: now[0],
        bus=LiveBus(),
        line_contexts=HARNESS_CONTEXTS,
        queue="consult",
        dialplan=CAPTURES_DIALPLAN,
        reconcile_delay=timedelta(milliseconds=20),
        reconcile_retry=timedelta(milliseconds=50),
        backoff=(0.01,),
    )
    await bridge.start()
    try:
        await bridge.connection.wait_logged_in(timeout=5)
        await until(lambda: bridge.last_reconcile is not None)
        await asterisk.push(b"".join(blocks[:cut]))
        await until(lambda: bridge.status()["calls_in_progress"] == 1)
        await until(lambda: linkedid in rows(engine))  # its progress is written
        # The link drops; at the re-login Asterisk lists the channels still up.
        asterisk.reply("coreshowchannels", channel_list_reply(show_channels(prefix, relogin)))
        first_run = bridge.last_reconcile
        await asterisk.reset()
        await until(lambda: bridge.last_reconcile is not first_run)  # the re-login's run
        # The rest of the call, live; Asterisk writes its queue_log lines and CDR rows.
        now[0] = events[-1].at + timedelta(seconds=5)
        if files_know_it:
            written_by(name, events[-1].at, tmp_path / "files")
        await asterisk.push(b"".join(blocks[cut:]))
        await until(lambda: outcome_of(engine, linkedid) is not None)
        await until(lambda: bridge.reconciliation_status()["pending_calls"]["calls"] == 0)
    finally:
        await bridge.stop()
    finished = outcome_of(engine, linkedid)
    assert finished is not None
    assert_same_call(uncut, finished)
    assert finished.call.hangup_side == uncut.call.hangup_side
    with Session(engine) as session:
        tasks = session.exec(select(CallbackTask)).all()
    assert len(tasks) == (1 if name == "b-abandoned" else 0)  # C11, C13
    assert bridge.status()["handler_failures"] == 0
    assert ("исход записан по событиям AMI" in caplog.text) is not files_know_it
