"""One call from arrival to hang-up (C3, C13, C15): after hours, missed in the IVR or the
queue, or answered; outcome, missed reason and short flag always come from ``classify_call``."""

from __future__ import annotations

from datetime import timedelta

from consult_line.demo.arrivals import Arrival
from consult_line.demo.callbacks import CallbackPlanner
from consult_line.demo.callers import Callers, trunk_form
from consult_line.demo.common import after, pick, row_id
from consult_line.demo.context import SeedContext
from consult_line.demo.plans import CallPlan
from consult_line.demo.scenarios import QUEUE_EXIT, TOPIC_WEIGHTS, TRANSFER_ATTEMPTS, Scenario
from consult_line.demo.surveys import SURVEY_SHARE, plan_survey
from consult_line.demo.transfers import plan_transfers
from models.rules.missed import CallFacts, CallOutcome, QueueExit, classify_call
from models.rules.transfers import TransferOutcome
from models.tables import Call, CallbackSource, Client, Employee, HangupSide, Language
from models.topics import Topic

DEMO_LINKEDID_PREFIX = "demo-"
LINE_DID = "78722678091"  # C2

_NORMAL_CLEARING = (16, "Normal Clearing")
_ENGLISH_SHARE = 0.03
_QUEUE_TIMEOUT_S = 300.0
_OPERATOR_CALLBACK_SHARE = 0.06
_SYSTEM_HANGS_UP = (Scenario.QUEUE_TIMEOUT, Scenario.NO_OPERATORS)


