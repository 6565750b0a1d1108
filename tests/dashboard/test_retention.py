"""The retention page on real chDB: weekly cohorts of hand-built visitors, as a table and a
heatmap, with its default range, filters, languages and access rules."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.dashboard.reports_data import SITE, shared_client

PAGE = f"/s/{SITE}/retention"
WEEKS = "period=custom&from=2025-06-02&to=2025-06-22"  # three weeks, Monday to Sunday



def visit(visitor: int, day: int) -> dict[str, object]:
    return {"site_id": SITE, "timestamp": datetime(2025, 6, day, 3, tzinfo=UTC), "event_id": str(uuid.uuid4()),
            "event_type": "pageview", "event_name": "pageview", "visitor_id": 100 + visitor,
            "session_id": 1000 * visitor + day, "hostname": SITE, "path": "/", "country": "VN" if visitor < 3 else "US"}


def cohort_events() -> list[dict[str, object]]:
    """Four new visitors in the week of June 2; two come back the next week, one the week after;
    two new visitors in the week of June 9."""
    rows = [visit(v, 3) for v in (1, 2, 3, 4)] + [visit(1, 10), visit(3, 11), visit(1, 17)]
    return rows + [visit(v, 12) for v in (5, 6)]


@pytest.fixture(scope="module")
def client(chdb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with shared_client(chdb_dir, tmp_path_factory.mktemp("retention"), cohort_events()) as test_client:
        yield test_client


def cells(html: str) -> list[list[str]]:
    body = html.split('<table class="cohorts">', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>|<td></td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_weekly_cohorts_table_and_chart(client: TestClient) -> None:
    page = client.get(f"{PAGE}?{WEEKS}")
    assert page.status_code == 200
    assert cells(page.text)[:2] == [
        ["Jun 2, 2025", "4", "100%", "50%", "25%"],
        ["Jun 9, 2025", "4", "100%", "0%", ""],  # with visitors 1 and 3 of reports_data; week 2 is to come
    ]
    assert ">Week 2</th>" in page.text
    figure = json.loads(re.search(r"data-figure>(.*?)</script>", page.text, re.S).group(1))  # type: ignore[union-attr]
    assert figure["data"][0]["z"][0] == [100.0, 50.0, 25.0]
    assert figure["data"][0]["y"][0] == "Jun 2, 2025"
    assert f'href="/s/{SITE}/export/retention.csv?{WEEKS.replace("&", "&amp;")}"' in page.text


def test_filters_narrow_the_cohorts(client: TestClient) -> None:
    assert cells(client.get(f"{PAGE}?{WEEKS}&country=VN").text)[0] == ["Jun 2, 2025", "2", "100%", "50%", "50%"]


def test_default_range_is_the_last_twelve_weeks(client: TestClient) -> None:
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "No new visitors in this period." in page.text  # the June 2025 data is long past
    assert re.search(r'<a href="/s/shop\.example/retention\?period=30d">', page.text)  # written out: not the default
    assert 'name="period" value="custom"' in page.text


def test_retention_in_chinese(client: TestClient) -> None:
    page = client.get(f"{PAGE}?{WEEKS}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert "每周同期群" in page and "第 1 周" in page and "2025年6月2日" in page
