from __future__ import annotations

import time

import pytest

from pipelines.events import events_batch
from pipelines.sites import Site, SiteError, get_site, list_sites, normalize_hostname, remove_site, save_site
from pipelines.store.base import Store


@pytest.mark.parametrize(("raw", "expected"), [
    ("Example.com", "example.com"), ("https://www.example.com/path", "example.com"),
    ("*.Example.org", "*.example.org"), ("localhost", "localhost"), ("shop.example.co.uk.", "shop.example.co.uk"),
])
def test_hostnames_are_normalized(raw: str, expected: str) -> None:
    assert normalize_hostname(raw) == expected


@pytest.mark.parametrize("raw", ["", "not a host", "exa mple.com", "<script>", "a..b", "-x.com", "x" * 300])
def test_non_hostnames_are_refused(raw: str) -> None:
    with pytest.raises(SiteError):
        normalize_hostname(raw)


def test_allowed_hostnames() -> None:
    site = Site("example.com", hostnames=("*.example.org", "shop.example.net"))
    allowed = ["example.com", "www.example.com", "EXAMPLE.com.", "example.org", "a.b.example.org", "shop.example.net"]
    refused = ["evil.com", "example.com.evil.com", "notexample.com", "x.shop.example.net", "example.net"]
    assert all(site.allows_hostname(h) for h in allowed)
    assert not any(site.allows_hostname(h) for h in refused)


def test_save_update_keep_created_and_remove(store: Store) -> None:
    save_site(store, Site("example.com", timezone="Asia/Ho_Chi_Minh"))
    created = store.scalar("SELECT created_at FROM sites FINAL WHERE site_id = 'example.com'")
    time.sleep(0.01)
    save_site(store, Site("example.com", timezone="Europe/Berlin", cookieless=True))
    site = get_site(store, "example.com")
    assert site is not None and site.timezone == "Europe/Berlin" and site.cookieless
    assert store.scalar("SELECT created_at FROM sites FINAL WHERE site_id = 'example.com'") == created
    assert [s.site_id for s in list_sites(store)] == ["example.com"]
    assert remove_site(store, "example.com")
    assert get_site(store, "example.com") is None and list_sites(store) == []
    assert not remove_site(store, "example.com")


def test_remove_with_purge_deletes_only_that_sites_events(store: Store) -> None:
    for site_id in ("a.com", "b.com"):
        save_site(store, Site(site_id))
    rows = [{"site_id": s, "timestamp": 1_780_000_000_000, "event_id": "00000000-0000-4000-8000-00000000000" + str(i)}
            for i, s in enumerate(["a.com", "a.com", "b.com"])]
    store.insert("events", events_batch(rows))
    remove_site(store, "a.com", purge_events=True)
    assert store.query("SELECT site_id, count() AS n FROM events GROUP BY site_id") == [{"site_id": "b.com", "n": 1}]


@pytest.mark.parametrize(("changes", "message"), [
    ({"timezone": "Mars/Base"}, "unknown time zone"),
    ({"ip_storage": "some"}, "ip_storage"),
    ({"retention_days": -1}, "retention_days"),
])
def test_invalid_site_settings_are_refused(store: Store, changes: dict[str, object], message: str) -> None:
    with pytest.raises(SiteError, match=message):
        save_site(store, Site("example.com", **changes))  # type: ignore[arg-type]
