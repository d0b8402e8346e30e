"""The call card and queue routes of the operator's workspace, through real sessions: what an
operator sees and does on a call, and every bad request refused in Russian with nothing
changed."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from agent_console.auth.cookies import SESSION_COOKIE
from agent_console.auth.csrf import CSRF_HEADER
from models.db import session_scope
from models.line_store import LineStore
from models.rules.training import TrainingKind
from models.rules.transfers import TransferOutcome
from models.settings import Settings
from models.tables import (
    CallbackTask,
    CallTransfer,
    CallWrapup,
    Employee,
    Role,
    TrainingEntry,
    TransferKind,
)
from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db
from tests.agent_console.console import Clock, Console
from tests.call_card.samples import CALLER, CREATED, NOW, add_call, add_person, msk

CARD_SECTIONS = frozenset({"line-scripts", "external-agencies"})
OPERATOR_NAME = "Магомедова Патимат Руслановна"


@pytest.fixture
def console(db_engine: Engine) -> Console:
    content = load_content()
    with session_scope(db_engine) as session:
        load_into_db(
            session=session,
            content=replace(
                content,
                sections=tuple(s for s in content.sections if s.id in CARD_SECTIONS),
                entries=tuple(e for e in content.entries if e.section in CARD_SECTIONS),
            ),
            now=CREATED,
        )
    return Console(db_engine, Clock(NOW))


@pytest.fixture
def operator_id(console: Console) -> int:
    employee_id = console.add_user("operator", Role.OPERATOR)
    with session_scope(console.engine) as session:
        employee = session.get(Employee, employee_id)
        assert employee is not None
        employee.full_name = OPERATOR_NAME
        session.add(
            TrainingEntry(
                employee_id=employee_id, kind=TrainingKind.INITIAL, completed_on=date(2026, 9, 1)
            )
        )
    return employee_id


@pytest.fixture
def browser(console: Console, operator_id: int) -> TestClient:
    return console.signed_in("operator")


def _tasks(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(CallbackTask)).one()


def _wrapups(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(CallWrapup)).one()


def _window(day: int, start: int, end: int) -> dict[str, str]:
    return {"starts_at": msk(day, start).isoformat(), "ends_at": msk(day, end).isoformat()}


def _detail(response: Any) -> str:
    detail = response.json()["detail"]
    return detail if isinstance(detail, str) else str(detail)


# --------------------------------------------------------------------------- the card


def test_card_of_an_answered_call_greets_with_the_operators_name_and_asks_the_topics_questions(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    # C5, C7: the greeting names the operator, the questions are the topic's
    add_call(console.engine, "call-1", operator_id=operator_id, topic=Topic.STATE_SERVICES)
    response = browser.get("/card/calls/call-1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["card"]["caller_display"].startswith("+7 928")
    assert body["card"]["topic"] == Topic.STATE_SERVICES.value
    assert body["card"]["transfers"]["left"] == 2
    assert "Патимат" in body["scripts"]["greeting"]["text"]
    assert body["scripts"]["questions"]["text"]
    assert body["scripts"]["farewell"]["text"]


def test_card_carries_the_callers_spoken_question_as_data_with_the_kb_entries_it_finds(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    # C8, K7: the transcript is the caller's text: a string in JSON, byte for byte, served as
    # JSON that no browser sniffs into a page; the workspace sets it as text (tests/e2e)
    add_call(console.engine, "call-1", operator_id=operator_id, topic=Topic.GENERAL)
    said = '<script>alert(1)</script> вопрос по налогам, налоговая "инспекция" {{7*7}}'
    LineStore(console.engine, Settings()).save_spoken_question("call-1", said, 0.9, NOW)
    response = browser.get("/card/calls/call-1")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    spoken = response.json()["card"]["spoken_question"]
    assert (spoken["text"], spoken["confidence"], spoken["uncertain"], spoken["hint"]) == (
        said,
        0.9,
        False,
        "",
    )
    assert spoken["kb_matches"][0] == {
        "id": "agency-fns",
        "title": "ФНС России (налоговая) — Управление ФНС России по Республике Дагестан",
        "kind_label": "другое ведомство",
    }


def test_card_without_a_spoken_question_has_none_and_a_confidence_that_is_none_is_null(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_call(console.engine, "call-1", operator_id=operator_id)
    assert browser.get("/card/calls/call-1").json()["card"]["spoken_question"] is None
    # NaN (PostgreSQL keeps it; SQLite makes it NULL): still JSON, no confidence
    add_call(console.engine, "call-2", operator_id=operator_id)
    LineStore(console.engine, Settings()).save_spoken_question(
        "call-2", "лицензия на алкоголь", math.nan, NOW
    )
    response = browser.get("/card/calls/call-2")
    assert response.status_code == 200, response.text
    spoken = response.json()["card"]["spoken_question"]
    assert (spoken["text"], spoken["confidence"], spoken["hint"]) == (
        "лицензия на алкоголь",
        None,
        "",
    )


def test_card_of_an_unknown_call_is_refused_in_russian(browser: TestClient) -> None:
    response = browser.get("/card/calls/no-such-call")
    assert response.status_code == 404
    assert "не найден" in _detail(response)


def test_card_is_refused_without_a_session_and_with_a_forged_one(
    console: Console, operator_id: int
) -> None:
    add_call(console.engine, "call-1", operator_id=operator_id)
    stranger = console.browser()
    assert stranger.get("/card/calls/call-1").status_code == 401
    stranger.cookies.set(SESSION_COOKIE, "forged-session-value")
    response = stranger.get("/card/calls/call-1")
    assert response.status_code == 401
    assert "вход" in _detail(response).lower()


def test_card_is_for_operators_only(console: Console) -> None:
    console.add_user("boss", Role.SUPERVISOR)
    add_call(console.engine, "call-1")
    response = console.signed_in("boss").get("/card/calls/call-1")
    assert response.status_code == 403
    assert "Недостаточно прав" in _detail(response)


# --------------------------------------------------------------------------- transfers


def test_transfer_targets_list_the_competent_employees_and_the_transfers_left(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_person(console.engine, "310", "Алиев Руслан", topics=[Topic.STATE_SERVICES])
    add_call(console.engine, "call-1", operator_id=operator_id, topic=Topic.STATE_SERVICES)
    response = browser.get("/card/calls/call-1/transfer-targets")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [t["internal_number"] for t in body["targets"]] == ["310"]
    assert body["transfers"]["left"] == 2


def test_transfer_to_an_unknown_employee_is_refused(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_call(console.engine, "call-1", operator_id=operator_id)
    response = browser.post("/card/calls/call-1/transfer", json={"extension": "999"})
    assert response.status_code == 404
    assert "нет в справочнике" in _detail(response)


def test_transfer_of_a_call_that_already_ended_is_refused(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_person(console.engine, "310", "Алиев Руслан", topics=[Topic.STATE_SERVICES])
    add_call(console.engine, "call-1", operator_id=operator_id, ended=True)
    response = browser.post("/card/calls/call-1/transfer", json={"extension": "310"})
    assert response.status_code == 409
    assert "заверш" in _detail(response)


def test_transfer_without_the_asterisk_link_says_so_and_sends_nothing(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_person(console.engine, "310", "Алиев Руслан", topics=[Topic.STATE_SERVICES])
    add_call(console.engine, "call-1", operator_id=operator_id)
    response = browser.post("/card/calls/call-1/transfer", json={"extension": "310"})
    assert response.status_code == 503
    assert "Asterisk" in _detail(response)


# --------------------------------------------------------------------------- callbacks (C11)


def test_callback_is_created_once_even_when_the_button_is_clicked_twice(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_call(console.engine, "call-1", operator_id=operator_id)
    offer = browser.get("/card/callback-offer")
    assert offer.status_code == 200, offer.text
    window = offer.json()["windows"][0]
    sent = {"phone": "8 928 123-45-67", "windows": [window], "question": "Про субсидию"}
    first = browser.post("/card/calls/call-1/callback", json=sent)
    second = browser.post("/card/calls/call-1/callback", json=sent)
    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    assert first.json()["task_id"] == second.json()["task_id"]
    assert first.json()["phone_e164"] == CALLER
    assert first.json()["read_back"]["text"]
    assert _tasks(console.engine) == 1


def test_callback_with_an_invalid_number_changes_nothing(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_call(console.engine, "call-1", operator_id=operator_id)
    sent = {"phone": "12", "windows": [_window(4, 10, 11)], "question": ""}
    response = browser.post("/card/calls/call-1/callback", json=sent)
    assert response.status_code == 422
    assert "не распознан" in _detail(response)
    assert _tasks(console.engine) == 0


def test_callback_in_a_window_that_is_over_changes_nothing(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_call(console.engine, "call-1", operator_id=operator_id)
    past = {
        "starts_at": (NOW - timedelta(hours=2)).isoformat(),
        "ends_at": (NOW - timedelta(hours=1)).isoformat(),
    }
    sent = {"phone": "89281234567", "windows": [past], "question": ""}
    response = browser.post("/card/calls/call-1/callback", json=sent)
    assert response.status_code == 422
    assert _tasks(console.engine) == 0


def test_callback_without_the_csrf_token_is_refused_and_changes_nothing(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_call(console.engine, "call-1", operator_id=operator_id)
    del browser.headers[CSRF_HEADER]
    sent = {"phone": "89281234567", "windows": [_window(4, 10, 11)], "question": ""}
    response = browser.post("/card/calls/call-1/callback", json=sent)
    assert response.status_code == 403
    assert "CSRF" in _detail(response) or "форм" in _detail(response)
    assert _tasks(console.engine) == 0


# --------------------------------------------------------------------------- out of remit (C14)


def test_out_of_remit_names_an_agency_from_the_directory_with_its_contacts(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_call(console.engine, "call-1", operator_id=operator_id)
    agencies = browser.get("/card/agencies").json()
    assert agencies
    chosen = agencies[0]
    response = browser.post(
        "/card/calls/call-1/out-of-remit", json={"agency_id": chosen["entry_id"]}
    )
    assert response.status_code == 201, response.text
    assert response.json()["contacts"] == chosen["contacts"]
    unknown = browser.post("/card/calls/call-1/out-of-remit", json={"agency_id": "nope"})
    assert unknown.status_code == 404


# --------------------------------------------------------------------------- wrap-up (K7)


def test_wrapup_is_owed_until_saved_and_saved_once(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_call(console.engine, "call-1", operator_id=operator_id, ended=True)
    owed = browser.get("/card/owed-wrapups").json()
    assert [item["linkedid"] for item in owed] == ["call-1"]
    sent = {"kb_answer_found": False, "question": "Как получить субсидию", "topic": None}
    assert browser.post("/card/calls/call-1/wrapup", json=sent).status_code == 201
    again = browser.post("/card/calls/call-1/wrapup", json=sent)
    assert again.status_code == 409
    assert "уже" in _detail(again)
    assert _wrapups(console.engine) == 1
    assert browser.get("/card/owed-wrapups").json() == []


def test_wrapup_dismissal_needs_a_reason(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    add_call(console.engine, "call-1", operator_id=operator_id, ended=True)
    blank = browser.post("/card/calls/call-1/wrapup-dismissal", json={"reason": "  "})
    assert blank.status_code == 422
    assert "почему" in _detail(blank)
    done = browser.post("/card/calls/call-1/wrapup-dismissal", json={"reason": "Сбросили"})
    assert done.status_code == 201, done.text
    assert browser.get("/card/owed-wrapups").json() == []


# --------------------------------------------------------------------------- queue (C4)


def test_operator_whose_training_lapsed_cannot_go_ready_and_is_told_why(
    console: Console,
) -> None:
    # C4
    employee_id = console.add_user("late", Role.OPERATOR)
    with session_scope(console.engine) as session:
        session.add(
            TrainingEntry(
                employee_id=employee_id, kind=TrainingKind.INITIAL, completed_on=date(2024, 1, 10)
            )
        )
    response = console.signed_in("late").post("/queue/state", json={"state": "ready"})
    assert response.status_code == 409
    assert "Нельзя принимать звонки" in _detail(response)


def test_pause_needs_a_reason(browser: TestClient) -> None:
    response = browser.post("/queue/state", json={"state": "paused", "reason": ""})
    assert response.status_code == 422
    assert "причину паузы" in _detail(response)


def test_going_ready_without_the_asterisk_link_says_so(browser: TestClient) -> None:
    response = browser.post("/queue/state", json={"state": "ready"})
    assert response.status_code == 503
    assert "Asterisk" in _detail(response)


# --------------------------------------------------------------------------- the page


def test_operators_home_is_the_workspace_for_their_phone_and_others_keep_their_page(
    console: Console, browser: TestClient
) -> None:
    html = browser.get("/").text
    assert 'data-device="PJSIP/' in html
    assert '<script src="/static/workspace.js" defer></script>' in html
    for control in (
        "pause-reason",
        "kb-query",
        "transfer-target",
        "callback-phone",
        "remit-agency",
        "wrapup-topic",
        "wrapup-question",
        "dismiss-reason",
    ):
        assert f'for="{control}"' in html, control  # every control has its label
    console.add_user("boss", Role.SUPERVISOR)
    other = console.signed_in("boss").get("/").text
    assert "workspace.js" not in other
    assert "Здравствуйте" in other


def test_third_transfer_is_refused_with_the_offer_of_a_callback(
    console: Console, operator_id: int, browser: TestClient
) -> None:
    # C10
    add_person(console.engine, "310", "Алиев Руслан", topics=[Topic.STATE_SERVICES])
    call_id = add_call(console.engine, "call-1", operator_id=operator_id)
    with session_scope(console.engine) as session:
        for seq in (1, 2):
            session.add(
                CallTransfer(
                    call_id=call_id,
                    seq=seq,
                    kind=TransferKind.BLIND,
                    outcome=TransferOutcome.COMPLETED,
                    to_extension="310",
                    at=NOW - timedelta(minutes=4 - seq),
                )
            )
    response = browser.post("/card/calls/call-1/transfer", json={"extension": "310"})
    assert response.status_code == 409
    assert "обратный звонок" in _detail(response)
    assert browser.get("/card/calls/call-1").json()["card"]["transfers"]["left"] == 0
