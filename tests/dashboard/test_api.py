"""The stats API on real chDB (in process) and over real HTTP with tokens made by the real CLI:
answers on hand-made data, tokens and scopes, 400s that say how to fix them (never a 5xx, also
under fuzzing), rate limits, and an OpenAPI document that matches the routes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route
from starlette.testclient import TestClient

from collector.ratelimit import RateLimiter
from dashboard.api.auth import ApiLimits
from dashboard.api.endpoints import ENDPOINTS, PREFIX
from dashboard.api.spec import PROPERTIES
from footfall.server import create_app
from pipelines.events import events_batch
from pipelines.migrate import migrate
from pipelines.queries import PANELS
from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from pipelines.store.embedded import EmbeddedStore
from pipelines.survey_responses import survey_responses_batch
from pipelines.surveys import Survey, parse_definition, save_survey
from pipelines.tokens import create_token, revoke_token
from tests.conftest import start_server
from tests.dashboard.test_pages import EMAIL, PASSWORD, SAME_ORIGIN, make_settings

SITE = "shop.example"
JANUARY = {"period": "custom", "from": "2026-01-01", "to": "2026-01-31"}
DAY = datetime(2026, 1, 10, 3, tzinfo=UTC)


def pageview(visitor: int, path: str, when: datetime, **fields: Any) -> dict[str, Any]:
    return {"site_id": SITE, "timestamp": when, "event_id": str(uuid.uuid4()), "event_type": "pageview",
            "event_name": "pageview", "visitor_id": visitor, "session_id": visitor * 10, "hostname": SITE,
            "path": path, "country": "VN", "region": "Hà Nội", "city": "Hanoi", "browser": "Firefox", "os": "Linux",
            "device": "desktop", "screen_width": 1920, "screen_height": 1080, **fields}


def fill(store: Store) -> None:
    """Three visitors in January: 4 page views, 3 visits; VN ×2, CN ×1."""
    save_site(store, Site(SITE, name="Shop", timezone="Asia/Ho_Chi_Minh"))
    save_site(store, Site("other.example"))
    google = {"referrer_source": "Google", "referrer_medium": "search", "search_term": "đồng hồ",
              "utm_campaign": "tết"}
    store.insert("events", events_batch([
        pageview(1, "/", DAY, **google),
        pageview(1, "/pricing", DAY + timedelta(minutes=1), referrer_medium="internal"),
        pageview(2, "/", DAY + timedelta(days=1), country="CN", region="", city="", device="mobile"),
        pageview(3, "/blog", DAY + timedelta(days=2), referrer_source="Facebook", referrer_medium="social"),
    ]))


@pytest.fixture(scope="module")
def shared(chdb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, Store]]:
    """One filled store and app for the module (a fresh one per test costs seconds each); tests
    that write add only what January's numbers do not see."""
    store = EmbeddedStore(chdb_dir, f"t_{uuid.uuid4().hex[:12]}")
    migrate(store)
    fill(store)
    token = create_token(store, SITE, "stats:read", "tests")
    app = create_app(make_settings(tmp_path_factory.mktemp("api")), store=store)
    with TestClient(app, follow_redirects=False) as client:
        yield client, token, store
    store.command(f"DROP DATABASE IF EXISTS {store.database}")
    store.close()


@pytest.fixture
def api(shared: tuple[TestClient, str, Store]) -> Iterator[tuple[TestClient, str]]:
    client, token, store = shared
    client.cookies.clear()
    unlimited = ApiLimits()  # test_rate_limits sets its own
    unlimited.tokens = unlimited.failures = RateLimiter(0, 1)
    client.app.state.api_limits = unlimited  # type: ignore[attr-defined]
    yield client, token


@pytest.fixture
def store(shared: tuple[TestClient, str, Store]) -> Store:
    return shared[2]


def get(client: TestClient, token: str, path: str, **params: str) -> Any:
    return client.get(PREFIX + path, params={"site_id": SITE, **params}, headers={"Authorization": f"Bearer {token}"})


def test_aggregate(api: tuple[TestClient, str]) -> None:
    client, token = api
    response = get(client, token, "/stats/aggregate", metrics="visitors,pageviews,visits,bounce_rate", **JANUARY)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["results"] == {"visitors": {"value": 3}, "pageviews": {"value": 4}, "visits": {"value": 3},
                               "bounce_rate": {"value": pytest.approx(2 / 3, abs=1e-3)}}
    assert body["query"]["date_from"] == "2026-01-01" and body["query"]["timezone"] == "Asia/Ho_Chi_Minh"
    compared = get(client, token, "/stats/aggregate", compare="previous", **JANUARY).json()["results"]
    assert compared == {"visitors": {"value": 3, "previous": 0, "change": None}}
    assert get(client, token, "/stats/aggregate", country="VN", **JANUARY).json()["results"]["visitors"]["value"] == 2


