"""The sites page, escaping, security headers, static files — in process and over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from dashboard.app import SECURITY_HEADERS, SESSION_COOKIE
from footfall.server import create_app
from footfall.settings import Settings
from pipelines.events import events_batch
from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from pipelines.users import save_user

EMAIL = "admin@localhost"
PASSWORD = "demo-password-123"
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"


def make_settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env(
        {
            "FOOTFALL_DATA_DIR": str(tmp_path / "data"),
            "FOOTFALL_DEMO": "1",
            "FOOTFALL_ADMIN_PASSWORD": PASSWORD,
            "FOOTFALL_SECRET_KEY": "k3y-for-tests-only-0123456789-abcdefghijklmnop",
            **env,
        },
        env_file=None,
    )


@pytest.fixture
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path), store=store), follow_redirects=False) as test_client:
        form = {"email": EMAIL, "password": PASSWORD}
        response = test_client.post("/login", data=form, headers=SAME_ORIGIN)
        assert response.status_code == 303
        yield test_client


def event(site_id: str, when: datetime) -> dict[str, object]:
    return {
        "site_id": site_id,
        "timestamp": when,
        "event_id": str(uuid.uuid4()),
        "event_type": "pageview",
        "event_name": "pageview",
        "visitor_id": 1,
        "session_id": 1,
        "hostname": site_id,
        "path": "/",
    }


def site_card(page: str, name: str) -> str:
    """The `<li>` of the site called `name`."""
    start = page.rindex("<li", 0, page.index(f"<h2>{name}</h2>"))
    return page[start:page.index("</li>", start)]


def test_sites_page_lists_sites_with_snippet_and_no_data_yet(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Demo site" in page.text
    assert "No data yet" in page.text
    # The snippet is shown as text, escaped, with the origin the browser used.
    assert ('&lt;script defer src=&#34;http://testserver/t.js&#34; data-site=&#34;localhost&#34;&gt;'
            '&lt;/script&gt;') in page.text
    assert EMAIL in page.text
    assert '<form method="post" action="/logout"' in page.text


def test_sites_page_counts_events(client: TestClient, store: Store) -> None:
    now = datetime.now(UTC)
    rows = [event("localhost", now - timedelta(minutes=m)) for m in (1, 5, 60)]
    rows += [event("localhost", now - timedelta(days=3)), event("other.example", now)]
    store.insert("events", events_batch(rows))
    save_site(store, Site(site_id="quiet.example", name="Quiet"))
    text = client.get("/").text
    demo, quiet = site_card(text, "Demo site"), site_card(text, "Quiet")
    assert "Receiving data" in demo
    assert "<dd>3</dd>" in demo and "<dd>4</dd>" in demo
    assert "No data yet" in quiet and quiet.count("<dd>0</dd>") == 2
    assert "other.example" not in text  # events of an unregistered site are not a site


def test_large_counts_are_grouped(client: TestClient, store: Store) -> None:
    now = datetime.now(UTC)
    store.insert("events", events_batch([event("localhost", now - timedelta(days=2))] * 1234))
    assert "<dd>1,234</dd>" in client.get("/").text


def test_site_names_are_escaped(client: TestClient, store: Store) -> None:
    save_site(store, Site(site_id="evil.example", name="<script>alert(1)</script>",
                          hostnames=("*.evil.example",)))
    page = client.get("/")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script" not in page.text  # no script element at all: the CSP forbids inline ones


def test_snippet_uses_the_public_base_url(store: Store, tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, FOOTFALL_BASE_URL="https://stats.example.com/"), store=store)
    with TestClient(app, base_url="https://stats.example.com", follow_redirects=False) as client:
        client.post("/login", data={"email": EMAIL, "password": PASSWORD}, headers=SAME_ORIGIN)
        page = client.get("/", headers={"Host": "attacker.example"})
    assert page.status_code == 200
    assert "src=&#34;https://stats.example.com/t.js&#34;" in page.text
    assert "attacker.example" not in page.text


@pytest.mark.parametrize("path", ["/", "/login"])
def test_security_headers_on_pages(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert SECURITY_HEADERS["Content-Security-Policy"] == CSP


def test_signed_in_pages_are_not_cached(client: TestClient) -> None:
    assert client.get("/").headers["cache-control"] == "no-store"


def test_stylesheet_is_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert '<link rel="stylesheet" href="/static/app.css">' in page.text
    assert "//" not in page.text.split("<body>")[0].replace("http://testserver/t.js", "")  # no CDN in <head>
    css = client.get("/static/app.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


def test_empty_store_explains_how_to_add_a_site(store: Store, tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, FOOTFALL_DEMO="0"), store=store)
    save_user(store, EMAIL, PASSWORD, is_admin=True)
    with TestClient(app, follow_redirects=False) as client:
        client.post("/login", data={"email": EMAIL, "password": PASSWORD}, headers=SAME_ORIGIN)
        page = client.get("/")
    assert page.status_code == 200
    assert "footfall sites add example.com" in page.text
    with TestClient(app) as client:
        assert "demo-admin.txt" not in client.get("/login").text  # only demo mode has that file


def test_demo_login_page_says_where_the_password_is(client: TestClient) -> None:
    client.post("/logout", headers=SAME_ORIGIN)
    assert "demo-admin.txt" in client.get("/login").text


@pytest.mark.slow
def test_over_real_http(server: Any) -> None:
    url = server.url
    with httpx.Client(base_url=url, follow_redirects=False, timeout=30) as http:
        assert http.get("/").headers["location"] == "/login?next=%2F"
        refused = http.post("/login", data={"email": EMAIL, "password": PASSWORD},
                            headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403
        response = http.post("/login", data={"email": EMAIL, "password": PASSWORD, "next": "/"},
                             headers={"Origin": url})
        assert response.status_code == 303
        assert "httponly" in response.headers["set-cookie"].lower()
        page = http.get("/")
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == CSP
        assert f"src=&#34;{url}/t.js&#34; data-site=&#34;localhost&#34;" in page.text
        assert http.post("/logout", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
        assert http.post("/logout", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 303
        assert SESSION_COOKIE not in http.cookies
        assert http.get("/").status_code == 302


def test_plotly_is_served_locally_gzipped_and_cached(client: TestClient) -> None:
    from dashboard.pages.assets import PLOTLY_URL

    response = client.get(PLOTLY_URL, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
    assert "immutable" in response.headers["cache-control"]
    assert b"plotly" in response.content[:2000].lower()
    again = client.get(PLOTLY_URL, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_figure_json_cannot_end_its_script_block() -> None:
    import plotly.graph_objects as go

    from dashboard.figures import figure_json, plain

    payload = '</script><img src=x onerror=alert(1)>&amp;'
    text = figure_json(go.Figure(go.Bar(x=[plain(payload)], y=[1])))
    assert "<" not in text and ">" not in text and "&" not in text
    import json

    assert json.loads(text)["data"][0]["x"] == ["&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;"]
