"""What the ingest steps share: sites, lookups, identity state, limits and metrics."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from collector.dedup import RecentIds
from collector.geo import GeoLookup
from collector.identity import Salts, Sessions, VisitorHasher
from collector.metrics import Metrics
from collector.ratelimit import RateLimiter
from footfall.settings import Settings
from pipelines.sites import Site, list_sites
from pipelines.store.base import Store, StoreError
from pipelines.tokens import ApiToken, find_token

log = logging.getLogger("footfall.collector")

SITES_REFRESH_SECONDS = 5.0
TOKEN_CACHE_SECONDS = 60.0


class SiteDirectory:
    """Registered sites by hostname, refreshed from the store every few seconds.

    Lookups never touch the store; `refresh` runs in the background every few seconds, and
    when the store is down the last known sites stay in force.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._sites: dict[str, Site] = {}
        self._loaded_at = float("-inf")

    def refresh(self) -> None:
        try:
            sites = list_sites(self._store)
        except StoreError as exc:
            log.warning("could not refresh sites, keeping the last known: %s", exc)
            self._loaded_at = time.monotonic()
            return
        with self._lock:
            self._sites = {site.site_id: site for site in sites}
            self._loaded_at = time.monotonic()

    @property
    def stale(self) -> bool:
        return time.monotonic() - self._loaded_at > SITES_REFRESH_SECONDS

    def find(self, site_id: str | None, hostname: str) -> Site | None:
        """The site named `site_id` (or, without one, the site owning `hostname`) if it allows
        `hostname`. Never queries the store: the collector refreshes in the background."""
        if site_id:
            site = self._sites.get(site_id.lower())
            return site if site is not None and site.allows_hostname(hostname) else None
        for site in self._sites.values():
            if site.allows_hostname(hostname):
                return site
        return None


class TokenCache:
    """Server API tokens, looked up in the store once a minute at most."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[str, tuple[ApiToken | None, float]] = {}

    def find(self, token: str) -> ApiToken | None:
        cached = self._cache.get(token)
        if cached is not None and time.monotonic() - cached[1] < TOKEN_CACHE_SECONDS:
            return cached[0]
        found = find_token(self._store, token)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[token] = (found, time.monotonic())
        return found


@dataclass
class Context:
    settings: Settings
    store: Store
    sites: SiteDirectory
    tokens: TokenCache
    geo: GeoLookup
    hasher: VisitorHasher
    salts: Salts
    sessions: Sessions
    recent_ids: RecentIds
    rate_limiter: RateLimiter
    metrics: Metrics

    @classmethod
    def create(cls, settings: Settings, store: Store, metrics: Metrics | None = None) -> Context:
        return cls(
            settings=settings,
            store=store,
            sites=SiteDirectory(store),
            tokens=TokenCache(store),
            geo=GeoLookup(settings.geoip_db or None),
            hasher=VisitorHasher(settings.secret_key),
            salts=Salts(store),
            sessions=Sessions(),
            recent_ids=RecentIds(),
            rate_limiter=RateLimiter(settings.rate_limit, settings.rate_burst),
            metrics=metrics or Metrics(),
        )
