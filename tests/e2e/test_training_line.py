"""The training line in Chromium (C4): a trainee signs in, goes ready, the simulated queue rings
their phone, they answer with «Ответить», the card pops, the talk time runs, they end the call
with «Завершить» and write its wrap-up; the supervisor's wallboard shows the call.

Everything is the product as ``serve`` runs it on a machine without Asterisk: the simulated PBX
in the app's own loop, the caller going through the real FastAGI menus and the queue, the AMI
bridge logging the call. The app's clock starts on a Monday morning (the line is open) and runs
on as the test runs; the simulated line's clock runs from the same moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.rules.missed import CallOutcome
from models.rules.training import TrainingKind
from models.tables import Call, CallWrapup, Employee, Role, TrainingEntry
from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db
from simulator.caller import CallerPlan
from tests.agent_console.console import PASSWORD
from tests.call_card.samples import CREATED, add_person
from tests.e2e.browser import Page
from tests.e2e.test_wallboard import replay_clock
from tests.e2e.training_server import TrainingLiveServer
from tests.wallboard.samples import MSK

MONDAY_MORNING = datetime(2026, 12, 7, 10, 0, tzinfo=MSK)
TRAINEE_DEVICE = "PJSIP/501"  # the page's operator: the first account LiveServer makes
CALLER = CallerPlan(
    "79281234567",
    "Иван Петров",
    keys={
        "welcome-language": "1",
        "topic-menu": "2",  # support measures
        "survey-answer-received": "1",
        "survey-quality": "1",
    },
    think_s=0.3,
)
CALL_S = 60.0  # the menus play in real time before the caller reaches the queue


@pytest.fixture
def live_server(db_engine: Engine, tmp_path: Path) -> Iterator[TrainingLiveServer]:
    server = TrainingLiveServer(db_engine, tmp_path, clock=replay_clock(MONDAY_MORNING))
    server.start()
    yield server
    server.stop()


def _trainee_ready_to_learn(engine: Engine) -> None:
    """The knowledge base, the trainee's valid training (C4) and an expert to transfer to."""
    with session_scope(engine) as session:
        load_into_db(session=session, content=load_content(), now=CREATED)
        trainee = session.exec(select(Employee).where(Employee.device == TRAINEE_DEVICE)).one()
        trainee.full_name = "Курбанов Арсен Камилович"
        assert trainee.id is not None
        session.add(
            TrainingEntry(
                employee_id=trainee.id, kind=TrainingKind.INITIAL, completed_on=date(2026, 9, 1)
            )
        )
    add_person(engine, "301", "Гаджиев Марат Шамилович", topics=[Topic.SUPPORT_MEASURES])


def _click(page: Page, css: str) -> None:
    page.driver.find_element(By.CSS_SELECTOR, css).click()


def _call(engine: Engine, linkedid: str) -> Call | None:
    with Session(engine) as session:
        return session.exec(select(Call).where(Call.linkedid == linkedid)).first()


def test_a_trainee_answers_a_simulated_call_and_the_wallboard_shows_it(
    live_server: TrainingLiveServer, page: Page
) -> None:  # C4
    _trainee_ready_to_learn(live_server.engine)
    page.open("/")
    page.wait_text("#training-badge", "Учебная линия")
    assert page.driver.title.startswith("Учебная линия · ")
    assert not page.visible("#phone-answer")  # nothing rings yet

    _click(page, "#go-ready")
    page.wait_text("#queue-state", "готов")
    linkedid = live_server.place_call(CALLER)

    page.wait(lambda: page.visible("#phone-answer"), "the phone rings", timeout=CALL_S)
    assert page.text("#queue-state") == "звонит телефон"
    assert not page.visible("#card-body")  # the card opens when the call is connected
    _click(page, "#phone-answer")

    page.wait(lambda: page.visible("#card-body"), "the call card", timeout=20)
    page.wait_text("#card-topic", "Меры государственной поддержки")
    assert page.text("#queue-state") == "разговор"
    assert page.visible("#phone-hangup")
    assert not page.visible("#phone-answer")
    page.wait(lambda: page.text("#queue-timer") >= "00:02", "the talk time runs")
    page.screenshot("training-line")

    _click(page, "#phone-hangup")
    page.wait(lambda: page.visible("#card-ended"), "the end of the call", timeout=20)
    page.wait_text("#queue-state", "завершение звонка")
    assert not page.visible("#phone-hangup")
    page.driver.find_element(By.CSS_SELECTOR, "#wrapup-question").send_keys(
        "Субсидии на оборудование"
    )
    _click(page, "#wrapup-form button[type=submit]")
    page.wait_text("#wrapup-message", "Итог звонка сохранён.")

    call = _call(live_server.engine, linkedid)
    assert call is not None
    assert call.training  # made on the training line
    assert call.answered_at is not None
    with Session(live_server.engine) as session:
        wrapup = session.exec(select(CallWrapup).where(CallWrapup.call_id == call.id)).one()
    assert wrapup.question == "Субсидии на оборудование"

    live_server.add_user("supervisor", Role.SUPERVISOR)
    page.open("/")
    _click(page, ".topbar__sign-out button")
    page.sign_in("supervisor", PASSWORD)
    page.open("/wallboard")
    page.wait_text("#training-badge", "Учебная линия")
    page.wait(
        lambda: (
            (found := _call(live_server.engine, linkedid)) is not None
            and found.outcome is CallOutcome.ANSWERED
        ),
        "the call's outcome",
        timeout=CALL_S,
    )
    page.open("/wallboard")
    page.wait_text("dd[data-field=answered]", "1")
