"""The AMI bridge: Asterisk's events in, the call log and the console's live state out.

Wiring only (the parts are tested on their own): messages from ``AmiConnection`` are parsed
at the edge, fed to the pure projector and live state, persisted by the call-log store in a
worker thread, and published on the live bus. After every (re)login it checks that the AMI
user may send every action the line needs (``ami.permissions``), resynchronises live state
(CoreShowChannels, QueueStatus) and reconciles the calls that ended while it was away from
Asterisk's own queue_log and CDR, so nothing is lost (C13).

Click-to-call for a callback task (C11) closes its loop here: once the operator's phone
answered, the Originate's ChannelId is remembered with the task, and the client leg's
``DialEnd`` on that channel (or, before any dial, its ``Hangup``: FAILED) becomes the task's
attempt, written once and published on the ``callbacks`` topic; it also ends the task's
click-to-call reservation. The task's status is left to the operator (an answered callback
stays in progress until they close it).

Transfers (C10): what the dialplan guard allowed is settled here from its channel's events
(``ami.transfer_watch``): completed, or released so it no longer uses up one of the call's two
transfers. Each change is published on the ``transfers`` topic.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
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
from ami.connection import AmiConnection, AmiError, AmiMessage, ConnectionStatus
from ami.events import (
    AmiEvent,
    CoreShowChannel,
    DialEnd,
    Hangup,
    ParseStats,
    QueueEntry,
    QueueMember,
    parse_event,
)
from ami.live_state import LiveState
from ami.log_sources import inspect_sources
from ami.permissions import PermissionCheck, check_listed
from ami.projector import (
    LINE_CONTEXTS,
    CallFinished,
    CallLogProjector,
    CallUpdated,
    ProjectorOutput,
)
from ami.reconcile import Reconciler, ReconcileSummary
from ami.transfer_watch import TransferSignal, TransferWatch
from models.call_log_store import CallLogStore
from models.db import session_scope
from models.line_store import LineStore
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
        permission_recheck: timedelta = PERMISSION_RECHECK,
    ) -> None:
        self._settings = settings
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
        self._reconciler = Reconciler(settings)
        self.last_reconcile: ReconcileSummary | None = None
        self._last_reconcile_at: datetime | None = None
        self.permissions: PermissionCheck | None = None  # from the last login
        self._permission_recheck = permission_recheck
        self._relogin_timer: asyncio.TimerHandle | None = None
        self._pending_attempts: dict[str, _PendingAttempt] = {}  # Originate ChannelId → task
        self.connection = AmiConnection.from_settings(
            settings,
            on_event=self._on_event,
            on_login=self._on_login,
            on_status=self._on_status,
        )

    async def start(self) -> None:
        await self.connection.start()

    async def stop(self) -> None:
        self._cancel_relogin()
        await self.connection.stop()
        await asyncio.to_thread(self._reconciler.close)

    def status(self) -> dict[str, Any]:
        return {
            **self.connection.status(),
            "permissions": None if self.permissions is None else self.permissions.as_dict(),
            "calls_in_progress": self._projector.tracked,
            "events_ignored": self._stats.ignored,
            "events_rejected": sum(self._stats.rejected.values()),
        }

    def reconciliation_status(self) -> dict[str, Any]:
        """For /health: each source as it is now (the tail of its file) and the last run.

        Runs file I/O: call it from a worker thread (the health route is a plain def)."""
        sources = inspect_sources(self._settings)
        last = self.last_reconcile
        return {
            "sources": [source.as_dict() for source in sources],
            "last_run_at": self._last_reconcile_at.isoformat() if self._last_reconcile_at else None,
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
        """Finishes calls that ended while events were missed, from queue_log and CDR."""
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
        return summary

    async def _on_event(self, message: AmiMessage) -> None:
        event = parse_event(message, self._clock(), self._stats)
        if event is None:
            return
        for output in self._projector.apply(event):
            await self._persist(output)
        for topic in self._live.apply(event):
            self._bus.publish(topic, self.live_snapshot())
        await self._callback_outcome(event)
        for signal in self._transfer_watch.apply(event):
            await self._settle_transfer(signal)

    async def _persist(self, output: ProjectorOutput) -> None:
        if isinstance(output, CallUpdated):
            await asyncio.to_thread(self._store.record_progress, output.entry)
        elif isinstance(output, CallFinished) and output.complete:
            await asyncio.to_thread(self._store.record_finished, output.entry, self._clock())
        # An incomplete or lost call (events missed while the link was down) is left to the
        # reconciliation, which reads Asterisk's own records of how it ended.

    async def _callback_outcome(self, event: AmiEvent) -> None:
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
        await asyncio.to_thread(self._record_attempt, channel_id, pending, result)
        self._publish_attempt(pending.task_id, result)

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

    async def _settle_transfer(self, signal: TransferSignal) -> None:
        """C10: a transfer attempt completed or released (``ami.transfer_watch``)."""
        settled = await asyncio.to_thread(
            self._line.settle_transfer, signal.linkedid, signal.channel_id, signal.evidence
        )
        if settled is None:
            return
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
        await self._check_permissions()
        try:
            await self._resync()
        except AmiError as exc:
            log.warning("AMI: состояние после входа не восстановлено: %s", exc)
        await self.reconcile()
        self._bus.publish("queue", self.live_snapshot())

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
            await self._persist(output)
        status = await self.connection.send_list({"Action": "QueueStatus", "Queue": self._queue})
        parsed = [parse_event(m, received, self._stats) for m in status]
        self._live.resync(
            (e for e in parsed if isinstance(e, QueueEntry)),
            (m for m in parsed if isinstance(m, QueueMember)),
        )

    def _on_status(self, status: ConnectionStatus) -> None:
        if status.state.value != "logged_in":
            self._projector.connection_lost()
            self._transfer_watch.connection_lost()
        self._bus.publish(LINK_TOPIC, status.as_dict())
