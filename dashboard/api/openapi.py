"""`/api/v1/openapi.json`: the OpenAPI 3.1 description, generated from `ENDPOINTS`."""

from __future__ import annotations

from typing import Any

from dashboard.api.endpoints import ENDPOINTS, Endpoint

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string", "description": "What went wrong and how to fix it"}},
}
ERRORS = {
    "400": "A parameter is unknown, repeated, missing or has a bad value",
    "401": "No token, or an unknown or revoked one (see the WWW-Authenticate header)",
    "403": "The token belongs to another site or has another scope",
    "404": "The site was removed, or (surveys) no such survey on this site",
    "429": "Rate limit: wait for the seconds in Retry-After",
}


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {"application/json": {
            "schema": {"type": "object"}, "example": endpoint.example}}},
    }
    for status, description in ERRORS.items():
        responses[status] = {"description": description, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "operationId": endpoint.handler.__name__,
        "summary": endpoint.summary,
        "description": endpoint.description,
        "parameters": [param.openapi() for param in endpoint.params],
        "responses": responses,
    }


def openapi_document(origin: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Footfall stats API",
            "version": "1",
            "description": "Read a site's statistics with a per-site token: `Authorization: Bearer ff_…`. "
                           "Create one in the site's settings or with `footfall tokens create SITE`. "
                           "Guide: docs/api.md.",
        },
        "servers": [{"url": origin}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A stats:read token of the site"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
        "paths": {endpoint.url: {"get": _operation(endpoint)} for endpoint in ENDPOINTS},
    }
