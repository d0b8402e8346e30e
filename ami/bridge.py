"""The AMI bridge: Asterisk's events in, the call log and the console's live state out.

Wiring only (the parts are tested on their own): messages from ``AmiConnection`` are parsed
at the edge, fed to the pure projector and live state, persisted by the call-log store in a
worker thread, and published on the live bus. After every (re)login it resynchronises live
state (CoreShowChannels, QueueStatus) and reconciles the calls that ended while it was away
from Asterisk's own queue_log and CDR, so nothing is lost (C13).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from ami.actions import QUEUE
from ami.bus import LiveBus
from ami.connection import AmiConnection, AmiError, AmiMessage, ConnectionStatus
from ami.events import CoreShowChannel, ParseStats, QueueEntry, QueueMember, parse_event
from ami.live_state import LiveState
from ami.projector import (
    LINE_CONTEXTS,
    CallFinished,
    CallLogProjector,
    CallUpdated,
    ProjectorOutput,
)
from ami.reconcile import ReconcileSummary, reconcile_files
from models.call_log_store import CallLogStore
from models.settings import Settings

log = logging.getLogger(__name__)

LINK_TOPIC = "ami"
# How far back the first reconciliation after start looks (the process was down meanwhile).
FIRST_RECONCILE_LOOKBACK = timedelta(hours=12)


class AmiBridge:
    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        clock: Callable[[], datetime],
        bus: LiveBus,
        line_contexts: frozenset[str] = LINE_CONTEXTS,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._bus = bus
        self._store = CallLogStore(engine, settings)
        self._projector = CallLogProjector(line_contexts=line_contexts)
        self._live = LiveState(QUEUE)
        self._stats = ParseStats()
        self._reconciled_until: datetime | None = None
        self.last_reconcile: ReconcileSummary | None = None
        self.connection = AmiConnection.from_settings(
            settings,
            on_event=self._on_event,
            on_login=self._on_login,
            on_status=self._on_status,
        )

    async def start(self) -> None:
        await self.connection.start()

    async def stop(self) -> None:
        await self.connection.stop()

    def status(self) -> dict[str, Any]:
        return {
            **self.connection.status(),
            "calls_in_progress": self._projector.tracked,
            "events_ignored": self._stats.ignored,
            "events_rejected": sum(self._stats.rejected.values()),
        }

    def live_snapshot(self) -> dict[str, Any]:
        return self._live.snapshot(self._clock())

    async def reconcile(self) -> ReconcileSummary:
        """Finishes calls that ended while events were missed, from queue_log and CDR."""
        now = self._clock()
        since = self._reconciled_until or now - FIRST_RECONCILE_LOOKBACK
        summary = await asyncio.to_thread(
            reconcile_files,
            self._settings,
            self._store,
            since,
            now,
            cdr_path=self._settings.cdr_path,
        )
        self._reconciled_until = now
        self.last_reconcile = summary
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

    async def _persist(self, output: ProjectorOutput) -> None:
        if isinstance(output, CallUpdated):
            await asyncio.to_thread(self._store.record_progress, output.entry)
        elif isinstance(output, CallFinished) and output.complete:
            await asyncio.to_thread(self._store.record_finished, output.entry, self._clock())
        # An incomplete or lost call (events missed while the link was down) is left to the
        # reconciliation, which reads Asterisk's own records of how it ended.

    async def _on_login(self) -> None:
        try:
            await self._resync()
        except AmiError as exc:
            log.warning("AMI: состояние после входа не восстановлено: %s", exc)
        await self.reconcile()
        self._bus.publish("queue", self.live_snapshot())

    async def _resync(self) -> None:
        received = self._clock()
        channels = await self.connection.send_list({"Action": "CoreShowChannels"})
        live = [parse_event(m, received, self._stats) for m in channels]
        for output in self._projector.resync(c for c in live if isinstance(c, CoreShowChannel)):
            await self._persist(output)
        status = await self.connection.send_list({"Action": "QueueStatus", "Queue": QUEUE})
        parsed = [parse_event(m, received, self._stats) for m in status]
        self._live.resync(
            (e for e in parsed if isinstance(e, QueueEntry)),
            (m for m in parsed if isinstance(m, QueueMember)),
        )

    def _on_status(self, status: ConnectionStatus) -> None:
        if status.state.value != "logged_in":
            self._projector.connection_lost()
        self._bus.publish(LINK_TOPIC, status.as_dict())
