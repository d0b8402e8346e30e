"""What runs beside the web app in ``serve``: the scheduler, FastAGI, the AMI bridge, the
receiver of written messages by mail and, on the training line, the simulated Asterisk the
bridge connects to (``consult_line.training``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ami.bridge import AmiBridge
from ami.bus import LiveBus
from ami.connection import AmiError
from ami.pg_relay import DEFAULT_CHANNEL, PgNotifyRelay
from consult_line.health import Probes, mail_at_start
from consult_line.scheduler import JobContext, build_scheduler
from consult_line.training import TrainingPbx
from consult_line.wiring import Services
from ivr.agi.server import AgiServer
from ivr.db_workers import CALLER_PATH_WORKERS, DatabaseWorkers
from ivr.flows.context import FlowContext
from ivr.missing_sounds import MissingSounds
from ivr.routes import bind_routes
from ivr.spoken import SPOKEN, unheard
from ivr.voice import Voice
from mail.intake import MailIntake
from mail.intake_status import IntakeWatch
from mail.parse import AttachmentRules
from mail.receiver import MailReceiver
from models.db import caller_path_engine
from models.line_scope import scope_to_line
from models.line_store import LineStore
from models.os_errors import listen_error_reason
from models.rules.calendar import ProductionCalendar
from models.settings import Settings
from speech.audiosocket_server import AudioSocketServer
from speech.listening import Listenings
from speech.model import SpeechModel

log = logging.getLogger(__name__)

TRAINING_CHANNEL = f"{DEFAULT_CHANNEL}_training"  # the training line's live bus (PostgreSQL)
# Calls in progress get this long to finish their AGI dialogue on shutdown.
AGI_DRAIN_TIMEOUT_S = 10.0
# Recognizers decoding at once; a grammar answer takes a few milliseconds of one core.
RECOGNIZER_THREADS = 4


@dataclass(frozen=True, slots=True)
class Background:
    """The long-lived parts the web app reports on (/health) and will serve (console)."""

    bus: LiveBus
    bridge: AmiBridge | None
    relay: PgNotifyRelay | None  # live bus across processes, on PostgreSQL only
    sounds: MissingSounds  # what the IVR's calls could not play
    training: TrainingPbx | None = None  # the training line's simulated Asterisk
    speech: SpeechModel = field(default_factory=lambda: SpeechModel(None))  # off: no path
    listenings: Listenings = field(default_factory=Listenings)  # the IVR's spoken answers
    mail: IntakeWatch = field(default_factory=IntakeWatch)  # the mail receiver; off

    def probes(self) -> Probes:
        """What /health asks the running parts."""
        bridge = self.bridge
        return Probes(
            ami=bridge.status if bridge is not None else None,
            reconciliation=bridge.reconciliation_status if bridge is not None else None,
            sounds=self.sounds.snapshot,
            speech=self.speech.status,
            mail=self.mail.status,
        )


def build_background(services: Services, **bridge_options: Any) -> Background:
    """``bridge_options``: passed to ``AmiBridge`` (tests: the recordings' queue and contexts)."""
    settings = services.settings
    bus = LiveBus()
    listenings = Listenings()
    bridge = None
    training = TrainingPbx(services) if settings.training_line else None
    if settings.ami_enabled:
        bridge = AmiBridge(
            settings=settings if training is None else training.bridge_settings(),
            engine=services.engine,
            clock=services.clock,
            bus=bus,
            # A key pressed while a spoken answer is listened to ends the listening (Asterisk
            # 22 sends keys only through AMI).
            on_key=listenings.key_pressed,
            **bridge_options,
        )
    relay = None
    if settings.database_url.startswith("postgresql"):
        # The training line's live picture on a channel of its own: a real line sharing the
        # database never shows it.
        channel = TRAINING_CHANNEL if training is not None else DEFAULT_CHANNEL
        relay = PgNotifyRelay(bus, settings.database_url, channel=channel)
    return Background(
        bus=bus,
        bridge=bridge,
        relay=relay,
        sounds=MissingSounds(services.clock),
        training=training,
        speech=SpeechModel(settings.speech_model_dir),
        listenings=listenings,
        mail=IntakeWatch(mail_at_start(settings)),
    )


@dataclass(frozen=True, slots=True)
class CallerPath:
    """What the FastAGI routes work with: an engine and threads of their own, both bounded by
    ``CONSULT_LINE_AGI_DB_TIMEOUT_S`` (``ivr.db_workers``), apart from the service's
    engine, whose long exports and lock waits must not reach a caller."""

    context: FlowContext
    engine: Engine

    @classmethod
    def open(cls, services: Services, voice: Voice | None = None) -> CallerPath:
        settings = services.settings
        limit_s = settings.agi_db_timeout_s
        engine = caller_path_engine(settings.database_url, limit_s, CALLER_PATH_WORKERS)
        scope_to_line(engine, training=settings.training_line)
        context = FlowContext(
            store=LineStore(engine, settings),
            clock=services.clock,
            settings=settings,
            workers=DatabaseWorkers(limit_s=limit_s, workers=CALLER_PATH_WORKERS),
            voice=voice,
        )
        return cls(context, engine)

    def close(self) -> None:
        self.context.workers.close()
        self.engine.dispose()


def build_agi_server(context: FlowContext, sounds: MissingSounds) -> AgiServer:
    settings = context.settings
    return AgiServer(
        bind_routes(context),
        host=settings.agi_host,
        port=settings.agi_port,
        max_sessions=settings.agi_max_sessions,
        session_timeout_s=settings.agi_session_timeout_s,
        allowed_sources=settings.allowed_agi_sources,
        sounds=sounds,
    )


def build_voice(settings: Settings, background: Background, port: int) -> Voice:
    """What the IVR's flows need to take spoken answers from the AudioSocket server on
    ``port``; they keep to the keypad while the model is not ready."""
    return Voice(
        model=background.speech,
        listenings=background.listenings,
        host=settings.audiosocket_connect_host,
        port=port,
        min_confidence=settings.speech_min_confidence,
        no_input_s=settings.speech_no_input_s,
        end_silence_s=settings.speech_end_silence_s,
        max_s=settings.speech_max_utterance_s,
        question_max_s=settings.speech_question_max_s if settings.speech_question else None,
    )


@asynccontextmanager
async def speech_services(
    settings: Settings, background: Background
) -> AsyncIterator[Voice | None]:
    """With a speech model set: its loading started (in a thread: the service answers
    meanwhile, the IVR keeps to the keypad until it is ready) and the AudioSocket server
    listening; the recognizers run in threads of their own. None when speech is off, and
    when the AudioSocket port cannot be had: the model is then ``failed`` with the reason
    (log, /health) and the line works on with the keypad."""
    if settings.speech_model_dir is None:
        yield None
        return
    recognizers = ThreadPoolExecutor(RECOGNIZER_THREADS, thread_name_prefix="speech")
    host, port = settings.audiosocket_host, settings.audiosocket_port
    server = AudioSocketServer(background.listenings, host=host, port=port, executor=recognizers)
    try:
        await server.start()
    except OSError as exc:  # the server has said it in the log; the keypad works on
        recognizers.shutdown(wait=False)
        background.speech.fail(
            f"не удалось открыть порт AudioSocket {host}:{port} "
            f"({listen_error_reason(exc, host)}); освободите порт или укажите другой "
            "(CONSULT_LINE_AUDIOSOCKET_PORT) и перезапустите службу"
        )
        yield None
        return
    loading = asyncio.create_task(_load_speech(background.speech), name="speech model")
    log.info("AudioSocket (речь): %s:%d", settings.audiosocket_host, server.port)
    try:
        yield build_voice(settings, background, server.port)
    finally:
        await server.stop()
        recognizers.shutdown(wait=True, cancel_futures=True)
        loading.cancel()
        await asyncio.gather(loading, return_exceptions=True)
        log.info("AudioSocket остановлен")


@asynccontextmanager
async def mail_receiver(services: Services, watch: IntakeWatch) -> AsyncIterator[None]:
    """With ``CONSULT_LINE_SMTP_IN_PORT`` set: the receiver of written messages listening, each
    mail registered as it comes (``mail.intake``). A port it cannot have is said (log, /health)
    and the service works on without mail: the Ministry's mail server keeps the letters and
    tries again, so none is lost. Never on the training line (``mail_at_start``)."""
    settings = services.settings
    if settings.smtp_in_port is None or settings.training_line:
        yield
        return
    host, port = settings.smtp_in_host, settings.smtp_in_port
    receiver = MailReceiver(
        MailIntake(services.engine, settings, services.clock, watch).deliver,
        host=host,
        port=port,
        domains=settings.mail_domains,
        max_bytes=settings.mail_max_bytes,
        rules=AttachmentRules.from_settings(settings),
    )
    try:
        await receiver.start()
    except OSError as exc:  # the receiver has said it in the log
        watch.failed(
            f"не удалось открыть порт {host}:{port} ({listen_error_reason(exc, host)}); письма "
            "ждут на почтовом сервере министерства, он повторит доставку: освободите порт и "
            "перезапустите службу"
        )
        yield
        return
    watch.listening(f"{host}:{receiver.port}")
    domains = ", ".join(sorted(settings.mail_domains))
    log.info("приём почты (SMTP): %s:%d, домены %s", host, receiver.port, domains)
    try:
        yield
    finally:
        await receiver.stop()
        watch.stopped()
        log.info("приём почты остановлен")


async def _load_speech(model: SpeechModel) -> None:
    """Loads the model; says which spoken answers it cannot hear (they stay on the keypad)."""
    await model.load_async()
    loaded = model.loaded
    if loaded is None:
        return  # the model said why (log, /health)
    for missing in unheard(SPOKEN, loaded.knows):
        log.warning(
            "речь: в словаре модели нет слов ответа, вопрос останется кнопочным: %s", missing
        )
    log.info("речь: модель загружена за %.1f с", model.load_seconds or 0.0)


def background_services(
    services: Services, background: Background
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler = build_scheduler(JobContext(services, background.bus, background.bridge))
        speech = contextlib.AsyncExitStack()
        voice = await speech.enter_async_context(speech_services(services.settings, background))
        caller_path = CallerPath.open(services, voice)
        agi = build_agi_server(caller_path.context, background.sounds)
        await agi.start()
        log.info("FastAGI: agi://%s:%d", services.settings.agi_host, agi.port)
        if background.relay is not None:
            await background.relay.start()
        if background.training is not None:
            await background.training.start(await _calendar(services))
        callers: asyncio.Task[None] | None = None
        if background.bridge is not None:
            await background.bridge.start()
            if background.training is None:
                log.info("AMI: %s:%d", services.settings.ami_host, services.settings.ami_port)
            else:
                logged_in = background.bridge.connection.wait_logged_in
                callers = asyncio.create_task(
                    background.training.let_callers_in(logged_in), name="training callers"
                )
        mail = contextlib.AsyncExitStack()
        await mail.enter_async_context(mail_receiver(services, background.mail))
        scheduler.start()
        log.info("планировщик запущен")
        try:
            yield
        finally:
            await mail.aclose()  # no new letters while the rest stops
            scheduler.shutdown(wait=True)
            log.info("планировщик остановлен")
            if callers is not None:
                callers.cancel()
                await asyncio.gather(callers, return_exceptions=True)
            if background.training is not None:
                await background.training.wind_down()  # its calls end while the bridge listens
                if background.bridge is not None:
                    await _events_read(background.bridge)
            if background.bridge is not None:
                await background.bridge.stop()
            if background.training is not None:
                await background.training.stop()
            await agi.stop(AGI_DRAIN_TIMEOUT_S)
            caller_path.close()
            log.info("FastAGI остановлен")
            await speech.aclose()
            if background.relay is not None:
                await background.relay.stop()

    return lifespan


async def _calendar(services: Services) -> ProductionCalendar:
    """The calendar with its overrides; without them while the database is away."""
    try:
        return await asyncio.to_thread(services.calendar)
    except SQLAlchemyError:
        log.warning("учебная линия: поправки календаря не прочитаны (база данных недоступна)")
        settings = services.settings
        return ProductionCalendar(
            tz=settings.tz,
            hours=settings.working_hours,
            shortened_days_close_early=settings.shortened_days_close_early,
        )


async def _events_read(bridge: AmiBridge) -> None:
    """The events the training line sent before it wound down reach the call log: a Ping's
    reply comes after them on the link, then the bridge's queue empties (what is still left
    after 2 s, the next start's reconciliation finishes from queue_log/CDR)."""
    with contextlib.suppress(AmiError, TimeoutError):
        async with asyncio.timeout(2.0):
            await bridge.connection.send({"Action": "Ping"})
            while bridge.connection.status()["events_pending"]:
                await asyncio.sleep(0.01)
