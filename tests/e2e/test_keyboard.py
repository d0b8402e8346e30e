"""The console by keyboard alone, in Chromium: the operator signs out and in, goes ready, takes a
call replayed from recorded Asterisk traffic, searches the KB, reaches every action of the card
and saves the wrap-up without a click; wherever focus lands it is visible, and every control of
the workspace and of «Мои обратные звонки» has a label."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from sqlalchemy.engine import Engine
from sqlmodel import select

from consult_line.clock import system_clock
from models.db import session_scope
from models.rules.callbacks import CallbackStatus
from models.tables import CallbackTask, CallWrapup, Employee
from models.topics import Topic
from tests.agent_console.console import PASSWORD
from tests.call_card.samples import add_task
from tests.e2e.browser import Page
from tests.e2e.server import LiveServer, capture_part
from tests.e2e.workspace import prepare_operator

TABS_MAX = 80  # more presses than any page here has stops: the target is not reachable

# Where focus is and whether a person can see it: an outline or a shadow drawn, the element on
# screen and not covered by anything.
FOCUS = """
var el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
var style = getComputedStyle(el);
var box = el.getBoundingClientRect();
var x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
var y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
var hit = document.elementFromPoint(x, y);
var outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
  && style.outlineColor !== "rgba(0, 0, 0, 0)";
var name = el.id ? "#" + el.id : el.tagName.toLowerCase() + " «" + el.textContent.trim() + "»";
return {
  name: name,
  indicator: outline || style.boxShadow !== "none",
  on_screen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
    && box.top < innerHeight && box.left < innerWidth,
  uncovered: !!hit && (hit === el || el.contains(hit)),
};
"""

# Every control a person can see, with the label it has from <label> (for= or around it),
# aria-label or aria-labelledby; a button may also be labelled by its own text.
CONTROLS = """
function text(e) { return e ? e.textContent.replace(/\\s+/g, " ").trim() : ""; }
return Array.from(document.querySelectorAll("input, select, textarea, button"))
  .filter(function (el) {
    // not hidden, nor in a closed <details>, whose content Chromium lays out unseen
    return el.type !== "hidden" && el.checkVisibility({ visibilityProperty: true });
  })
  .map(function (el) {
    var labels = Array.from(el.labels || []).map(text).filter(Boolean);
    var by = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
      .map(function (id) { return text(document.getElementById(id)); }).filter(Boolean);
    var label = labels[0] || (el.getAttribute("aria-label") || "").trim() || by[0]
      || (el.tagName === "BUTTON" ? text(el) : "");
    var name = el.id ? "#" + el.id : el.tagName.toLowerCase() + "[name=" + el.name + "]";
    return {name: name, label: label, element: el};
  });
