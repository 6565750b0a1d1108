"""Bot detection: real crawlers are caught, real browsers (in-app ones too) are not."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator

import pytest

from collector import bots, useragent
from tests.collector.test_useragent import BROWSER_UAS

HAS_CRAWLER_LIST = importlib.util.find_spec("crawleruseragents") is not None
needs_crawler_list = pytest.mark.skipif(not HAS_CRAWLER_LIST, reason="crawler-user-agents is not installed")

# Real crawler, monitor, preview and HTTP-library User-Agents, as their owners publish them.
CRAWLERS = [
    ("googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("googlebot-smartphone",
     "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.6778.139 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("google-inspectiontool", "Mozilla/5.0 (compatible; Google-InspectionTool/1.0;)"),
    ("bingbot",
     "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
     "+http://www.bing.com/bingbot.htm) "
     "Chrome/116.0.1938.76 Safari/537.36"),
    ("bingpreview",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.74 "
     "Safari/537.36 Edg/79.0.309.43 BingPreview/1.0b"),
    ("yahoo-slurp", "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)"),
    ("duckduckbot", "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)"),
    ("baiduspider", "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"),
    ("yandexbot", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"),
    ("coccocbot", "Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/searchengine)"),
    ("applebot",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)"),
    ("petalbot",
     "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
     "(compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)"),
    ("facebookexternalhit", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"),
    ("meta-externalagent", "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)"),
    ("twitterbot", "Twitterbot/1.0"),
    ("linkedinbot", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"),
    ("slackbot", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"),
    ("discordbot", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"),
    ("telegrambot", "TelegramBot (like TwitterBot)"),
    ("whatsapp-preview", "WhatsApp/2.23.20.0 A"),
    ("ahrefsbot", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"),
    ("semrushbot", "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)"),
    ("mj12bot", "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)"),
    ("screaming-frog", "Screaming Frog SEO Spider/19.4"),
    ("ccbot", "CCBot/2.0 (https://commoncrawl.org/faq/)"),
    ("gptbot",
     "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"),
    ("chatgpt-user",
     "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot"),
    ("claudebot",
     "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; "
     "+claudebot@anthropic.com)"),
    ("perplexitybot",
     "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; "
     "+https://perplexity.ai/perplexitybot)"),
    ("bytespider",
     "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
     "(compatible; Bytespider; spider-feedback@bytedance.com)"),
    ("headless-chrome",
     "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.28 "
     "Safari/537.36"),
    ("phantomjs",
     "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 "
     "Safari/538.1"),
    ("lighthouse",
     "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse"),
    ("gtmetrix",
     "Mozilla/5.0 (X11; Linux x86_64; GTmetrix https://gtmetrix.com/) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/108.0.0.0 Safari/537.36"),
    ("pingdom", "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)"),
    ("uptimerobot", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"),
    ("python-requests", "python-requests/2.31.0"),
    ("python-urllib", "Python-urllib/3.11"),
    ("scrapy", "Scrapy/2.11.0 (+https://scrapy.org)"),
    ("curl", "curl/8.5.0"),
    ("wget", "Wget/1.21.4"),
    ("go-http-client", "Go-http-client/1.1"),
    ("axios", "axios/1.6.2"),
    ("node-fetch", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)"),
    ("okhttp", "okhttp/4.12.0"),
    ("java", "Java/17.0.9"),
    ("libwww-perl", "libwww-perl/6.72"),
]

# Only the maintained list knows these (no token, not a ua-parser Spider).
LIST_ONLY = [
    ("mastodon-preview", "Mastodon/4.2.1 (http.rb/5.1.1; +https://mastodon.social/)"),
    ("zabbix", "Zabbix"),
    ("hotjar", "Hotjar"),
]

# More real in-app and regional browsers, on top of every browser of test_useragent.
MORE_BROWSERS = [
    "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/128.0 Mobile Safari/537.36 trill_360000 BytedanceWebview/d8a21c6",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 Snapchat/13.10.0.40 (like Safari/8618.1.15, panda)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 Safari Line/14.13.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 [Pinterest/iOS]",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 "
    "Safari/537.36 OPR/117.0.0.0 (Edition std-2)",
    "Mozilla/5.0 (Linux; Android 11; KFTUWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/134.1.82 like "
    "Chrome/134.0.6998.135 Safari/537.36",
]


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    bots.cache_clear()
    useragent.cache_clear()
    yield
    bots.cache_clear()
    useragent.cache_clear()


def reason(user_agent: str, webdriver: bool = False) -> str | None:
    info = useragent.parse(user_agent)
    return bots.bot_reason(user_agent, device_family=info.device_family, webdriver=webdriver)


@pytest.mark.parametrize("user_agent", [pytest.param(ua, id=name) for name, ua in CRAWLERS])
def test_real_crawlers_are_bots(user_agent: str) -> None:
    assert reason(user_agent) in bots.REASONS
    assert useragent.parse(user_agent).is_bot


@pytest.mark.parametrize("user_agent", [pytest.param(ua, id=name) for name, ua in CRAWLERS])
def test_crawlers_are_caught_without_the_maintained_list(
    user_agent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bots, "crawler_list", lambda: None)
    assert reason(user_agent) in (bots.HEADLESS, bots.SPIDER, bots.CRAWLER_TOKEN)


@needs_crawler_list
@pytest.mark.parametrize("user_agent", [pytest.param(ua, id=name) for name, ua in LIST_ONLY])
def test_the_maintained_list_catches_the_long_tail(user_agent: str) -> None:
    assert reason(user_agent) == bots.CRAWLER_LIST


@pytest.mark.parametrize("user_agent", BROWSER_UAS + MORE_BROWSERS)
def test_real_browsers_are_not_bots(user_agent: str) -> None:
    assert reason(user_agent) is None


def test_webdriver_flag_wins() -> None:
    assert reason(BROWSER_UAS[0], webdriver=True) == bots.WEBDRIVER
    assert bots.bot_reason("", webdriver=True) == bots.WEBDRIVER


@pytest.mark.parametrize("user_agent", ["", " ", "   \t  "])
def test_empty_user_agents(user_agent: str) -> None:
    assert bots.bot_reason(user_agent) == bots.EMPTY


def test_reasons_name_the_check_that_fired() -> None:
    headless = next(ua for name, ua in CRAWLERS if name == "headless-chrome")
    assert reason(headless) == bots.HEADLESS
    assert reason("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)") == bots.SPIDER
    assert bots.bot_reason("python-requests/2.31.0") == bots.CRAWLER_TOKEN


def test_the_spider_family_alone_is_enough() -> None:
    assert bots.bot_reason("Mozilla/5.0 SomethingNew/1.0", device_family="Spider") == bots.SPIDER


def test_hostile_strings_do_not_break_the_matchers() -> None:
    for user_agent in ("\ud800bot", "\x00" * 10, "😀" * 2000, "(" * 10_000):
        assert bots.bot_reason(user_agent) in (*bots.REASONS, None)


@needs_crawler_list
def test_the_list_uses_the_rust_regex_set() -> None:
    matches = bots.crawler_list()
    assert matches is not None and matches.__name__ == "matches"
    assert matches("Zabbix") and not matches(BROWSER_UAS[0])


@needs_crawler_list
def test_without_rust_the_list_still_works(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "ua_parser_rs", None)  # import now fails
    matches = bots.crawler_list.__wrapped__()
    assert matches is not None and matches("Zabbix") and not matches(BROWSER_UAS[0])
    assert "slower" in caplog.text


def test_without_the_package_there_is_no_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "crawleruseragents", None)
    assert bots.crawler_list.__wrapped__() is None
