"""Site settings, adding and removing sites, members and API tokens — on real chDB, through the
real middleware (CSRF, sessions), for admins, owners, viewers and strangers; and the live "has
this site sent data yet?" check in real Chromium."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from footfall.server import create_app
from pipelines.events import events_batch
from pipelines.members import Role, grant, members
from pipelines.migrate import migrate
from pipelines.sites import Site, get_site, save_site
from pipelines.store.base import Store
from pipelines.store.embedded import EmbeddedStore
from pipelines.tokens import create_token, find_token, list_tokens
from pipelines.users import save_user
from tests.conftest import start_server
from tests.dashboard.conftest import Tab, sign_in
from tests.dashboard.test_pages import EMAIL, PASSWORD, SAME_ORIGIN, make_settings

OWNER, VIEWER, STRANGER = "owner@example.com", "viewer@example.com", "stranger@example.com"
USER_PASSWORD = "user-password-123"
CROSS_SITE = {"Sec-Fetch-Site": "cross-site"}


@pytest.fixture(scope="module")
def shared(chdb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store]]:
    """One store and app for the module (each test uses sites of its own): a fresh one per test
    costs seconds."""
    store = EmbeddedStore(chdb_dir, f"t_{uuid.uuid4().hex[:12]}")
    migrate(store)
    for email in (OWNER, VIEWER, STRANGER):
        save_user(store, email, USER_PASSWORD)
    app = create_app(make_settings(tmp_path_factory.mktemp("settings")), store=store)
    with TestClient(app, follow_redirects=False) as client:
        yield client, store
    store.command(f"DROP DATABASE IF EXISTS {store.database}")
    store.close()


@pytest.fixture
def store(shared: tuple[TestClient, Store]) -> Store:
    return shared[1]


@pytest.fixture
def site(store: Store) -> str:
    """A fresh site with OWNER as owner and VIEWER as viewer."""
    site_id = f"s{uuid.uuid4().hex[:8]}.example"
    save_site(store, Site(site_id, name="Shop", timezone="Asia/Ho_Chi_Minh"))
    grant(store, site_id, user_id(store, OWNER), Role.OWNER)
    grant(store, site_id, user_id(store, VIEWER), Role.VIEWER)
    return site_id


@pytest.fixture
def as_user(shared: tuple[TestClient, Store]) -> Callable[[str], TestClient]:
    def sign_in_as(email: str) -> TestClient:
        client = shared[0]
        client.cookies.clear()
        password = PASSWORD if email == EMAIL else USER_PASSWORD
        response = client.post("/login", data={"email": email, "password": password}, headers=SAME_ORIGIN)
        assert response.status_code == 303
        return client

    return sign_in_as


def post(client: TestClient, path: str, **form: str) -> Any:
    return client.post(path, data=form, headers=SAME_ORIGIN)


SETTINGS = {"name": "Shop", "hostnames": "", "timezone": "Asia/Ho_Chi_Minh", "ip_storage": "none",
            "retention_days": "0"}


def test_owner_sees_settings(as_user: Callable[[str], TestClient], site: str) -> None:
    page = as_user(OWNER).get(f"/s/{site}/settings")
    assert page.status_code == 200
    assert '<option value="Asia/Ho_Chi_Minh" selected>' in page.text
    assert f"data-site=&#34;{site}&#34;&gt;&lt;/script&gt;" in page.text  # the snippet, as text
    assert '<script src="/static/site_settings.js" defer></script>' in page.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), "no inline scripts"
    assert re.search(r'id="site-status"[^>]*data-url="/s/' + re.escape(site) + '/settings/status"', page.text)
    assert VIEWER in page.text and OWNER in page.text


def test_save_settings(as_user: Callable[[str], TestClient], store: Store, site: str) -> None:
    client = as_user(OWNER)
    form = {**SETTINGS, "name": "Shop <b>VN</b>", "hostnames": f"*.{site.upper()}\nblog.{site}, www.other.example",
            "timezone": "Europe/Berlin", "cookieless": "1", "respect_dnt": "1", "ip_storage": "truncated",
            "retention_days": "30"}
    response = post(client, f"/s/{site}/settings", **form)
    assert response.status_code == 303 and response.headers["location"] == f"/s/{site}/settings?done=saved"
    saved = get_site(store, site)
    assert saved == Site(site, "Shop <b>VN</b>", (f"*.{site}", f"blog.{site}", "other.example"), "Europe/Berlin",
                         True, True, "truncated", 30)
    page = client.get(response.headers["location"]).text
    assert "Settings saved." in page and "Shop &lt;b&gt;VN&lt;/b&gt;" in page
    assert "data-site=&#34;" + site + "&#34; data-cookieless data-respect-dnt&gt;" in page


def test_bad_settings_are_named_and_nothing_is_saved(as_user: Callable[[str], TestClient], store: Store,
                                                     site: str) -> None:
    client = as_user(OWNER)
    form = {**SETTINGS, "hostnames": "good.example\nbad_host!", "timezone": "Mars/Olympus",
            "ip_storage": "all", "retention_days": "-1"}
    response = client.post(f"/s/{site}/settings", data=form, headers={**SAME_ORIGIN, "Accept-Language": "vi"})
    assert response.status_code == 400
    assert "bad_host! không phải là tên máy chủ" in response.text
    assert "Hãy chọn múi giờ trong danh sách." in response.text
    assert "Hãy chọn cách lưu địa chỉ IP." in response.text
    assert "Thời gian lưu phải là số ngày nguyên" in response.text
    assert get_site(store, site) == Site(site, "Shop", (), "Asia/Ho_Chi_Minh")


def test_viewers_get_403_and_strangers_404(as_user: Callable[[str], TestClient], site: str) -> None:
    posts = ["", "/remove", "/members", "/members/role", "/members/remove", "/tokens", "/tokens/revoke"]
    for email, status in ((VIEWER, 403), (STRANGER, 404)):
        client = as_user(email)
        assert client.get(f"/s/{site}/settings").status_code == status, email
        assert client.get(f"/s/{site}/settings/status").status_code == status, email
        for path in posts:
            assert post(client, f"/s/{site}/settings{path}", confirm=site).status_code == status, (email, path)
        assert client.get("/sites/new").status_code == 403
    assert as_user(VIEWER).get(f"/s/{site}/export/pages.csv").status_code == 200  # viewers still export


def test_cross_site_posts_are_refused(as_user: Callable[[str], TestClient], store: Store, site: str) -> None:
    client = as_user(EMAIL)
    for headers in (CROSS_SITE, {"Origin": "https://evil.example"}, {}):
        response = client.post(f"/s/{site}/settings/remove", data={"confirm": site}, headers=headers)
        assert response.status_code == 403, headers
        response = client.post(f"/s/{site}/settings", data={**SETTINGS, "name": "Pwned"}, headers=headers)
        assert response.status_code == 403, headers
    assert get_site(store, site) == Site(site, "Shop", (), "Asia/Ho_Chi_Minh")


def test_status_says_when_data_arrives(as_user: Callable[[str], TestClient], store: Store, site: str) -> None:
    client = as_user(OWNER)
    assert client.get(f"/s/{site}/settings/status").json() == {"receiving": False, "last_24h": 0, "total": 0}
    event = {"site_id": site, "timestamp": datetime.now(UTC), "event_id": str(uuid.uuid4()), "event_type": "pageview",
             "event_name": "pageview", "visitor_id": 1, "session_id": 1, "hostname": site, "path": "/"}
    store.insert("events", events_batch([event]))
    response = client.get(f"/s/{site}/settings/status")
    assert response.json() == {"receiving": True, "last_24h": 1, "total": 1}
    assert response.headers["cache-control"] == "no-store"


def test_admins_add_sites(as_user: Callable[[str], TestClient], store: Store) -> None:
    client = as_user(EMAIL)
    assert '<option value="UTC" selected>' in client.get("/sites/new").text
    new_id = f"n{uuid.uuid4().hex[:8]}.example"
    for bad in ("", "not a host", "*.wild.example", "x" * 300):
        assert post(client, "/sites/new", site_id=bad, timezone="UTC").status_code == 400, bad
    assert post(client, "/sites/new", site_id=new_id, timezone="Nowhere/City").status_code == 400
    response = post(client, "/sites/new", site_id=f"https://WWW.{new_id}/", name="Nouveau", timezone="Asia/Shanghai")
    assert response.status_code == 303 and response.headers["location"] == f"/s/{new_id}/settings?done=added"
    assert get_site(store, new_id) == Site(new_id, "Nouveau", (), "Asia/Shanghai")
    again = post(client, "/sites/new", site_id=new_id, timezone="UTC")
    assert again.status_code == 400 and "A site with this id already exists." in again.text
    assert 'href="/sites/new"' in client.get("/").text
    owner = as_user(OWNER)
    assert post(owner, "/sites/new", site_id="mine.example", timezone="UTC").status_code == 403
    assert 'href="/sites/new"' not in owner.get("/").text


def test_removing_a_site_needs_its_id_typed(as_user: Callable[[str], TestClient], store: Store, site: str) -> None:
    client = as_user(OWNER)
    token = create_token(store, site)
    wrong = post(client, f"/s/{site}/settings/remove", confirm="yes")
    assert wrong.status_code == 400 and "exactly as shown" in wrong.text
    assert get_site(store, site) is not None
    done = post(client, f"/s/{site}/settings/remove", confirm=f" {site.upper()} ")
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert get_site(store, site) is None and find_token(store, token) is None
    assert client.get(f"/s/{site}/settings").status_code == 404


def user_id(store: Store, email: str) -> str:
    return next(str(m["user_id"]) for m in store.query(
        "SELECT toString(user_id) AS user_id FROM users FINAL WHERE email = {e:String}", {"e": email}))


def roles(store: Store, site: str) -> dict[str, str]:
    return {m["email"]: m["role"] for m in members(store, site)}


def test_members(as_user: Callable[[str], TestClient], store: Store, site: str) -> None:
    client = as_user(OWNER)
    unknown = post(client, f"/s/{site}/settings/members", email="nobody@example.com", role="viewer")
    assert unknown.status_code == 400 and "No user has this e-mail." in unknown.text
    assert post(client, f"/s/{site}/settings/members", email=STRANGER, role="boss").status_code == 400
    assert post(client, f"/s/{site}/settings/members", email=STRANGER.upper(), role="viewer").status_code == 303
    assert roles(store, site) == {OWNER: "owner", VIEWER: "viewer", STRANGER: "viewer"}
    owner = user_id(store, OWNER)
    # The last owner may neither leave nor become a viewer.
    for path, form in (("/members/remove", {}), ("/members/role", {"role": "viewer"})):
        refused = post(client, f"/s/{site}/settings{path}", user_id=owner, **form)
        assert refused.status_code == 400 and "A site needs an owner" in refused.text
    stranger = user_id(store, STRANGER)
    assert post(client, f"/s/{site}/settings/members/role", user_id=stranger, role="owner").status_code == 303
    left = post(client, f"/s/{site}/settings/members/remove", user_id=owner)
    assert left.status_code == 303 and left.headers["location"] == "/"
    assert roles(store, site) == {VIEWER: "viewer", STRANGER: "owner"}
    assert client.get(f"/s/{site}/settings").status_code == 404
    admin = as_user(EMAIL)  # admins own every site, so they may remove the last owner
    assert post(admin, f"/s/{site}/settings/members/remove", user_id=stranger).status_code == 303
    assert post(admin, f"/s/{site}/settings/members/remove", user_id=str(uuid.uuid4())).status_code == 400
    assert roles(store, site) == {VIEWER: "viewer"}


def test_tokens(as_user: Callable[[str], TestClient], store: Store, site: str) -> None:
    client = as_user(OWNER)
    created = post(client, f"/s/{site}/settings/tokens", name="<i>report</i>", scope="stats:read")
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    token = re.search(r'id="new-token">(ff_[A-Za-z0-9_-]+)</code>', created.text)
    assert token, created.text
    assert "&lt;i&gt;report&lt;/i&gt;" in created.text
    page = client.get(f"/s/{site}/settings").text
    assert token.group(1) not in page and token.group(1)[:10] + "…" in page  # shown once, then by prefix
    api = f"/api/v1/stats/aggregate?site_id={site}"
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    assert client.get(api, headers=bearer).status_code == 200
    assert post(client, f"/s/{site}/settings/tokens", scope="admin").status_code == 400
    # Another site's token cannot be revoked from here, even by its prefix.
    other = f"o{uuid.uuid4().hex[:8]}.example"
    save_site(store, Site(other))
    theirs = create_token(store, other)
    assert post(client, f"/s/{site}/settings/tokens/revoke", prefix=theirs[:10]).status_code == 400
    assert find_token(store, theirs) is not None
    revoked = post(client, f"/s/{site}/settings/tokens/revoke", prefix=token.group(1)[:10])
    assert revoked.status_code == 303 and revoked.headers["location"].endswith("?done=token_revoked")
    assert list_tokens(store, site) == []
    assert client.get(api, headers=bearer).status_code == 401


@pytest.mark.browser
def test_live_check_turns_green_when_the_first_event_arrives(tmp_path: Path, open_tab: Callable[..., Tab]) -> None:
    server = start_server(tmp_path, sites=(("live.example",),))
    try:
        tab = open_tab(locale="zh-CN")
        sign_in(tab, server.url)
        tab.page.goto(f"{server.url}/s/live.example/settings")
        status = tab.page.locator("#site-status")
        status.and_(tab.page.locator("[data-state=waiting]")).wait_for(timeout=10_000)
        assert status.text_content() == "暂无数据：正在等待第一个事件…"
        event = {"n": "pageview", "u": "https://live.example/", "s": "live.example"}
        ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
        sent = httpx.post(f"{server.url}/api/event", json=event, headers={"User-Agent": ua})
        assert sent.status_code < 300, sent.text
        status.and_(tab.page.locator("[data-state=receiving]")).wait_for(timeout=20_000)
        assert status.text_content() == "正在接收数据"
        assert not tab.problems(), tab.problems()
    finally:
        server.stop()
