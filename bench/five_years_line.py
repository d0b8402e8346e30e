"""Five years of a busy line for the benches: calls with realistic outcomes, callbacks, surveys
and transfers, with clients calling again and again.

:func:`fill` writes ``calls`` calls (default 2 500 000) into a migrated, empty database over the
five years of the production calendar that end on :data:`NOW` (Wednesday 2026-12-09, 12:00 in
Moscow, the benches' "today"): ~2000 on each of the 1236 working days, most between opening and
closing with a morning peak, 3 % before or after the hours and ~100 on each day off (after-hours
calls). Today has its calls up to NOW only, the last few of them still in the voice menu, waiting
or talking (no ``ended_at``, no ``outcome``); nothing is dated after NOW.

* **Callers**: 50 frequent numbers (4 % of the calls, ~2000 each), 20 000 regular ones (40 %,
  ~50 each), 700 000 rare ones (56 %, ~2 each); every tenth frequent or regular number has a
  client record its calls are linked to; 0.5 % of the calls hide their number. One caller in
  thirteen speaks English, the rest Russian.
* **Calls in working hours**: 84 % answered, 16 % missed, by reason: hung up in the voice menu
  28 % (most within 5 s: the short calls, ~20 % of the missed), in the queue 38 %, the queue's
  time limit 12 %, no operators 9 %, left the queue by key 9 %, unknown 4 %. Topics from the
  whole ``Topic`` list by weight; none for most who hung up in the menu and 3 % of the others.
* **Answered calls**: by one of 40 operators in two departments, 28 on shift a day. The operator
  hangs up on 75 % (the survey is offered then), the caller on the others; 85 % of those offered
  answer, 15 % of them the first question only; resolved yes 80 %, no 20 %. Wrap-ups for 90 %,
  referrals to another agency for 1 %.
* **Transfers**: a quarter of the answered calls has one (17 %), two (6.5 %) or three attempts
  (1.5 %); 10 % are not answered, 5 % go to an extension of nobody in the directory (failed). An
  attempt after two completed ones is refused (``models.rules.transfers.may_transfer``) and
  opens a callback task; ``calls.transfer_count`` is the completed ones.
* **Callback tasks**: one for each missed call from a known number, except the short ones the
  caller ended (about 80 % of the missed calls); a missed call while the number has an active
  task is attached to that task instead. Also for 2 % of the answered calls (the answer could not
  be given live), for the refused transfers and for 25 % of the after-hours calls. Promised for
  the next working day; closed ~20 h later on average, 1.5 % after days: done 82 %, failed 11 %,
  cancelled 7 %, with one to three attempts. Those not closed by NOW are open or in progress
  (an attempt made), a few of them overdue.

Deterministic (a fixed seed). Ids are assigned here and rows are written by plain bulk INSERTs,
:data:`BATCH` rows a statement, parents first; a missed call's ``callback_task_id`` is set by an
UPDATE once its task is written, as the line does.
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert, text, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from consult_line.demo.scenarios import TOPIC_WEIGHTS
from models.db import session_scope
from models.rules.calendar import DEFAULT_HOURS, ProductionCalendar
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CALLER_ENDED, DEFAULT_SHORT_CALL_THRESHOLD_S
from models.rules.missed import CallOutcome as Outcome
from models.rules.missed import MissedReason as Reason
from models.rules.survey import AnswerReceived, QualityRating
from models.rules.transfers import TransferOutcome, TransferRecord, may_transfer
from models.tables import (
    AttemptResult,
    Call,
    CallbackAttempt,
    CallbackSource,
    CallbackTask,
    CallReferral,
    CallTransfer,
    CallWrapup,
    Client,
    Department,
    Employee,
    EmployeeRole,
    HangupSide,
    Language,
    Role,
    SurveyChannel,
    SurveyResponse,
    TransferKind,
)

SEED = 20261209
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)  # 12:00 in Moscow, a Wednesday
TODAY = NOW.astimezone(MSK).date()
FIRST_DAY = TODAY.replace(year=TODAY.year - 5) + timedelta(days=1)
CALENDAR = ProductionCalendar(tz=MSK, hours=DEFAULT_HOURS)
CALLS = 2_500_000
BATCH = 20_000
OPERATORS, ON_SHIFT = 40, 28
FIRST_NUMBER = 1001  # the operators' internal numbers: 1001..1040

# When calls come: a working hour's weight; before opening and after closing; a day off.
HOUR_WEIGHTS = {9: 9, 10: 13, 11: 13, 12: 12, 13: 9, 14: 11, 15: 11, 16: 10, 17: 8}
OUTSIDE_HOURS = 0.03  # of a working day's calls: 2 h before opening, 4 h after closing
DAY_OFF = 0.05  # a day off's calls (9:00-18:00), to a working day's
HIDDEN = 0.005  # calls with no number
MISSED = 0.16  # of the calls in working hours
REASONS = {
    Reason.ABANDONED_IN_IVR: 28,
    Reason.ABANDONED_IN_QUEUE: 38,
    Reason.QUEUE_TIMEOUT: 12,
    Reason.NO_OPERATORS: 9,
    Reason.LEFT_QUEUE_BY_KEY: 9,
    Reason.UNKNOWN: 4,
}
# A missed call's seconds in the queue (300: the queue's time limit), by reason.
QUEUE_WAITS = {
    Reason.ABANDONED_IN_QUEUE: (5, 240),
    Reason.QUEUE_TIMEOUT: (300, 301),
    Reason.NO_OPERATORS: (0, 1),
    Reason.LEFT_QUEUE_BY_KEY: (20, 200),
    Reason.UNKNOWN: (0, 120),
}
SHORT_SHARE = {Reason.ABANDONED_IN_IVR: 0.72, Reason.UNKNOWN: 0.10}  # hung up at once
TOPICS = TOPIC_WEIGHTS  # as the demo line's (consult_line.demo)
NO_TOPIC = 0.03
# Transfer attempts of an answered call: 0 (75 %), 1, 2 or 3.
ATTEMPTS = {0: 75, 1: 17, 2: 6.5, 3: 1.5}
QUESTIONS = [
    "Сроки рассмотрения заявления на лицензию",
    "Какие документы нужны для субсидии",
    "Статус обращения от прошлой недели",
    "График плановых проверок",
    "Как записаться на личный приём",
    "Порядок обжалования решения проверки",
]
NOTES = {
    CallbackStatus.DONE: "Перезвонили, ответ дан",
    CallbackStatus.FAILED: "Не дозвонились за три попытки",
    CallbackStatus.CANCELLED: "Клиент перезвонил сам, вопрос решён",
}
SURNAMES = [
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
]
NAMES = (["Сергей", "Алексей"], ["Мария", "Анна"])


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    first: int  # the numbers' indexes: first..first+size-1
    size: int
    share: float  # of all calls


GROUPS = (
    Group("частые (~2000 звонков)", 0, 50, 0.04),
    Group("постоянные (~50)", 50, 20_000, 0.40),
    Group("редкие (~2)", 20_050, 700_000, 0.56),
)


def phone(index: int) -> str:
    return f"+7928{index:07d}"


def client_of(index: int | None) -> int | None:
    """Every tenth frequent or regular number has a client record (ids from 1)."""
    if index is not None and index < GROUPS[2].first and index % 10 == 0:
        return index // 10 + 1
    return None


def caller(rng: random.Random) -> int:
    pick = rng.random()
    for group in GROUPS:
        if pick < group.share:
            return group.first + rng.randrange(group.size)
        pick -= group.share
    return GROUPS[-1].first + rng.randrange(GROUPS[-1].size)


def group_of(number: int) -> Group:
    return next(group for group in reversed(GROUPS) if number >= group.first)


# --------------------------------------------------------------------------- writing


# In the order they are written: a row's parent before it.
TABLES: list[type] = [
    Client,
    Call,
    CallWrapup,
    SurveyResponse,
    CallTransfer,
    CallReferral,
    CallbackTask,
    CallbackAttempt,
]
_LINK = (
    update(Call).where(col(Call.id) == bindparam("call")).values(callback_task_id=bindparam("task"))
)


class Writer:
    """Rows collected per table and written BATCH at a time, parents before children, then the
    missed calls' links to their callback tasks; ``seconds`` is the time spent writing."""

    def __init__(self, engine: Engine, order: list[type]) -> None:
        self.engine = engine
        self.order = order
        self.pending: dict[type, list[dict[str, Any]]] = {table: [] for table in order}
        self.links: list[dict[str, int]] = []
        self.written: dict[str, int] = {}
        self.seconds = 0.0

    def add(self, table: type, row: dict[str, Any]) -> None:
        rows = self.pending[table]
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush_all()

    def link(self, call_id: int, task_id: int) -> None:
        self.links.append({"call": call_id, "task": task_id})

    def flush_all(self) -> None:
        started = time.perf_counter()
        with self.engine.begin() as connection:
            for table in self.order:
                self._flush(connection, table)
            if self.links:
                connection.execute(_LINK, self.links)
                self.links.clear()
        self.seconds += time.perf_counter() - started

    def _flush(self, connection: Connection, table: type) -> None:
        rows = self.pending[table]
        if not rows:
            return
        connection.execute(insert(table), rows)
        name = table.__tablename__  # type: ignore[attr-defined]
        self.written[name] = self.written.get(name, 0) + len(rows)
        rows.clear()