"""


def _keys(page: Page, *keys: str) -> None:
    """Keys pressed on whatever has focus, as a person types them."""
    ActionChains(page.driver).send_keys(*keys).perform()


def _focus(page: Page) -> dict[str, Any] | None:
    found = page.script(FOCUS)
    assert found is None or isinstance(found, dict)
    return found


def _assert_focus_visible(page: Page) -> dict[str, Any]:
    focus = _focus(page)
    assert focus is not None, "focus was lost to the page itself"
    assert focus["indicator"], f"{focus['name']}: no outline or shadow shows the focus"
    assert focus["on_screen"], f"{focus['name']}: focused off screen"
    assert focus["uncovered"], f"{focus['name']}: focused under something else"
    return focus


def _has_focus(page: Page, css: str) -> bool:
    return bool(page.script(f"return document.activeElement.matches({css!r})"))


def _tab_to(page: Page, css: str) -> None:
    """Presses Tab until the element ``css`` has focus, checking at every stop that the focus
    is visible; fails when it never comes."""
    passed: list[str] = []
    for _ in range(TABS_MAX):
        _keys(page, Keys.TAB)
        focus = _assert_focus_visible(page)
        if _has_focus(page, css):
            return
        passed.append(focus["name"])
    raise AssertionError(f"{css} never got focus by Tab; focus passed {passed}")


def _assert_every_control_labelled(page: Page) -> int:
    controls = page.script(CONTROLS)
    assert isinstance(controls, list)
    unlabelled = [c["name"] for c in controls if not c["label"]]
    assert not unlabelled, f"controls without a label: {unlabelled}"
    # and the browser computes a name from it (what a screen reader announces)
    nameless = [c["name"] for c in controls if not c["element"].accessible_name.strip()]
    assert not nameless, f"controls without an accessible name: {nameless}"
    return len(controls)


def _sign_in_by_keyboard(page: Page, login: str) -> None:
    page.wait(lambda: "/sign-in" in page.driver.current_url, "the sign-in page")
    # the login field has focus as the page opens (once it is parsed: the address changes first)
    page.wait(lambda: _has_focus(page, "#field-login"), "focus in the login field")
    _assert_focus_visible(page)
    _assert_every_control_labelled(page)
    _keys(page, login)
    page.screenshot("sign-in")
    _keys(page, Keys.TAB, PASSWORD, Keys.ENTER)
    page.wait(lambda: "/sign-in" not in page.driver.current_url, "the page after sign-in")


def test_operator_works_a_call_by_keyboard_alone_with_focus_always_visible(
    live_server: LiveServer, page: Page, db_engine: Engine
) -> None:
    prepare_operator(live_server)
    page.open("/")
    page.wait_text("#queue-title", "Очередь")

    # Out and in again.
    _tab_to(page, ".topbar__sign-out button")
    _keys(page, Keys.ENTER)
    _sign_in_by_keyboard(page, "operator")
    page.wait_text("#queue-title", "Очередь")

    # Ready (C4: the training is valid).
    _tab_to(page, "#go-ready")
    _keys(page, Keys.ENTER)
    page.wait_text("#queue-state", "готов")

    live_server.push(capture_part("a-answered", until="AgentConnect"))
    page.wait(lambda: page.visible("#card-body"), "the call card", timeout=20)
    page.wait(
        lambda: page.script("return document.querySelectorAll('#transfer-target option').length"),
        "transfer targets",
    )
    page.wait(
        lambda: page.script("return document.querySelectorAll('#callback-windows input').length"),
        "callback windows",
    )
    page.wait(
        lambda: page.script("return document.querySelectorAll('#remit-agency option').length"),
        "agencies",
    )

    # The KB: search, then open the first entry found; focus moves to the entry.
    _tab_to(page, "#kb-query")
    _keys(page, "субсидия", Keys.ENTER)
    page.wait(lambda: page.texts("#kb-results li"), "KB results")
    _tab_to(page, "#kb-results .link-button")
    _keys(page, Keys.ENTER)
    page.wait(lambda: page.visible("#kb-entry"), "the KB entry opened in place")
    page.wait(lambda: _has_focus(page, "#kb-entry"), "focus on the entry")
    _assert_focus_visible(page)

    # Every action of the card is reached from there.
    _tab_to(page, "#transfer-target")
    _tab_to(page, "#transfer-form button")
    _tab_to(page, "#callback-phone")
    _tab_to(page, "#callback-window-0")
    _keys(page, Keys.SPACE)
    assert page.script("return document.getElementById('callback-window-0').checked")
    _tab_to(page, "#callback-form button")
    _tab_to(page, "#remit-agency")
    _tab_to(page, "#remit-form button")
    _tab_to(page, "#wrapup-topic")
    assert _assert_every_control_labelled(page) > 20

    # The call ends: the farewell and the reminder; the wrap-up is saved by keyboard.
    live_server.push(capture_part("a-answered", after="AgentConnect"))
    page.wait(lambda: page.visible("#script-farewell"), "the farewell", timeout=20)
    page.wait(lambda: page.visible("#owed"), "the wrap-up reminder", timeout=20)
    _assert_focus_visible(page)  # still on the wrap-up's topic
    _keys(page, Keys.ARROW_DOWN)  # the first topic
    _tab_to(page, "#wrapup-question")
    _keys(page, "Субсидия на оборудование")
    _tab_to(page, "#wrapup-found")
    _keys(page, Keys.SPACE)
    _tab_to(page, "#wrapup-form button[type=submit]")
    _keys(page, Keys.ENTER)
    page.wait_text("#wrapup-message", "сохранён")
    page.wait(lambda: not page.visible("#owed"), "the reminder to go")
    _assert_focus_visible(page)  # the button got it back once it was enabled again
    assert _has_focus(page, "#wrapup-form button[type=submit]")
    with session_scope(db_engine) as session:
        (wrapup,) = session.exec(select(CallWrapup)).all()
    assert (wrapup.topic, wrapup.question, wrapup.kb_answer_found) == (
        next(iter(Topic)),
        "Субсидия на оборудование",
        True,
    )
    assert wrapup.kb_entry_id  # the entry opened last


def test_my_callbacks_by_keyboard_focus_kept_when_the_lists_are_read_again(  # C11
    live_server: LiveServer, page: Page, db_engine: Engine
) -> None:
    now = system_clock()
    with session_scope(db_engine) as session:
        (me,) = session.exec(select(Employee.id)).all()
    mine = [
        add_task(db_engine, phone=phone, owner_id=me, promised_on=now.date(), requested_at=now)
        for phone in ("+79281110001", "+79281110002")
    ]
    add_task(db_engine, phone="+79281110003", promised_on=now.date(), requested_at=now)  # nobody's

    page.open("/")
    _tab_to(page, "nav a[href='/callbacks']")
    _keys(page, Keys.ENTER)
    page.wait_text("h1", "Мои обратные звонки")
    page.wait(
        lambda: page.script("return document.getElementById('callbacks-lists').dataset.reads"),
        "the lists read once connected",
    )
    first = int(str(page.script("return document.querySelector('.task').dataset.taskId")))
    (other,) = set(mine) - {first}

    _tab_to(page, f"#task-{first} button[data-action=call]")
    _tab_to(page, f"#task-{first} details:nth-of-type(1) > summary")
    _keys(page, Keys.ENTER)  # «Перенести» opens
    _tab_to(page, f"#day-{first}")
    _tab_to(page, f"#task-{first} details:nth-of-type(2) > summary")
    _keys(page, Keys.ENTER)  # «Закрыть» opens
    _tab_to(page, f"#outcome-{first}")
    assert _assert_every_control_labelled(page) >= 10

    # Closed by keyboard: the task leaves the list, focus lands on the page's status line
    # and the next Tab goes on into the lists.
    _tab_to(page, f"#note-{first}")
    _keys(page, "Ответ дан по телефону")
    _tab_to(page, f"#task-{first} form[data-action=close] button")
    _keys(page, Keys.ENTER)
    page.wait_text("#callbacks-status", f"Заявка № {first} закрыта")
    page.wait(
        lambda: not page.script(f"return document.getElementById('task-{first}')"),
        "the closed task gone",
    )
    _assert_focus_visible(page)
    assert _has_focus(page, "#callbacks-status")
    _tab_to(page, f"#task-{other} button[data-action=call]")
    with session_scope(db_engine) as session:
        closed = session.get(CallbackTask, first)
        assert closed is not None
        assert (closed.status, closed.result_note) == (CallbackStatus.DONE, "Ответ дан по телефону")
