"""The heatmap page on real chDB: page chooser, device classes, charts, tables, escaping, and
screenshots (type by magic bytes, size limit, owner-only upload, served back safely)."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from dashboard import screenshots
from footfall.server import create_app
from pipelines.events import events_batch
from pipelines.members import Role, grant
from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from pipelines.users import save_user
from tests.conftest import start_server
from tests.dashboard.conftest import Tab
from tests.dashboard.conftest import sign_in as sign_in_tab
from tests.dashboard.test_pages import EMAIL, PASSWORD, SAME_ORIGIN, make_settings

SITE = "shop.example"
HOSTILE = '<img src=x onerror=alert(1)></script>"'
VIEWER = "viewer@example.com"


def click(path: str, x: float, y: int, selector: str, viewport: int = 1280, visitor: int = 1, rage: bool = False,
          ago: timedelta = timedelta(days=1)) -> dict[str, Any]:
    return {"site_id": SITE, "timestamp": datetime.now(UTC) - ago, "event_id": str(uuid.uuid4()),
            "event_type": "click", "event_name": "click", "visitor_id": visitor, "session_id": visitor * 10,
            "hostname": SITE, "path": path, "click_x": x, "click_y": y, "click_selector": selector,
            "click_offset_x": 0.25, "click_offset_y": 0.75, "viewport_width": viewport, "document_height": 3000,
            "rage_click": rage, "screen_width": viewport, "screen_height": 900}


def engagement(path: str, visitor: int, depth: int) -> dict[str, Any]:
    return {"site_id": SITE, "timestamp": datetime.now(UTC) - timedelta(days=1), "event_id": str(uuid.uuid4()),
            "event_type": "engagement", "event_name": "engagement", "visitor_id": visitor,
            "session_id": visitor * 10, "hostname": SITE, "path": path, "engagement_ms": 5000,
            "scroll_depth": depth, "screen_width": 1280, "screen_height": 900}


def fill(store: Store) -> None:
    save_site(store, Site(SITE, name="Shop", hostnames=("*.shop.example",), timezone="Asia/Ho_Chi_Minh"))
    rows = [click("/pricing", 0.52, 130, "button.buy", visitor=v) for v in (1, 2, 3)]
    rows += [click("/pricing", 0.1, 20, "nav a", visitor=4)]
    rows += [click("/pricing", 0.8, 900, HOSTILE, visitor=5, rage=True) for _ in range(3)]
    rows += [click("/pricing", 0.5, 40, "a.mobile-menu", viewport=390, visitor=6)]
    rows += [click("/", 0.5, 10, "a.logo", visitor=7)]
    rows += [click("/old", 0.5, 10, "a.gone", visitor=8, ago=timedelta(days=90))]
    rows += [engagement("/pricing", 1, 100), engagement("/pricing", 2, 40), engagement("/pricing", 3, 10)]
    store.insert("events", events_batch(rows))


def sign_in(client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"email": email, "password": password}, headers=SAME_ORIGIN)
    assert response.status_code == 303


@pytest.fixture
def app(store: Store, tmp_path: Path) -> Any:
    fill(store)
    return create_app(make_settings(tmp_path), store=store)


@contextmanager
def signed_in(app: Any, store: Store, role: Role | None = None) -> Iterator[TestClient]:
    """A client signed in as the admin, or (with `role`) as a new user holding that role on SITE."""
    with TestClient(app, follow_redirects=False) as test_client:
        if role is None:
            sign_in(test_client)
        else:
            grant(store, SITE, save_user(store, VIEWER, "viewer-password-123").user_id, role)
            sign_in(test_client, VIEWER, "viewer-password-123")
        yield test_client


@pytest.fixture
def client(app: Any, store: Store) -> Iterator[TestClient]:
    with signed_in(app, store) as test_client:
        yield test_client


@pytest.fixture
def viewer(app: Any, store: Store) -> Iterator[TestClient]:
    with signed_in(app, store, Role.VIEWER) as test_client:
        yield test_client


def figures(html: str) -> list[dict[str, Any]]:
    return [json.loads(block) for block in re.findall(
        r'<script type="application/json" data-figure>(.*?)</script>', html, re.DOTALL)]


def png(width: int = 40, height: int = 100) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg_header(width: int, height: int) -> bytes:
    """The start of a baseline JPEG: SOI, an APP0 segment, then SOF0 with the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def upload(client: TestClient, data: bytes, filename: str = "shot.png", page: str = "/pricing",
           device: str = "desktop", content_type: str = "image/png") -> Any:
    return client.post(f"/s/{SITE}/heatmaps/screenshot", headers=SAME_ORIGIN,
                       data={"page": page, "device_class": device, "view": "period=7d"},
                       files={"file": (filename, data, content_type)})


