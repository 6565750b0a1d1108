"""Plotly's browser bundle, served from the installed `plotly` package: no CDN, works offline.

It is 4.8 MB, so it is gzipped once in memory and cached by browsers for a year: its URL carries
the package version, which changes whenever the file does.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from importlib.metadata import version
from pathlib import Path

import plotly
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_URL = f"/vendor/plotly-{version('plotly')}.min.js"


@cache
def _bundle() -> tuple[bytes, bytes, str]:
    """(raw, gzipped, etag) of plotly.min.js."""
    raw = PLOTLY_JS.read_bytes()
    return raw, gzip.compress(raw, 6, mtime=0), '"' + hashlib.sha256(raw).hexdigest()[:20] + '"'


async def plotly_js(request: Request) -> Response:
    raw, zipped, etag = _bundle()
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": etag, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(zipped, media_type="text/javascript", headers=headers)
    return Response(raw, media_type="text/javascript", headers=headers)


def routes() -> list[Route]:
    return [Route(PLOTLY_URL, plotly_js, methods=["GET"])]
