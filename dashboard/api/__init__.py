"""The JSON stats API under /api/v1/, read with per-site bearer tokens (docs/api.md).

Requests carry no cookie, so the CSRF middleware leaves /api/ alone (dashboard/csrf.py); they are
GETs anyway. Errors answer `{"error": "…"}` (dashboard/app.py's handler for /api/ paths).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dashboard.api.auth import authenticate, check_site
from dashboard.api.endpoints import ENDPOINTS, PREFIX, Endpoint
from dashboard.api.handlers import Call
from dashboard.api.openapi import openapi_document
from dashboard.web import SECURITY_HEADERS, public_origin, store_of
from pipelines.queries.survey_results import SurveyNotFound
from pipelines.sites import get_site

HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}


def single_params(request: Request, endpoint: Endpoint) -> dict[str, str]:
    """The query parameters, each given once and each one the endpoint lists."""
    params: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in endpoint.query_names:
            known = ", ".join(sorted(endpoint.query_names))
            raise HTTPException(400, f"unknown parameter {name[:40]!r} for {endpoint.url}: use {known}")
        if name in params:
            raise HTTPException(400, f"{name} is given twice: give each parameter once")
        params[name] = value
    if not params.get("site_id", "").strip():
        raise HTTPException(400, "site_id is missing: add site_id=YOUR-SITE (the token's site)")
    return params


def serve(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint_view(request: Request) -> Response:
        token = await authenticate(request)
        params = single_params(request, endpoint)
        check_site(token, params["site_id"])
        store = store_of(request)
        site = await run_in_threadpool(get_site, store, token.site_id)
        if site is None:
            raise HTTPException(404, f"the site {token.site_id} has been removed")
        call = Call(store, site, params, {k: str(v) for k, v in request.path_params.items()})
        try:
            body = await run_in_threadpool(endpoint.handler, call)
        except SurveyNotFound as error:
            raise HTTPException(404, str(error)) from None
        except ValueError as error:  # ParamError, and a range the reports refuse (too many buckets)
            raise HTTPException(400, str(error)) from None
        return JSONResponse(body, headers=HEADERS)

    endpoint_view.__name__ = endpoint.handler.__name__
    return endpoint_view


async def openapi_json(request: Request) -> Response:
    """The API's description; public (it holds no data), cacheable for an hour."""
    return JSONResponse(openapi_document(public_origin(request)),
                        headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"})


def routes() -> list[BaseRoute]:
    return [
        Route(PREFIX + "/openapi.json", openapi_json, methods=["GET"]),
        *(Route(endpoint.url, serve(endpoint), methods=["GET"]) for endpoint in ENDPOINTS),
    ]