def test_timeseries(api: tuple[TestClient, str]) -> None:
    client, token = api
    body = get(client, token, "/stats/timeseries", metrics="visitors,pageviews", **JANUARY).json()
    assert len(body["results"]) == 31
    by_day = {point["date"]: point for point in body["results"]}
    assert by_day["2026-01-10"] == {"date": "2026-01-10", "visitors": 1, "pageviews": 2}
    assert sum(point["pageviews"] for point in body["results"]) == 4
    weekly = get(client, token, "/stats/timeseries", interval="week", compare="year", **JANUARY).json()
    assert weekly["query"]["interval"] == "week"
    assert all(point["previous"]["visitors"] == 0 for point in weekly["results"])


def test_breakdown_and_paging(api: tuple[TestClient, str]) -> None:
    client, token = api
    body = get(client, token, "/stats/breakdown", property="country", **JANUARY).json()
    assert body["results"] == [{"country": "VN", "visitors": 2, "pageviews": 3},
                               {"country": "CN", "visitors": 1, "pageviews": 1}]
    sources = get(client, token, "/stats/breakdown", property="visit:source", metrics="visits", **JANUARY).json()
    assert {row["source"]: row["visits"] for row in sources["results"]} == {"Google": 1, "Facebook": 1, "": 1}
    second = get(client, token, "/stats/breakdown", property="page", limit="1", offset="1", **JANUARY).json()
    assert [row["page"] for row in second["results"]] == ["/blog"] and second["offset"] == 1
    assert get(client, token, "/stats/breakdown", property="page", offset="9", **JANUARY).json()["results"] == []
    # `page` is the page filter, as in dashboard URLs (Plausible pages with it; we page with offset).
    only = get(client, token, "/stats/breakdown", property="source", page="/blog", **JANUARY).json()
    assert only["results"] == [{"source": "Facebook", "visitors": 1, "visits": 1}]


def test_every_property_documents_the_columns_its_panel_returns(api: tuple[TestClient, str]) -> None:
    client, token = api
    for name, prop in PROPERTIES.items():
        body = get(client, token, "/stats/breakdown", property=name, **JANUARY).json()
        assert body["results"], name
        assert list(body["results"][0]) == [name, *prop.metrics], name


def test_realtime(store: Store, api: tuple[TestClient, str]) -> None:
    client, token = api
    store.insert("events", events_batch([pageview(7, "/now", datetime.now(UTC) - timedelta(minutes=1))]))
    body = get(client, token, "/stats/realtime").json()
    assert body["results"] == {"visitors_5m": 1, "visitors_30m": 1, "pages": [{"page": "/now", "visitors": 1}]}


def nps_survey(store: Store, site: str = SITE) -> Survey:
    survey = save_survey(store, site, parse_definition({"kind": "nps"}))
    rows = [{"site_id": site, "timestamp": DAY, "response_id": str(uuid.uuid4()), "survey_id": survey.survey_id,
             "survey_version": survey.version, "kind": "answer", "score": score, "visitor_id": 1, "session_id": 1,
             "device": "desktop"} for score in (10, 9, 3)]
    store.insert("survey_responses", survey_responses_batch(rows))
    return survey


def test_survey_results(store: Store, api: tuple[TestClient, str]) -> None:
    client, token = api
    survey = nps_survey(store)
    body = get(client, token, f"/surveys/{survey.survey_id}/results", by="device", interval="week", **JANUARY).json()
    assert body["kind"] == "nps" and body["results"]["answers"] == 3
    assert body["results"]["score"] == pytest.approx(100 / 3)
    assert body["breakdown"][0]["device"] == "desktop"
    assert sum(week["answers"] for week in body["trend"]) == 3
    theirs = nps_survey(store, "other.example")
    missing = get(client, token, f"/surveys/{theirs.survey_id}/results")
    assert missing.status_code == 404 and "no survey" in missing.json()["error"]


