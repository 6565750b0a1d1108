"""Fixtures for the dashboard's tests: a real Chromium that records what went wrong on a page.

`browser` (tests/conftest.py) is one headless Chromium per session (Debian's package, never a
downloaded one).
`open_tab(browser)` gives a page in a fresh context whose console errors, uncaught exceptions,
dialogs (alert/confirm/prompt) and Content-Security-Policy violations are recorded on the `Tab`,
so a test can assert that a page rendered cleanly and that no visitor-sent text ran as script.
`sign_in(tab, server_url)` signs in as the demo admin of `tests.conftest.start_server`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ADMIN_EMAIL = "admin@localhost"
ADMIN_PASSWORD = "demo-password-123"  # tests.conftest.start_server's demo admin


@dataclass
class Tab:
    """A page in its own browser context, with everything that went wrong on it."""

    page: Any
    context: Any
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    dialogs: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [*self.errors, *(f"dialog: {d}" for d in self.dialogs), *self.csp_violations]

    def close(self) -> None:
        self.context.close()


def _console(tab: Tab, message: Any) -> None:
    if message.type != "error":
        return
    text = str(message.text)
    (tab.csp_violations if "Content Security Policy" in text else tab.errors).append(text)


def _dialog(tab: Tab, dialog: Any) -> None:
    tab.dialogs.append(f"{dialog.type}: {dialog.message}")
    dialog.dismiss()


@pytest.fixture
def open_tab(browser: Any) -> Iterator[Callable[..., Tab]]:
    """`open_tab(**context_options)` → a recorded Tab (e.g. viewport={"width": 360, "height": 740},
    locale="vi-VN"); closed after the test."""
    tabs: list[Tab] = []

    def open_(**options: Any) -> Tab:
        context = browser.new_context(**options)
        tab = Tab(context.new_page(), context)
        tab.page.on("console", lambda message: _console(tab, message))
        tab.page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
        tab.page.on("dialog", lambda dialog: _dialog(tab, dialog))
        tabs.append(tab)
        return tab

    yield open_
    for tab in tabs:
        tab.close()


def sign_in(tab: Tab, server_url: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    tab.page.goto(f"{server_url}/login")
    tab.page.fill("input[name=email]", email)
    tab.page.fill("input[name=password]", password)
    with tab.page.expect_navigation():
        tab.page.click("button[type=submit]")
    assert "/login" not in tab.page.url, "sign-in failed"


def demo_server(tmp_path: Path, events: int = 5000) -> Any:
    """A real `footfall serve` (tests.conftest.start_server) on `events` events of `footfall
    demo-data` over the last 30 days, written before it starts (the embedded store is one
    process's). Stop it with `.stop()`."""
    import os
    import subprocess
    import sys

    from tests.conftest import start_server

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")},
           "FOOTFALL_DATA_DIR": str(tmp_path / "data"), "FOOTFALL_DEMO": "1"}
    subprocess.run([sys.executable, "-m", "footfall", "demo-data", "--events", str(events), "--days", "30"],
                   env=env, check=True, capture_output=True, timeout=300, cwd=tmp_path)
    return start_server(tmp_path)
