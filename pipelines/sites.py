"""Registered sites: the only hostnames whose events the collector keeps."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.store.base import Store

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$)(\*\.)?{_LABEL}(\.{_LABEL})*$")
IP_STORAGE = ("none", "truncated", "full")

_COLUMNS = "site_id, name, hostnames, timezone, cookieless, respect_dnt, ip_storage, retention_days, created_at"


@dataclass(frozen=True)
class Site:
    site_id: str
    name: str = ""
    hostnames: tuple[str, ...] = field(default_factory=tuple)
    timezone: str = "UTC"
    cookieless: bool = False
    respect_dnt: bool = False
    ip_storage: str = "none"
    retention_days: int = 0

    def allows_hostname(self, hostname: str) -> bool:
        """The site's own hostname, a listed one, or a subdomain matching a `*.` pattern."""
        hostname = hostname.lower().rstrip(".")
        if hostname.startswith("www."):
            hostname = hostname[4:]
        for allowed in (self.site_id, *self.hostnames):
            if allowed.startswith("*."):
                if hostname == allowed[2:] or hostname.endswith(allowed[1:]):
                    return True
            elif hostname == allowed:
                return True
        return False


class SiteError(ValueError):
    pass


def normalize_hostname(raw: str) -> str:
    hostname = raw.strip().lower().rstrip(".")
    for prefix in ("https://", "http://"):
        hostname = hostname.removeprefix(prefix)
    hostname = hostname.split("/", 1)[0].removeprefix("www.")
    if not _HOSTNAME.match(hostname):
        raise SiteError(f"{raw!r} is not a hostname; use the site's domain, e.g. example.com")
    return hostname


def validate_site(site: Site) -> Site:
    try:
        ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SiteError(f"unknown time zone {site.timezone!r}; use an IANA name such as Europe/Berlin") from None
    if site.ip_storage not in IP_STORAGE:
        raise SiteError(f"ip_storage must be one of {', '.join(IP_STORAGE)}")
    if not 0 <= site.retention_days <= 65535:
        raise SiteError("retention_days must be between 0 (forever) and 65535")
    return Site(
        site_id=normalize_hostname(site.site_id),
        name=site.name or site.site_id,
        hostnames=tuple(normalize_hostname(h) for h in site.hostnames),
        timezone=site.timezone,
        cookieless=site.cookieless,
        respect_dnt=site.respect_dnt,
        ip_storage=site.ip_storage,
        retention_days=site.retention_days,
    )


def _from_row(row: dict[str, Any]) -> Site:
    return Site(
        site_id=row["site_id"],
        name=row["name"],
        hostnames=tuple(row["hostnames"]),
        timezone=row["timezone"],
        cookieless=bool(row["cookieless"]),
        respect_dnt=bool(row["respect_dnt"]),
        ip_storage=row["ip_storage"],
        retention_days=int(row["retention_days"]),
    )


def save_site(store: Store, site: Site) -> Site:
    """Add a site or replace its settings (a new row version)."""
    site = validate_site(site)
    # A new row version keeps the site's original creation time.
    store.command(
        "INSERT INTO sites (site_id, name, hostnames, timezone, cookieless, respect_dnt, ip_storage, "
        "retention_days, created_at, updated_at) SELECT {site_id:String}, {name:String}, "
        "{hostnames:Array(String)}, {timezone:String}, {cookieless:Bool}, {respect_dnt:Bool}, "
        "{ip_storage:String}, {retention_days:UInt16}, "
        "ifNull((SELECT min(created_at) FROM sites WHERE site_id = {site_id:String}), now64(3)), now64(3)",
        {
            "site_id": site.site_id,
            "name": site.name,
            "hostnames": list(site.hostnames),
            "timezone": site.timezone,
            "cookieless": site.cookieless,
            "respect_dnt": site.respect_dnt,
            "ip_storage": site.ip_storage,
            "retention_days": site.retention_days,
        },
    )
    return site


def list_sites(store: Store) -> list[Site]:
    rows = store.query(f"SELECT {_COLUMNS} FROM sites FINAL WHERE NOT deleted ORDER BY site_id")
    return [_from_row(row) for row in rows]


def get_site(store: Store, site_id: str) -> Site | None:
    rows = store.query(
        f"SELECT {_COLUMNS} FROM sites FINAL WHERE site_id = {{site_id:String}} AND NOT deleted",
        {"site_id": site_id.lower()},
    )
    return _from_row(rows[0]) if rows else None


def remove_site(store: Store, site_id: str, purge_events: bool = False) -> bool:
    """Mark the site removed (its events stop being accepted); optionally delete its events."""
    site = get_site(store, site_id)
    if site is None:
        return False
    store.command(
        "INSERT INTO sites (site_id, name, deleted, updated_at) "
        "VALUES ({site_id:String}, {name:String}, true, now64(3))",
        {"site_id": site.site_id, "name": site.name},
    )
    if purge_events:
        store.command("DELETE FROM events WHERE site_id = {site_id:String}", {"site_id": site.site_id})
        store.command("DELETE FROM survey_responses WHERE site_id = {site_id:String}", {"site_id": site.site_id})
    return True