def test_tokens_and_scopes(store: Store, api: tuple[TestClient, str]) -> None:
    client, token = api
    anonymous = client.get(PREFIX + "/stats/aggregate", params={"site_id": SITE})
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == 'Bearer realm="footfall"'
    assert "Authorization: Bearer" in anonymous.json()["error"]
    wrong = get(client, "ff_" + "x" * 43, "/stats/aggregate")
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["www-authenticate"]
    writer = get(client, create_token(store, SITE, "events:write"), "/stats/aggregate")
    assert writer.status_code == 403 and "insufficient_scope" in writer.headers["www-authenticate"]
    other = client.get(PREFIX + "/stats/aggregate", params={"site_id": "other.example"},
                       headers={"Authorization": f"Bearer {token}"})
    assert other.status_code == 403 and "only site_id=shop.example" in other.json()["error"]
    doomed = create_token(store, SITE)
    assert get(client, doomed, "/stats/aggregate").status_code == 200
    assert revoke_token(store, doomed[:10], SITE) == 1
    assert get(client, doomed, "/stats/aggregate").status_code == 401  # at once: tokens are not cached


def test_a_signed_in_session_is_not_a_token(api: tuple[TestClient, str]) -> None:
    client, _ = api
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}, headers=SAME_ORIGIN).status_code == 303
    assert client.get(PREFIX + "/stats/aggregate", params={"site_id": SITE}).status_code == 401


@pytest.mark.parametrize(("path", "params", "hint"), [
    ("/stats/aggregate", {"site_id": ""}, "site_id is missing"),
    ("/stats/aggregate", {"period": "week"}, "use one of today"),
    ("/stats/aggregate", {"colour": "red"}, "unknown parameter 'colour'"),
    ("/stats/aggregate", {"period": "custom"}, "needs from=YYYY-MM-DD"),
    ("/stats/aggregate", {"period": "custom", "from": "2026-02-01", "to": "2026-01-01"}, "to must not be before"),
    ("/stats/aggregate", {"date": "9999-12-31"}, "out of range"),
    ("/stats/aggregate", {"date": "0001-01-01", "period": "yesterday"}, "out of range"),
    ("/stats/aggregate", {"date": "tomorrow"}, "write it as YYYY-MM-DD"),
    ("/stats/aggregate", {"metrics": "visitors,clicks"}, "unknown metric 'clicks'"),
    ("/stats/aggregate", {"metrics": ","}, "unknown metric"),
    ("/stats/aggregate", {"country": "x" * 2001}, "at most 2000"),
    ("/stats/aggregate", {"device_class": "watch"}, "must be one of mobile"),
    ("/stats/aggregate", {"interval": "day"}, "unknown parameter 'interval'"),
    ("/stats/timeseries", {"interval": "fortnight"}, "use one of hour"),
    ("/stats/timeseries", {"interval": "hour", "period": "all"}, "buckets"),
    ("/stats/breakdown", {}, "property=''"),
    ("/stats/breakdown", {"property": "event:goal"}, "use one of source"),
    ("/stats/breakdown", {"property": "country", "metrics": "visits"}, "use metrics from visitors, pageviews"),
    ("/stats/breakdown", {"property": "page", "limit": "0"}, "from 1 to 100"),
    ("/stats/breakdown", {"property": "page", "limit": "1000"}, "from 1 to 100"),
    ("/stats/breakdown", {"property": "page", "offset": "-1"}, "0 or more"),
    ("/stats/breakdown", {"property": "page", "offset": "1" * 30}, "0 or more"),
    ("/stats/realtime", {"period": "7d"}, "unknown parameter 'period'"),
    ("/surveys/x/results", {"version": "first"}, "whole number"),
    ("/surveys/x/results", {"interval": "month"}, "day or week"),
    ("/surveys/x/results", {"by": "colour"}, "use one of page"),
])
def test_bad_parameters_say_how_to_fix_them(api: tuple[TestClient, str], path: str, params: dict[str, str],
                                            hint: str) -> None:
    client, token = api
    response = get(client, token, path, **params)
    assert response.status_code == 400, response.text
    assert hint in response.json()["error"]


def test_a_parameter_given_twice_is_refused(api: tuple[TestClient, str]) -> None:
    client, token = api
    response = client.get(PREFIX + "/stats/aggregate?site_id=shop.example&period=7d&period=30d",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and "given twice" in response.json()["error"]


KEYS = ["site_id", "period", "date", "from", "to", "interval", "compare", "metrics", "property", "limit", "offset",
        "country", "page", "version", "by", "x"]
VALUES = st.one_of(st.sampled_from(["", "7d", "custom", "2026-01-01", "0", "-1", "999999999999", "visitors",
                                    "source", "previous", "hour", SITE, "%00", "ÿ"]), st.text(max_size=30))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from([e.url.replace("{survey_id}", "s1") for e in ENDPOINTS]),
       params=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5))
