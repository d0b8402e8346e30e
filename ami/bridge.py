"""The AMI bridge: Asterisk's events in, the call log and the console's live state out.

Wiring only (the parts are tested on their own): messages from ``AmiConnection`` are parsed
at the edge, fed to the pure projector and live state, published on the live bus, and only
then handed to the call-log writes (``ami.write_queue``: in order, in a worker thread, kept
and retried while the database is away), so a database that is down or locked never holds up
the console's picture nor loses a call's end. After every (re)login, in order with the events,
it checks that the AMI user may send every action the line needs (``ami.permissions``) and
resynchronises live state (CoreShowChannels, QueueStatus: calls in progress are adopted).

The reconciliation from Asterisk's own queue_log and CDR (C13) runs beside the event
consumer, in its own task, one run at a time: after every login (calls that ended while the
link was down), a few seconds after a call whose events were partly missed has ended
(``ami.pending_calls``: it has its outcome within about a minute, not at night), and when
the scheduler asks (the nightly run). Events keep flowing while it reads the files.

Click-to-call for a callback task (C11) closes its loop here: once the operator's phone
answered, the Originate's ChannelId is remembered with the task, and the client leg's
``DialEnd`` on that channel (or, before any dial, its ``Hangup``: FAILED) becomes the task's
attempt, written once and published on the ``callbacks`` topic; it also ends the task's
click-to-call reservation. The task's status is left to the operator (an answered callback
stays in progress until they close it).

Transfers (C10): what the dialplan guard allowed is settled here from its channel's events
(``ami.transfer_watch``): completed, or released so it no longer uses up one of the call's two
transfers. Each change is published on the ``transfers`` topic.

Keys (speech in the IVR): Asterisk 22 passes no DTMF over AudioSocket, so a key the caller
presses while the service listens for a spoken answer is only seen here, as ``DTMFEnd`` (the
AMI user needs the ``dtmf`` read class). Each key received on a channel goes to ``on_key``
with the channel's Uniqueid (the composition root ends that channel's listening with it); keys
are no call-log facts and go nowhere else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.engine import Engine

from ami.actions import (
    QUEUE,
    ActionStatus,
    ClickToCallResult,
    attempt_result_for_dialstatus,
    click_to_call,
)
from ami.bus import LiveBus
from ami.call_record import CallLogEntry
from ami.cdr import PROJECT_DIALPLAN, CdrDialplan
from ami.connection import AmiConnection, AmiError, AmiMessage, ConnectionStatus
from ami.events import (
    AmiEvent,
    CoreShowChannel,
    DialEnd,
    DTMFEnd,
    Hangup,
    ParseStats,
    QueueEntry,
    QueueMember,
    parse_event,
)
from ami.live_state import LiveState
from ami.log_sources import inspect_sources
from ami.pending_calls import PendingCalls, live_writes
from ami.permissions import PermissionCheck, check_listed
from ami.projector import LINE_CONTEXTS, CallLogProjector, ProjectorOutput
from ami.reconcile import Reconciler, ReconcileSummary
from ami.transfer_watch import TransferSignal, TransferWatch
from ami.write_queue import DEFAULT_BACKOFF_S, Write, WriteQueue
from models.call_log_store import CallLogStore
from models.db import session_scope
from models.line_store import LineStore, TransferSettled
from models.operator_access import OperatorAccess, record_callback_attempt
from models.settings import Settings
from models.tables import AttemptResult

log = logging.getLogger(__name__)

LINK_TOPIC = "ami"
# How far back the first reconciliation after start looks (the process was down meanwhile).
FIRST_RECONCILE_LOOKBACK = timedelta(hours=12)
CALLBACKS_TOPIC = "callbacks"
TRANSFERS_TOPIC = "transfers"
# While the AMI user lacks a permission, log in again this often: Asterisk fixes a session's
# rights at its login, so an administrator's fix (manager.conf + "manager reload") only shows
# on a new session.
PERMISSION_RECHECK = timedelta(minutes=5)
# A click-to-call whose client leg was not heard of by then is forgotten (checked on insert):
# the dial itself times out after 60 s (dialplan), so only a lost link leaves one behind.
PENDING_ATTEMPT_TTL = timedelta(minutes=10)
# A call whose events were partly missed is reconciled this long after it ended (Asterisk has
# written its CDR row and queue_log lines by then), then every RECONCILE_RETRY while it is
# still without an outcome (ami.pending_calls: four runs, then the live facts).
RECONCILE_DELAY = timedelta(seconds=5)
RECONCILE_RETRY = timedelta(seconds=15)
# The reconciliation waits this long at most for the live writes handed in before it.
RECONCILE_WAITS_FOR_WRITES_S = 30.0

# Told of each key a caller presses: (the channel's Uniqueid, the key); True when it was used.
KeyHandler = Callable[[str, str], bool]


@dataclass(frozen=True, slots=True)
class _PendingAttempt:
    """A click-to-call whose operator answered; the client leg's result is still to come."""

    task_id: int
    employee_id: int
    at: datetime  # when the operator clicked: the attempt's time