class CallPlanner:
    def __init__(self, context: SeedContext, callers: Callers, callbacks: CallbackPlanner) -> None:
        self._ctx = context
        self._rng = context.rng
        self._callers = callers
        self._callbacks = callbacks
        self._serial = 0

    def plan(self, arrival: Arrival) -> CallPlan:
        needs_number = arrival.wants_callback or (
            arrival.scenario is Scenario.THIRD_TRANSFER_REFUSED
        )
        client = self._callers.caller(needs_number)
        english = self._rng.random() < _ENGLISH_SHARE
        plan = CallPlan(self._new_call(arrival, client, english), client)
        lang = "en" if english else "ru"
        if arrival.scenario is None:
            self._after_hours(plan, lang, arrival.wants_callback)
        elif arrival.scenario in QUEUE_EXIT:
            self._missed(plan, lang, arrival.scenario)
        else:
            self._answered(plan, lang, arrival.scenario)
        return plan

    def _new_call(self, arrival: Arrival, client: Client | None, english: bool) -> Call:
        self._serial += 1
        stamp = int(arrival.at.timestamp())
        return Call(
            linkedid=f"{DEMO_LINKEDID_PREFIX}{stamp}.{self._serial}",
            caller_number=trunk_form(client.phone_e164) if client else "anonymous",
            caller_e164=client.phone_e164 if client else None,
            did=LINE_DID,
            arrived_at=arrival.at,
            in_working_hours=arrival.open,
            language=Language.EN if english else Language.RU,
        )

    def _classify(self, plan: CallPlan, *, reached: bool, exit_: QueueExit) -> None:
        call = plan.call
        assert call.ended_at is not None
        if plan.client is not None and plan.client.id is None:
            plan.client.created_at = min(plan.client.created_at, call.arrived_at)
        verdict = classify_call(  # C13: outcome, missed reason and short flag from the rule
            CallFacts(call.arrived_at, call.ended_at, call.in_working_hours, reached, exit_)
        )
        call.outcome = verdict.outcome
        call.missed_reason = verdict.missed_reason
        call.short_call = verdict.short
        call.hangup_cause, call.hangup_cause_text = _NORMAL_CLEARING

    def _after_hours(self, plan: CallPlan, lang: str, wants_callback: bool) -> None:
        call, rng = plan.call, self._rng
        listened = rng.uniform(3, 35) + (rng.uniform(40, 90) if wants_callback else 0)
        call.ended_at = call.arrived_at + timedelta(seconds=round(listened))
        call.ivr_path = f"{lang}>closed" + (">callback" if wants_callback else "")
        call.hangup_side = rng.choice([HangupSide.CALLER, HangupSide.SYSTEM])
        self._classify(plan, reached=False, exit_=QueueExit.NOT_QUEUED)
        if wants_callback and plan.client is not None:
            topic = pick(rng, TOPIC_WEIGHTS)
            call.topic = topic
            plan.task = self._callbacks.task(
                CallbackSource.AFTER_HOURS, call.ended_at, plan.client, topic, None, windows=True
            )

    def _missed(self, plan: CallPlan, lang: str, scenario: Scenario) -> None:
        call, rng = plan.call, self._rng
        if scenario is Scenario.HUNG_UP_AT_ONCE:
            call.ended_at = call.arrived_at + timedelta(seconds=rng.uniform(1.5, 4.5))
            call.ivr_path = lang
            call.hangup_side = HangupSide.CALLER
        elif scenario is Scenario.HUNG_UP_IN_IVR:
            call.ended_at = call.arrived_at + timedelta(seconds=rng.uniform(8, 40))
            call.ivr_path = f"{lang}>menu"
            call.hangup_side = HangupSide.CALLER
        else:
            self._left_queue(plan, lang, scenario)
        self._classify(plan, reached=False, exit_=QUEUE_EXIT[scenario])
        if plan.client is not None and call.outcome is CallOutcome.MISSED:
            self._callbacks.after_missed_call(plan)

    def _left_queue(self, plan: CallPlan, lang: str, scenario: Scenario) -> None:
        call, rng = plan.call, self._rng
        wait = {
            Scenario.HUNG_UP_IN_QUEUE: rng.uniform(10, 240),
            Scenario.QUEUE_TIMEOUT: _QUEUE_TIMEOUT_S,
            Scenario.NO_OPERATORS: 0.0,
            Scenario.LEFT_BY_KEY: rng.uniform(30, 180),
        }[scenario]
        self._enter_queue(plan, lang, wait)
        call.ended_at = after(call.queue_joined_at, wait + rng.uniform(0.5, 2))
        call.hangup_side = HangupSide.SYSTEM if scenario in _SYSTEM_HANGS_UP else HangupSide.CALLER

    def _enter_queue(self, plan: CallPlan, lang: str, wait: float) -> None:
        call = plan.call
        topic = pick(self._rng, TOPIC_WEIGHTS)
        call.topic = topic
        call.ivr_path = f"{lang}>{list(Topic).index(topic) + 1}"
        call.queue_joined_at = call.arrived_at + timedelta(seconds=self._rng.uniform(12, 45))
        call.queue_wait_s = round(wait, 1)

    def _answered(self, plan: CallPlan, lang: str, scenario: Scenario) -> None:
        call, rng = plan.call, self._rng
        self._enter_queue(plan, lang, rng.uniform(3, 120))
        assert call.queue_wait_s is not None
        call.answered_at = after(call.queue_joined_at, call.queue_wait_s)
        operator = rng.choice(self._ctx.staff.on_duty(self._ctx.local_day(call.arrived_at)))
        call.operator_id = row_id(operator)
        plan.holders.append(operator)
        attempts = TRANSFER_ATTEMPTS.get(scenario, 0)
        moment = plan_transfers(plan, attempts, self._ctx, self._callbacks)
        call.ended_at = moment + timedelta(seconds=rng.uniform(60, 420))
        call.talk_s = round((call.ended_at - call.answered_at).total_seconds(), 1)
        call.transfer_count = sum(
            1 for record, _, _ in plan.transfers if record.outcome is TransferOutcome.COMPLETED
        )
        self._hang_up_answered(plan)
        self._maybe_operator_task(plan, operator)

    def _hang_up_answered(self, plan: CallPlan) -> None:
        call, rng = plan.call, self._rng
        surveyed = rng.random() < SURVEY_SHARE
        # C15: the survey starts when the operator hangs up.
        call.hangup_side = (
            HangupSide.OPERATOR
            if surveyed
            else rng.choice([HangupSide.CALLER, HangupSide.OPERATOR])
        )
        self._classify(plan, reached=True, exit_=QueueExit.CONNECTED)
        if surveyed:
            plan.survey = plan_survey(call, rng)

    def _maybe_operator_task(self, plan: CallPlan, operator: Employee) -> None:
        """Now and then the operator promises to call back with the answer."""
        call = plan.call
        assert call.ended_at is not None
        if (
            plan.task is None
            and plan.client is not None
            and self._rng.random() < _OPERATOR_CALLBACK_SHARE
        ):
            plan.task = self._callbacks.task(
                CallbackSource.OPERATOR,
                call.ended_at,
                plan.client,
                call.topic,
                operator,
                windows=True,
            )
