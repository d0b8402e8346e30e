"""Flow tests: the real AgiServer over TCP, the fake Asterisk, a real database, a fixed clock.

``line.call(route, args, digits=[...])`` places one AGI session and returns what the fake
Asterisk saw; it also checks that every prompt the flow played is in the catalogue, that no
session ended on the error path unless the test expects it, and that every session the caller
did not cut short ended with the server's done mark (``SET VARIABLE LINE_AGI_DONE "1"``), which
it then leaves out of the returned record so that tests read the flow's own commands.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ivr.agi.server import AgiServer
from ivr.db_workers import DatabaseWorkers
from ivr.flows.context import FlowContext
from ivr.missing_sounds import MissingSounds
from ivr.prompts import PROMPTS
from ivr.routes import bind_routes
from ivr.spoken import Catalogue
from ivr.variables import LINE_AGI_DONE, LINE_AGI_FAILED
from ivr.voice import Voice
from models.line_store import LineStore
from models.settings import Settings
from models.tables import Call, Language
from speech.audiosocket_server import AudioSocketServer
from speech.listening import Listenings
from tests import factories
from tests.ivr.fake_asterisk import (
    CallRecord,
    FakeCall,
    Speech,
    capture_environment,
    parse_args,
    run_call,
)
from tests.speech.korean_model import korean_speech_model

MSK = ZoneInfo("Europe/Moscow")
OPEN = datetime(2026, 12, 7, 10, 0, tzinfo=MSK)  # Monday, working hours
SATURDAY = datetime(2026, 12, 5, 12, 0, tzinfo=MSK)  # weekend: opens Monday 07.12 09:00
HOLIDAY = datetime(2027, 1, 5, 12, 0, tzinfo=MSK)  # New Year holidays: opens Monday 11.01 09:00
LINKEDID = "1795867285.0"
CALLER = "79281234567"
CALLER_E164 = "+79281234567"
CAPTURE = "x-full-flow-ivr-queue-survey"
_PROMPT_FILE = re.compile(r"consult-line/(ru|en)/(?P<id>[a-z0-9-]+)")


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def settings(db_engine: Engine) -> Settings:
    return Settings(
        database_url=db_engine.url.render_as_string(hide_password=False),
        timezone="Europe/Moscow",
        opening_time=time(9),
        closing_time=time(18),
        max_transfers_per_call=2,
        callback_answer_working_days=3,
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(OPEN)


@pytest.fixture
def context(db_engine: Engine, settings: Settings, clock: FixedClock) -> Iterator[FlowContext]:
    workers = DatabaseWorkers(limit_s=settings.agi_db_timeout_s)
    yield FlowContext(
        store=LineStore(db_engine, settings), clock=clock, settings=settings, workers=workers
    )
    workers.close(wait=True)


@pytest.fixture
def sounds(clock: FixedClock) -> MissingSounds:
    return MissingSounds(clock)


@pytest.fixture
async def server(context: FlowContext, sounds: MissingSounds) -> AsyncIterator[AgiServer]:
    server = AgiServer(bind_routes(context), host="127.0.0.1", port=0, sounds=sounds)
    await server.start()
    yield server
    await server.stop()


@dataclass
class Line:
    server: AgiServer
    engine: Engine
    caplog: pytest.LogCaptureFixture

    async def call(
        self,
        route: str,
        args: Sequence[str] = (LINKEDID,),
        *,
        digits: Sequence[str] = (),
        hang_up_after: int | None = None,
        variables: dict[str, str] | None = None,
        callerid: str = CALLER,
        calleridname: str = "Ivan Petrov",
        dnid: str = "78722678091",
        uniqueid: str = LINKEDID,  # the channel the AGI runs on (agi_uniqueid)
        expect_failure: bool = False,
        missing_sounds: frozenset[str] = frozenset(),
        no_digit_sounds: bool = False,
        speech: Sequence[Speech] = (),
        logged_errors: Sequence[str] = (),
    ) -> CallRecord:
        env = capture_environment(
            CAPTURE,
            agi_network_script=route,
            args=list(args),
            agi_callerid=callerid,
            agi_calleridname=calleridname,
            agi_dnid=dnid,
            agi_uniqueid=uniqueid,
        )
        call = FakeCall(
            digits=list(digits),
            hang_up_after=hang_up_after,
            variables=dict(variables or {}),
            missing_sounds=missing_sounds,
            no_digit_sounds=no_digit_sounds,
            speech=list(speech),
        )
        self.caplog.clear()
        with self.caplog.at_level(logging.INFO):
            record = await run_call(self.server.port, env, call)
        check_prompts(record)
        _take_done_mark(record, expected=not expect_failure and hang_up_after is None)
        failed = record.variables_set.get(LINE_AGI_FAILED) == "1"
        errors = [r for r in self.caplog.records if r.levelno >= logging.ERROR]
        assert failed is expect_failure, record.dump()
        if not expect_failure:  # a hang-up is a normal end, never an error
            unexpected = [r for r in errors if not _about_a_missing_sound(r)]
            said = [r.getMessage() for r in unexpected]
            for expected in logged_errors:  # errors the test provokes, each said once
                assert sum(expected in message for message in said) == 1, said
            assert [m for m in said if not any(e in m for e in logged_errors)] == [], said
        return record

    def call_row(self, linkedid: str = LINKEDID) -> Call | None:
        with Session(self.engine) as session:
            return session.exec(select(Call).where(Call.linkedid == linkedid)).first()


@pytest.fixture
def line(server: AgiServer, db_engine: Engine, caplog: pytest.LogCaptureFixture) -> Line:
    return Line(server, db_engine, caplog)


def _take_done_mark(record: CallRecord, *, expected: bool) -> None:
    done = record.variables_set.pop(LINE_AGI_DONE, None)
    if done is not None:
        assert record.commands[-1] == f'SET VARIABLE {LINE_AGI_DONE} "1"', record.dump()
        record.commands.pop()
    assert (done == "1") == expected, record.dump()


def _about_a_missing_sound(record: logging.LogRecord) -> bool:
    return record.name == "ivr.agi.channel" and "не проигрывается" in record.getMessage()


def check_prompts(record: CallRecord) -> None:
    """Every file played is ``consult-line/<lang>/<id>`` with an id from the catalogue (or no
    file: GET DATA "" listens for keys after its prompt turned out to be missing)."""
    for command in record.commands:
        argv = parse_args(command)
        if [word.upper() for word in argv[:2]] in (["STREAM", "FILE"], ["GET", "DATA"]):
            if argv[:3] == ["GET", "DATA", ""]:
                continue
            match = _PROMPT_FILE.fullmatch(argv[2])
            assert match is not None, command
            assert match.group("id") in PROMPTS, command


def prompts_played(record: CallRecord) -> list[str]:
    """``ru/topic-menu`` for each STREAM FILE / GET DATA, in order."""
    played = []
    for command in record.commands:
        argv = parse_args(command)
        if [word.upper() for word in argv[:2]] in (["STREAM", "FILE"], ["GET", "DATA"]):
            played.append(argv[2].removeprefix("consult-line/"))
    return played


def add_client(engine: Engine, phone: str = CALLER_E164, language: Language = Language.RU) -> int:
    return factories.add_client(engine, phone, language)


# --------------------------------------------------------------------------- speech

VoiceFor = Callable[..., Voice]


@pytest.fixture
async def audiosocket() -> AsyncIterator[tuple[AudioSocketServer, Listenings]]:
    """The service's AudioSocket server on a free loopback port, with its listenings."""
    listenings = Listenings(connect_timeout_s=5.0)
    server = AudioSocketServer(listenings, host="127.0.0.1", port=0)
    await server.start()
    yield server, listenings
    await server.stop()


@pytest.fixture
def voice_for(audiosocket: tuple[AudioSocketServer, Listenings]) -> VoiceFor:
    """Speech with the test model (skips without it) and the given phrases (the model is
    Korean: tests give the questions Korean phrases); ``question_max_s`` asks for questions."""
    server, listenings = audiosocket

    def make(catalogue: Catalogue, question_max_s: float | None = None) -> Voice:
        return Voice(
            model=korean_speech_model(),
            listenings=listenings,
            host="127.0.0.1",
            port=server.port,
            min_confidence=0.7,
            no_input_s=2.0,
            end_silence_s=0.8,
            max_s=6.0,
            question_max_s=question_max_s,
            catalogue=catalogue,
        )

    return make


@pytest.fixture
async def voice_line(
    context: FlowContext,
    voice: Voice,
    sounds: MissingSounds,
    db_engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[Line]:
    """The line with speech: the test module defines the ``voice`` fixture."""
    voiced = replace(context, voice=voice)
    server = AgiServer(bind_routes(voiced), host="127.0.0.1", port=0, sounds=sounds)
    await server.start()
    yield Line(server, db_engine, caplog)
    await server.stop()