class AmiBridge:
    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        clock: Callable[[], datetime],
        bus: LiveBus,
        line_contexts: frozenset[str] = LINE_CONTEXTS,
        queue: str = QUEUE,
        dialplan: CdrDialplan = PROJECT_DIALPLAN,
        permission_recheck: timedelta = PERMISSION_RECHECK,
        reconcile_delay: timedelta = RECONCILE_DELAY,
        reconcile_retry: timedelta = RECONCILE_RETRY,
        write_backoff: Sequence[float] = DEFAULT_BACKOFF_S,
        on_key: KeyHandler | None = None,
        **connection_options: Any,
    ) -> None:
        """``on_key``: told of every key a caller presses (module docstring).
        ``connection_options``: passed to ``AmiConnection`` (backoff, event_limit, …)."""
        self._settings = settings
        self._on_key = on_key
        self._engine = engine
        self._clock = clock
        self._bus = bus
        self._store = CallLogStore(engine, settings)
        self._projector = CallLogProjector(line_contexts=line_contexts)
        self._line = LineStore(engine, settings)
        self._transfer_watch = TransferWatch()
        self._queue = queue
        self._live = LiveState(queue)
        self._stats = ParseStats()
        self._reconciled_until: datetime | None = None
        # Remembers where each file was read to and the calls waiting for their CDR.
        self._reconciler = Reconciler(settings, dialplan=dialplan)
        self.last_reconcile: ReconcileSummary | None = None
        self._last_reconcile_at: datetime | None = None
        self.permissions: PermissionCheck | None = None  # from the last login
        self._permission_recheck = permission_recheck
        self._relogin_timer: asyncio.TimerHandle | None = None
        self._pending_attempts: dict[str, _PendingAttempt] = {}  # Originate ChannelId → task
        self._writes = WriteQueue(clock=clock, backoff=write_backoff)
        self._pending_calls = PendingCalls(lookback=FIRST_RECONCILE_LOOKBACK)
        self._reconcile_delay = reconcile_delay.total_seconds()
        self._reconcile_retry = reconcile_retry.total_seconds()
        self._reconcile_lock = asyncio.Lock()  # one run at a time, whoever asks
        self._reconcile_timer: asyncio.TimerHandle | None = None
        self._reconcile_due: float | None = None  # loop time the timer fires at
        self._reconcile_wanted = False
        self._reconcile_task: asyncio.Task[None] | None = None
        self.connection = AmiConnection.from_settings(
            settings,
            on_event=self._on_event,
            on_login=self._on_login,
            on_status=self._on_status,
            **connection_options,
        )

    async def start(self) -> None:
        self._writes.start()
        await self.connection.start()

    async def stop(self) -> None:
        self._cancel_relogin()
        self._cancel_reconcile_timer()
        await self.connection.stop()
        task = self._reconcile_task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._writes.stop()
        await asyncio.to_thread(self._reconciler.close)

    def status(self) -> dict[str, Any]:
        return {
            **self.connection.status(),
            "permissions": None if self.permissions is None else self.permissions.as_dict(),
            "calls_in_progress": self._projector.tracked,
            "events_ignored": self._stats.ignored,
            "events_rejected": sum(self._stats.rejected.values()),
            "call_log_writes": self._writes.status(),
        }

    @property
    def reconciling(self) -> bool:
        """A reconciliation run is in progress (beside the event consumer)."""
        return self._reconcile_lock.locked()

    def reconciliation_status(self) -> dict[str, Any]:
        """For /health: each source as it is now (the tail of its file) and the last run.

        Runs file I/O: call it from a worker thread (the health route is a plain def)."""
        sources = inspect_sources(self._settings)
        last = self.last_reconcile
        return {
            "sources": [source.as_dict() for source in sources],
            "last_run_at": self._last_reconcile_at.isoformat() if self._last_reconcile_at else None,
            "running": self.reconciling,
            # calls whose events were partly missed, waiting for a run to give their outcome
            "pending_calls": self._pending_calls.status(),
            "last_run": None
            if last is None
            else {
                "read": last.read,
                "finished": last.finished,
                "unchanged": last.unchanged,
                "skipped_lines": last.skipped_lines,
                "waiting_for_cdr": last.waiting,
            },
        }

    def live_snapshot(self) -> dict[str, Any]:
        return self._live.snapshot(self._clock())

    async def click_to_call(
        self, *, task_id: int, operator: OperatorAccess, now: datetime
    ) -> ClickToCallResult:
        """C11: rings the operator, then the dialplan dials the task's client; see
        ``ami.actions.click_to_call``. Once the operator answered, the attempt is recorded
        when the client leg ends (``DialEnd``) or the operator hangs up before it is dialled."""
        result = await click_to_call(
            self.connection,
            engine=self._engine,
            task_id=task_id,
            operator=operator,
            now=now,
            zone=self._settings.tz,
        )
        if result.status is ActionStatus.DONE and result.channel_id is not None:
            self._expire_pending(now)
            self._pending_attempts[result.channel_id] = _PendingAttempt(
                task_id=task_id, employee_id=operator.employee_id, at=now
            )
        elif result.attempt_id is not None:  # FAILED, already recorded by the action
            self._publish_attempt(task_id, AttemptResult.FAILED)
        return result

    @property
    def pending_attempts(self) -> int:
        return len(self._pending_attempts)

    async def reconcile(self) -> ReconcileSummary:
        """Finishes calls that ended while events were missed, from queue_log and CDR.

        One run at a time (the login, the calls pending after a gap, the nightly job); the
        live writes handed in before it go first. Raises what the run raised (a database
        that is down: the next run covers the same window)."""
        async with self._reconcile_lock:
            try:
                async with asyncio.timeout(RECONCILE_WAITS_FOR_WRITES_S):
                    await self._writes.barrier()
            except TimeoutError:
                log.warning("сверка: отложенные записи журнала звонков ещё не сохранены")
            now = self._clock()
            since = self._reconciled_until or now - FIRST_RECONCILE_LOOKBACK
            summary = await asyncio.to_thread(self._reconciler.run, self._store, since, now)
            self._reconciled_until = now
            self.last_reconcile = summary
            self._last_reconcile_at = now
            log.info(
                "сверка с queue_log/CDR: найдено %d, дописано %d, без изменений %d",
                summary.read,
                summary.finished,
                summary.unchanged,
            )
            await self._settle_pending_calls(now)
            return summary

    def _on_event(self, message: AmiMessage) -> None:
        """The consumer's step, never waiting: projector, live state and its publication,
        then the writes are handed to the write queue."""
        event = parse_event(message, self._clock(), self._stats)
        if event is None:
            return
        if isinstance(event, DTMFEnd):
            self._key_pressed(event)
            return
        outputs = self._projector.apply(event)
        for topic in self._live.apply(event):
            self._bus.publish(topic, self.live_snapshot())
        self._callback_outcome(event)
        for signal in self._transfer_watch.apply(event):
            self._settle_transfer(signal)
        for output in outputs:
            self._persist(output)

    def _key_pressed(self, event: DTMFEnd) -> None:
        if self._on_key is not None and self._on_key(event.uniqueid, event.digit):
            log.debug("%s: клавиша %s прервала ответ голосом", event.uniqueid, event.digit)

    def _persist(self, output: ProjectorOutput) -> None:
        writes = live_writes(output)
        if writes.progress is not None:
            entry = writes.progress
            self._writes.submit(
                Write(
                    partial(self._store.record_progress, entry),
                    f"звонок {entry.linkedid}: ход",
                    key=entry.linkedid,
                    snapshot=True,
                )
            )
        if writes.finish is not None:
            self._submit_finish(writes.finish)
        if writes.pending is not None:
            # Events of this call were missed: the reconciliation decides its outcome.
            self._await_reconciliation(writes.pending)

    def _submit_finish(self, entry: CallLogEntry) -> None:
        self._writes.submit(
            Write(
                partial(self._store.record_finished, entry, self._clock()),
                f"звонок {entry.linkedid}: завершение",
                key=entry.linkedid,
                # Not written: the reconciliation rebuilds it from queue_log/CDR, else these
                # live facts are written after its runs (ami.pending_calls).
                on_dropped=partial(self._await_reconciliation, entry),
            )
        )

    # ------------------------------------------------------------------ reconciliation

    def _await_reconciliation(self, entry: CallLogEntry) -> None:
        self._pending_calls.add(entry)
        self._schedule_reconcile(self._reconcile_delay)

    def _schedule_reconcile(self, delay_s: float) -> None:
        """A reconciliation run in ``delay_s`` (or sooner, if one is already due sooner)."""
        loop = asyncio.get_running_loop()
        due = loop.time() + delay_s
        if self._reconcile_timer is not None and self._reconcile_due is not None:
            if self._reconcile_due <= due:
                return
            self._reconcile_timer.cancel()
        self._reconcile_due = due
        self._reconcile_timer = loop.call_later(delay_s, self._reconcile_now)

    def _reconcile_now(self) -> None:
        self._reconcile_timer = None
        self._reconcile_due = None
        self._reconcile_wanted = True
        if self._reconcile_task is None or self._reconcile_task.done():
            self._reconcile_task = asyncio.create_task(self._reconcile_runs(), name="ami-reconcile")

    async def _reconcile_runs(self) -> None:
        """Runs beside the event consumer; requests made during a run make one more run."""
        while self._reconcile_wanted:
            self._reconcile_wanted = False
            if self._writes.unavailable:
                # The database is away: nothing could be written; try when it may be back.
                self._schedule_reconcile(self._reconcile_retry)
                return
            try:
                await self.reconcile()
            except Exception:
                log.exception("сверка с queue_log/CDR не удалась; повтор")
                self._schedule_reconcile(self._reconcile_retry)
                return

    async def _settle_pending_calls(self, now: datetime) -> None:
        if not len(self._pending_calls):
            return
        linkedids = self._pending_calls.linkedids()
        unfinished = await asyncio.to_thread(self._store.unfinished, linkedids)
        for entry in self._pending_calls.settle(unfinished, now):
            log.warning(
                "звонок %s: в queue_log/CDR не найден, исход записан по событиям AMI",
                entry.linkedid,
            )
            self._submit_finish(entry)
        if self._pending_calls.wants_run():
            self._schedule_reconcile(self._reconcile_retry)

    def _cancel_reconcile_timer(self) -> None:
        if self._reconcile_timer is not None:
            self._reconcile_timer.cancel()
            self._reconcile_timer = None
            self._reconcile_due = None

    # ------------------------------------------------------------------ click-to-call

    def _callback_outcome(self, event: AmiEvent) -> None:
        """C11: the client leg's DialEnd on a click-to-call's channel is the attempt's result;
        the operator's Hangup before any dial leaves a FAILED attempt."""
        if isinstance(event, DialEnd) and event.caller is not None:
            channel_id = event.caller.uniqueid
            result = attempt_result_for_dialstatus(event.dial_status)
        elif isinstance(event, Hangup):
            channel_id = event.uniqueid
            result = AttemptResult.FAILED  # the operator hung up before the client was dialled
        else:
            return
        pending = self._pending_attempts.pop(channel_id, None)
        if pending is None:
            return
        self._writes.submit(
            Write(
                partial(self._record_attempt, channel_id, pending, result),
                f"обратный звонок по задаче {pending.task_id}: попытка {result.value}",
                key=f"callback/{channel_id}",
                # published once the row exists: the console reads the task afresh
                on_written=lambda _id: self._publish_attempt(pending.task_id, result),
            )
        )

    def _record_attempt(
        self, channel_id: str, pending: _PendingAttempt, result: AttemptResult
    ) -> None:
        with session_scope(self._engine) as session:
            record_callback_attempt(
                session,
                task_id=pending.task_id,
                employee_id=pending.employee_id,
                channel_id=channel_id,
                result=result,
                at=pending.at,
            )

    def _settle_transfer(self, signal: TransferSignal) -> None:
        """C10: a transfer attempt completed or released (``ami.transfer_watch``); written in
        turn with the call's other writes, published once written."""
        self._writes.submit(
            Write(
                partial(
                    self._line.settle_transfer, signal.linkedid, signal.channel_id, signal.evidence
                ),
                f"звонок {signal.linkedid}: перевод {signal.channel_id}",
                key=signal.linkedid,
                on_written=partial(self._transfer_settled, signal),
            )
        )

    def _transfer_settled(self, signal: TransferSignal, settled: object) -> None:
        if not isinstance(settled, TransferSettled):
            return  # nothing to settle (already settled, or not a recorded attempt)
        log.info(
            "звонок %s: перевод %d — %s (%s)",
            settled.linkedid,
            settled.seq,
            settled.outcome.value,
            signal.evidence.value,
        )
        payload = {
            "kind": "transfer",
            "linkedid": settled.linkedid,
            "seq": settled.seq,
            "outcome": settled.outcome.value,
            "completed": settled.completed,
        }
        self._bus.publish(TRANSFERS_TOPIC, payload)

    def _publish_attempt(self, task_id: int, result: AttemptResult) -> None:
        payload = {"kind": "attempt", "task_id": task_id, "result": result.value}
        self._bus.publish(CALLBACKS_TOPIC, payload)

    def _expire_pending(self, now: datetime) -> None:
        cutoff = now - PENDING_ATTEMPT_TTL
        for channel_id, pending in list(self._pending_attempts.items()):
            if pending.at < cutoff:
                del self._pending_attempts[channel_id]
                log.warning(
                    "обратный звонок по задаче %d: исход вызова клиента не получен (%s)",
                    pending.task_id,
                    channel_id,
                )

    async def _on_login(self) -> None:
        # In order with the events: every event before this login was received before the
        # link dropped, so only now are the calls in progress missing some of theirs.
        self._projector.connection_lost()
        self._transfer_watch.connection_lost()
        await self._check_permissions()
        try:
            await self._resync()
        except AmiError as exc:
            log.warning("AMI: состояние после входа не восстановлено: %s", exc)
        self._bus.publish("queue", self.live_snapshot())
        self._schedule_reconcile(0)  # beside the consumer: events keep flowing meanwhile

    async def _check_permissions(self) -> None:
        try:
            reply = await self.connection.send({"Action": "ListCommands"})
        except AmiError as exc:
            log.warning("AMI: права пользователя не проверены: %s", exc)
            return
        check = check_listed(reply)
        if check.problem and check != self.permissions:
            log.error(
                "AMI: %s; служба будет входить заново каждые %d мин, пока права не появятся",
                check.problem,
                self._permission_recheck.total_seconds() // 60,
            )
        elif not check.problem and self.permissions is not None and self.permissions.problem:
            log.warning("AMI: права пользователя теперь достаточны")
        self.permissions = check
        self._cancel_relogin()
        if check.problem:
            self._relogin_timer = asyncio.get_running_loop().call_later(
                self._permission_recheck.total_seconds(),
                self.connection.relogin,
                "права пользователя AMI проверяются заново",
            )

    def _cancel_relogin(self) -> None:
        if self._relogin_timer is not None:
            self._relogin_timer.cancel()
            self._relogin_timer = None

    async def _resync(self) -> None:
        received = self._clock()
        channels = await self.connection.send_list({"Action": "CoreShowChannels"})
        live = [parse_event(m, received, self._stats) for m in channels]
        for output in self._projector.resync(c for c in live if isinstance(c, CoreShowChannel)):
            self._persist(output)
        status = await self.connection.send_list({"Action": "QueueStatus", "Queue": self._queue})
        parsed = [parse_event(m, received, self._stats) for m in status]
        self._live.resync(
            (e for e in parsed if isinstance(e, QueueEntry)),
            (m for m in parsed if isinstance(m, QueueMember)),
        )

    def _on_status(self, status: ConnectionStatus) -> None:
        # The projector and the transfer watch learn of a drop in order with the events, at
        # the next login.
        self._bus.publish(LINK_TOPIC, status.as_dict())
