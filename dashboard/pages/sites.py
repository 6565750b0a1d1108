"""The sites page: every site the user may see, whether it receives data, and its snippet."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.auth import SignedIn
from dashboard.web import public_origin, render, require_user, store_of, visible_sites
from pipelines.members import Role
from pipelines.sites import Site
from pipelines.store.base import Store


@dataclass(frozen=True)
class SiteCard:
    site: Site
    role: Role
    last_24h: int
    total: int
    snippet: str

    @property
    def has_data(self) -> bool:
        return self.total > 0


def site_totals(store: Store, site_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Events per site: (in the last 24 hours, ever), for the sites that have any."""
    if not site_ids:
        return {}
    rows = store.query(
        "SELECT site_id, countIf(timestamp >= now64(3) - INTERVAL 1 DAY) AS last_24h, count() AS total "
        "FROM events WHERE site_id IN {site_ids:Array(String)} GROUP BY site_id",
        {"site_ids": site_ids},
    )
    return {str(row["site_id"]): (int(row["last_24h"]), int(row["total"])) for row in rows}


def snippet(origin: str, site_id: str) -> str:
    return f'<script defer src="{origin}/t.js" data-site="{site_id}"></script>'


def site_cards(store: Store, user: SignedIn, origin: str) -> list[SiteCard]:
    sites = visible_sites(store, user)
    totals = site_totals(store, [site.site_id for site, _ in sites])
    return [
        SiteCard(site, role, *totals.get(site.site_id, (0, 0)), snippet=snippet(origin, site.site_id))
        for site, role in sites
    ]


async def home(request: Request) -> Response:
    user = await require_user(request)
    cards = await run_in_threadpool(site_cards, store_of(request), user, public_origin(request))
    return render(request, "sites.html", {"user": user, "cards": cards})


def routes() -> list[Route]:
    return [Route("/", home, methods=["GET"])]