# --------------------------------------------------------------------------- arrivals


@dataclass(frozen=True, slots=True)
class Slot:
    """Part of a day calls arrive in: from ``start`` for ``seconds``."""

    start: datetime
    seconds: float
    weight: float
    in_hours: bool


def day_slots(day: date) -> list[Slot]:
    """The day's hours with their share of its calls (today: up to NOW)."""

    def at(hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=MSK)

    hours = CALENDAR.hours_on(day)
    if hours is None:
        slots = [Slot(at(hour), 3600, DAY_OFF / 9, False) for hour in range(9, 18)]
    else:
        opens, closes = hours.opens.hour, hours.closes.hour
        inside = {hour: HOUR_WEIGHTS.get(hour, 8) for hour in range(opens, closes)}
        scale = (1 - OUTSIDE_HOURS) / sum(inside.values())
        outside = [*range(opens - 2, opens), *range(closes, closes + 4)]
        slots = [Slot(at(hour), 3600, weight * scale, True) for hour, weight in inside.items()]
        slots += [Slot(at(hour), 3600, OUTSIDE_HOURS / 6, False) for hour in outside]
    cut = []
    for slot in slots:  # nothing after NOW
        left = (NOW - slot.start).total_seconds()
        if left >= slot.seconds:
            cut.append(slot)
        elif left > 0:
            cut.append(Slot(slot.start, left, slot.weight * left / slot.seconds, slot.in_hours))
    return cut


