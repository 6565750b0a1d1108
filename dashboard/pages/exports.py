"""CSV export of any report table: `/s/{site_id}/export/{panel}.csv`, with the page's view
(period, comparison, filters) read from the URL by dashboard.params, exactly as the page shows it.

Any viewer of the site may export. The file is `{site}-{panel}-{from}-{to}.csv`, streamed.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from dashboard.csv_export import csv_chunks
from dashboard.i18n import N_
from dashboard.params import ParamError, read_view
from dashboard.web import SECURITY_HEADERS, require_site, store_of
from pipelines.queries import PANELS
from pipelines.query import Query

UNKNOWN_PANEL = N_("There is no such report to export.")
NEEDS_PAGE = N_("This report needs a page: choose one first.")
BAD_VIEW = N_("This export's address has a bad date range or filter.")


def export_filename(site_id: str, panel: str, query: Query) -> str:
    """`example.com-pages-2026-11-01-2026-11-30.csv`; anything odd in the parts becomes `_`."""
    stem = f"{site_id}-{panel}-{query.date_from}-{query.date_to}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", stem)[:200] + ".csv"


async def export_csv(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"])
    panel = PANELS.get(request.path_params["panel"])
    if panel is None:
        raise HTTPException(404, UNKNOWN_PANEL)
    try:
        query = read_view(request.query_params).query(access.site.site_id, access.site.timezone)
    except ParamError:
        raise HTTPException(400, BAD_VIEW) from None
    if panel.needs_page and "page" not in query.filters:
        raise HTTPException(400, NEEDS_PAGE)
    try:
        report = await run_in_threadpool(panel.run, store_of(request), query)
    except ValueError:  # a range the report refuses (e.g. too many hourly buckets)
        raise HTTPException(400, BAD_VIEW) from None
    filename = export_filename(access.site.site_id, panel.name, query)
    headers = {
        **SECURITY_HEADERS,
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return StreamingResponse(csv_chunks(report.rows), media_type="text/csv; charset=utf-8", headers=headers)


def routes() -> list[Route]:
    return [Route("/s/{site_id}/export/{panel}.csv", export_csv, methods=["GET"])]
