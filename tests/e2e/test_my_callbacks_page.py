"""«Мои обратные звонки» in Chromium (C11): the operator sees the overdue task first, calls the
client back (the loopback Asterisk receives the Originate of the operator's phone, answers it
as Asterisk does, then the client leg ends), sees the attempt's result arrive live, reschedules
another task with a reason and closes a third."""

from __future__ import annotations

from datetime import timedelta

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine
from sqlmodel import select

from consult_line.clock import system_clock
from models.calendar_store import load_calendar
from models.db import session_scope
from models.rules.callbacks import CallbackStatus, promised_answer_date
from models.settings import Settings
from models.tables import CallbackAttempt, CallbackTask, UserAccount
from tests.ami.fake_ami import ORIGINATE_ACCEPTED_ONLY
from tests.call_card.samples import add_task
from tests.e2e.browser import Page
from tests.e2e.server import LiveServer

OVERDUE = "+79281110001"
LATER = "+79281110002"
TO_CLOSE = "+79281110003"


def _operator_id(engine: Engine) -> int:
    with session_scope(engine) as session:
        account = session.exec(select(UserAccount).where(UserAccount.login == "operator")).one()
        return account.employee_id


def _task(engine: Engine, task_id: int) -> CallbackTask:
    with session_scope(engine) as session:
        task = session.get(CallbackTask, task_id)
        assert task is not None
        session.expunge(task)
        return task


def _card(task_id: int) -> str:
    return f"#task-{task_id}"


def _text(page: Page, css: str) -> str:
    """The element's text read in one step: the page replaces its lists as it re-reads them,
    and an element found first and read afterwards may be gone by then."""
    found = page.script(f"var e = document.querySelector({css!r}); return e ? e.innerText : ''")
    return str(found)


def _wait_text(page: Page, css: str, text: str) -> None:
    page.wait(lambda: text in _text(page, css), f"{text!r} in {css}")


def _reads(page: Page) -> int:
    """How many times the page has re-read its lists (it replaces them each time)."""
    script = "return document.getElementById('callbacks-lists').dataset.reads || '0'"
    return int(str(page.script(script)))


def _reread_since(page: Page, before: int) -> None:
    page.wait(lambda: _reads(page) > before, "the lists re-read")


def test_the_operator_calls_back_reschedules_and_closes(  # C11
    page: Page, live_server: LiveServer, db_engine: Engine
) -> None:
    now = system_clock()
    with session_scope(db_engine) as session:
        calendar = load_calendar(session=session, settings=Settings())
    next_day = promised_answer_date(now, calendar, 1)
    me = _operator_id(db_engine)
    later = add_task(db_engine, phone=LATER, owner_id=me, promised_on=next_day, requested_at=now)
    overdue = add_task(
        db_engine,
        phone=OVERDUE,
        owner_id=me,
        promised_on=(now - timedelta(days=7)).date(),
        requested_at=now - timedelta(days=9),
    )
    to_close = add_task(
        db_engine, phone=TO_CLOSE, owner_id=me, promised_on=next_day, requested_at=now
    )

    page.open("/callbacks")
    _wait_text(page, "h1", "Мои обратные звонки")
    _reread_since(page, 0)  # the live stream's snapshot: the lists read again once connected
    cards = page.driver.find_elements(By.CSS_SELECTOR, ".task")
    assert cards[0].get_attribute("id") == f"task-{overdue}"  # overdue first
    assert "Просрочена" in cards[0].text
    assert "Просрочена" not in _text(page, _card(later))

    # Click-to-call: the operator's phone rings first; Asterisk answers when it is picked up.
    live_server.ami.reply("originate", ORIGINATE_ACCEPTED_ONLY)
    call = page.driver.find_element(By.CSS_SELECTOR, f"#task-{overdue} [data-action=call]")
    ActionChains(page.driver).double_click(call).perform()  # the second click does nothing
    _wait_text(page, f"#task-{overdue}-message", "Звонит ваш телефон")
    live_server.wait_until(lambda: bool(live_server.ami.actions("Originate")))
    originate = live_server.call(lambda: live_server.ami.actions("Originate")[0])
    assert originate["Channel"] == "PJSIP/501"
    assert originate["Context"] == "consult-line-callback"
    channel_id = str(originate["ChannelId"])
    live_server.run(
        lambda: live_server.ami.push_event(
            "OriginateResponse",
            ActionID=str(originate["ActionID"]),
            Response="Success",
            Channel="PJSIP/501",
            Context="consult-line-callback",
            Exten="s",
            Reason="4",
            Uniqueid=channel_id,
        )
    )
    _wait_text(page, f"#task-{overdue}-message", "набираем клиента")
    _wait_text(page, f"#task-{overdue}", "Идёт звонок")
    # The client did not answer: the dialplan's Dial ends.
    live_server.run(
        lambda: live_server.ami.push_event(
            "DialEnd",
            Channel="PJSIP/501-00000011",
            Uniqueid=channel_id,
            Linkedid=channel_id,
            DestChannel="PJSIP/trunk-0000002b",
            DestUniqueid="1764331200.77",
            DestLinkedid=channel_id,
            DialStatus="NOANSWER",
        )
    )
    _wait_text(page, f"#task-{overdue}-message", "Результат звонка: клиент не ответил.")
    _wait_text(page, f"#task-{overdue} .task__attempts", "Не ответил")
    assert "Идёт звонок" not in _text(page, f"#task-{overdue}")
    with session_scope(db_engine) as session:
        attempts = list(
            session.exec(select(CallbackAttempt).where(CallbackAttempt.task_id == overdue))
        )
        assert [(a.employee_id, a.channel_id) for a in attempts] == [(me, channel_id)]
    assert len(live_server.call(lambda: live_server.ami.actions("Originate"))) == 1
    page.screenshot("my-callbacks")

    # Reschedule the later task to the next working day, 14:00–16:00, with a reason.
    reads = _reads(page)
    card = page.driver.find_element(By.CSS_SELECTOR, _card(later))
    card.find_element(By.XPATH, ".//summary[text()='Перенести']").click()
    day = card.find_element(By.NAME, "day")
    page.driver.execute_script("arguments[0].value = arguments[1]", day, next_day.isoformat())
    for name, value in (("starts", "14:00"), ("ends", "16:00")):
        field = card.find_element(By.NAME, name)
        page.driver.execute_script("arguments[0].value = arguments[1]", field, value)
    card.find_element(By.NAME, "reason").send_keys("Клиент просит после обеда")
    card.find_element(By.CSS_SELECTOR, "form[data-action=reschedule] button").click()
    _wait_text(page, f"#task-{later}-message", f"перенесена на {next_day:%d.%m.%Y} 14:00–16:00")
    _wait_text(page, f"#task-{later}", f"{next_day:%d.%m.%Y} 14:00–16:00")

    # Close the third: done.
    _reread_since(page, reads)
    card = page.driver.find_element(By.CSS_SELECTOR, _card(to_close))
    card.find_element(By.XPATH, ".//summary[text()='Закрыть']").click()
    card.find_element(By.NAME, "note").send_keys("Ответ дан по телефону")
    card.find_element(By.CSS_SELECTOR, "form[data-action=close] button").click()
    _wait_text(page, "#callbacks-status", f"Заявка № {to_close} закрыта: выполнена.")
    page.wait(
        lambda: not page.driver.find_elements(By.CSS_SELECTOR, _card(to_close)),
        "the closed task gone from the list",
    )
    closed = _task(db_engine, to_close)
    assert closed.status is CallbackStatus.DONE
    assert closed.result_note == "Ответ дан по телефону"
    assert _task(db_engine, later).promised_on == next_day
