"""«База знаний: проверка разделов» (K6): sections overdue first and marked, their owners and
entries; «Проверено» for editors only; bad input and unknown sections answered in Russian."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.tables import Department, KbSection, Role
from tests.agent_console.kb_line import Line, form_browser


@pytest.fixture
def line(db_engine: Engine, tmp_path: Path) -> Line:
    """Today is 07.12.2026. «hours» was reviewed on 01.11 (due 01.12: overdue since 02.12),
    «alco» on 20.11 (due 20.12: in time). The staff file names the licensing department only."""
    line = Line(db_engine, tmp_path / "kb")
    with session_scope(db_engine) as session:
        alco = session.get(KbSection, "alco")
        assert alco is not None
        alco.last_reviewed = date(2026, 11, 20)
        session.add(Department(code="licensing", name="Отдел лицензирования"))
    line.console.add_user("sidorova", Role.SUPERVISOR)
    return line


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="kb-section[^"]*" id="section-([\w-]+)"', html)


def _row(html: str, section_id: str) -> str:
    match = re.search(rf'<tr [^>]*id="section-{section_id}".*?</tr>', html, re.S)
    assert match is not None, section_id
    return match.group(0)


def _last_reviewed(line: Line, section_id: str) -> date:
    with session_scope(line.engine) as session:
        section = session.get(KbSection, section_id)
        assert section is not None
        return section.last_reviewed


def test_overdue_sections_come_first_marked_with_owner_dates_and_entries(line: Line) -> None:
    page = line.client.get("/kb/review")
    assert page.status_code == 200
    html = page.text
    assert _rows(html) == ["hours", "alco"]  # overdue first, although «alco» sorts first
    assert '<strong id="kb-overdue-count">1</strong> из 2' in html
    hours = _row(html, "hours")
    assert 'class="kb-section kb-section--overdue"' in hours
    assert "Просрочен</span>" in hours
    assert re.search(r"Просрочен</span>\s*с 02.12.2026", hours)
    assert ">01.11.2026<" in hours
    assert ">01.12.2026<" in hours
    assert "<td>consult</td>" in hours  # no name for it in the staff file: its code
    assert 'href="/kb/view/hours-ministry"' in hours
    assert 'href="/kb/view/hours-ministry-en"' in hours
    assert "Записи: 2" in hours
    alco = _row(html, "alco")
    assert "kb-section--overdue" not in alco
    assert "<td>Отдел лицензирования</td>" in alco
    assert ">20.11.2026<" in alco
    assert ">20.12.2026<" in alco
    assert "в срок" in alco
    assert "Записи: 4" in alco


def test_an_editor_marks_a_section_reviewed_and_it_is_no_longer_overdue(line: Line) -> None:
    browser, token = form_browser(line.console, "ivanova")
    assert 'action="/kb/review/hours"' in browser.get("/kb/review").text
    done = browser.post("/kb/review/hours", data={"csrf_token": token, "show": "all"})
    assert done.status_code == 303
    assert done.headers["location"] == "/kb/review?reviewed=hours#section-hours"
    assert _last_reviewed(line, "hours") == date(2026, 12, 7)
    html = browser.get(done.headers["location"]).text
    assert "Раздел «Режим работы и личный приём» отмечен проверенным 07.12.2026." in html
    assert '<strong id="kb-overdue-count">0</strong> из 2' in html
    assert "kb-section--overdue" not in html
    assert _rows(html) == ["alco", "hours"]  # due 20.12.2026 and 07.01.2027: soonest first
    assert "hours" not in _rows(browser.get("/kb/review", params={"show": "overdue"}).text)


def test_the_filter_shows_overdue_sections_only_and_keeps_after_marking(line: Line) -> None:
    assert _rows(line.client.get("/kb/review", params={"show": "overdue"}).text) == ["hours"]
    browser, token = form_browser(line.console, "ivanova")
    done = browser.post("/kb/review/hours", data={"csrf_token": token, "show": "overdue"})
    assert done.headers["location"] == "/kb/review?reviewed=hours&show=overdue#section-hours"
    html = browser.get(done.headers["location"]).text
    assert _rows(html) == []
    assert "Просроченных разделов нет." in html


def test_a_supervisor_sees_the_sections_but_cannot_mark_them(line: Line) -> None:
    browser, token = form_browser(line.console, "sidorova")
    html = browser.get("/kb/review").text
    assert _rows(html) == ["hours", "alco"]
    assert 'action="/kb/review/' not in html
    assert "Отмечать разделы проверенными могут редактор базы знаний и администратор." in html
    refused = browser.post("/kb/review/hours", data={"csrf_token": token})
    assert refused.status_code == 403
    assert "Недостаточно прав: нужна одна из ролей «редактор базы знаний», «администратор»." in (
        refused.text
    )
    assert _last_reviewed(line, "hours") == date(2026, 11, 1)


def test_an_operator_gets_403_on_the_page(line: Line) -> None:
    page = line.operator.get("/kb/review")
    assert page.status_code == 403
    assert "Недостаточно прав" in page.text
    assert 'href="/kb/review"' not in page.text  # not in their menu either


def test_without_the_forms_token_nothing_is_marked(line: Line) -> None:
    browser, _token = form_browser(line.console, "ivanova")
    refused = browser.post("/kb/review/hours", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    assert _last_reviewed(line, "hours") == date(2026, 11, 1)


def test_an_unknown_section_is_a_404_page_in_russian(line: Line) -> None:
    browser, token = form_browser(line.console, "ivanova")
    page = browser.post("/kb/review/no-such-section", data={"csrf_token": token})
    assert page.status_code == 404
    assert "Раздел базы знаний &#39;no-such-section&#39; не найден." in page.text
    assert 'href="/kb/review"' in page.text


def test_an_unknown_filter_value_is_explained_and_all_sections_shown(line: Line) -> None:
    page = line.client.get("/kb/review", params={"show": "свежие"})
    assert page.status_code == 422
    assert (
        "Неизвестное значение фильтра «свежие»: можно «все разделы» или «только просроченные». "
        "Показаны все разделы." in page.text
    )
    assert _rows(page.text) == ["hours", "alco"]
