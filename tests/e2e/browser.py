"""Debian's Chromium driven through its own chromedriver (Selenium WebDriver).

Both programs come from one Debian source package at one version (``chromium``,
``chromium-driver``), so the driver always matches the browser; nothing is downloaded
(``Service`` is given the driver's path, so Selenium Manager never runs).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

T = TypeVar("T")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PACKAGES = {"chromium": CHROMIUM, "chromium-driver": CHROMEDRIVER}
WINDOW = (1366, 768)
VIEWPORT = (1366, 768)  # the smallest screen the console is made for
WAIT_S = 10.0
SCREENSHOTS_ENV = "TEST_SCREENSHOTS"  # set to 1: tests save their screenshots
SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # CI and containers run as root
    "--disable-dev-shm-usage",  # a small /dev/shm in containers
    "--disable-gpu",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
    "--lang=ru-RU",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-sync",
    "--disable-component-update",
    "--disable-background-networking",  # nothing but the test server is contacted
    # A tab in the background keeps its timers and its live updates (several-tab tests).
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
)


def missing_packages() -> list[str]:
    return [name for name, path in PACKAGES.items() if not os.access(path, os.X_OK)]


def skip_reason(missing: list[str]) -> str:
    return (
        f"нет {', '.join(missing)} ({', '.join(str(PACKAGES[m]) for m in missing)}): "
        "тесты в браузере пропущены; установка: apt-get install chromium chromium-driver"
    )


def start_chromium() -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    # The page's own size (the window's includes the browser's frame): same screenshots
    # everywhere.
    width, height = VIEWPORT
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    driver.set_page_load_timeout(WAIT_S * 2)
    driver.set_script_timeout(WAIT_S)
    return driver


def screenshots_wanted() -> bool:
    return os.environ.get(SCREENSHOTS_ENV, "") not in ("", "0")


class Page:
    """One test's view of the browser, at the live server's address."""

    def __init__(self, driver: WebDriver, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def sign_in(self, login: str, password: str) -> None:
        """Through the sign-in form, as a person would; waits for the page it leads to."""
        self.open("/sign-in")
        self.driver.find_element(By.NAME, "login").send_keys(login)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        self.wait(lambda: "/sign-in" not in self.driver.current_url, "the page after sign-in")

    def new_tab(self, path: str) -> str:
        """Opens ``path`` in a new tab, which becomes the current one; returns its handle."""
        self.driver.switch_to.new_window("tab")
        self.open(path)
        return self.driver.current_window_handle

    def switch_to(self, handle: str) -> None:
        self.driver.switch_to.window(handle)

    def text(self, css: str) -> str:
        return str(self.driver.find_element(By.CSS_SELECTOR, css).text)

    def texts(self, css: str) -> list[str]:
        return [str(e.text) for e in self.driver.find_elements(By.CSS_SELECTOR, css)]

    def visible(self, css: str) -> bool:
        found = self.driver.find_elements(By.CSS_SELECTOR, css)
        return bool(found) and bool(found[0].is_displayed())

    def script(self, source: str) -> object:
        return self.driver.execute_script(source)

    def wait(self, condition: Callable[[], T], what: str, timeout: float = WAIT_S) -> T:
        """Waits until ``condition()`` is truthy and returns it; fails saying ``what`` it
        waited for and what the page showed. A condition that read an element the page
        replaced meanwhile (a form submitted, a list reloaded) is read again."""
        try:
            return WebDriverWait(
                self.driver,
                timeout,
                poll_frequency=0.02,
                ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
            ).until(lambda _driver: condition())
        except TimeoutException:
            body = self.driver.find_element(By.TAG_NAME, "body").text
            raise AssertionError(
                f"waited {timeout} s for {what}; the page shows:\n{body}"
            ) from None

    def wait_text(self, css: str, text: str, timeout: float = WAIT_S) -> None:
        self.wait(lambda: text in self.text(css), f"{text!r} in {css}", timeout)

    def js_errors(self) -> list[str]:
        """Uncaught script errors logged since the last call (network errors left out)."""
        entries = self.driver.get_log("browser")
        return [e["message"] for e in entries if "Uncaught" in e.get("message", "")]

    def screenshot(self, name: str) -> Path | None:
        """Saves ``docs/screenshots/NAME.png`` when ``TEST_SCREENSHOTS=1``; else nothing."""
        if not screenshots_wanted():
            return None
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS_DIR / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def reset(self) -> None:
        """Back to one blank tab with no cookies (between tests)."""
        handles = self.driver.window_handles
        for handle in handles[1:]:
            self.driver.switch_to.window(handle)
            self.driver.close()
        self.driver.switch_to.window(handles[0])
        self.driver.get("about:blank")
        self.driver.delete_all_cookies()