def test_page_shows_the_most_clicked_page_by_default(client: TestClient) -> None:
    page = client.get(f"/s/{SITE}/heatmaps")
    assert page.status_code == 200
    assert 'aria-current="page">/pricing</a>' in page.text  # the chooser marks the shown page
    assert "button.buy" in page.text and "a.logo" not in page.text
    assert "/old" not in page.text  # outside the 30 days
    assert "a.mobile-menu" not in page.text  # desktop by default
    click_map, scroll = figures(page.text)
    heat = click_map["data"][0]
    assert heat["type"] == "heatmap" and sum(map(sum, heat["z"])) == 7
    assert click_map["layout"]["yaxis"]["range"][0] > click_map["layout"]["yaxis"]["range"][1]  # top at top
    assert click_map["layout"]["meta"]["page_aspect"] == round(950 / 1280, 4)  # down to the click at 900 px
    assert scroll["layout"]["yaxis"]["autorange"] == "reversed"
    reach = dict(zip(scroll["data"][0]["y"], scroll["data"][0]["x"], strict=True))
    assert (reach[10], reach[40], reach[45], reach[100]) == (100.0, 66.7, 33.3, 33.3)


def test_device_class_and_typed_page(client: TestClient) -> None:
    page = client.get(f"/s/{SITE}/heatmaps", params={"page": "/pricing", "device_class": "mobile"})
    assert "a.mobile-menu" in page.text and "button.buy" not in page.text
    assert '<option value="mobile" selected>' in page.text
    other = client.get(f"/s/{SITE}/heatmaps", params={"page": "/", "period": "7d"})
    assert "a.logo" in other.text
    empty = client.get(f"/s/{SITE}/heatmaps", params={"page": "/nowhere"})
    assert empty.status_code == 200 and "No clicks on this page" in empty.text
    assert client.get(f"/s/{SITE}/heatmaps", params={"device_class": "watch"}).status_code == 400


