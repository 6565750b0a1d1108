"""Is this visitor a bot? A reason string when it is, None when it looks like a person.

Checks, cheapest first; the first that fires names the reason:

- `webdriver`: the tracker saw `navigator.webdriver` (Selenium, Playwright, Puppeteer).
- `empty_user_agent`: no User-Agent, or only spaces. Every real browser sends one.
- `headless`: a headless browser announcing itself (HeadlessChrome, PhantomJS).
- `spider`: ua-parser's device family is `Spider` (its own long list of crawlers).
- `crawler_token`: one of our tokens below (bot, crawl, spider, HTTP libraries, monitors, …).
- `crawler_list`: a pattern of the maintained `crawler-user-agents` list (over 1,500 crawlers),
  when that package is installed. Its patterns are written for RE2/Go too, so they are matched by
  the Rust regex set of `ua-parser-rs` (~1 µs) rather than by Python's `re` (~200 µs).

The reasons are few and fixed, so they can label a metric. The verdict for a User-Agent string is
cached; the webdriver flag is applied on top.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

log = logging.getLogger("footfall.bots")

WEBDRIVER = "webdriver"
EMPTY = "empty_user_agent"
HEADLESS = "headless"
SPIDER = "spider"
CRAWLER_TOKEN = "crawler_token"
CRAWLER_LIST = "crawler_list"
REASONS = (WEBDRIVER, EMPTY, HEADLESS, SPIDER, CRAWLER_TOKEN, CRAWLER_LIST)

CACHE_SIZE = 10_000
MAX_USER_AGENT = 1024  # longer strings are cut before matching (and before being a cache key)

HEADLESS_TOKENS = ("headless", "phantomjs", "slimerjs")

# Matched as substrings of the lower-cased string (one regex alternation of them costs ~100 µs
# on a long User-Agent in Python's re; these `in` tests cost a few). Each must never appear in a
# real browser's User-Agent: the browser lists in tests/collector guard that.
CRAWLER_TOKENS = (
    "bot",  # Googlebot, bingbot, GPTBot, ClaudeBot, AhrefsBot, … (Cubot phones are taken out first)
    "crawl",
    "spider",  # Baiduspider, Bytespider, Screaming Frog SEO Spider
    "slurp",  # Yahoo
    "scrapy",
    "archiver",  # ia_archiver
    "facebookexternalhit",
    "facebookcatalog",
    "meta-external",  # meta-externalagent, meta-externalfetcher
    "bingpreview",
    "google-inspectiontool",
    "googleother",
    "google-read-aloud",
    "mediapartners-google",
    "feedfetcher-google",
    "google-pagerenderer",
    "lighthouse",  # Chrome-Lighthouse, PageSpeed Insights
    "gtmetrix",
    "pingdom",
    "uptimerobot",
    "ptst/",  # WebPageTest
    "anthropic-ai",
    "claude-web",
    "claude-user",
    "chatgpt-user",
    "perplexity-user",
    "cohere-ai",
    "python-requests",
    "python-urllib",
    "python-httpx",
    "aiohttp",
    "curl/",
    "wget/",
    "go-http-client",
    "axios/",
    "node-fetch",
    "undici",
    "okhttp",
    "java/",
    "apache-httpclient",
    "libwww-perl",
    "guzzlehttp",
    "whatsapp/",  # link previews; WhatsApp opens links in the system browser
)
NOT_BOTS = ("cubot",)  # phone makers whose name holds a token


def bot_reason(user_agent: str, *, device_family: str = "", webdriver: bool = False) -> str | None:
    """Why this visitor is a bot, or None.

    `device_family` is ua-parser's device family for this User-Agent (as
    `collector.useragent.parse` reports it); `webdriver` is the tracker's flag.
    """
    if webdriver:
        return WEBDRIVER
    return user_agent_reason(user_agent, device_family)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _cached_reason(user_agent: str, device_family: str) -> str | None:
    if not user_agent.strip():
        return EMPTY
    lowered = user_agent.lower()
    if any(token in lowered for token in HEADLESS_TOKENS):
        return HEADLESS
    if device_family == "Spider":
        return SPIDER
    for name in NOT_BOTS:
        lowered = lowered.replace(name, "")
    if any(token in lowered for token in CRAWLER_TOKENS):
        return CRAWLER_TOKEN
    matches = crawler_list()
    if matches is not None and matches(user_agent):
        return CRAWLER_LIST
    return None


def user_agent_reason(user_agent: str, device_family: str = "") -> str | None:
    """The User-Agent part of `bot_reason` (everything but the webdriver flag), cached."""
    if len(user_agent) > MAX_USER_AGENT:
        user_agent = user_agent[:MAX_USER_AGENT]
    return _cached_reason(utf8_safe(user_agent), device_family)


def cache_clear() -> None:
    """Forget cached verdicts (benchmarks and tests)."""
    _cached_reason.cache_clear()


def utf8_safe(text: str) -> str:
    """`text` with what UTF-8 cannot encode (lone surrogates) replaced; the Rust matchers need it."""
    if text.isascii():
        return text
    return text.encode("utf-8", "replace").decode("utf-8")


@functools.cache
def crawler_list() -> Callable[[str], bool] | None:
    """A matcher for the `crawler-user-agents` patterns, or None when the package is absent."""
    try:
        import crawleruseragents
    except ImportError:
        log.info("crawler-user-agents is not installed: bots are found by ua-parser and our tokens")
        return None
    patterns = [str(entry["pattern"]) for entry in crawleruseragents.CRAWLER_USER_AGENTS_DATA]
    try:
        import ua_parser_rs

        # A user-agent extractor is a regex set with a literal family: any match is a crawler.
        extractor = ua_parser_rs.UserAgentExtractor(
            (pattern, "crawler", None, None, None, None) for pattern in patterns
        )
    except Exception as exc:  # no Rust matcher, or a pattern it cannot compile: the slow way
        log.warning("matching crawler-user-agents with Python's re (slower): %s", exc)
        slow: Callable[[str], bool] = crawleruseragents.is_crawler
        return slow

    def matches(user_agent: str) -> bool:
        return extractor.extract(user_agent) is not None

    return matches
