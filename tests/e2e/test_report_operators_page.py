"""«Операторы» in Chromium (C4): over a month of demo traffic a supervisor opens the report from
the home page, finds an operator whose training has lapsed, records the periodic training in
the form under the table, and the operator's row shows the training in force."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from tests.e2e.browser import Page
from tests.e2e.test_report_missed_page import open_last_month

# The survey's fixture: a supervisor signed in at 1366×768 over a month of demo traffic.
from tests.e2e.test_report_survey_page import supervisor  # noqa: F401

LAPSED = "Гасанова Мадина Рашидовна"  # the demo's 203: trained 800 days ago
TRAINING_COLUMN = 8  # «Обучение», counted from 1 as CSS does


def _training_of(page: Page, name: str) -> str:
    for row in page.driver.find_elements(By.CSS_SELECTOR, ".report-table__table tbody tr"):
        cells = row.find_elements(By.TAG_NAME, "td")
        if cells and cells[0].text == name:
            return str(cells[TRAINING_COLUMN - 1].text)
    raise AssertionError(f"no row for {name!r}")


def test_the_supervisor_records_a_training_and_the_row_changes(
    supervisor: Page,  # noqa: F811 — the fixture imported above
) -> None:  # C4
    page = supervisor
    open_last_month(page, "Отчёт «Операторы»: звонки, итоги, обучение", "/reports/operators")
    assert page.visible("#chart-answered svg")
    assert _training_of(page, LAPSED) == "Срок обучения истёк"
    page.screenshot("report-operators")

    form = page.driver.find_element(By.ID, "training")
    employee = Select(form.find_element(By.ID, "training-employee"))
    employee.select_by_visible_text(
        next(o.text for o in employee.options if o.text.startswith(f"{LAPSED} (203)"))
    )
    Select(form.find_element(By.ID, "training-kind")).select_by_visible_text(
        "Повторное (раз в два года)"
    )
    form.find_element(By.ID, "training-note").send_keys("Повторное обучение, группа 2")
    form.find_element(By.ID, "training-submit").click()
    page.wait(lambda: "recorded=" in page.driver.current_url, "the report after the form")
    page.wait_text(".report__note", f"Обучение записано — {LAPSED} (203): Обучение в силе до")
    assert _training_of(page, LAPSED) == "Обучение в силе"
