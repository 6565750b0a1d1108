"""Access control on every dashboard route, for everyone who can ask.

`RULES` names who may use each route; a test fails when a route is added without a rule, so a
new page cannot ship unchecked. Then, per route: an anonymous visitor is sent to sign in (pages)
or gets 401 (API); a viewer of site A asking about site B gets 404 (B's existence does not leak);
a viewer gets 403 where an owner is needed; owners and admins get through. Token routes: no
token 401, another site's token 403, the site's own token 200.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

import dashboard.app
from dashboard import screenshots
from footfall.server import create_app
from pipelines.members import Role, grant
from pipelines.migrate import migrate
from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from pipelines.store.embedded import EmbeddedStore
from pipelines.surveys import SurveyDefinition, save_survey
from pipelines.tokens import create_token
from pipelines.users import save_user
from tests.dashboard.test_pages import EMAIL, PASSWORD, SAME_ORIGIN, make_settings

SITE_A, SITE_B = "a.example", "b.example"
USER_PASSWORD = "a-long-password-1"

PUBLIC, USER, ADMIN, VIEWER, OWNER, TOKEN, OVERLAY = "public", "user", "admin", "viewer", "owner", "token", "overlay"
RULES: dict[tuple[str, str], str] = {
    ("GET", "/vendor/plotly-{version}.min.js"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/overlay"): OVERLAY,
    ("GET", "/"): USER,
    ("GET", "/account"): USER,
    ("POST", "/account/language"): USER,
    ("POST", "/account/password"): USER,
    ("GET", "/sites/new"): ADMIN,
    ("POST", "/sites/new"): ADMIN,
    ("GET", "/s/{site_id}"): VIEWER,
    ("GET", "/s/{site_id}/realtime"): VIEWER,
    ("GET", "/s/{site_id}/realtime.json"): VIEWER,
    ("GET", "/s/{site_id}/retention"): VIEWER,
    ("GET", "/s/{site_id}/heatmaps"): VIEWER,
    ("GET", "/s/{site_id}/heatmaps/screenshot"): VIEWER,
    ("POST", "/s/{site_id}/heatmaps/screenshot"): OWNER,
    ("GET", "/s/{site_id}/export/{panel}.csv"): VIEWER,
    ("GET", "/s/{site_id}/surveys"): VIEWER,
    ("GET", "/s/{site_id}/surveys/{survey_id}"): VIEWER,
    ("GET", "/s/{site_id}/surveys/new"): OWNER,
    ("POST", "/s/{site_id}/surveys/new"): OWNER,
    ("GET", "/s/{site_id}/surveys/{survey_id}/edit"): VIEWER,  # read-only for viewers; saving needs an owner
    ("POST", "/s/{site_id}/surveys/{survey_id}/edit"): OWNER,
    ("POST", "/s/{site_id}/surveys/{survey_id}/status"): OWNER,
    ("GET", "/s/{site_id}/settings"): OWNER,
    ("POST", "/s/{site_id}/settings"): OWNER,
    ("GET", "/s/{site_id}/settings/status"): OWNER,
    ("POST", "/s/{site_id}/settings/remove"): OWNER,
    ("POST", "/s/{site_id}/settings/members"): OWNER,
    ("POST", "/s/{site_id}/settings/members/role"): OWNER,
    ("POST", "/s/{site_id}/settings/members/remove"): OWNER,
    ("POST", "/s/{site_id}/settings/tokens"): OWNER,
    ("POST", "/s/{site_id}/settings/tokens/revoke"): OWNER,
    ("GET", "/api/v1/stats/aggregate"): TOKEN,
    ("GET", "/api/v1/stats/timeseries"): TOKEN,
    ("GET", "/api/v1/stats/breakdown"): TOKEN,
    ("GET", "/api/v1/stats/realtime"): TOKEN,
    ("GET", "/api/v1/surveys/{survey_id}/results"): TOKEN,
}
# Query strings some routes need to answer 200 for someone allowed.
QUERIES = {"/api/v1/stats/breakdown": "&property=source",
           "/s/{site_id}/heatmaps/screenshot": "?page=/&device_class=desktop"}


def app_routes() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in dashboard.app.routes():
        assert isinstance(route, Route)
        path = re.sub(r"/vendor/plotly-[^/]+\.min\.js", "/vendor/plotly-{version}.min.js", route.path)
        found.update((method, path) for method in route.methods or () if method != "HEAD")
    return found


def test_every_route_has_a_rule() -> None:
    routes = app_routes()
    assert not routes - RULES.keys(), f"add an access rule to RULES for {sorted(routes - RULES.keys())}"
    assert not RULES.keys() - routes, f"RULES names routes that do not exist: {sorted(RULES.keys() - routes)}"


def tiny_png() -> bytes:
    """A valid 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + \
        chunk(b"IEND", b"")


