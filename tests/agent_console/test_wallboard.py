"""«Табло» over HTTP: supervisors and administrators get the page with today's figures already
in it and the same figures as JSON; an operator gets 403 on both, and no link to them."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.rules.missed import CallOutcome, MissedReason
from models.tables import Role
from tests.agent_console.console import Clock, Console
from tests.wallboard.samples import MSK, Calls, msk

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=MSK)  # a Thursday, 09:00-18:00
WRONG_ROLE = "Недостаточно прав: нужна одна из ролей «руководитель», «администратор»."


@pytest.fixture
def console(db_engine: Engine) -> Console:
    console = Console(db_engine, Clock(NOW), service_level_s=30)
    for role in Role:
        console.add_user(role.value.replace("_", "-"), role)
    with session_scope(db_engine) as session:
        calls = Calls(session)
        calls.add(msk(3, 10), CallOutcome.ANSWERED, wait_s=25.0)
        calls.add(msk(3, 11), CallOutcome.ANSWERED, wait_s=40.0)
        calls.add(
            msk(3, 12), CallOutcome.MISSED, wait_s=61.0, reason=MissedReason.ABANDONED_IN_QUEUE
        )
        calls.add(msk(3, 7), CallOutcome.AFTER_HOURS, in_hours=False)
    return console


def test_the_page_shows_todays_figures_from_the_first_load(console: Console) -> None:
    page = console.signed_in("supervisor").get("/wallboard")
    assert page.status_code == 200
    text = page.text
    assert "<title>Табло — Консультационная линия</title>" in text
    assert "Сегодня 03.12.2026, рабочий день 09:00–18:00" in text
    # Within 30 s: the 25 s answer only; offered: 2 answered + 1 missed. 1 of 3 = 33 %.
    assert '<p class="wb-tile__value" id="wb-sl">33 %</p>' in text
    assert "ответ за 30 с: 1 из 3" in text
    assert 'width="33"' in text  # the bar
    assert '<p class="wb-tile__value" id="wb-average-wait">0:33</p>' in text  # (25 + 40) / 2
    assert '<dd data-field="arrived_in_hours">3</dd>' in text
    assert '<dd data-field="after_hours">1</dd>' in text
    assert "<li><span>Звонящий положил трубку в очереди</span> <strong>1</strong></li>" in text
    assert "Нет операторов на линии" not in text  # reasons without calls are left out
    labels = re.search(r'data-labels="([^"]+)"', text)
    assert labels is not None
    words = json.loads(html.unescape(labels.group(1)))
    assert words["activities"]["on_call"] == "Разговор"
    assert words["topics"]["support_measures"] == "Меры государственной поддержки"
    assert 'data-threshold="30"' in text
    assert '<script src="/static/wallboard.js" defer></script>' in text


def test_the_figures_as_json(console: Console) -> None:
    today = console.signed_in("admin").get("/wallboard/today")
    assert today.status_code == 200
    body = today.json()
    assert body["day"] == "2026-12-03"
    assert body["working_hours"] == "09:00–18:00"
    assert (body["arrived_in_hours"], body["answered"], body["missed"]) == (3, 2, 1)
    assert (body["after_hours"], body["in_progress"]) == (1, 0)
    assert body["service_level"] == {"threshold_s": 30, "within": 1, "offered": 3, "percent": 33}
    assert body["average_wait_s"] == 33  # 32.5 rounded half up
    assert body["missed_by_reason"][1] == {
        "reason": "abandoned_in_queue",
        "label": "Звонящий положил трубку в очереди",
        "count": 1,
    }
    assert (body["callbacks_due"], body["callbacks_overdue"]) == (0, 0)


def test_an_operator_is_refused_every_wallboard_route(console: Console) -> None:
    operator = console.signed_in("operator")
    board = operator.get("/wallboard")
    assert board.status_code == 403
    assert WRONG_ROLE in board.text
    today = operator.get("/wallboard/today")
    assert today.status_code == 403
    assert today.json() == {"detail": WRONG_ROLE}
    assert 'href="/wallboard"' not in operator.get("/").text
    anonymous = console.browser()
    assert anonymous.get("/wallboard").headers["location"].startswith("/sign-in")
    assert anonymous.get("/wallboard/today").status_code == 401


def test_supervisors_and_administrators_find_it_on_their_home_page(console: Console) -> None:
    for login in ("supervisor", "admin"):
        assert 'href="/wallboard"' in console.signed_in(login).get("/").text, login
    assert 'href="/wallboard"' not in console.signed_in("kb-editor").get("/").text