def test_no_input_makes_a_server_error(api: tuple[TestClient, str], path: str, params: dict[str, str]) -> None:
    client, token = api
    params.setdefault("site_id", SITE)
    response = client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (params, response.text)
    assert response.headers["content-type"].startswith("application/json")


def test_rate_limits(api: tuple[TestClient, str]) -> None:
    client, token = api
    limits = ApiLimits()
    limits.tokens, limits.failures = RateLimiter(0.01, 2), RateLimiter(0.01, 1)
    client.app.state.api_limits = limits  # type: ignore[attr-defined]
    statuses = [get(client, token, "/stats/realtime").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = get(client, token, "/stats/realtime")
    assert int(limited.headers["retry-after"]) >= 1 and "rate limit" in limited.json()["error"]
    guesses = [get(client, f"ff_guess{n}", "/stats/realtime").status_code for n in range(2)]
    assert guesses == [401, 429]


def test_openapi_documents_every_route_and_every_parameter_works(store: Store, api: tuple[TestClient, str]) -> None:
    client, token = api
    document = client.get(PREFIX + "/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    routes = {route.path for route in client.app.routes  # type: ignore[attr-defined]
              if isinstance(route, Route) and route.path.startswith(PREFIX) and not route.path.endswith(".json")}
    assert set(document["paths"]) == routes
    survey = nps_survey(store)
    for url, item in document["paths"].items():
        operation = item["get"]
        required = {p["name"]: p["example"] for p in operation["parameters"] if p["required"] and p["in"] == "query"}
        assert operation["summary"] and set(operation["responses"]) >= {"200", "400", "401", "403"}
        for param in operation["parameters"]:
            assert param["description"] and param["schema"] and param["in"] in {"query", "path"}
            if param["in"] == "path":
                assert "{" + param["name"] + "}" in url
                continue
            params = {**{k: v for k, v in required.items() if k != param["name"]}, "site_id": SITE,
                      **({"period": "custom", "from": "2026-11-01", "to": "2026-11-30"}
                         if param["name"] in {"from", "to"} else {}),
                      param["name"]: SITE if param["name"] == "site_id" else param["example"]}
            response = client.get(url.replace("{survey_id}", survey.survey_id), params=params,
                                  headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, (url, param["name"], response.text)


def test_panels_behind_properties_exist() -> None:
    assert all(prop.panel in PANELS for prop in PROPERTIES.values())


@pytest.mark.slow
def test_over_http_with_tokens_from_the_cli(tmp_path: Path) -> None:
    """`footfall tokens create` (the server must be stopped: the embedded store has one owner), then a
    server-side event sent with an events:write token is read back with a stats:read token."""
    server = start_server(tmp_path, sites=(("shop.example", "--timezone", "Asia/Ho_Chi_Minh"),))
    server.stop()
    made = [server.footfall("tokens", "create", SITE, "--scope", scope) for scope in ("stats:read", "events:write")]
    assert all(result.returncode == 0 for result in made), [result.stderr for result in made]
    reader, writer = (result.stdout.strip() for result in made)
    server = start_server(tmp_path)
    try:
        event = {"n": "pageview", "u": f"https://{SITE}/checkout", "s": SITE, "ip": "81.2.69.160",
                 "ua": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                 "i": str(uuid.uuid4())}
        sent = httpx.post(f"{server.url}/api/event", json=event, headers={"Authorization": f"Bearer {writer}"})
        assert sent.status_code < 300, sent.text
        url = f"{server.url}{PREFIX}/stats/breakdown"
        params = {"site_id": SITE, "property": "page", "period": "today"}
        deadline = time.monotonic() + 20
        while True:
            response = httpx.get(url, params=params, headers={"Authorization": f"Bearer {reader}"})
            assert response.status_code == 200, response.text
            if response.json()["results"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert response.json()["results"] == [{"page": "/checkout", "visitors": 1, "pageviews": 1,
                                               "time_on_page": 0.0}]
        assert httpx.get(url, params=params).status_code == 401
        assert httpx.get(url, params=params, headers={"Authorization": f"Bearer {writer}"}).status_code == 403
        assert httpx.get(f"{server.url}{PREFIX}/openapi.json").json()["servers"] == [{"url": server.url}]
    finally:
        server.stop()


def test_docs_describe_every_endpoint_and_parameter() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    for endpoint in ENDPOINTS:
        assert f"`GET {endpoint.url}`" in docs, endpoint.url
        for param in endpoint.params:
            assert f"`{param.name}`" in docs, (endpoint.url, param.name)
    for name, prop in PROPERTIES.items():
        assert f"`{name}`" in docs and all(f"`{metric}`" in docs for metric in prop.metrics), name