class World:
    """Two sites, each with a survey; an admin, an owner and a viewer of B, a viewer of A."""

    def __init__(self, store: Store, tmp_path: Path) -> None:
        self.store = store
        settings = make_settings(tmp_path)
        self.app = create_app(settings, store=store)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        screenshots.save(settings.data_dir, SITE_B, "/", "desktop", screenshots.checked(tiny_png()))
        for site_id in (SITE_A, SITE_B):
            save_site(store, Site(site_id))
        self.surveys = {site: save_survey(store, site, SurveyDefinition("csat")).survey_id for site in (SITE_A, SITE_B)}
        self.tokens = {site: create_token(store, site) for site in (SITE_A, SITE_B)}
        save_user(store, EMAIL, PASSWORD, is_admin=True)
        people = (("owner-b@x.example", SITE_B, Role.OWNER), ("viewer-b@x.example", SITE_B, Role.VIEWER),
                  ("viewer-a@x.example", SITE_A, Role.VIEWER))
        for email, site, role in people:
            grant(store, site, save_user(store, email, USER_PASSWORD).user_id, role)
        save_user(store, "nobody@x.example", USER_PASSWORD)

    def client(self, email: str | None) -> TestClient:
        client = TestClient(self.app, follow_redirects=False, headers=SAME_ORIGIN)
        if email is not None:
            password = PASSWORD if email == EMAIL else USER_PASSWORD
            assert client.post("/login", data={"email": email, "password": password}).status_code == 303
        return client

    def url(self, path: str, site: str = SITE_B, survey_site: str | None = None) -> str:
        filled = path.replace("{site_id}", site).replace("{panel}", "sources")
        filled = filled.replace("{survey_id}", self.surveys[survey_site or site])
        query = QUERIES.get(path, "")
        if path.startswith("/api/v1/"):
            return f"{filled}?site_id={site}{query}"
        return filled + query


