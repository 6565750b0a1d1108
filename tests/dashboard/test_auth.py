"""Signing in and out, the session cookie, the slow-down and CSRF — against a real embedded store."""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import itsdangerous
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from dashboard.app import SESSION_COOKIE
from dashboard.auth import LoginThrottle, safe_next
from dashboard.csrf import EXEMPT_PREFIXES, CSRFMiddleware
from footfall.server import create_app
from footfall.settings import Settings
from pipelines.store.base import Store
from pipelines.users import save_user

EMAIL = "admin@localhost"
PASSWORD = "demo-password-123"
SECRET = "k3y-for-tests-only-0123456789-abcdefghijklmnop"
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def make_settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env(
        {
            "FOOTFALL_DATA_DIR": str(tmp_path / "data"),
            "FOOTFALL_DEMO": "1",
            "FOOTFALL_ADMIN_PASSWORD": PASSWORD,
            "FOOTFALL_SECRET_KEY": SECRET,
            **env,
        },
        env_file=None,
    )


@pytest.fixture
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path), store=store), follow_redirects=False) as test_client:
        yield test_client


def sign_in(
    client: TestClient, email: str = EMAIL, password: str = PASSWORD, next_url: str | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    form = {"email": email, "password": password}
    if next_url is not None:
        form["next"] = next_url
    return client.post("/login", data=form, headers=SAME_ORIGIN if headers is None else headers)


def session_of(cookie: str) -> dict[str, Any]:
    data = itsdangerous.TimestampSigner(SECRET).unsign(cookie.encode())
    return dict(json.loads(b64decode(data)))


def forged_cookie(session: dict[str, Any]) -> str:
    return itsdangerous.TimestampSigner(SECRET).sign(b64encode(json.dumps(session).encode())).decode()


def test_anonymous_home_redirects_to_login(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=%2F"
    page = client.get("/login?next=/")
    assert page.status_code == 200
    assert '<form method="post" action="/login"' in page.text
    assert SESSION_COOKIE not in page.headers.get("set-cookie", "")


@pytest.mark.parametrize("email", [EMAIL, "nobody@localhost"])
def test_wrong_credentials_get_one_generic_answer_and_no_session(client: TestClient, email: str) -> None:
    response = sign_in(client, email=email, password="not-the-password")
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text
    assert "set-cookie" not in response.headers
    assert client.get("/").status_code == 302


def test_right_password_sets_a_hardened_session_cookie(client: TestClient) -> None:
    response = sign_in(client, next_url="/")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # FOOTFALL_BASE_URL is not https here
    session = session_of(client.cookies[SESSION_COOKIE])
    assert session["email"] == EMAIL
    assert set(session) == {"user_id", "email", "nonce", "pw"}
    home = client.get("/")
    assert home.status_code == 200
    assert "localhost" in home.text


def test_https_base_url_makes_the_cookie_secure(store: Store, tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, FOOTFALL_BASE_URL="https://stats.example.com"), store=store)
    with TestClient(app, base_url="https://stats.example.com", follow_redirects=False) as https_client:
        response = sign_in(https_client)
    assert response.status_code == 303
    assert "secure" in [part.strip().lower() for part in response.headers["set-cookie"].split(";")]


def test_session_rotates_at_sign_in(client: TestClient) -> None:
    # A session planted before sign-in (fixation) does not survive it ...
    planted = forged_cookie({"planted": "by-attacker", "nonce": "fixed"})
    client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    response = sign_in(client)
    assert planted in response.request.headers["cookie"]
    first = client.cookies[SESSION_COOKIE]
    assert first != planted
    assert "planted" not in session_of(first)
    assert session_of(first)["nonce"] != "fixed"
    # ... and signing in again while signed in issues a new session too.
    sign_in(client)
    second = client.cookies[SESSION_COOKIE]
    assert second != first
    assert session_of(second)["nonce"] != session_of(first)["nonce"]


def test_tampered_or_foreign_cookies_do_not_sign_in(client: TestClient) -> None:
    sign_in(client)
    session = session_of(client.cookies[SESSION_COOKIE])
    client.cookies.clear()
    foreign = itsdangerous.TimestampSigner("another-secret-key-of-sufficient-length-000")
    tampered = forged_cookie(session)[:-2] + "xx"
    for cookie in (tampered, foreign.sign(b64encode(json.dumps(session).encode())).decode()):
        response = client.get("/", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
        assert cookie in response.request.headers["cookie"]
        assert response.status_code == 302
    # The untampered cookie does sign in (the checks above refuse for the right reason).
    genuine = forged_cookie(session)
    assert client.get("/", headers={"Cookie": f"{SESSION_COOKIE}={genuine}"}).status_code == 200


def test_a_new_password_ends_existing_sessions(client: TestClient, store: Store) -> None:
    sign_in(client)
    assert client.get("/").status_code == 200
    save_user(store, EMAIL, "a-brand-new-password")
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["location"].startswith("/login")


def test_logout_is_post_only_and_refuses_cross_site_requests(client: TestClient) -> None:
    sign_in(client)
    assert client.get("/logout").status_code == 405
    for headers in (
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.testserver"},
    ):
        response = client.post("/logout", headers=headers)
        assert response.status_code == 403, headers
        assert "set-cookie" not in response.headers
    assert client.get("/").status_code == 200  # still signed in


@pytest.mark.parametrize(
    "headers", [SAME_ORIGIN, {"Origin": "http://testserver"}, {"Referer": "http://testserver/"}],
)
def test_logout_from_our_own_page_signs_out(client: TestClient, headers: dict[str, str]) -> None:
    sign_in(client)
    response = client.post("/logout", headers=headers)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert response.headers["set-cookie"].startswith(f"{SESSION_COOKIE}=null;")
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/").status_code == 302


def test_cross_site_sign_in_is_refused(client: TestClient) -> None:
    response = sign_in(client, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_collector_and_api_paths_are_exempt(client: TestClient) -> None:
    assert EXEMPT_PREFIXES == ("/api/",)
    beacon = client.post(
        "/api/event",
        content=json.dumps({"n": "pageview", "u": "http://localhost/", "s": "localhost"}),
        headers={"Origin": "https://some-customer.example", "Sec-Fetch-Site": "cross-site",
                 "Content-Type": "text/plain"},
    )
    assert beacon.status_code == 202
    sql = client.post("/api/admin/sql", json={"sql": "SELECT 1"}, headers={"Origin": "https://evil.example"})
    assert sql.status_code == 401  # refused by its own bearer-token check, not by CSRF


def test_repeated_failures_slow_down_sign_in(client: TestClient) -> None:
    for _ in range(5):
        assert sign_in(client, password="wrong-password").status_code == 401
    response = sign_in(client, password="wrong-password")
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 15 * 60
    assert "Too many failed sign-ins" in response.text
    # The right password is refused too while the pair is throttled: no guessing through it.
    blocked = sign_in(client)
    assert blocked.status_code == 429
    assert "set-cookie" not in blocked.headers
    # Another e-mail from the same address is not affected.
    assert sign_in(client, email="someone@localhost", password="wrong-password").status_code == 401


def test_throttle_window_slides_and_success_clears() -> None:
    throttle = LoginThrottle(max_failures=3, window=60)
    for t in (0.0, 10.0, 20.0):
        assert throttle.retry_after("A@x", "1.2.3.4", now=t) == 0
        throttle.failed("a@x", "1.2.3.4", now=t)
    assert throttle.retry_after("a@x", "1.2.3.4", now=30.0) == 30
    assert throttle.retry_after("a@x", "5.6.7.8", now=30.0) == 0
    assert throttle.retry_after("a@x", "1.2.3.4", now=60.0) == 0  # the first failure left the window
    throttle.failed("a@x", "1.2.3.4", now=61.0)
    assert throttle.retry_after("a@x", "1.2.3.4", now=61.0) > 0
    throttle.succeeded("a@x", "1.2.3.4")
    assert throttle.retry_after("a@x", "1.2.3.4", now=61.0) == 0


def test_throttle_memory_is_bounded() -> None:
    throttle = LoginThrottle(max_failures=2, window=60, max_keys=100)
    for i in range(1000):
        throttle.failed(f"user{i}@x", "1.2.3.4", now=float(i) / 100)
    assert len(throttle._failures) <= 100
    throttle.failed("user999@x", "1.2.3.4", now=10.0)
    assert throttle.retry_after("user999@x", "1.2.3.4", now=10.0) > 0


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
     "javascript:alert(1)", "http:/evil.example", "evil.example", "", None, "/" + "a" * 3000],
)
def test_next_never_leaves_the_site(target: str | None) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/", "/sites/localhost?period=7d", "/a/b#c"])
def test_next_keeps_local_paths(target: str) -> None:
    assert safe_next(target) == target


def test_next_from_the_login_form_is_checked(client: TestClient) -> None:
    response = sign_in(client, next_url="https://evil.example")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = client.get("/login", params={"next": "//evil.example"})
    assert page.status_code in (200, 303)
    assert "evil.example" not in page.text and "evil.example" not in page.headers.get("location", "")


def test_next_brings_you_back_after_sign_in(client: TestClient) -> None:
    response = sign_in(client, next_url="/?tab=sites")
    assert response.headers["location"] == "/?tab=sites"
    # Already signed in: the login page sends you on.
    again = client.get("/login", params={"next": "/?tab=sites"})
    assert again.status_code == 303 and again.headers["location"] == "/?tab=sites"


# The middleware on its own, in a tiny app.

async def changed(request: Request) -> PlainTextResponse:
    return PlainTextResponse("changed")


def tiny_client(**options: Any) -> TestClient:
    app = Starlette(routes=[Route("/thing", changed, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
                            Route("/api/hook", changed, methods=["POST"])])
    return TestClient(CSRFMiddleware(app, **options), base_url="http://app.example:8000")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_csrf_checks_every_state_changing_method(method: str) -> None:
    client = tiny_client()
    assert client.request(method, "/thing").status_code == 403
    assert client.request(method, "/thing", headers={"Sec-Fetch-Site": "none"}).status_code == 200
    assert client.request(method, "/thing", headers={"Origin": "http://app.example:8000"}).status_code == 200
    assert client.request(method, "/thing", headers={"Origin": "http://app.example:9999"}).status_code == 403


def test_csrf_leaves_reads_and_exempt_paths_alone() -> None:
    client = tiny_client()
    assert client.get("/thing", headers={"Origin": "https://evil.example"}).status_code == 200
    assert client.post("/api/hook", headers={"Origin": "https://evil.example"}).status_code == 200


def test_csrf_trusts_the_public_origin_behind_a_proxy() -> None:
    client = tiny_client(trusted_hosts=("stats.example.com",))
    assert client.post("/thing", headers={"Origin": "https://stats.example.com"}).status_code == 200
    assert client.post("/thing", headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/thing", headers={"Origin": "https://user@stats.example.com"}).status_code == 403
