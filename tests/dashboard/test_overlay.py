"""The live-page overlay's server side: signed tokens and `GET /api/overlay` with its CORS rules."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeSerializer
from starlette.testclient import TestClient

from dashboard import overlay
from footfall.server import create_app
from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from tests.dashboard.test_heatmaps import SITE, fill
from tests.dashboard.test_pages import make_settings

KEY = "k3y-for-tests-only-0123456789-abcdefghijklmnop"  # what make_settings configures
TODAY = date.today()


def claims(site_id: str = SITE, page: str = "/pricing", device: str = "desktop", now: float | None = None
           ) -> overlay.Claims:
    return overlay.new_claims(site_id, page, device, TODAY - timedelta(days=29), TODAY + timedelta(days=1), now)


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    fill(store)
    save_site(store, Site("other.example"))
    with TestClient(create_app(make_settings(tmp_path), store=store)) as client:  # no one signed in
        yield client


def get(client: TestClient, token: str, origin: str | None = "https://shop.example") -> Any:
    return client.get("/api/overlay", params={"token": token}, headers={"Origin": origin} if origin else {})


def test_token_round_trip() -> None:
    issued = claims(page="/a b?x=<1>", now=1000)
    token = overlay.make_token(KEY, issued)
    assert overlay.read_token(KEY, token, now=1000 + overlay.TOKEN_SECONDS - 1) == issued
    assert issued.expires == 1000 + overlay.TOKEN_SECONDS


def test_token_expires() -> None:
    token = overlay.make_token(KEY, claims(now=1000))
    with pytest.raises(overlay.ExpiredToken):
        overlay.read_token(KEY, token, now=1000 + overlay.TOKEN_SECONDS)


@pytest.mark.parametrize("change", ["key", "flip", "truncate", "garbage", "empty", "huge", "unsigned"])
def test_forged_or_tampered_tokens_are_refused(change: str) -> None:
    token = overlay.make_token(KEY, claims())
    forged = {
        "key": overlay.make_token("another-key-0123456789-0123456789-abcdef", claims()),
        "flip": token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:],
        "truncate": token[:-5],
        "garbage": "not.a.token",
        "empty": "",
        "huge": token + "A" * 5000,
        # A payload naming another page, signed with nothing we know.
        "unsigned": URLSafeSerializer("guess", salt="footfall.heatmap-overlay").dumps(
            [SITE, "/admin", "desktop", "2020-01-01", "2030-01-01", 2**40]),
    }[change]
    with pytest.raises(overlay.BadToken):
        overlay.read_token(KEY, forged)


def test_api_answers_the_contract_with_cors_for_the_sites_origin(api: TestClient) -> None:
    answer = get(api, overlay.make_token(KEY, claims()))
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://shop.example"
    assert "access-control-allow-credentials" not in answer.headers
    assert answer.headers["cache-control"] == "no-store" and "Origin" in answer.headers["vary"]
    body = answer.json()
    assert set(body) == {"page", "device", "selectors", "rage"}
    assert (body["page"], body["device"]) == ("/pricing", "desktop")
    assert {"selector": "button.buy", "clicks": 3, "share": 0.4286} in body["selectors"]
    assert {"selector": "nav a", "clicks": 1, "share": 0.1429} in body["selectors"]
    assert body["rage"] == [{"selector": '<img src=x onerror=alert(1)></script>"', "clicks": 3}]  # data: JSON
    assert all(set(row) == {"selector", "clicks", "share"} for row in body["selectors"])
    assert set(get(api, overlay.make_token(KEY, claims()), "http://deep.shop.example:8080").headers) >= {
        "access-control-allow-origin"}  # a subdomain the site lists as *.shop.example, any port


def test_device_class_is_part_of_the_token(api: TestClient) -> None:
    body = get(api, overlay.make_token(KEY, claims(device="mobile"))).json()
    assert [row["selector"] for row in body["selectors"]] == ["a.mobile-menu"] and body["rage"] == []


def test_other_origins_get_no_cors_and_no_data(api: TestClient) -> None:
    for origin in ("https://evil.example", "https://shop.example.evil.example", "null", "https://other.example",
                   "javascript://shop.example", "https://shop.example@evil.example"):
        answer = get(api, overlay.make_token(KEY, claims()), origin)
        assert answer.status_code == 403, origin
        assert "access-control-allow-origin" not in answer.headers
        assert "selectors" not in answer.json()


def test_token_for_another_site_does_not_open_this_one(api: TestClient) -> None:
    """A token names its site: one made for other.example shows nothing of shop.example, and
    from shop.example's pages it is refused."""
    token = overlay.make_token(KEY, claims(site_id="other.example"))
    assert get(api, token).status_code == 403
    answer = get(api, token, "https://other.example")
    assert answer.status_code == 200 and answer.json()["selectors"] == []


def test_no_origin_gets_data_without_cors(api: TestClient) -> None:
    answer = get(api, overlay.make_token(KEY, claims()), origin=None)
    assert answer.status_code == 200 and "access-control-allow-origin" not in answer.headers


def test_expired_token_is_401_and_readable_by_the_site(api: TestClient) -> None:
    token = overlay.make_token(KEY, claims(now=time.time() - overlay.TOKEN_SECONDS - 1))
    answer = get(api, token)
    assert answer.status_code == 401 and "expired" in answer.json()["error"]
    assert answer.headers["access-control-allow-origin"] == "https://shop.example"


def test_tampered_token_is_403_json(api: TestClient) -> None:
    token = overlay.make_token(KEY, claims())
    answer = get(api, token[:-2] + "xx")
    assert answer.status_code == 403 and answer.json() == {"error": "invalid token"}
    assert "access-control-allow-origin" not in answer.headers
    assert get(api, "").status_code == 403


def test_removed_site_is_404(api: TestClient) -> None:
    assert get(api, overlay.make_token(KEY, claims(site_id="gone.example"))).status_code == 404


def test_weak_secret_gets_a_random_key(store: Store, tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, FOOTFALL_SECRET_KEY="short"), store=store)
    key = overlay.signing_key(app)
    assert key != "short" and len(key) >= 40 and overlay.signing_key(app) == key


def test_live_url() -> None:
    site = Site("shop.example")
    assert overlay.live_url(site, "/a b", "TOKEN") == "https://shop.example/a%20b#ff-overlay=TOKEN"
    assert overlay.live_url(Site("localhost"), "/", "T").startswith("http://localhost/#")
    assert overlay.live_url(site, "/p?q=1&r=%3C", "T") == "https://shop.example/p?q=1&r=%3C#ff-overlay=T"
    assert '"' not in overlay.live_url(site, '/x"><script>', "T")