def line_days() -> Iterator[tuple[date, list[Slot]]]:
    day = FIRST_DAY
    while day <= TODAY:
        yield day, day_slots(day)
        day += timedelta(days=1)


def arrivals(calls: int, rng: random.Random) -> Iterator[tuple[date, list[tuple[datetime, bool]]]]:
    """Each day with its calls' arrivals (and whether in working hours), ``calls`` in all."""
    days = list(line_days())
    total = sum(slot.weight for _, slots in days for slot in slots)
    share, made = 0.0, 0
    for day, slots in days:
        share += sum(slot.weight for slot in slots)
        count = round(calls * share / total) - made
        made += count
        if not slots:
            continue
        picked = rng.choices(slots, weights=[slot.weight for slot in slots], k=count)
        yield (
            day,
            sorted(
                (slot.start + timedelta(seconds=rng.random() * slot.seconds), slot.in_hours)
                for slot in picked
            ),
        )


# --------------------------------------------------------------------------- the line


class Line:
    """Makes each call's rows, and those of what followed it, into a :class:`Writer`."""

    def __init__(
        self, writer: Writer, rng: random.Random, staff: list[int], seen: dict[str, set[int]]
    ) -> None:
        self.writer = writer
        self.rng = rng
        self.staff = staff
        self.roster = staff
        self.seen = seen
        self.call_id = self.task_id = 0
        # Per number, its newest callback task and when it closes (or closed).
        self.tasks: dict[str, tuple[int, datetime]] = {}
        self.promised: dict[date, date] = {}
        self.reasons = list(REASONS), _cumulative(REASONS.values())
        self.topics = list(TOPICS), _cumulative(TOPICS.values())
        self.attempts = list(ATTEMPTS), _cumulative(ATTEMPTS.values())

    def day(self) -> None:
        self.roster = self.rng.sample(self.staff, ON_SHIFT)

    def call(self, at: datetime, in_hours: bool) -> None:
        rng = self.rng
        self.call_id += 1
        number = None if rng.random() < HIDDEN else caller(rng)
        if number is not None:
            callers = self.seen.setdefault(group_of(number).name, set())
            if len(callers) < 1000:
                callers.add(number)
        english = rng.random() < 0.08 if number is None else number % 13 == 0
        row: dict[str, Any] = {
            "id": self.call_id,
            "linkedid": f"{int(at.timestamp())}.{self.call_id}",
            "client_id": client_of(number),
            "caller_number": phone(number)[1:] if number is not None else "anonymous",
            "caller_e164": phone(number) if number is not None else None,
            "arrived_at": at,
            "in_working_hours": in_hours,
            "language": Language.EN if english else Language.RU,
            "ivr_path": f"language:{2 if english else 1}",
            "topic": None,
            "queue_joined_at": None,
            "queue_wait_s": None,
            "answered_at": None,
            "operator_id": None,
            "transfer_count": 0,
            "ended_at": None,
            "talk_s": None,
            "outcome": None,
            "missed_reason": None,
            "short_call": False,
            "hangup_side": None,
            "hangup_cause": None,
            "hangup_cause_text": None,
        }
        if not in_hours:
            self._after_hours(row)
        elif rng.random() < MISSED:
            self._missed(row)
        else:
            self._answered(row)

    def _topic(self, row: dict[str, Any]) -> None:
        if self.rng.random() < NO_TOPIC:
            return
        topics, weights = self.topics
        topic = self.rng.choices(topics, cum_weights=weights)[0]
        row["topic"] = topic
        row["ivr_path"] += f">topic:{topics.index(topic) + 1}"

    def _ended(self, row: dict[str, Any], ended: datetime, side: HangupSide | None) -> bool:
        """The call's end, unless it is still going on at NOW (then only what is known)."""
        if ended > NOW:
            self.writer.add(Call, row)
            return False
        row["ended_at"] = ended
        row["hangup_side"] = side
        row["hangup_cause"], row["hangup_cause_text"] = 16, "Normal Clearing"
        return True

    def _after_hours(self, row: dict[str, Any]) -> None:
        at = row["arrived_at"]
        ended = at + timedelta(seconds=self.rng.uniform(15, 60))  # the message, perhaps a request
        if not self._ended(row, ended, HangupSide.CALLER):
            return
        row["outcome"] = Outcome.AFTER_HOURS
        self.writer.add(Call, row)
        if row["caller_e164"] and self.rng.random() < 0.25:
            self._task(CallbackSource.AFTER_HOURS, row, ended, None)

    def _missed(self, row: dict[str, Any]) -> None:
        rng = self.rng
        at = row["arrived_at"]
        reasons, weights = self.reasons
        reason = rng.choices(reasons, cum_weights=weights)[0]
        side: HangupSide | None = HangupSide.CALLER
        wait = None
        if rng.random() < SHORT_SHARE.get(reason, 0.0):  # hung up at once, in the greeting
            ended = at + timedelta(seconds=rng.uniform(1, DEFAULT_SHORT_CALL_THRESHOLD_S - 0.1))
            row["language"], row["ivr_path"] = None, ""
        elif reason is Reason.ABANDONED_IN_IVR:
            ended = at + timedelta(seconds=rng.uniform(6, 50))
            if rng.random() < 0.5:
                self._topic(row)
        else:
            self._topic(row)
            joined = at + timedelta(seconds=rng.uniform(12, 45))
            wait = rng.uniform(*QUEUE_WAITS[reason])
            ended = joined + timedelta(seconds=wait)
            row["queue_joined_at"] = joined if joined <= NOW else None
            if reason in (Reason.QUEUE_TIMEOUT, Reason.NO_OPERATORS):
                side = HangupSide.SYSTEM
            elif reason is Reason.UNKNOWN:
                side = None
        if not self._ended(row, ended, side):
            return
        short = (ended - at).total_seconds() < DEFAULT_SHORT_CALL_THRESHOLD_S
        row.update(outcome=Outcome.MISSED, missed_reason=reason, short_call=short)
        row["queue_wait_s"] = None if wait is None else round(wait, 3)
        self.writer.add(Call, row)
        e164 = row["caller_e164"]
        if e164 is None:
            return
        held = self.tasks.get(e164)
        if held is not None and held[1] > at:  # the number's task is still active: attached
            self.writer.link(row["id"], held[0])
        elif not (short and reason in CALLER_ENDED):
            self.writer.link(row["id"], self._task(CallbackSource.MISSED_CALL, row, ended, None))

    def _answered(self, row: dict[str, Any]) -> None:
        rng = self.rng
        at = row["arrived_at"]
        self._topic(row)
        joined = at + timedelta(seconds=rng.uniform(12, 45))
        wait = min(rng.expovariate(1 / 25), 600.0)
        answered = joined + timedelta(seconds=wait)
        row["queue_joined_at"] = joined if joined <= NOW else None
        if answered > NOW:  # still waiting in the queue
            self.writer.add(Call, row)
            return
        operator = rng.choice(self.roster)
        row.update(answered_at=answered, operator_id=operator, queue_wait_s=round(wait, 3))
        choices, weights = self.attempts
        transfers, holder, moment = self._transfers(
            row, operator, answered, rng.choices(choices, cum_weights=weights)[0]
        )
        ended = moment + timedelta(seconds=min(rng.lognormvariate(math.log(150), 0.6), 1800))
        side = HangupSide.OPERATOR if rng.random() < 0.75 else HangupSide.CALLER
        if not self._ended(row, ended, side):
            return
        row["outcome"] = Outcome.ANSWERED
        row["talk_s"] = round((ended - answered).total_seconds(), 3)
        row["transfer_count"] = sum(t["outcome"] is TransferOutcome.COMPLETED for t in transfers)
        self.writer.add(Call, row)
        for transfer in transfers:
            self.writer.add(CallTransfer, transfer)
            if transfer["outcome"] is TransferOutcome.REFUSED and row["caller_e164"]:
                self._task(CallbackSource.TRANSFER_CAP, row, transfer["at"], holder)
        if side is HangupSide.OPERATOR and rng.random() < 0.85:
            self._survey(row["id"], holder, ended)
        if rng.random() < 0.9:
            self._wrapup(row, operator, ended)
        if rng.random() < 0.01:
            self.writer.add(
                CallReferral,
                {
                    "call_id": row["id"],
                    "agency_title": "Управление Роспотребнадзора",
                    "contacts": "+7 (8722) 68-00-00",
                    "employee_id": operator,
                    "at": ended - timedelta(seconds=30),
                },
            )
        if row["caller_e164"] and rng.random() < 0.02:
            self._task(CallbackSource.OPERATOR, row, ended, operator)

    def _transfers(
        self, row: dict[str, Any], operator: int, moment: datetime, attempts: int
    ) -> tuple[list[dict[str, Any]], int, datetime]:
        """The call's transfer attempts (C10), who has the caller after them, and when."""
        rng = self.rng
        rows: list[dict[str, Any]] = []
        history: list[TransferRecord] = []
        holder = operator
        for seq in range(1, attempts + 1):
            moment += timedelta(seconds=rng.uniform(60, 240))
            target: int | None = rng.choice([e for e in self.staff if e != holder])
            extension = str(FIRST_NUMBER + self.staff.index(target)) if target else ""
            if not may_transfer(history).allowed:
                outcome = TransferOutcome.REFUSED
            elif rng.random() < 0.05:  # an extension of nobody in the directory
                target, extension = None, f"5{rng.randrange(100):02d}"
                outcome = TransferOutcome.FAILED
            elif rng.random() < 0.1:
                outcome = TransferOutcome.FAILED
            else:
                outcome = TransferOutcome.COMPLETED
            history.append(TransferRecord(moment, outcome))
            rows.append(
                {
                    "call_id": row["id"],
                    "seq": seq,
                    "kind": TransferKind.BLIND if rng.random() < 0.65 else TransferKind.ATTENDED,
                    "outcome": outcome,
                    "from_employee_id": holder,
                    "to_employee_id": target,
                    "to_extension": extension,
                    "at": moment,
                }
            )
            if outcome is TransferOutcome.COMPLETED and target is not None:
                holder = target
        return rows, holder, moment

    def _survey(self, call_id: int, operator: int, ended: datetime) -> None:
        rng = self.rng
        at = ended + timedelta(seconds=rng.uniform(15, 45))
        if at > NOW:
            return
        resolved = rng.random() < 0.8
        weights = (75, 93, 100) if resolved else (25, 65, 100)
        quality = rng.choices(list(QualityRating), cum_weights=weights)[0]
        self.writer.add(
            SurveyResponse,
            {
                "call_id": call_id,
                "operator_id": operator,
                "answer_received": AnswerReceived.YES if resolved else AnswerReceived.NO,
                "quality": None if rng.random() < 0.15 else quality,  # hung up after the first
                "channel": SurveyChannel.KEYPAD if rng.random() < 0.85 else SurveyChannel.SPEECH,
                "created_at": at,
            },
        )

    def _wrapup(self, row: dict[str, Any], operator: int, ended: datetime) -> None:
        at = ended + timedelta(seconds=self.rng.uniform(30, 300))
        if at > NOW:
            return
        self.writer.add(
            CallWrapup,
            {
                "call_id": row["id"],
                "kb_answer_found": self.rng.random() < 0.7,
                "question": self.rng.choice(QUESTIONS),
                "topic": row["topic"],
                "created_at": at,
                "operator_id": operator,
            },
        )

    def _task(
        self, source: CallbackSource, row: dict[str, Any], at: datetime, owner: int | None
    ) -> int:
        """A callback task for the call's number requested at ``at``, and its attempts."""
        rng = self.rng
        self.task_id += 1
        task_id = self.task_id
        day = at.astimezone(MSK).date()
        promised = self.promised.get(day)
        if promised is None:
            promised = self.promised[day] = CALENDAR.next_working_day(day)
        hours = rng.uniform(48, 300) if rng.random() < 0.015 else rng.expovariate(1 / 20)
        closes = at + timedelta(hours=hours, minutes=10)
        owner = owner or rng.choice(self.staff)
        if closes <= NOW:
            status = rng.choices(
                [CallbackStatus.DONE, CallbackStatus.FAILED, CallbackStatus.CANCELLED],
                cum_weights=(82, 93, 100),
            )[0]
            if status is CallbackStatus.DONE:
                count = 1 + (rng.random() < 0.35) + (rng.random() < 0.1)
            else:
                count = 3 if status is CallbackStatus.FAILED else int(rng.random() < 0.3)
            span = (closes - at).total_seconds()
            times = sorted(at + timedelta(seconds=rng.uniform(600, span)) for _ in range(count))
            if status is CallbackStatus.DONE:
                times[-1] = closes
        else:  # not closed by NOW: attempts so far
            status = None
            times = [at + timedelta(seconds=rng.uniform(600, 108_000)) for _ in range(2)]
            times = sorted(t for t in times[: rng.randrange(3)] if t <= NOW)
        self.writer.add(
            CallbackTask,
            {
                "id": task_id,
                "client_id": row["client_id"],
                "phone_e164": row["caller_e164"],
                "question": rng.choice(QUESTIONS) if source is CallbackSource.OPERATOR else "",
                "topic": row["topic"],
                "source": source,
                "origin_call_id": row["id"],
                "requested_at": at,
                "promised_on": promised,
                "owner_id": owner,
                "status": status or (CallbackStatus.IN_PROGRESS if times else CallbackStatus.OPEN),
                "closed_at": closes if status else None,
                "result_note": NOTES.get(status, "") if status else "",
            },
        )
        for number, moment in enumerate(times, start=1):
            answered = status is CallbackStatus.DONE and number == len(times)
            failed = rng.choice([AttemptResult.NO_ANSWER, AttemptResult.BUSY, AttemptResult.FAILED])
            self.writer.add(
                CallbackAttempt,
                {
                    "task_id": task_id,
                    "at": moment,
                    "employee_id": owner,
                    "result": AttemptResult.ANSWERED if answered else failed,
                },
            )
        self.tasks[row["caller_e164"]] = (task_id, closes)
        return task_id


