"""Fixtures for the survey widget's browser tests: a real `footfall serve` whose surveys were made
with the CLI before it started (one per page path, so tests do not meet each other's surveys), a
page server that serves `pages/survey.html` at every path under `/survey/`, and browser contexts
with a chosen language and viewport.

The pages are on 127.0.0.1 (their own port), the demo site `localhost` allows that hostname, and
they load `/t.js` from the server — which loads the survey checker, which loads the widget. The fixtures
themselves are declared in conftest.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.conftest import CHROME_USER_AGENT, RunningServer, start_server
from tests.tracker_js.conftest import PAGES, query, send_page, serving

# name -> `footfall surveys add localhost …` arguments. Each survey has its own page paths.
SURVEYS = {
    "delay": ["--kind", "csat", "--path", "/survey/delay/*", "--trigger", "delay:1", "--follow-up"],
    "scroll": ["--kind", "nps", "--path", "/survey/scroll/*", "--trigger", "scroll:50"],
    "exit": ["--kind", "ces", "--path", "/survey/exit/*", "--trigger", "exit"],
    "event": ["--kind", "helpful", "--path", "/survey/event/*", "--trigger", "event:Signup"],
    "text": ["--kind", "text", "--path", "/survey/text/*", "--trigger", "delay:0"],
    "keys": ["--kind", "nps", "--path", "/survey/keys/*", "--trigger", "delay:0", "--follow-up"],
    "days": ["--kind", "csat", "--path", "/survey/days/*", "--trigger", "delay:0", "--frequency", "days:30"],
    "sample": ["--kind", "csat", "--path", "/survey/sample/*", "--trigger", "delay:0", "--sample", "1"],
    "mobile": ["--kind", "nps", "--path", "/survey/mobile/*", "--trigger", "delay:0", "--device", "mobile"],
    "new": ["--kind", "helpful", "--path", "/survey/new/*", "--trigger", "delay:0", "--visitors", "new"],
    "returning": ["--kind", "helpful", "--path", "/survey/returning/*", "--trigger", "delay:0",
                  "--visitors", "returning"],
    "lang": ["--kind", "csat", "--path", "/survey/lang/*", "--trigger", "delay:0"],
    "fallback": ["--kind", "csat", "--path", "/survey/fallback/*", "--trigger", "delay:0",
                 "--question", "en=How was the checkout?", "--question", "vi=Thanh toán thế nào?"],
    "hostile": ["--kind", "nps", "--path", "/survey/hostile/*", "--trigger", "delay:0"],
    "spa": ["--kind", "csat", "--path", "/survey/spa/target*", "--trigger", "delay:0"],
    "exclude": ["--kind", "csat", "--path", "/survey/excluded/*", "--trigger", "delay:0"],
}

HOSTILE_CSS = """
* { color: red !important; font-size: 40px !important; font-family: serif !important; line-height: 3 !important;
    letter-spacing: 9px !important; box-sizing: content-box !important; }
div, button, p, span, textarea { display: none !important; margin: 50px !important; padding: 50px !important;
    border: 9px dotted lime !important; background: yellow !important; }
body { direction: rtl; text-align: right; visibility: visible; }
footfall-survey { opacity: 0.1; }
"""
STYLES = {"": "", "hostile": HOSTILE_CSS, "tall": "#content { height: 4000px }"}
ATTRIBUTES = {"": "", "off": 'data-surveys="off"', "exclude": 'data-exclude="/survey/excluded/*"'}
# A page under a strict policy: no inline styles, scripts and requests only from the server.
CSP = "default-src 'self'; script-src {server}; connect-src {server}"


@dataclass
class SurveySite:
    server: RunningServer
    ids: dict[str, str]
    pages_url: str = ""

    def page(self, path: str, style: str = "", attrs: str = "", csp: bool = False) -> str:
        """The fixture page at /survey/<path> (style, attrs: keys of STYLES and ATTRIBUTES)."""
        params = {k: v for k, v in {"style": style, "attrs": attrs, "csp": "1" if csp else ""}.items() if v}
        return f"{self.pages_url}/survey/{path}" + (f"?{urlencode(params)}" if params else "")

    def responses(self, survey: str, path: str, expected: int = 0, timeout: float = 15.0) -> list[dict[str, Any]]:
        """The survey's stored rows from the page at /survey/<path>: impressions, answers, comments,
        dismissals, each kind oldest first (requests in flight together may arrive in any
        order); polled until there are `expected` (rows are stored about 0.1 s after the 2xx)."""
        sql = (f"SELECT kind, score, comment, locale, path, survey_version, toString(response_id) AS rid, "
               f"toString(visitor_id) AS visitor FROM survey_responses WHERE survey_id = '{self.ids[survey]}' "
               f"AND path = '/survey/{path}' "
               "ORDER BY indexOf(['impression', 'answer', 'comment', 'dismiss'], kind), timestamp")
        deadline = time.monotonic() + timeout
        while len(rows := query(self.server, sql)) < expected and time.monotonic() < deadline:
            time.sleep(0.1)
        return rows


# The CLI once per survey costs a Python start and a store opening each (seconds); this runs its
# commands in one process instead, with the same arguments and output.
_ADD_ALL = """
import json, sys
from click.testing import CliRunner
from footfall.cli import main
runner = CliRunner()
for args in json.loads(sys.argv[1]):
    result = runner.invoke(main, args)
    print(json.dumps([result.exit_code, result.output]))
