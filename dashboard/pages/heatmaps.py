"""The heatmap page of a site: where visitors click and how far they scroll on one page.

`/s/{site}/heatmaps` reads the report view (period, filters) from the URL through
dashboard.params; the page is the `page` filter and the device class the `device_class` filter
(default desktop; with no page, the most clicked one). Owners may upload a screenshot per page
and device class (`POST …/heatmaps/screenshot`), served back by `GET …/heatmaps/screenshot`.
"Open on the live page" links to the site with a signed overlay token (dashboard/overlay.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message

from dashboard import overlay, screenshots
from dashboard.choice_labels import DEVICE_NAMES, period_choices
from dashboard.heatmap_charts import Background, click_map, scroll_chart
from dashboard.i18n import N_
from dashboard.pages.assets import PLOTLY_URL
from dashboard.params import ParamError, View, read_view, site_today
from dashboard.web import SECURITY_HEADERS, SiteAccess, page_locale, redirect, render, require_site, store_of
from pipelines.members import Role
from pipelines.queries import heatmap_grid, heatmap_pages, heatmap_selectors, rage_clicks, scroll_reach
from pipelines.store.base import Store

DEVICE_CLASSES = overlay.DEVICE_CLASSES
DEFAULT_DEVICE = "desktop"
# Multipart framing and the small fields around the file.
_FORM_OVERHEAD = 64 * 1024
UPLOAD_PROBLEMS = {
    "empty": N_("Choose a PNG or JPEG file to upload."),
    "too_big": N_("The screenshot is larger than 5 MB. Save it smaller (JPEG, or a narrower page) and try again."),
    "bad_type": N_("That file is not a PNG or JPEG image."),
    "bad_image": N_("That image could not be read. Save it again as PNG or JPEG."),
    "no_page": N_("Choose a page first."),
}


@dataclass
class Heatmap:
    """Everything the page shows for one page and device class."""

    pages: list[dict[str, Any]]
    page: str
    device: str
    grid: list[dict[str, Any]] = field(default_factory=list)
    selectors: list[dict[str, Any]] = field(default_factory=list)
    rage: list[dict[str, Any]] = field(default_factory=list)
    scroll: list[dict[str, Any]] = field(default_factory=list)
    width: int = 0
    sampled: int = 1

    @property
    def clicks(self) -> int:
        return sum(cell["clicks"] for cell in self.grid)

    @property
    def busiest(self) -> int:
        return max((cell["clicks"] for cell in self.grid), default=0)


def _view(params: Mapping[str, str]) -> View:
    try:
        return read_view(params)
    except ParamError as error:
        raise HTTPException(400, str(error)) from None


def gather(store: Store, access: SiteAccess, view: View) -> Heatmap:
    site = access.site
    device = view.filters["device_class"]
    chooser = replace(view, filters={k: v for k, v in view.filters.items() if k != "page"})
    pages = heatmap_pages.run(store, chooser.query(site.site_id, site.timezone)).rows
    page = view.filters.get("page") or (pages[0]["page"] if pages else "")
    heatmap = Heatmap(pages, page, device)
    if not page:
        return heatmap
    query = replace(view, filters={**view.filters, "page": page}).query(site.site_id, site.timezone)
    grid = heatmap_grid.run(store, query)
    heatmap.grid, heatmap.sampled = grid.rows, grid.sampled
    heatmap.selectors = heatmap_selectors.run(store, query).rows
    heatmap.rage = rage_clicks.run(store, query).rows
    heatmap.scroll = scroll_reach.run(store, query).rows
    known = next((row for row in pages if row["page"] == page), None)
    heatmap.width = known["width"] if known else next(iter(heatmap_pages.run(store, query).rows), {"width": 0})["width"]
    return heatmap


def _shot_url(site_id: str, page: str, device: str) -> str:
    return f"/s/{site_id}/heatmaps/screenshot?" + urlencode({"page": page, "device_class": device})


async def _page(request: Request, access: SiteAccess, view: View, upload_problem: str = "",
                status: int = 200) -> Response:
    store, data_dir = store_of(request), request.app.state.settings.data_dir
    if "device_class" not in view.filters:
        view = replace(view, filters={**view.filters, "device_class": DEFAULT_DEVICE})
    heatmap = await run_in_threadpool(gather, store, access, view)
    site = access.site
    background = None
    if heatmap.page:
        image = await run_in_threadpool(screenshots.load, data_dir, site.site_id, heatmap.page, heatmap.device)
        if image is not None:
            background = Background(_shot_url(site.site_id, heatmap.page, heatmap.device), image.width,
                                    image.height, heatmap.width)
    first, last = view.days(site_today(site.timezone))
    live = ""
    if heatmap.page:
        claims = overlay.new_claims(site.site_id, heatmap.page, heatmap.device, first, last)
        live = overlay.live_url(site, heatmap.page, overlay.make_token(overlay.signing_key(request.app), claims))
    context = {
        "user": access.user, "access": access, "tab": "heatmaps", "view": view, "heatmap": heatmap,
        "first": first, "last": last, "devices": DEVICE_CLASSES, "background": background, "live_url": live,
        "base": f"/s/{site.site_id}/heatmaps", "plotly_url": PLOTLY_URL, "view_query": urlencode(view.params()),
        "upload_problem": UPLOAD_PROBLEMS.get(upload_problem, ""), "shot_saved": request.query_params.get("shot"),
        "max_mb": screenshots.MAX_BYTES // (1024 * 1024), "device_names": DEVICE_NAMES,
        "periods": period_choices(view.period),
    }
    return await _with_charts(request, context, heatmap, background, status)


async def _with_charts(request: Request, context: dict[str, Any], heatmap: Heatmap, background: Background | None,
                       status: int) -> Response:
    locale = page_locale(request, context["user"])
    if heatmap.page:
        context["click_figure"] = click_map(heatmap.grid, heatmap.rage, locale, heatmap.width, background)
        context["scroll_figure"] = scroll_chart(heatmap.scroll, locale)
    return render(request, "heatmaps.html", context, status)


async def heatmaps(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"])
    return await _page(request, access, _view(request.query_params))


async def _body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it passes `limit` bytes (never buffered beyond it)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _upload_fields(request: Request, body: bytes) -> tuple[dict[str, str], bytes]:
    replay = Request(request.scope, _replay(body))
    async with replay.form(max_files=1, max_fields=8) as form:
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        upload = form.get("file")
        data = await upload.read(screenshots.MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    return fields, data


async def upload_screenshot(request: Request) -> Response:
    """Save (or, with action=delete, remove) the screenshot of one page and device class."""
    site_id = request.path_params["site_id"]
    access = await require_site(request, site_id, Role.OWNER)
    declared = int(request.headers.get("content-length") or 0)
    body = None if declared > screenshots.MAX_BYTES + _FORM_OVERHEAD else await _body(
        request, screenshots.MAX_BYTES + _FORM_OVERHEAD)
    if body is None:
        return await _page(request, access, _view(request.query_params), "too_big", 413)
    fields, data = await _upload_fields(request, body)
    view = _view(dict(parse_qsl(fields.get("view", ""))))
    page, device = fields.get("page", ""), fields.get("device_class", DEFAULT_DEVICE)
    if device not in DEVICE_CLASSES or not page:
        return await _page(request, access, view, "no_page", 400)
    target = view.url(f"/s/{access.site.site_id}/heatmaps", page=page, device_class=device)
    data_dir = request.app.state.settings.data_dir
    if fields.get("action") == "delete":
        await run_in_threadpool(screenshots.delete, data_dir, access.site.site_id, page, device)
        return redirect(_with(target, shot="deleted"))
    try:
        image = screenshots.checked(data)
    except screenshots.ScreenshotError as problem:
        status = 413 if problem.reason == "too_big" else 400
        chosen = replace(view, filters={**view.filters, "page": page, "device_class": device})
        return await _page(request, access, chosen, problem.reason, status)
    await run_in_threadpool(screenshots.save, data_dir, access.site.site_id, page, device, image)
    return redirect(_with(target, shot="saved"))


def _with(url: str, **params: str) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


async def screenshot(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"])
    page, device = request.query_params.get("page", ""), request.query_params.get("device_class", "")
    if device not in DEVICE_CLASSES or not page:
        raise HTTPException(404, N_("No screenshot for this page and device yet."))
    image = await run_in_threadpool(screenshots.load, request.app.state.settings.data_dir, access.site.site_id,
                                    page, device)
    if image is None:
        raise HTTPException(404, N_("No screenshot for this page and device yet."))
    headers = {**SECURITY_HEADERS, "Cache-Control": "private, no-cache", "Content-Disposition": "inline"}
    return Response(image.data, media_type=image.content_type, headers=headers)


def routes() -> list[Route]:
    return [
        Route("/s/{site_id}/heatmaps", heatmaps, methods=["GET"]),
        Route("/s/{site_id}/heatmaps/screenshot", screenshot, methods=["GET"]),
        Route("/s/{site_id}/heatmaps/screenshot", upload_screenshot, methods=["POST"]),
    ]

