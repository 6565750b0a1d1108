"""Reading the site forms (new site, settings) into a `Site`, with messages a site owner can act
on in their language. `pipelines.sites.validate_site` stays the last word on what is stored; this
module only checks field by field first, so each mistake is named next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dashboard.i18n import N_
from dashboard.pages.sites import snippet
from pipelines.sites import IP_STORAGE, Site, SiteError, normalize_hostname, validate_site

MAX_NAME = 200
MAX_HOSTNAMES = 50
MAX_RETENTION_DAYS = 65535
# The IANA areas a person picks from; legacy aliases (US/Eastern, Etc/GMT+7) are left out of the list.
ZONE_AREAS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
              "Indian", "Pacific")

BAD_HOSTNAME = N_("%(value)s is not a hostname: use a domain such as example.com or *.example.com.")
BAD_ZONE = N_("Choose a time zone from the list.")
BAD_IP_STORAGE = N_("Choose how IP addresses are stored.")
BAD_RETENTION = N_("Retention must be a whole number of days, from 0 (keep forever) to 65535.")
LONG_NAME = N_("The name may have at most 200 characters.")
TOO_MANY_HOSTNAMES = N_("At most 50 other hostnames.")


@dataclass
class FormErrors:
    """Messages to show, as (msgid, values), translated by the template."""

    items: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, message: str, **values: Any) -> None:
        self.items.append((message, values))

    def __bool__(self) -> bool:
        return bool(self.items)


def text(form: Mapping[str, Any], name: str, limit: int = 2000) -> str:
    """A form field as text (missing, or a file: empty), trimmed and cut at `limit`."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


@cache
def zone_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Time zones for the picker: UTC, then each IANA area's zones, sorted."""
    groups: dict[str, list[str]] = {}
    for name in available_timezones():
        area = name.split("/", 1)[0]
        if area in ZONE_AREAS and "/" in name:
            groups.setdefault(area, []).append(name)
    return (("", ("UTC",)), *((area, tuple(sorted(groups[area]))) for area in sorted(groups)))


def is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return bool(name)


def hostnames(raw: str, site_id: str, errors: FormErrors) -> tuple[str, ...]:
    """Other hostnames, one per line or separated by commas or spaces; the site's own id is left out."""
    found: list[str] = []
    for item in re.split(r"[\s,]+", raw):
        if not item:
            continue
        try:
            name = normalize_hostname(item)
        except SiteError:
            errors.add(BAD_HOSTNAME, value=item[:100])
            continue
        if name != site_id and name not in found:
            found.append(name)
    if len(found) > MAX_HOSTNAMES:
        errors.add(TOO_MANY_HOSTNAMES)
    return tuple(found[:MAX_HOSTNAMES])


def retention(raw: str, errors: FormErrors) -> int:
    if not raw:
        return 0
    if not raw.isdigit() or int(raw) > MAX_RETENTION_DAYS:
        errors.add(BAD_RETENTION)
        return 0
    return int(raw)


def settings_from_form(site: Site, form: Mapping[str, Any]) -> tuple[Site, FormErrors]:
    """The site with the settings form's values; errors name every field that is wrong."""
    errors = FormErrors()
    name = text(form, "name", MAX_NAME + 1)
    if len(name) > MAX_NAME:
        errors.add(LONG_NAME)
    zone = text(form, "timezone", 100)
    if not is_zone(zone):
        errors.add(BAD_ZONE)
    ip_storage = text(form, "ip_storage", 20)
    if ip_storage not in IP_STORAGE:
        errors.add(BAD_IP_STORAGE)
    draft = replace(
        site,
        name=name[:MAX_NAME] or site.site_id,
        hostnames=hostnames(text(form, "hostnames", 20_000), site.site_id, errors),
        timezone=zone if is_zone(zone) else site.timezone,
        cookieless=bool(form.get("cookieless")),
        respect_dnt=bool(form.get("respect_dnt")),
        ip_storage=ip_storage if ip_storage in IP_STORAGE else site.ip_storage,
        retention_days=retention(text(form, "retention_days", 10), errors),
    )
    return (draft if errors else validate_site(draft)), errors


def new_site_from_form(form: Mapping[str, Any]) -> tuple[Site, FormErrors]:
    """A new site from its id (hostname), name and time zone; privacy options start at their defaults."""
    errors = FormErrors()
    raw_id = text(form, "site_id", 300)
    try:
        site_id = normalize_hostname(raw_id)
        if site_id.startswith("*."):
            raise SiteError(raw_id)
    except SiteError:
        errors.add(BAD_HOSTNAME, value=raw_id[:100] or "–")
        site_id = raw_id
    name = text(form, "name", MAX_NAME + 1)
    if len(name) > MAX_NAME:
        errors.add(LONG_NAME)
    zone = text(form, "timezone", 100) or "UTC"
    if not is_zone(zone):
        errors.add(BAD_ZONE)
    draft = Site(site_id=site_id, name=name[:MAX_NAME] or site_id, timezone=zone if is_zone(zone) else "UTC")
    return (draft if errors else validate_site(draft)), errors


def site_snippet(origin: str, site: Site) -> str:
    """The tracking snippet with the data-* options matching the site's privacy settings (the
    collector enforces them too; with the attributes the browser itself stores and sends less)."""
    options = ""
    if site.cookieless:
        options += " data-cookieless"
    if site.respect_dnt:
        options += " data-respect-dnt"
    base = snippet(origin, site.site_id)
    return base.removesuffix("></script>") + options + "></script>"