def _cumulative(weights: Any) -> list[float]:
    total, found = 0.0, []
    for weight in weights:
        total += weight
        found.append(total)
    return found


def _staff(engine: Engine) -> list[int]:
    """40 operators in two departments; their ids."""
    with session_scope(engine) as session:
        departments = [
            Department(code="citizens", name="Отдел консультирования граждан"),
            Department(code="organisations", name="Отдел консультирования организаций"),
        ]
        session.add_all(departments)
        session.flush()
        employees = []
        for n in range(OPERATORS):
            female = n // 10 % 2
            surname = SURNAMES[n % 10] + ("а" if female else "")
            employees.append(
                Employee(
                    internal_number=str(FIRST_NUMBER + n),
                    full_name=f"{surname} {NAMES[female][n // 20]}",
                    device=f"PJSIP/{FIRST_NUMBER + n}",
                    department_id=departments[n % 2].id or 0,
                    updated_at=datetime(2021, 12, 1, tzinfo=UTC),
                )
            )
        session.add_all(employees)
        session.flush()
        session.add_all(EmployeeRole(employee_id=e.id or 0, role=Role.OPERATOR) for e in employees)
        return [employee.id or 0 for employee in employees]


def fill(engine: Engine, calls: int, seen: dict[str, set[int]] | None = None) -> Writer:
    """Writes the five years (see the module's doc) into ``engine``'s migrated, empty database;
    ``seen`` gets, per group, up to 1000 numbers that called. Returns the writer: what it wrote
    (``written``) and how long the database took (``seconds``)."""
    rng = random.Random(SEED)
    writer = Writer(engine, TABLES)
    line = Line(writer, rng, _staff(engine), {} if seen is None else seen)
    for index in range(GROUPS[2].first):
        client_id = client_of(index)
        if client_id is not None:
            writer.add(
                Client,
                {
                    "id": client_id,
                    "phone_e164": phone(index),
                    "language": Language.EN if index % 13 == 0 else Language.RU,
                    "preferred_channel": "phone",
                    "created_at": datetime(2021, 12, 1, tzinfo=UTC),
                },
            )
    writer.flush_all()
    next_report = 500_000
    for day, arrived in arrivals(calls, rng):
        line.day()
        for at, in_hours in arrived:
            line.call(at, in_hours)
        if line.call_id >= next_report:
            print(f"  … {line.call_id} calls, up to {day}", file=sys.stderr, flush=True)
            next_report += 500_000
    writer.flush_all()
    _after_bulk(engine)
    return writer


# Rewritten by triggers several times per call (models.tables.report_counts).
COUNT_TABLES = ("missed_counts", "survey_counts")


def _after_bulk(engine: Engine) -> None:
    """Rows were written with their ids: PostgreSQL's sequences move past them; statistics
    as autovacuum would gather them in time. The counts' tables compacted: five years written
    in minutes leave every count row's superseded versions behind (1 M dead rows beside 0.3 M
    live in ``survey_counts``, 3.5 times its size), which autovacuum would have reclaimed and
    reused as the line wrote its calls over the years."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in ("clients", "calls", "callback_tasks"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in COUNT_TABLES:
            connection.exec_driver_sql(f"VACUUM FULL {table}")
        connection.exec_driver_sql("ANALYZE")
