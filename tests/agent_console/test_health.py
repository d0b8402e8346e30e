"""``GET /health`` tells an operator-facing monitor what is wrong, in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from agent_console.app import create_app
from agent_console.auth.cookies import SESSION_COOKIE
from agent_console.deps import AppContext
from ami.log_sources import inspect_sources
from ami.permissions import PermissionCheck
from consult_line.health import Probes, check, mail_at_start
from consult_line.wiring import Services, build_backend, build_services
from ivr.missing_sounds import MissingSounds
from mail.intake_status import IntakeState, IntakeStatus, IntakeWatch
from models.calendar_store import confirm_year
from models.db import session_scope
from models.settings import Settings
from speech.model import STATIC_GRAPH_NOTE, SpeechModel, ready_status
from tests.speech.korean_model import korean_speech_model


def _client(services: Services) -> TestClient:
    context = AppContext(
        health=lambda: check(services), version="test", backend=build_backend(services)
    )
    return TestClient(create_app(context))


def test_database_down_gives_503_with_reason() -> None:
    # Nothing listens on port 1: the database is "briefly gone".
    settings = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:1/x")
    services = build_services(settings)
    response = _client(services).get("/health")
    services.engine.dispose()
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert "недоступна" in response.json()["warnings"][0]


def test_database_down_is_reported_to_a_browser_with_a_session_cookie_too() -> None:
    # /health is public: a session that cannot be looked up does not turn it into a 500.
    settings = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:1/x")
    services = build_services(settings)
    client = _client(services)
    client.cookies.set(SESSION_COOKIE, "a-session-token")
    response = client.get("/health")
    services.engine.dispose()
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_year_without_known_decree_is_reported_as_degraded(db_engine: Engine) -> None:
    # C3: a year whose transfer decree is unknown is served, with a loud warning.
    settings = Settings(database_url=db_engine.url.render_as_string(hide_password=False))
    services = Services(
        settings=settings, engine=db_engine, clock=lambda: datetime(2031, 3, 3, 7, tzinfo=UTC)
    )
    body = _client(services).get("/health").json()
    assert body["status"] == "degraded"
    assert body["calendar"][0]["source"] == "statutory_only"
    assert any("2031" in warning for warning in body["warnings"])
    assert body["line_open"] is True  # Monday 10:00 MSK


def test_known_year_in_december_also_checks_next_year(db_engine: Engine) -> None:
    # C3: the 2027 decree is known, its official shortened days are not: loud until confirmed.
    settings = Settings(database_url=db_engine.url.render_as_string(hide_password=False))
    now = datetime(2026, 12, 1, 7, tzinfo=UTC)
    services = Services(settings=settings, engine=db_engine, clock=lambda: now)
    body = _client(services).get("/health").json()
    assert [year["year"] for year in body["calendar"]] == [2026, 2027]
    assert body["status"] == "degraded"
    (warning,) = body["warnings"]
    assert "2027" in warning
    assert "ст. 95 ТК РФ" in warning

    with session_scope(db_engine) as session:
        confirm_year(
            session=session, year=2027, source="Производственный календарь", actor="t", now=now
        )
    assert _client(services).get("/health").json()["status"] == "ok"


def _services_on_a_known_day(db_engine: Engine) -> Services:
    settings = Settings(database_url=db_engine.url.render_as_string(hide_password=False))
    return Services(
        settings=settings, engine=db_engine, clock=lambda: datetime(2026, 11, 30, 7, tzinfo=UTC)
    )


def _client_with(services: Services, probes: Probes) -> TestClient:
    context = AppContext(
        health=lambda: check(services, probes), version="test", backend=build_backend(services)
    )
    return TestClient(create_app(context))


def test_sounds_the_ivr_could_not_play_make_the_line_degraded(db_engine: Engine) -> None:
    services = _services_on_a_known_day(db_engine)
    sounds = MissingSounds(services.clock)
    sounds.missing("consult-line/ru/topic-menu", "1795867285.0")
    sounds.missing("consult-line/ru/topic-menu", "1795867286.0")
    body = _client_with(services, Probes(sounds=sounds.snapshot)).get("/health").json()
    assert body["status"] == "degraded"
    [missing] = body["missing_sounds"]
    assert (missing["sound"], missing["times"]) == ("consult-line/ru/topic-menu", 2)
    assert any("consult-line/ru/topic-menu" in warning for warning in body["warnings"])
    # the administrator installs the files: the next call plays it, the warning goes
    sounds.played("consult-line/ru/topic-menu")
    assert (
        _client_with(services, Probes(sounds=sounds.snapshot)).get("/health").json()["status"]
        == "ok"
    )


def test_each_reconciliation_source_is_shown_and_a_refused_one_warns(
    db_engine: Engine, tmp_path: Path
) -> None:
    services = _services_on_a_known_day(db_engine)
    settings = services.settings.model_copy(
        update={"queue_log_path": tmp_path / "queue_log", "cdr_path": None}
    )
    (tmp_path / "queue_log").write_text("1795867058|NONE|NONE|NONE|QUEUESTART|\n", "utf-8")

    def sources() -> dict[str, object]:
        return {"sources": [source.as_dict() for source in inspect_sources(settings)]}

    body = _client_with(services, Probes(reconciliation=sources)).get("/health").json()
    states = {s["name"]: s["state"] for s in body["reconciliation"]["sources"]}
    assert states == {"queue_log": "ok", "cdr": "not_configured"}
    assert body["status"] == "degraded"
    assert any("CONSULT_LINE_CDR_PATH" in warning for warning in body["warnings"])


def test_missing_ami_permissions_are_a_warning(db_engine: Engine) -> None:
    services = _services_on_a_known_day(db_engine)
    link = {"state": "logged_in", "permissions": PermissionCheck(("Originate",)).as_dict()}
    body = _client_with(services, Probes(ami=lambda: link)).get("/health").json()
    assert body["status"] == "degraded"
    assert any("write = call,originate,agent,reporting" in w for w in body["warnings"])


def test_a_failed_speech_model_is_reported_with_its_reason(
    db_engine: Engine, tmp_path: Path
) -> None:
    # The IVR keeps to the keypad; the monitor sees why speech is gone.
    services = _services_on_a_known_day(db_engine)
    speech = SpeechModel(tmp_path / "vosk-model-small-ru")
    speech.load()
    body = _client_with(services, Probes(speech=speech.status)).get("/health").json()
    assert body["status"] == "degraded"
    assert body["speech"] == {
        "state": "failed",
        "reason": f"папки модели {tmp_path / 'vosk-model-small-ru'} нет "
        "(CONSULT_LINE_SPEECH_MODEL_PATH)",
    }
    assert any(
        w.startswith("распознавание речи не работает, звонящие отвечают только кнопками: папки")
        for w in body["warnings"]
    )


@pytest.mark.parametrize(
    ("path", "state"), [(None, "off"), (Path("vosk-model-small-ru"), "loading")]
)
def test_speech_off_or_loading_is_not_a_fault(
    db_engine: Engine, path: Path | None, state: str
) -> None:
    services = _services_on_a_known_day(db_engine)
    speech = SpeechModel(path)
    body = _client_with(services, Probes(speech=speech.status)).get("/health").json()
    assert body["status"] == "ok"
    assert body["speech"]["state"] == state


def test_a_ready_speech_model(db_engine: Engine) -> None:
    services = _services_on_a_known_day(db_engine)
    speech = korean_speech_model()
    body = _client_with(services, Probes(speech=speech.status)).get("/health").json()
    assert body["speech"] == {"state": "ready", "reason": None}
    assert body["status"] == "ok"


def test_a_ready_model_that_ignores_lists_of_answers_is_a_warning(db_engine: Engine) -> None:
    services = _services_on_a_known_day(db_engine)
    static = ready_status(runtime_grammar=False)
    body = _client_with(services, Probes(speech=lambda: static)).get("/health").json()
    assert body["status"] == "degraded"
    assert body["speech"]["state"] == "ready"
    assert f"распознавание речи: {STATIC_GRAPH_NOTE}" in body["warnings"]


def test_a_process_without_speech_reports_none(db_engine: Engine) -> None:
    assert _client(_services_on_a_known_day(db_engine)).get("/health").json()["speech"] is None


def test_mail_intake_listening_then_not_storing_then_storing_again(db_engine: Engine) -> None:
    # G3: mails answered 451 wait on the sending server; the monitor sees it until the next
    # mail is stored.
    services = _services_on_a_known_day(db_engine)
    watch = IntakeWatch(IntakeStatus(IntakeState.STARTING))
    client = _client_with(services, Probes(mail=watch.status))
    assert client.get("/health").json()["mail"]["state"] == "starting"
    watch.listening("127.0.0.1:2525")
    body = client.get("/health").json()
    assert (body["status"], body["mail"]["state"], body["mail"]["address"]) == (
        "ok",
        "listening",
        "127.0.0.1:2525",
    )
    watch.deferred("база данных недоступна: connection refused")
    watch.deferred("база данных недоступна: connection refused")
    body = client.get("/health").json()
    assert body["status"] == "degraded"
    assert (
        "приём почты: письма не сохраняются (база данных недоступна: connection refused); не "
        "сохранено подряд: 2, отправляющий сервер получил ответ 451 и повторит доставку"
    ) in body["warnings"]
    watch.stored(duplicate=False)
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert (body["mail"]["stored"], body["mail"]["deferred"], body["mail"]["failing"]) == (1, 2, 0)


def test_mail_intake_that_could_not_listen_is_a_warning(db_engine: Engine) -> None:
    services = _services_on_a_known_day(db_engine)
    watch = IntakeWatch(IntakeStatus(IntakeState.STARTING))
    watch.failed("не удалось открыть порт 0.0.0.0:25 (нет прав доступа)")
    body = _client_with(services, Probes(mail=watch.status)).get("/health").json()
    assert body["status"] == "degraded"
    assert body["mail"]["state"] == "failed"
    assert (
        "приём писем по почте не работает: не удалось открыть порт 0.0.0.0:25 (нет прав доступа)"
        in body["warnings"]
    )


def test_mail_intake_off_is_not_a_fault_unless_domains_are_named(db_engine: Engine) -> None:
    services = _services_on_a_known_day(db_engine)
    body = (
        _client_with(services, Probes(mail=IntakeWatch(mail_at_start(services.settings)).status))
        .get("/health")
        .json()
    )
    assert (body["status"], body["mail"]["state"]) == ("ok", "off")
    assert body["mail"]["reason"] == "CONSULT_LINE_SMTP_IN_PORT не задан"
    named = replace(
        services, settings=services.settings.model_copy(update={"smtp_in_domain": "obr.example.ru"})
    )
    body = (
        _client_with(named, Probes(mail=IntakeWatch(mail_at_start(named.settings)).status))
        .get("/health")
        .json()
    )
    assert body["status"] == "degraded"
    assert any(
        w.startswith("приём писем по почте выключен: CONSULT_LINE_SMTP_IN_PORT не задан, хотя")
        for w in body["warnings"]
    )


@pytest.mark.parametrize(
    ("outbound", "ami", "state", "said"),
    [
        ("", True, "off", "CONSULT_LINE_OUTBOUND_CHANNEL пуст"),
        ("PJSIP/{number}@trunk", False, "off", "AMI"),
        ("PJSIP/{number}@trunk", True, "on", "канал PJSIP/{number}@trunk, номер 78722678091"),
    ],
)
def test_reminder_calls_to_visitors_say_whether_they_are_on(  # V3, V4
    db_engine: Engine, outbound: str, ami: bool, state: str, said: str
) -> None:
    settings = Settings(
        database_url=db_engine.url.render_as_string(hide_password=False),
        outbound_channel=outbound,
        ami_enabled=ami,
        ami_secret="s3cret",  # type: ignore[arg-type]
    )
    services = Services(
        settings=settings, engine=db_engine, clock=lambda: datetime(2026, 12, 7, 7, tzinfo=UTC)
    )
    calls = _client(services).get("/health").json()["visit_calls"]
    assert calls["state"] == state
    assert said in calls["reason"]
