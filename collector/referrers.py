"""Classify where a page view came from: source, medium and search keywords.

`classify_referral` is a pure function over the referrer, the page URL and the site's own
hostnames. It reads the table in `collector/referrer_sources.py`; the rules are described in
docs/referrers.md. It never raises on odd input: what is not an http(s) or android-app URL
counts as no referrer at all.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import get_args
from urllib.parse import unquote_plus, unquote_to_bytes, urlsplit

from collector.referrer_sources import (
    CLICK_IDS,
    COUNTRY_SECOND_LEVELS,
    ORGANIC_MEDIUMS,
    SOURCES,
    UTM_MEDIUMS,
    WEBMAIL_LABELS,
    KnownSource,
    Medium,
)

__all__ = ["MEDIUMS", "Medium", "Referral", "classify_referral", "lookup_host"]

MEDIUMS: tuple[Medium, ...] = get_args(Medium)
MAX_REFERRER = 2000  # longest referrer stored (the request parser clamps to the same length)
MAX_PARSED = 4096  # longest input looked at; the rest of a longer string is ignored
MAX_TERM = 200
MAX_TAG = 100  # longest utm_source kept as a source name
MAX_QUERY_PAIRS = 64

_LABEL = r"\w(?:[\w-]{0,61}\w)?"  # letters of any script, digits, _ and inner hyphens
_HOST = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}\Z")
_PACKAGE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\Z")
_EMAIL_TAG = re.compile(r"mail|newsletter")
_GB_HINTS = frozenset({"gbk", "gb2312", "gb18030"})


@dataclass(frozen=True, slots=True)
class Referral:
    referrer: str  # the external referrer to store; '' for direct and internal
    source: str  # 'Google', 'Facebook', 'newsletter' (from utm_source) … or the referrer's hostname
    medium: Medium
    search_term: str  # keywords when the engine passes them, else ''


DIRECT = Referral("", "", "direct", "")
INTERNAL = Referral("", "", "internal", "")


def _build_index() -> tuple[dict[str, KnownSource], dict[str, KnownSource], dict[str, KnownSource]]:
    hosts: dict[str, KnownSource] = {}
    apps: dict[str, KnownSource] = {}
    tags: dict[str, KnownSource] = {}
    for source in SOURCES:
        for pattern in source.hosts:
            hosts.setdefault(pattern, source)
        for app in source.apps:
            apps.setdefault(app, source)
        tags.setdefault(source.name.lower(), source)
    for source in SOURCES:  # weaker spellings never replace stronger ones
        for alias in source.aliases:
            tags.setdefault(alias, source)
    for source in SOURCES:
        for pattern in source.hosts:
            if not pattern.endswith(".*"):
                tags.setdefault(pattern, source)
    for source in SOURCES:
        for pattern in source.hosts:
            labels = pattern.split(".")
            if len(labels) == 2 and len(labels[0]) >= 3:  # facebook.com, google.* -> facebook, google
                tags.setdefault(labels[0], source)
    return hosts, apps, tags


_HOSTS, _APPS, _TAGS = _build_index()


def _candidates(host: str) -> Iterator[str]:
    """Patterns that could match `host`, most specific first."""
    labels = host.split(".")
    count = len(labels)
    suffix = 0
    if count >= 2:
        suffix = 2 if count >= 3 and len(labels[-1]) == 2 and labels[-2] in COUNTRY_SECOND_LEVELS else 1
    for start in range(count - 1):
        yield ".".join(labels[start:])
        if start < count - suffix:
            yield ".".join(labels[start : count - suffix]) + ".*"


@lru_cache(maxsize=8192)
def lookup_host(host: str) -> KnownSource | None:
    """The known source of a lower-case hostname, or None."""
    for candidate in _candidates(host):
        found = _HOSTS.get(candidate)
        if found is not None:
            return found
    return None


def classify_referral(
    referrer: str,
    page_url: str,
    own_hostnames: Callable[[str], bool] | Collection[str],
    utm: Mapping[str, str] | None = None,
) -> Referral:
    """Source, medium and search keywords of one page view.

    `own_hostnames` says which referrer hosts are the site itself: a predicate such as
    `Site.allows_hostname`, or a collection of hostnames (`*.example.com` allowed); the page's own
    hostname and its www. variant always count. `utm` replaces the utm_* tags of `page_url`.
    """
    page = _split(page_url)
    params = _query_params(page.query if page else "")
    tags = params if utm is None else utm
    tag_source = _clean_tag(tags.get("utm_source", ""))
    tag_medium = _clean_tag(tags.get("utm_medium", "")).lower().replace("_", "-").replace(" ", "-")
    clicked = next((CLICK_IDS[key] for key, value in params.items() if key in CLICK_IDS and value), "")

    ref = _referrer(referrer)
    known = ref.known if ref else None
    if ref is None:
        base = DIRECT
    elif not ref.app and _is_own(ref.host, _clean_host(page.hostname) if page else None, own_hostnames):
        base, known = INTERNAL, None
    else:
        base = Referral(ref.stored, known.name if known else ref.host.removeprefix("www."), _medium_of(ref), "")
    if not (tag_source or tag_medium or clicked):
        return _with_term(base, ref) if known and known.params else base

    tagged = _tag_lookup(tag_source)
    external = base.medium not in ("internal", "direct")
    if tagged:
        source, source_medium = tagged.name, tagged.medium
    elif tag_source:
        source = tag_source
        source_medium = "email" if _EMAIL_TAG.search(tag_source.lower()) else base.medium if external else "referral"
    else:
        source, source_medium = clicked or base.source, base.medium
    medium = UTM_MEDIUMS.get(tag_medium)
    if medium is None and tag_medium in ORGANIC_MEDIUMS:
        medium = source_medium if source_medium not in ("referral", "internal", "direct") else "search"
    if medium is None:
        medium = "paid" if clicked or _looks_paid(tag_medium) else source_medium
    result = Referral(base.referrer, source, medium, "")
    if known and known.params and known.name == source and medium in ("search", "paid"):
        return _with_term(result, ref)
    return result


@dataclass(frozen=True, slots=True)
class _Parts:
    hostname: str | None
    netloc: str
    query: str
    fragment: str


@dataclass(frozen=True, slots=True)
class _Ref:
    stored: str  # the referrer as it will be stored
    host: str  # lower-case hostname, or the app's package name
    app: bool  # an android-app:// referrer
    known: KnownSource | None
    parts: _Parts


def _split(url: str) -> _Parts | None:
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip()[:MAX_PARSED])
        return _Parts(parts.hostname, parts.netloc, parts.query, parts.fragment)
    except ValueError:  # "http://[::1" and other broken authorities
        return None


def _referrer(raw: str) -> _Ref | None:
    """The usable referrer, or None for no referrer, garbage and schemes other than http(s) / android-app."""
    parts = _split(raw)
    if parts is None:
        return None
    text = raw.strip()
    scheme = text.partition(":")[0].lower()
    if scheme == "android-app":
        package = parts.netloc.lower()
        if not _PACKAGE.match(package):
            return None
        return _Ref(_scrub(text[:MAX_REFERRER]), package, True, _APPS.get(package), parts)
    host = _clean_host(parts.hostname) if scheme in ("http", "https") else None
    if host is None:
        return None
    return _Ref(_scrub(text[:MAX_REFERRER]), host, False, lookup_host(host), parts)


def _is_own(host: str, page_host: str | None, own: Callable[[str], bool] | Collection[str]) -> bool:
    bare = host.removeprefix("www.")
    if page_host is not None and bare == page_host.removeprefix("www."):
        return True
    if callable(own):
        return bool(own(host))
    for allowed in (own,) if isinstance(own, str) else own:
        allowed = allowed.lower().rstrip(".").removeprefix("www.")
        if bare == allowed or (allowed.startswith("*.") and (bare == allowed[2:] or bare.endswith(allowed[1:]))):
            return True
    return False


def _tag_lookup(tag_source: str) -> KnownSource | None:
    """The known source a utm_source names: a name, an alias or a hostname of one."""
    if not tag_source:
        return None
    tag = tag_source.lower()
    found = _TAGS.get(tag)
    if found is None and "." in tag and (host := _clean_host(tag)) is not None:
        found = lookup_host(host)
    return found


def _clean_host(hostname: str | None) -> str | None:
    if not hostname:
        return None
    host = hostname.lower().rstrip(".")
    if len(host) > 253 or not host:
        return None
    if ":" in host:  # IPv6 literal
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            return None
    return host if _HOST.match(host) else None


def _medium_of(ref: _Ref) -> Medium:
    if ref.known:
        return ref.known.medium
    labels = ref.host.split(".")
    return "email" if not ref.app and len(labels) >= 3 and labels[0] in WEBMAIL_LABELS else "referral"


def _looks_paid(tag_medium: str) -> bool:
    """GA4's paid rule: cp anywhere (cpc, cpm, cpv …) or a name starting with paid."""
    return "cp" in tag_medium or tag_medium.startswith("paid")


