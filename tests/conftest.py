"""Shared fixtures: real chDB stores and a real `footfall serve` over HTTP.

chDB binds one process to one data directory, so every in-process store of the test run lives
in one session-wide directory, each test in a database of its own.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipelines.migrate import migrate
from pipelines.store.base import Store
from pipelines.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def chdb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chdb")


@pytest.fixture
def make_store(chdb_dir: Path) -> Iterator[Callable[..., Store]]:
    """Open fresh, migrated databases in the session's chDB directory."""
    opened: list[Store] = []

    def open_fresh(migrated: bool = True) -> Store:
        store = EmbeddedStore(chdb_dir, f"t_{uuid.uuid4().hex[:12]}")
        opened.append(store)
        if migrated:
            migrate(store)
        return store

    yield open_fresh
    for store in opened:
        store.command(f"DROP DATABASE IF EXISTS {store.database}")
        store.close()


@pytest.fixture
def store(make_store: Callable[..., Store]) -> Store:
    return make_store()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path
    extra: dict[str, str] = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def footfall(self, *args: str, input_text: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run the `footfall` CLI with this server's settings."""
        return subprocess.run(
            [sys.executable, "-m", "footfall", *args], env=self.env, capture_output=True, text=True,
            input=input_text, timeout=120, cwd=self.data_dir.parent,
        )

    def count(self, where: str = "1") -> int:
        """Rows in `events` matching `where`, through the running server's SQL endpoint."""
        query = {"sql": f"SELECT count() AS n FROM events WHERE {where}", "format": "json"}
        response = httpx.post(f"{self.url}/api/admin/sql", json=query,
                              headers={"Authorization": f"Bearer {self.admin_token()}"}, timeout=60)
        response.raise_for_status()
        return int(response.json()["data"][0]["n"])

    def admin_token(self) -> str:
        return str(json.loads((self.data_dir / "server.json").read_text())["admin_token"])

    def wait_for_count(self, expected: int, where: str = "1", timeout: float = 20.0) -> int:
        """Events become visible once the flusher writes them (about a second): poll for them."""
        deadline = time.monotonic() + timeout
        while (found := self.count(where)) < expected and time.monotonic() < deadline:
            time.sleep(0.1)
        return found

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)


def start_server(tmp_path: Path, sites: tuple[tuple[str, ...], ...] = (), port: int | None = None,
                 **env_overrides: str) -> RunningServer:
    """Start `footfall serve`; `sites` are `footfall sites add` argument lists run first."""
    port = port or free_port()
    data_dir = tmp_path / "data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")},
        "FOOTFALL_DATA_DIR": str(data_dir),
        "FOOTFALL_DEMO": "1",
        "FOOTFALL_ADMIN_PASSWORD": "demo-password-123",
        "FOOTFALL_LOG_LEVEL": "warning",
        **env_overrides,
    }
    for site_args in sites:
        subprocess.run([sys.executable, "-m", "footfall", "sites", "add", *site_args], env=env, check=True,
                       capture_output=True, timeout=120, cwd=tmp_path)
    log_path = tmp_path / "server.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "footfall", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
        )
    server = RunningServer(f"http://127.0.0.1:{port}", data_dir, env, process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"footfall serve exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop(signal.SIGKILL)
    raise RuntimeError(f"footfall serve did not become ready:\n{server.log()}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    """A real `footfall serve` (demo mode, embedded store) on a free loopback port."""
    running = start_server(tmp_path)
    yield running
    running.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROME_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole test run (Playwright's sync API allows one at a time),
    announcing a desktop Chrome User-Agent: the collector drops
    "HeadlessChrome" as a bot. Set for the whole browser, not only per context: a beacon sent
    while a page unloads outlives the page, and the browser sends it without the context's
    override."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (`make test-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=[*CHROMIUM_ARGS, f"--user-agent={CHROME_USER_AGENT}"])
        yield browser
        browser.close()
