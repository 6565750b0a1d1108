"""Dashboard routes (first cut; the dashboard issue builds the real pages)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route


async def home(request: Request) -> Response:
    return RedirectResponse("/demo", 302)


def routes() -> list[Route]:
    return [Route("/", home)]