def test_tables_count_share_and_offsets(client: TestClient) -> None:
    text = client.get(f"/s/{SITE}/heatmaps").text
    row = text[text.index('<code class="selector">button.buy</code>'):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["3", "42.9%", "3", "0"]
    assert "25% from the left, 75% from the top" in row


def test_hostile_selector_is_escaped_in_html_and_plotly(client: TestClient) -> None:
    text = client.get(f"/s/{SITE}/heatmaps").text
    assert HOSTILE not in text and "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&#34;" in text
    rage = figures(text)[0]["data"][1]
    assert rage["text"] == ["&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;\""]  # plain() for Plotly


def test_empty_site_explains(client: TestClient) -> None:
    text = client.get(f"/s/{SITE}/heatmaps", params={"period": "today"}).text
    assert "No clicks were recorded in this period." in text and "data-figure" not in text


def test_live_page_link_carries_a_token(client: TestClient) -> None:
    text = client.get(f"/s/{SITE}/heatmaps").text
    link = re.search(r'href="(https://shop\.example/pricing#ff-overlay=[^"]+)"', text)
    assert link, "no overlay link"
    token = link.group(1).split("=", 1)[1]
    answer = client.get("/api/overlay", params={"token": token}, headers={"Origin": "https://www.shop.example"})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://www.shop.example"
    assert {"selector": "button.buy", "clicks": 3, "share": 0.4286} in answer.json()["selectors"]


def test_screenshot_upload_is_served_back_and_drawn_under_the_map(client: TestClient, tmp_path: Path) -> None:
    image = png(40, 100)
    response = upload(client, image, filename="../../etc/passwd.png")
    assert response.status_code == 303
    target = f"/s/{SITE}/heatmaps?period=7d&page=%2Fpricing&device_class=desktop&shot=saved"
    assert response.headers["location"] == target
    stored = list((tmp_path / "data" / "screenshots").rglob("*"))
    files = [path for path in stored if path.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == image and "passwd" not in str(files[0])
    served = client.get(f"/s/{SITE}/heatmaps/screenshot", params={"page": "/pricing", "device_class": "desktop"})
    assert served.status_code == 200 and served.content == image
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    page = client.get(response.headers["location"])
    assert "Screenshot saved." in page.text
    background = figures(page.text)[0]["layout"]["images"][0]
    assert background["source"] == f"/s/{SITE}/heatmaps/screenshot?page=%2Fpricing&device_class=desktop"
    assert background["sizey"] == 100 * 1280 / 40  # scaled to the clicks' viewport width
    removed = client.post(f"/s/{SITE}/heatmaps/screenshot", headers=SAME_ORIGIN,
                          data={"page": "/pricing", "device_class": "desktop", "action": "delete"})
    assert removed.status_code == 303
    assert client.get(f"/s/{SITE}/heatmaps/screenshot",
                      params={"page": "/pricing", "device_class": "desktop"}).status_code == 404


def test_jpeg_is_accepted_with_its_type(client: TestClient) -> None:
    assert upload(client, jpeg_header(800, 2400), "shot.jpg", device="mobile").status_code == 303
    served = client.get(f"/s/{SITE}/heatmaps/screenshot", params={"page": "/pricing", "device_class": "mobile"})
    assert served.headers["content-type"] == "image/jpeg"


NOT_IMAGES = [
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", 400, "not a PNG or JPEG"),
    (b"<html><script>alert(1)</script></html>", 400, "not a PNG or JPEG"),
    (b"GIF89a" + b"\x00" * 20, 400, "not a PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, 400, "could not be read"),
    (b"", 400, "Choose a PNG or JPEG"),
]


def test_uploads_that_are_not_images_are_refused(client: TestClient) -> None:
    for data, status, message in NOT_IMAGES:
        response = upload(client, data)
        assert response.status_code == status and message in response.text
        assert client.get(f"/s/{SITE}/heatmaps/screenshot",
                          params={"page": "/pricing", "device_class": "desktop"}).status_code == 404


def test_oversized_upload_is_refused_without_being_stored(client: TestClient, tmp_path: Path) -> None:
    big = png() + b"\x00" * screenshots.MAX_BYTES
    response = upload(client, big)
    assert response.status_code == 413 and "larger than 5 MB" in response.text
    assert not list((tmp_path / "data").rglob("screenshots/*/*"))


def test_viewer_sees_but_cannot_upload(viewer: TestClient) -> None:
    page = viewer.get(f"/s/{SITE}/heatmaps")
    assert page.status_code == 200 and 'type="file"' not in page.text
    assert upload(viewer, png()).status_code == 403


def test_other_sites_are_not_found(viewer: TestClient, store: Store) -> None:
    save_site(store, Site("secret.example"))
    assert viewer.get("/s/secret.example/heatmaps").status_code == 404
    assert viewer.get("/s/secret.example/heatmaps/screenshot",
                      params={"page": "/", "device_class": "desktop"}).status_code == 404


def test_screenshot_checks() -> None:
    assert screenshots.checked(png(3, 7)).width == 3
    assert (screenshots.checked(jpeg_header(1200, 5000)).height, screenshots.content_type(b"\xff\xd8\xff")) == (
        5000, "image/jpeg")
    with pytest.raises(screenshots.ScreenshotError, match="bad_image"):
        screenshots.checked(jpeg_header(0, 10))


@pytest.mark.browser
@pytest.mark.slow
def test_heatmap_and_survey_results_render_in_chromium(tmp_path: Path, open_tab: Callable[..., Tab]) -> None:
    """Real `footfall serve` on demo data: the heatmap's charts draw, an uploaded screenshot shows
    under the click map, a survey's results draw their charts — with no console error and
    nothing refused by the Content-Security-Policy."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")},
           "FOOTFALL_DATA_DIR": str(tmp_path / "data"), "FOOTFALL_DEMO": "1"}
    subprocess.run([sys.executable, "-m", "footfall", "demo-data", "--events", "5000", "--days", "30"], env=env,
                   check=True, capture_output=True, timeout=300, cwd=tmp_path)
    server = start_server(tmp_path)
    try:
        tab = open_tab(viewport={"width": 1280, "height": 900})
        page = tab.page
        sign_in_tab(tab, server.url)
        page.goto(f"{server.url}/s/localhost/heatmaps")
        page.wait_for_selector(".hm-chart .heatmaplayer image")  # the density map, drawn
        page.wait_for_selector(".js-plotly-plot .bars path")  # the scroll reach bars
        assert page.locator(".js-plotly-plot").count() == 2
        page.set_input_files("input[type=file]", files=[{"name": "page.png", "mimeType": "image/png",
                                                           "buffer": png(64, 400)}])
        with page.expect_response(lambda response: "/heatmaps/screenshot?" in response.url) as shot:
            page.click(".hm-upload button[type=submit]")
        assert shot.value.status == 200 and shot.value.headers["content-type"] == "image/png"
        page.wait_for_selector(".hm-chart .imagelayer image", state="attached")
        assert "Screenshot saved." in page.text_content(".notice")
        page.goto(f"{server.url}/s/localhost/surveys")
        with page.expect_navigation():
            page.click("table.data a")
        page.wait_for_selector(".js-plotly-plot .indicatorlayer")  # the gauge
        assert page.locator(".js-plotly-plot").count() == 3  # gauge, distribution, trend
        assert tab.problems() == []
    finally:
        server.stop()