def _query_params(query: str) -> dict[str, str]:
    """Lower-case keys to their first value, decoded; at most MAX_QUERY_PAIRS pairs."""
    params: dict[str, str] = {}
    for pair in query.split("&", MAX_QUERY_PAIRS)[:MAX_QUERY_PAIRS]:
        key, _, value = pair.partition("=")
        key = unquote_plus(key).strip().lower()
        if key and key not in params:
            params[key] = unquote_plus(value)
    return params


def _clean_tag(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return " ".join(_scrub(value[:MAX_PARSED]).split())[:MAX_TAG]


def _with_term(result: Referral, ref: _Ref | None) -> Referral:
    if ref is None or ref.known is None:
        return result
    term = _search_term(ref.parts.query, ref.known) or _search_term(ref.parts.fragment, ref.known)
    return Referral(result.referrer, result.source, result.medium, term)


def _search_term(query: str, known: KnownSource) -> str:
    raw: dict[str, str] = {}
    for pair in query.split("&", MAX_QUERY_PAIRS)[:MAX_QUERY_PAIRS]:
        key, _, value = pair.partition("=")
        raw.setdefault(key.lower(), value)
    hint = raw.get("ie", "").lower()
    for param in known.params:
        if raw.get(param):
            term = _tidy(_decode(raw[param], known.charset, hint))
            if term and not term.lower().startswith(("http://", "https://")):  # google.com/url?q=<target>
                return term
    return ""


def _decode(value: str, charset: str, hint: str) -> str:
    try:
        data = unquote_to_bytes(value.replace("+", " "))
    except UnicodeEncodeError:  # lone surrogates in the input
        data = value.replace("+", " ").encode("utf-8", "replace")
    order = (charset, "utf-8") if charset and hint in _GB_HINTS else ("utf-8", charset) if charset else ("utf-8",)
    for encoding in order:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def _tidy(term: str) -> str:
    """NFC, no control characters or U+FFFD, single spaces, at most MAX_TERM characters."""
    term = unicodedata.normalize("NFC", term)
    term = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") or ch == "\ufffd" else ch for ch in term)
    return " ".join(term.split())[:MAX_TERM].rstrip()


def _scrub(text: str) -> str:
    """Text that encodes to UTF-8: lone surrogates become '?'."""
    return text if text.isascii() else text.encode("utf-8", "replace").decode("utf-8")
