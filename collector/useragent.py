"""User-Agent string -> browser, OS, device type and bot verdict.

ua-parser 1.x does the parsing with its Rust resolver (`ua_parser.regex.Resolver`, from the
`ua-parser-rs` accelerator; ~15 µs for a new string). The whole result is kept in an LRU cache
keyed by the string, so a User-Agent seen before costs about a microsecond. The `user-agents`
package is not used: it wraps ua-parser's legacy pure-Python parser (~800 µs a string).

Decisions worth knowing:

- Versions are `major.minor` (`131.0`, `18.1`), or `major` alone when that is all there is.
- Unknown values are empty strings, never ua-parser's `Other`.
- Families are cut at 64 characters, versions at 32, the input at 1024 (a longer string is
  no browser; cutting keeps the cache small).
- Device type: a tablet is an iPad, a Kindle, ua-parser's generic tablets, or Android without the
  `Mobile` token (Chrome's convention, Samsung and Firefox follow it); a phone is an iPhone/iPod,
  any other mobile OS, or `Mobile` in the string; the rest is desktop.
- iPadOS 13+ Safari asks for desktop sites by default and then sends the exact User-Agent of
  Safari on macOS. Nothing in the string tells them apart, so it counts as desktop Mac OS X; only
  the page (`navigator.maxTouchPoints > 1`) could tell. In-app WebViews on iPad in desktop mode
  often keep iOS's `Mobile/15E148` build token after a Macintosh platform: those are tablets.
- Windows 11 sends `Windows NT 10.0`: it is reported as Windows 10.
- In-app browsers that ua-parser names after the WebView (Zalo, WeChat on Android) are named
  after the app.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Literal

import ua_parser
from ua_parser import Device, Domain, Resolver

from collector import bots

log = logging.getLogger("footfall.useragent")

DeviceType = Literal["desktop", "mobile", "tablet"]

CACHE_SIZE = 10_000
MAX_FAMILY = 64
MAX_VERSION = 32
MAX_USER_AGENT = bots.MAX_USER_AGENT

TABLET_DEVICE_FAMILIES = frozenset({"iPad", "Kindle", "Generic Tablet", "Galaxy Tab", "Xoom"})
TABLET_DEVICE_BRANDS = frozenset({"Generic_Android_Tablet"})
MOBILE_DEVICE_FAMILIES = frozenset({"iPhone", "iPod", "Generic Smartphone", "Generic Feature Phone"})
MOBILE_OS_FAMILIES = frozenset({
    "iOS", "Windows Phone", "Windows Mobile", "BlackBerry OS", "BlackBerry Tablet OS", "KaiOS",
    "Symbian OS", "Symbian^3", "Firefox OS", "Bada", "webOS", "MeeGo", "Maemo",
})

# App name, then its version: the in-app browsers ua-parser reports as a bare WebView.
_IN_APP = re.compile(r"(Zalo) (?:android|iOS)/(\d+)(?:\.(\d+))?|Micro(Messenger)/(\d+)\.(\d+)")
_IN_APP_NAMES = {"Zalo": "Zalo", "Messenger": "WeChat"}


@dataclass(frozen=True, slots=True)
class UserAgentInfo:
    browser: str
    browser_version: str
    os: str
    os_version: str
    device_type: DeviceType
    device_family: str  # ua-parser's (`iPhone`, `Samsung SM-S918B`, `Spider`, …)
    bot_reason: str | None  # from the string alone; see `collector.bots`

    @property
    def is_bot(self) -> bool:
        return self.bot_reason is not None


def parse(user_agent: str) -> UserAgentInfo:
    """Parse a User-Agent header. Never raises; cached by the (cut) string."""
    if len(user_agent) > MAX_USER_AGENT:
        user_agent = user_agent[:MAX_USER_AGENT]
    return _parse_cached(user_agent)


def warm() -> None:
    """Build the parsers now (~0.15 s) rather than on the first request."""
    resolver()
    bots.crawler_list()


def cache_clear() -> None:
    """Forget parsed strings (benchmarks and tests)."""
    _parse_cached.cache_clear()


@functools.lru_cache(maxsize=CACHE_SIZE)
def _parse_cached(user_agent: str) -> UserAgentInfo:
    text = bots.utf8_safe(user_agent)
    try:
        result = resolver()(text, Domain.ALL)
    except Exception:  # a parser bug must not lose the event
        log.exception("ua-parser failed on %r", text[:200])
        return UserAgentInfo("", "", "", "", "desktop", "", bots.user_agent_reason(text))
    browser = browser_version = os = os_version = ""
    if result.user_agent is not None:
        ua = result.user_agent
        browser, browser_version = _family(ua.family), _version(ua.major, ua.minor)
    if ("Zalo" in text or "MicroMessenger" in text) and (app := _IN_APP.search(text)) is not None:
        browser, major, minor = _in_app(app)
        browser_version = _version(major, minor)
    if result.os is not None:
        os, os_version = _family(result.os.family), _version(result.os.major, result.os.minor)
    device_family = _family(result.device.family) if result.device is not None else ""
    return UserAgentInfo(
        browser=browser,
        browser_version=browser_version,
        os=os,
        os_version=os_version,
        device_type=device_type(text, os, result.device),
        device_family=device_family,
        bot_reason=bots.user_agent_reason(text, device_family),
    )


def _in_app(match: re.Match[str]) -> tuple[str, str | None, str | None]:
    if match.group(1):
        return _IN_APP_NAMES[match.group(1)], match.group(2), match.group(3)
    return _IN_APP_NAMES[match.group(4)], match.group(5), match.group(6)


def device_type(user_agent: str, os_family: str, device: Device | None) -> DeviceType:
    family = device.family if device is not None else ""
    brand = (device.brand or "") if device is not None else ""
    if family in TABLET_DEVICE_FAMILIES or brand in TABLET_DEVICE_BRANDS or "Tablet;" in user_agent:
        return "tablet"
    if family in MOBILE_DEVICE_FAMILIES:
        return "mobile"
    if os_family == "Android":
        return "mobile" if "Mobile" in user_agent else "tablet"
    if os_family == "Mac OS X" and "Mobile/" in user_agent:
        return "tablet"  # an iPad app's WebView in desktop mode keeps the iOS build token
    if os_family in MOBILE_OS_FAMILIES or "Mobile" in user_agent:
        return "mobile"
    return "desktop"


def _family(value: str | None) -> str:
    if not value or value == "Other":
        return ""
    return value.strip()[:MAX_FAMILY]


def _version(major: str | None, minor: str | None) -> str:
    if not major:
        return ""
    return (f"{major}.{minor}" if minor else major)[:MAX_VERSION]


@functools.cache
def resolver() -> Resolver:
    """ua-parser's Rust resolver, built once (~0.2 s); the pure-Python one if Rust is missing."""
    if ua_parser.RegexResolver is not None:
        return ua_parser.RegexResolver(ua_parser.load_lazy_builtins())
    log.warning("ua-parser-rs is not installed: parsing User-Agents with pure Python (slow)")
    return ua_parser.BasicResolver(ua_parser.load_builtins())
