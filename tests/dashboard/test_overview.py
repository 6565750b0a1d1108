"""The overview on real chDB: hand-built events → the numbers on the page, comparison, filter links
and chips, tabs, the map, escaping, empty states, estimates, errors and access."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from dashboard import overview_data
from pipelines.members import Role, grant
from pipelines.queries import panel
from pipelines.queries._common import Report
from pipelines.store.base import Store
from pipelines.users import save_user
from tests.dashboard import reports_data
from tests.dashboard.conftest import Tab, demo_server, sign_in
from tests.dashboard.reports_data import HOSTILE, JUNE, SITE
from tests.dashboard.test_pages import SAME_ORIGIN

PAGE = f"/s/{SITE}"

client = reports_data.client  # fixture
reader = reports_data.reader  # fixture


def headline(html: str, metric: str) -> tuple[str, str]:
    """(value, change-and-previous text) of one headline number."""
    block = html.split(f'data-metric="{metric}"', 1)[1].split("</div>", 1)[0]
    value = re.search(r'class="headline-value">([^<]*)<', block)
    assert value, block
    rest = re.sub(r"<[^>]+>", " ", block.split('class="headline-value">', 1)[1])
    return value.group(1), " ".join(rest.split())


def figures(html: str) -> list[dict[str, Any]]:
    blocks = re.findall(r'<script type="application/json" data-figure>(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_headline_numbers_come_from_the_events(reader: TestClient) -> None:
    page = reader.get(f"{PAGE}?{JUNE}")
    assert page.status_code == 200
    html = page.text
    expected = {"visitors": "4", "new_visitors": "3", "returning_visitors": "1", "visits": "4", "pageviews": "5",
                "bounce_rate": "75.0%", "pages_per_visit": "1.25", "visit_duration": "30 s", "time_on_page": "6 s"}
    for metric, value in expected.items():
        assert headline(html, metric)[0] == value, metric
    assert "Jun 1, 2025 – Jun 30, 2025" in html
    assert "was " not in html  # no comparison asked for


def test_comparison_shows_previous_values_and_changes(reader: TestClient) -> None:
    html = reader.get(f"{PAGE}?{JUNE}&compare=previous").text
    value, rest = headline(html, "visitors")
    assert value == "4" and "+300%" in rest and "was 1" in rest
    assert 'class="change down good">−25%' in html  # bounce rate fell: good news
    assert headline(html, "returning_visitors")[1] == "1 was 0"  # no base: no change shown
    series = figures(html)[0]
    assert [trace["name"] for trace in series["data"]] == [
        "New visitors", "Returning visitors", "Page views", "Visitors, comparison period"]
    previous = series["data"][3]["y"]
    assert sum(value for value in previous if value) == 1 and len(previous) == 30


def test_time_series_stacks_new_and_returning_visitors_per_day(reader: TestClient) -> None:
    series = figures(reader.get(f"{PAGE}?{JUNE}").text)[0]
    new, returning, views = (trace["y"] for trace in series["data"][:3])
    labels = series["data"][0]["x"]
    assert labels[0] == "Jun 1" and labels[-1] == "Jun 30" and len(labels) == 30
    assert new[9] == 1 and returning[11] == 1 and views[9] == 2  # June 10: visitor 1; June 12: visitor 2
    assert sum(new) == 3 and sum(returning) == 1 and sum(views) == 5


def test_the_graph_can_be_shown_by_week(reader: TestClient) -> None:
    html = reader.get(f"{PAGE}?{JUNE}").text
    shown_by = re.findall(r'<a href="([^"]*interval=(\w+))"', html)
    assert sorted({interval for _, interval in shown_by}) == ["day", "week"]  # 30 days: no hours, no months
    weekly = reader.get(f"{PAGE}?{JUNE}&interval=week").text
    assert figures(weekly)[0]["data"][0]["x"] == ["May 26", "Jun 2", "Jun 9", "Jun 16", "Jun 23", "Jun 30"]
    assert re.search(r'<a href="/s/shop\.example\?period=7d">', weekly)  # a new range picks its own buckets
    assert 'name="interval"' not in weekly

def test_a_row_link_filters_the_whole_page(reader: TestClient) -> None:
    html = reader.get(f"{PAGE}?{JUNE}&locations_tab=countries").text
    link = re.search(r'<a href="([^"]*country=VN)"[^>]*>Vietnam</a>', html)
    assert link, "the Vietnam row links to the filtered page"
    url = link.group(1).replace("&amp;", "&")
    assert url.startswith(f"{PAGE}?period=custom&from=2025-06-01&to=2025-06-30")
    filtered = reader.get(url).text
    assert headline(filtered, "visitors")[0] == "2" and headline(filtered, "pageviews")[0] == "3"
    chip = re.search(r'<li class="chip"><span>Country: <strong>Vietnam</strong></span>\s*<a href="([^"]*)"', filtered)
    assert chip and "country=" not in chip.group(1)
    # Filters stack, and every link on the page keeps them.
    chrome = re.search(r'<a href="([^"]*browser=Chrome[^"]*)"', filtered)
    assert chrome and "country=VN" in chrome.group(1)
    both = reader.get(chrome.group(1).replace("&amp;", "&")).text
    assert headline(both, "visitors")[0] == "1"
    assert "Clear all" in both


def test_tabs_are_links_that_keep_the_view(reader: TestClient) -> None:
    html = reader.get(f"{PAGE}?{JUNE}&country=VN&sources_tab=search_engines").text
    assert re.search(r'<a href="[^"]*sources_tab=mediums#card-sources">Mediums</a>', html)
    assert 'country=VN&amp;sources_tab=keywords#card-sources"' in html
    engines = html.split('id="card-sources"', 1)[1].split("</section>", 1)[0]
    assert ">Google</a>" in engines and "Search engine visits over time" in engines
    engine_chart = [figure for figure in figures(html) if figure["data"] and figure["data"][0].get("name") == "Google"]
    assert engine_chart and sum(engine_chart[0]["data"][0]["y"]) == 1
    exits = reader.get(f"{PAGE}?{JUNE}&pages_tab=exit_pages").text.split('id="card-pages"', 1)[1]
    assert ">Exits</th>" in exits.split("</section>", 1)[0]
    # An unknown tab falls back to the first one.
    assert "Top pages</a>" in reader.get(f"{PAGE}?{JUNE}&pages_tab=nonsense").text


def test_empty_values_are_named_and_not_links(reader: TestClient) -> None:
    html = reader.get(f"{PAGE}?{JUNE}").text
    assert '<span class="muted">Direct / none</span>' in html
    assert "source=&" not in html and not html.count("source=\"")


def test_countries_map_uses_iso3_codes_and_local_shapes(reader: TestClient) -> None:
    html = reader.get(f"{PAGE}?{JUNE}").text
    world = next(figure for figure in figures(html) if figure["data"] and figure["data"][0]["type"] == "choropleth")
    trace = world["data"][0]
    assert dict(zip(trace["locations"], trace["z"], strict=True)) == {"VNM": 2, "DEU": 1, "USA": 1}
    assert trace["customdata"][0].startswith(f"{PAGE}?") and "country=VN" in trace["customdata"][0]
    assert world["config"]["topojsonURL"] == "/static/vendor/topojson/"
    shapes = reader.get("/static/vendor/topojson/world_110m.json")
    assert shapes.status_code == 200 and "VNM" in shapes.text


def test_hour_weekday_heatmap_is_in_the_sites_time_zone(reader: TestClient) -> None:
    html = reader.get(f"{PAGE}?{JUNE}").text
    heat = next(figure for figure in figures(html) if figure["data"] and figure["data"][0]["type"] == "heatmap")
    z = heat["data"][0]["z"]
    # 10:00 UTC is 17:00 in Ho Chi Minh City; June 10 2025 was a Tuesday.
    assert z[1][17] == 1 and sum(map(sum, z)) == 4
    assert heat["data"][0]["y"][0] == "Mon"


def test_visitor_text_is_escaped_everywhere(reader: TestClient) -> None:
    html = reader.get(f"{PAGE}?{JUNE}").text
    assert HOSTILE not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&#34;&lt;/script&gt;" in html
    for block in re.findall(r"<script type=\"application/json\" data-figure>(.*?)</script>", html, re.S):
        assert "<" not in block


def test_csv_links_point_at_the_export_of_each_open_tab(reader: TestClient) -> None:
    html = reader.get(f"{PAGE}?{JUNE}&country=VN&devices_tab=screens").text
    assert f'href="{PAGE}/export/pages.csv?period=custom&amp;from=2025-06-01&amp;to=2025-06-30&amp;country=VN"' in html
    assert f'href="{PAGE}/export/screens.csv?' in html
    export = reader.get(f"{PAGE}/export/pages.csv?period=custom&from=2025-06-01&to=2025-06-30&country=VN")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "/pricing" in export.text


def test_empty_states(reader: TestClient) -> None:
    quiet = reader.get(f"{PAGE}?period=custom&from=2020-01-01&to=2020-01-31").text
    assert "No visitors in this period" in quiet and "data-figure" not in quiet
    nobody = reader.get(f"{PAGE}?{JUNE}&country=FR").text
    assert "No visitors match these filters" in nobody and "Remove the filters" in nobody


def test_a_bad_view_is_a_400_that_says_why(reader: TestClient) -> None:
    page = reader.get(f"{PAGE}?period=custom&from=2025-06-01")
    assert page.status_code == 400
    assert "period=custom needs from=YYYY-MM-DD and to=YYYY-MM-DD" in page.text
    assert reader.get(f"{PAGE}?nonsense_filter=1").status_code == 200  # unknown parameters are ignored
    assert reader.get(f"{PAGE}?visitor_type=sometimes").status_code == 400


def test_estimates_are_flagged(reader: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    real = overview_data._run_group

    def sampled(store: Store, group: list[overview_data.Job]) -> list[tuple[str, Report | None]]:
        done = real(store, group)
        for _, found in done:
            if found is not None and found.name == "stats":
                found.sampled = 10
        return done

    monkeypatch.setattr(overview_data, "_run_group", sampled)
    html = reader.get(f"{PAGE}?{JUNE}").text
    assert "computed from 1 in 10 visitors" in html


def test_a_failing_report_does_not_take_the_page_down(reader: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    real = panel

    class Broken:
        def run(self, store: Store, query: Any) -> Report:
            raise RuntimeError("the store went away")

    monkeypatch.setattr(overview_data, "panel", lambda name: Broken() if name == "pages" else real(name))
    page = reader.get(f"{PAGE}?{JUNE}")
    assert page.status_code == 200
    cards = page.text.split('id="card-pages"', 1)[1].split("</section>", 1)[0]
    assert "This report could not be loaded" in cards
    assert headline(page.text, "visitors")[0] == "4"


def test_vietnamese_and_chinese(reader: TestClient) -> None:
    vi = reader.get(f"{PAGE}?{JUNE}&compare=previous", headers={"Accept-Language": "vi-VN,vi;q=0.9"}).text
    assert '<html lang="vi">' in vi and "Khách truy cập" in vi and "Kỳ trước" in vi
    assert headline(vi, "bounce_rate")[0] == "75,0%" and headline(vi, "pages_per_visit")[0] == "1,25"
    assert "Việt Nam" in vi and "1 thg 6, 2025" in vi
    series = figures(vi)[0]
    assert series["data"][0]["name"] == "Khách mới" and series["layout"]["separators"] == ",."
    zh = reader.get(f"{PAGE}?{JUNE}", headers={"Accept-Language": "zh-CN"}).text
    assert "访客" in zh and "越南" in zh and figures(zh)[0]["data"][0]["x"][0] == "6月1日"
    assert "30 秒" in zh


def test_only_people_who_may_see_the_site_see_it(client: TestClient, store: Store) -> None:
    viewer = save_user(store, "viewer@example.com", "viewer-password-123")
    grant(store, "localhost", viewer.user_id, Role.VIEWER)
    client.post("/logout", headers=SAME_ORIGIN)
    assert client.get(PAGE).status_code == 302  # signed out: to the sign-in page
    form = {"email": "viewer@example.com", "password": "viewer-password-123"}
    assert client.post("/login", data=form, headers=SAME_ORIGIN).status_code == 303
    assert client.get(PAGE).status_code == 404
    assert client.get(f"{PAGE}?{JUNE}&country=VN").status_code == 404
    assert client.get(f"{PAGE}/retention").status_code == 404
    assert client.get(f"{PAGE}/realtime").status_code == 404
    assert client.get("/s/localhost").status_code == 200
    grant(store, SITE, viewer.user_id, Role.VIEWER)
    assert client.get(f"{PAGE}?{JUNE}").status_code == 200


def test_unknown_site_is_404(reader: TestClient) -> None:
    assert reader.get("/s/nowhere.example").status_code == 404



@pytest.mark.browser
@pytest.mark.slow
def test_overview_in_chromium(tmp_path: Path, open_tab: Callable[..., Tab]) -> None:
    """Real `footfall serve` on demo data: the charts draw (the map from the vendored shapes, with no
    request leaving the server), nothing breaks the CSP, and a click on a row filters the page."""
    server = demo_server(tmp_path, events=20000)
    try:
        tab = open_tab(viewport={"width": 1280, "height": 900})
        elsewhere: list[str] = []
        tab.page.on("request", lambda request: None if request.url.startswith(server.url)
                    or request.url.startswith("data:") else elsewhere.append(request.url))
        sign_in(tab, server.url)
        with tab.page.expect_response(lambda response: "world_110m.json" in response.url) as shapes:
            tab.page.goto(f"{server.url}/s/localhost")
        assert shapes.value.status == 200
        tab.page.wait_for_selector(".map .geo path.choroplethlocation")
        assert tab.page.locator(".js-plotly-plot").count() == 3  # time series, map, hour × weekday
        before = int(tab.page.text_content('[data-metric="visitors"] .headline-value').replace(",", ""))
        row = tab.page.locator("#card-pages td.label a").nth(1)
        path = row.text_content()
        with tab.page.expect_navigation():
            row.click()
        assert "page=" in tab.page.url
        assert tab.page.text_content(".chip strong") == path
        after = int(tab.page.text_content('[data-metric="visitors"] .headline-value').replace(",", ""))
        assert 0 < after < before
        tab.page.wait_for_selector(".js-plotly-plot")
        assert tab.problems() == [] and elsewhere == []
    finally:
        server.stop()