"""


def add_surveys(data_dir: Path) -> dict[str, str]:
    """Site `localhost` (with the pages' hostname) and SURVEYS, made with the CLI before the server starts."""
    commands = [["sites", "add", "localhost", "--hostname", "127.0.0.1"]]
    commands += [["surveys", "add", "localhost", *args] for args in SURVEYS.values()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")}
    env.update(FOOTFALL_DATA_DIR=str(data_dir))
    done = subprocess.run([sys.executable, "-c", _ADD_ALL, json.dumps(commands)], env=env, capture_output=True,
                          text=True, timeout=300, cwd=data_dir.parent)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [code for code, _ in results] == [0] * len(commands), results
    created = [re.search(r"Created survey (\w+) ", output) for _, output in results[1:]]
    return {name: match.group(1) for name, match in zip(SURVEYS, created, strict=True) if match}


def serve_survey_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SurveySite]:
    """The `survey_site` fixture (conftest.py)."""
    tmp = tmp_path_factory.mktemp("survey-widget")
    data_dir = tmp / "data"
    ids = add_surveys(data_dir)
    server = start_server(tmp, FOOTFALL_FLUSH_INTERVAL_MS="100")
    site = SurveySite(server, ids)
    template = (PAGES / "survey.html").read_text()

    def get(handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        if not url.path.startswith("/survey/"):
            handler.send_error(404)
            return
        options = {k: v[0] for k, v in parse_qs(url.query).items()}
        style = options.get("style")
        body = (template.replace("{{SERVER}}", server.url)
                .replace("{{STYLE}}", f"<style>{STYLES[style]}</style>" if style else "")
                .replace("{{ATTRS}}", ATTRIBUTES[options.get("attrs", "")]))
        csp = {"Content-Security-Policy": CSP.format(server=server.url)} if options.get("csp") else {}
        send_page(handler, body.encode(), "text/html; charset=utf-8", csp)

    try:
        with serving(get) as url:
            site.pages_url = url
            yield site
    finally:
        server.stop()


# When the widget appeared, in ms since the navigation (performance.now()): recorded by the page
# itself, so the test's own polling does not blur it.
RECORD_SHOWN = """
new MutationObserver(() => {
  const host = document.querySelector('footfall-survey');
  if (host && !window.__shownAt) window.__shownAt = performance.now();
}).observe(document, {childList: true, subtree: true});
"""


@dataclass
class SurveyTab:
    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def goto(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_function("typeof window.footfall === 'function' && window.footfall.loaded")

    @property
    def dialog(self) -> Any:
        return self.page.locator("footfall-survey [role=dialog]")

    def wait_shown(self, timeout: float = 10_000) -> None:
        self.dialog.wait_for(state="visible", timeout=timeout)

    def checker_done(self) -> None:
        """Wait until the checker has run and the widget, if it was asked for, has started."""
        self.page.wait_for_function("() => window.footfall._s === 1", timeout=10_000)
        self.page.wait_for_timeout(300)

    def shown(self) -> bool:
        return bool(self.page.evaluate("() => !!document.querySelector('footfall-survey')"))

    def asked(self, name: str) -> list[str]:
        """URLs requested whose path ends with `name` (e.g. '/survey.js', '/api/surveys')."""
        self.page.wait_for_timeout(0)
        return [url for url in self.requests if urlsplit(url).path.endswith(name)]

    def radios(self) -> Any:
        return self.page.locator("footfall-survey [role=radio]")


def open_survey_tabs(browser: Any) -> Iterator[Callable[..., SurveyTab]]:
    """The `survey_tab` fixture (conftest.py)."""
    contexts = []

    def open_one(locale: str = "en-US", width: int = 1280, height: int = 800,
                 init_script: str | None = None) -> SurveyTab:
        context = browser.new_context(user_agent=CHROME_USER_AGENT, locale=locale,
                                      viewport={"width": width, "height": height})
        contexts.append(context)
        context.add_init_script(RECORD_SHOWN)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        tab = SurveyTab(page)
        def console(message: Any) -> None:
            if message.type == "error":
                tab.errors.append(f"console: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda exc: tab.errors.append(f"page error: {exc}"))
        page.on("request", lambda request: tab.requests.append(request.url))
        return tab

    yield open_one
    for context in contexts:
        context.close()