@pytest.fixture(scope="module")
def world(chdb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    store = EmbeddedStore(chdb_dir, "access_" + tmp_path_factory.mktemp("access").name.replace("-", "_"))
    migrate(store)
    built = World(store, tmp_path_factory.mktemp("access-app"))
    with TestClient(built.app):  # runs the lifespan (collector, runtime) once
        yield built
    store.close()


@pytest.fixture(scope="module")
def clients(world: World) -> dict[str, TestClient]:
    people = {"anonymous": None, "admin": EMAIL, "owner-b": "owner-b@x.example", "viewer-b": "viewer-b@x.example",
              "viewer-a": "viewer-a@x.example", "nobody": "nobody@x.example"}
    return {name: world.client(email) for name, email in people.items()}


def ask(client: TestClient, method: str, url: str) -> int:
    return client.request(method, url, data={} if method == "POST" else None).status_code


SITE_ROUTES = sorted(key for key, rule in RULES.items() if rule in (VIEWER, OWNER))


@pytest.mark.parametrize(("method", "path"), SITE_ROUTES)
def test_site_routes(world: World, clients: dict[str, TestClient], method: str, path: str) -> None:
    rule = RULES[(method, path)]
    url = world.url(path)
    anonymous = clients["anonymous"].request(method, url, data={} if method == "POST" else None)
    if path.endswith(".json"):  # data for a page's script: no redirect, a plain refusal
        assert anonymous.status_code == 401, url
    else:
        assert anonymous.status_code == 302 and anonymous.headers["location"].startswith("/login"), url
    assert ask(clients["viewer-a"], method, url) == 404, f"a viewer of A must not see {url}"
    assert ask(clients["nobody"], method, url) == 404, f"a user without sites must not see {url}"
    viewer = ask(clients["viewer-b"], method, url)
    if rule == OWNER:
        assert viewer == 403, f"a viewer must not {method} {url}"
    else:
        assert viewer == 200, f"a viewer may {method} {url}"
    for owner in ("owner-b", "admin"):
        status = ask(clients[owner], method, url)
        assert status not in (401, 403, 404) and status < 500, f"{owner}: {method} {url} → {status}"


@pytest.mark.parametrize("path", [p for (m, p), rule in RULES.items() if "{survey_id}" in p and m == "GET"
                                  and rule in (VIEWER, OWNER)])
def test_another_sites_survey_is_not_found_under_ones_own_site(world: World, clients: dict[str, TestClient],
                                                                path: str) -> None:
    url = world.url(path, site=SITE_B, survey_site=SITE_A)  # B's pages, A's survey id
    assert ask(clients["owner-b"], "GET", url) == 404


@pytest.mark.parametrize(("method", "path"), sorted(key for key, rule in RULES.items() if rule == USER))
def test_signed_in_routes(world: World, clients: dict[str, TestClient], method: str, path: str) -> None:
    anonymous = clients["anonymous"].request(method, path, data={} if method == "POST" else None)
    assert anonymous.status_code == 302 and anonymous.headers["location"].startswith("/login")
    assert ask(clients["viewer-a"], method, path) < 500
    assert ask(clients["viewer-a"], method, path) not in (401, 403, 404)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_admin_routes(world: World, clients: dict[str, TestClient], method: str) -> None:
    anonymous = clients["anonymous"].request(method, "/sites/new", data={} if method == "POST" else None)
    assert anonymous.status_code == 302
    assert ask(clients["owner-b"], method, "/sites/new") == 403
    assert ask(clients["admin"], method, "/sites/new") in ((200,) if method == "GET" else (200, 400))


def test_the_site_list_shows_only_ones_own_sites(clients: dict[str, TestClient]) -> None:
    page = clients["viewer-a"].get("/").text
    assert SITE_A in page and SITE_B not in page
    assert SITE_A in clients["admin"].get("/").text and SITE_B in clients["admin"].get("/").text


@pytest.mark.parametrize("path", sorted(p for (m, p), rule in RULES.items() if rule == TOKEN))
def test_token_routes(world: World, clients: dict[str, TestClient], path: str) -> None:
    url = world.url(path)
    anonymous = clients["anonymous"]
    assert anonymous.get(url, headers={"Cookie": ""}).status_code == 401
    other = anonymous.get(url, headers={"Authorization": f"Bearer {world.tokens[SITE_A]}"})
    assert other.status_code in (403, 404)
    own = anonymous.get(url, headers={"Authorization": f"Bearer {world.tokens[SITE_B]}"})
    assert own.status_code == 200, own.text
    # A dashboard session is not an API credential.
    assert clients["admin"].get(url).status_code == 401
    if "{survey_id}" in path:  # the site's own token, another site's survey
        elsewhere = world.url(path, site=SITE_B, survey_site=SITE_A)
        assert anonymous.get(elsewhere, headers={"Authorization": f"Bearer {world.tokens[SITE_B]}"}).status_code == 404


def test_overlay_needs_a_signed_token(clients: dict[str, TestClient]) -> None:
    assert clients["anonymous"].get("/api/overlay").status_code in (400, 401, 403)
    assert clients["anonymous"].get("/api/overlay?token=forged.token.value").status_code in (401, 403)
