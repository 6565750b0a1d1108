"""The world the demo traffic comes from: pages, devices, countries, referrers, click targets.

The first part is plain tables of names and relative weights; the last part (`World`) compiles
them into numpy lookups and Arrow dictionaries for `footfall.demo_data`. Names follow what a
dashboard shows (browser 'Chrome', OS 'macOS'), countries are ISO alpha-2, and every city carries
the IANA time zone a browser there reports, so country, region, city, language and time zone agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlencode

import numpy as np
import numpy.typing as npt
import pyarrow as pa

Array = npt.NDArray[Any]

Weighted = tuple[tuple[str, float], ...]


DEVICES = ("desktop", "mobile", "tablet")


class Platform(NamedTuple):
    device: str
    os: str
    weight: float  # share of visitors, percent: desktop 65, mobile 30, tablet 5
    browsers: Weighted
    screens: tuple[tuple[int, int, float], ...]  # CSS pixels (width, height, weight)


_WIN_SCREENS = ((1920, 1080, 40), (1366, 768, 14), (1536, 864, 16), (2560, 1440, 10), (1280, 720, 5),
                (1600, 900, 6), (1440, 900, 4), (3840, 2160, 5))
_IOS_PHONES = ((390, 844, 30), (393, 852, 25), (414, 896, 12), (375, 667, 10), (428, 926, 10), (430, 932, 13))
_ANDROID_PHONES = ((360, 800, 28), (412, 915, 26), (393, 873, 14), (384, 854, 10), (360, 780, 10),
                   (412, 892, 12))

# Browser and OS names and versions are what ua-parser, and so the collector, reports: phones run
# "Chrome Mobile" and "Mobile Safari", Macs are "Mac OS X 10.15" (browsers freeze that version),
# Windows 11 says "10", and Chrome's reduced User-Agent says Android "10" whatever the release.
PLATFORMS = (
    Platform("desktop", "Windows", 44, (("Chrome", 66), ("Edge", 20), ("Firefox", 9), ("Opera", 3),
                                        ("Coc Coc", 2)), _WIN_SCREENS),
    Platform("desktop", "Mac OS X", 15, (("Chrome", 50), ("Safari", 38), ("Firefox", 7), ("Edge", 5)),
             ((1440, 900, 25), (1512, 982, 25), (1728, 1117, 15), (1920, 1080, 20), (2560, 1440, 15))),
    Platform("desktop", "Linux", 4, (("Chrome", 58), ("Firefox", 42)), _WIN_SCREENS),
    Platform("desktop", "Chrome OS", 2, (("Chrome", 100),), ((1366, 768, 50), (1536, 864, 50))),
    Platform("mobile", "Android", 17, (("Chrome Mobile", 68), ("Samsung Internet", 20), ("Firefox Mobile", 4),
                                       ("Opera Mobile", 4), ("Edge Mobile", 2), ("Coc Coc", 2)), _ANDROID_PHONES),
    Platform("mobile", "iOS", 13, (("Mobile Safari", 85), ("Chrome Mobile iOS", 12), ("Firefox iOS", 3)),
             _IOS_PHONES),
    Platform("tablet", "iOS", 3.2, (("Mobile Safari", 88), ("Chrome Mobile iOS", 12)),
             ((810, 1080, 35), (820, 1180, 35), (768, 1024, 15), (1024, 1366, 15))),
    Platform("tablet", "Android", 1.8, (("Chrome", 75), ("Samsung Internet", 25)),
             ((800, 1280, 60), (1280, 800, 25), (601, 962, 15))),
)

_CHROME: Weighted = (("124.0", 34), ("123.0", 30), ("122.0", 14), ("121.0", 8), ("120.0", 6), ("109.0", 8))
_SAFARI: Weighted = (("17.4", 42), ("17.3", 20), ("16.6", 22), ("15.6", 16))
_FIREFOX: Weighted = (("125.0", 45), ("124.0", 30), ("115.0", 25))
BROWSER_VERSIONS: dict[str, Weighted] = {
    "Chrome": _CHROME, "Chrome Mobile": _CHROME, "Chrome Mobile iOS": _CHROME[:4],
    "Safari": _SAFARI, "Mobile Safari": _SAFARI,
    "Firefox": _FIREFOX, "Firefox Mobile": _FIREFOX, "Firefox iOS": (("125.0", 60), ("124.0", 40)),
    "Edge": (("124.0", 55), ("123.0", 35), ("122.0", 10)), "Edge Mobile": (("124.0", 70), ("123.0", 30)),
    "Opera": (("109.0", 60), ("108.0", 40)), "Opera Mobile": (("81.0", 60), ("80.0", 40)),
    "Samsung Internet": (("24.0", 55), ("23.0", 35), ("22.0", 10)),
    "Coc Coc": (("121.0", 60), ("120.0", 40)),
}
OS_VERSIONS: dict[str, Weighted] = {
    "Windows": (("10", 97), ("7", 2), ("8.1", 1)),
    "Mac OS X": (("10.15", 96), ("10.14", 3), ("10.13", 1)),
    "Linux": (("", 100),),
    "Chrome OS": (("14541.0", 60), ("14388.0", 40)),
    "Android": (("10", 72), ("14", 10), ("13", 9), ("12", 5), ("11", 4)),
    "iOS": (("17.4", 45), ("17.3", 20), ("16.7", 22), ("15.8", 13)),
}


class Country(NamedTuple):
    code: str
    weight: float
    languages: Weighted
    cities: tuple[tuple[str, str, str, float], ...]  # (region, city, time zone, weight)


COUNTRIES = (
    Country("US", 27, (("en-US", 92), ("es-US", 6), ("zh-CN", 2)), (
        ("California", "Los Angeles", "America/Los_Angeles", 14), ("California", "San Francisco",
         "America/Los_Angeles", 12), ("New York", "New York", "America/New_York", 18),
        ("Texas", "Austin", "America/Chicago", 8), ("Texas", "Houston", "America/Chicago", 7),
        ("Washington", "Seattle", "America/Los_Angeles", 9), ("Illinois", "Chicago", "America/Chicago", 10),
        ("Massachusetts", "Boston", "America/New_York", 8), ("Florida", "Miami", "America/New_York", 7),
        ("Colorado", "Denver", "America/Denver", 7))),
    Country("IN", 9, (("en-IN", 60), ("en-US", 25), ("hi-IN", 15)), (
        ("Maharashtra", "Mumbai", "Asia/Kolkata", 28), ("Karnataka", "Bengaluru", "Asia/Kolkata", 30),
        ("Delhi", "New Delhi", "Asia/Kolkata", 20), ("Telangana", "Hyderabad", "Asia/Kolkata", 12),
        ("Tamil Nadu", "Chennai", "Asia/Kolkata", 10))),
    Country("VN", 8, (("vi", 55), ("vi-VN", 30), ("en-US", 15)), (
        ("Ho Chi Minh", "Ho Chi Minh City", "Asia/Ho_Chi_Minh", 45),
        ("Hanoi", "Hanoi", "Asia/Ho_Chi_Minh", 35),
        ("Da Nang", "Da Nang", "Asia/Ho_Chi_Minh", 10), ("Haiphong", "Haiphong", "Asia/Ho_Chi_Minh", 5),
        ("Can Tho", "Can Tho", "Asia/Ho_Chi_Minh", 5))),
    Country("DE", 7, (("de-DE", 80), ("de", 12), ("en-US", 8)), (
        ("Berlin", "Berlin", "Europe/Berlin", 30), ("Bavaria", "Munich", "Europe/Berlin", 25),
        ("Hamburg", "Hamburg", "Europe/Berlin", 15), ("Hesse", "Frankfurt am Main", "Europe/Berlin", 15),
        ("North Rhine-Westphalia", "Cologne", "Europe/Berlin", 15))),
    Country("GB", 7, (("en-GB", 88), ("en-US", 12)), (
        ("England", "London", "Europe/London", 55), ("England", "Manchester", "Europe/London", 15),
        ("Scotland", "Edinburgh", "Europe/London", 12), ("England", "Birmingham", "Europe/London", 12),
        ("Wales", "Cardiff", "Europe/London", 6))),
    Country("CN", 5, (("zh-CN", 94), ("en-US", 6)), (
        ("Beijing", "Beijing", "Asia/Shanghai", 28), ("Shanghai", "Shanghai", "Asia/Shanghai", 28),
        ("Guangdong", "Shenzhen", "Asia/Shanghai", 18), ("Guangdong", "Guangzhou", "Asia/Shanghai", 14),
        ("Zhejiang", "Hangzhou", "Asia/Shanghai", 12))),
    Country("FR", 4, (("fr-FR", 80), ("fr", 14), ("en-US", 6)), (
        ("Île-de-France", "Paris", "Europe/Paris", 55), ("Auvergne-Rhône-Alpes", "Lyon", "Europe/Paris", 18),
        ("Provence-Alpes-Côte d'Azur", "Marseille", "Europe/Paris", 14), ("Occitanie", "Toulouse",
                                                                         "Europe/Paris", 13))),
    Country("JP", 4, (("ja", 70), ("ja-JP", 25), ("en-US", 5)), (
        ("Tokyo", "Tokyo", "Asia/Tokyo", 55), ("Osaka", "Osaka", "Asia/Tokyo", 20),
        ("Kanagawa", "Yokohama", "Asia/Tokyo", 15), ("Fukuoka", "Fukuoka", "Asia/Tokyo", 10))),
    Country("BR", 4, (("pt-BR", 95), ("en-US", 5)), (
        ("São Paulo", "São Paulo", "America/Sao_Paulo", 50), ("Rio de Janeiro", "Rio de Janeiro",
                                                               "America/Sao_Paulo", 25),
        ("Minas Gerais", "Belo Horizonte", "America/Sao_Paulo", 15), ("Federal District", "Brasília",
                                                                        "America/Sao_Paulo", 10))),
    Country("CA", 4, (("en-CA", 60), ("en-US", 22), ("fr-CA", 18)), (
        ("Ontario", "Toronto", "America/Toronto", 45), ("Quebec", "Montreal", "America/Toronto", 22),
        ("British Columbia", "Vancouver", "America/Vancouver", 20), ("Alberta", "Calgary",
                                                                      "America/Edmonton", 13))),
    Country("AU", 2.5, (("en-AU", 85), ("en-US", 15)), (
        ("New South Wales", "Sydney", "Australia/Sydney", 45), ("Victoria", "Melbourne",
                                                               "Australia/Melbourne", 38),
        ("Queensland", "Brisbane", "Australia/Brisbane", 17))),
    Country("NL", 2, (("nl-NL", 65), ("nl", 15), ("en-US", 20)), (
        ("North Holland", "Amsterdam", "Europe/Amsterdam", 55), ("South Holland", "Rotterdam",
                                                                 "Europe/Amsterdam", 25),
        ("Utrecht", "Utrecht", "Europe/Amsterdam", 20))),
    Country("ES", 2, (("es-ES", 88), ("es", 7), ("en-US", 5)), (
        ("Madrid", "Madrid", "Europe/Madrid", 50), ("Catalonia", "Barcelona", "Europe/Madrid", 38),
        ("Valencia", "Valencia", "Europe/Madrid", 12))),
    Country("IT", 2, (("it-IT", 90), ("en-US", 10)), (
        ("Lazio", "Rome", "Europe/Rome", 50), ("Lombardy", "Milan", "Europe/Rome", 50))),
    Country("KR", 2, (("ko-KR", 90), ("en-US", 10)), (
        ("Seoul", "Seoul", "Asia/Seoul", 70), ("Busan", "Busan", "Asia/Seoul", 15),
        ("Gyeonggi-do", "Seongnam-si", "Asia/Seoul", 15))),
    Country("ID", 2, (("id-ID", 85), ("en-US", 15)), (
        ("Jakarta", "Jakarta", "Asia/Jakarta", 60), ("West Java", "Bandung", "Asia/Jakarta", 22),
        ("East Java", "Surabaya", "Asia/Jakarta", 18))),
    Country("PL", 1.5, (("pl-PL", 90), ("en-US", 10)), (
        ("Mazovia", "Warsaw", "Europe/Warsaw", 60), ("Lesser Poland", "Kraków", "Europe/Warsaw", 40))),
    Country("RU", 1.5, (("ru-RU", 92), ("en-US", 8)), (
        ("Moscow", "Moscow", "Europe/Moscow", 65),
        ("St.-Petersburg", "Saint Petersburg", "Europe/Moscow", 35))),
    Country("MX", 1.5, (("es-MX", 92), ("en-US", 8)), (
        ("Mexico City", "Mexico City", "America/Mexico_City", 55), ("Jalisco", "Guadalajara",
                                                                     "America/Mexico_City", 25),
        ("Nuevo León", "Monterrey", "America/Monterrey", 20))),
    Country("CZ", 1, (("cs-CZ", 88), ("en-US", 12)), (
        ("Prague", "Prague", "Europe/Prague", 65), ("South Moravian", "Brno", "Europe/Prague", 35))),
    Country("SE", 1, (("sv-SE", 85), ("en-US", 15)), (
        ("Stockholm", "Stockholm", "Europe/Stockholm", 65), ("Västra Götaland", "Gothenburg",
                                                              "Europe/Stockholm", 35))),
    Country("SG", 1, (("en-SG", 60), ("en-US", 25), ("zh-CN", 15)), (
        ("Central Singapore", "Singapore", "Asia/Singapore", 100),)),
    Country("TW", 1, (("zh-TW", 92), ("en-US", 8)), (
        ("Taipei", "Taipei", "Asia/Taipei", 75), ("Kaohsiung", "Kaohsiung", "Asia/Taipei", 25))),
)

# Channels of a visit and their share of visits, percent. The order is the index used by
# `Source.channel` and by `ENTRY_PREFERENCE`.
CHANNELS: Weighted = (("direct", 35), ("search", 35), ("social", 12), ("referral", 6), ("ai", 4),
                      ("email", 4), ("paid", 4))
# Added to the chance that a page view is a visit's last: social and paid visitors leave sooner.
CHANNEL_EXTRA_BOUNCE = (0.0, 0.05, 0.12, 0.05, -0.05, 0.0, 0.08)


class Campaign(NamedTuple):
    utm_source: str
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_term: str = ""
    utm_content: str = ""


class Source(NamedTuple):
    channel: str
    name: str  # referrer_source
    referrers: tuple[str, ...]  # full referrer URLs, picked evenly
    weight: float  # inside the channel; search engines take theirs from SEARCH_MIX
    term_share: float = 0.0  # search: share of visits whose engine passes the keywords ...
    search_url: str = ""  # ... in its referrer URL, like this ("{q}": the keywords)
    campaign_share: float = 0.0  # share of visits whose landing URL carries these utm tags
    campaigns: tuple[Campaign, ...] = ()


SOURCES = (
    Source("direct", "", ("",), 1),
    # Google hides the keywords of most searches; the others pass them more often.
    Source("search", "Google", ("https://www.google.com/",), 0, 0.2, "https://www.google.com/search?q={q}"),
    Source("search", "Bing", ("https://www.bing.com/",), 0, 0.45, "https://www.bing.com/search?q={q}"),
    Source("search", "DuckDuckGo", ("https://duckduckgo.com/",), 0),
    Source("search", "Yahoo", ("https://search.yahoo.com/",), 0, 0.4, "https://search.yahoo.com/search?p={q}"),
    Source("search", "Yandex", ("https://yandex.ru/",), 0, 0.5, "https://yandex.ru/search/?text={q}"),
    Source("search", "Baidu", ("https://www.baidu.com/",), 0, 0.6, "https://www.baidu.com/s?wd={q}"),
    Source("search", "Ecosia", ("https://www.ecosia.org/",), 0, 0.3, "https://www.ecosia.org/search?q={q}"),
    Source("search", "Cốc Cốc", ("https://coccoc.com/",), 0, 0.6, "https://coccoc.com/search?query={q}"),
    Source("search", "Naver", ("https://search.naver.com/",), 0, 0.6,
           "https://search.naver.com/search.naver?query={q}"),
    Source("search", "Seznam", ("https://search.seznam.cz/",), 0, 0.5, "https://search.seznam.cz/?q={q}"),
    Source("social", "Facebook", ("https://l.facebook.com/", "https://m.facebook.com/"), 34,
           campaign_share=0.15, campaigns=(Campaign("facebook", "social", "launch-week"),)),
    Source("social", "X", ("https://t.co/",), 16, campaign_share=0.2,
           campaigns=(Campaign("twitter", "social", "launch-week"),)),
    Source("social", "LinkedIn", ("https://www.linkedin.com/", "https://lnkd.in/"), 15, campaign_share=0.25,
           campaigns=(Campaign("linkedin", "social", "hiring-2024"),)),
    Source("social", "Reddit", ("https://www.reddit.com/", "https://old.reddit.com/"), 20),
    Source("social", "YouTube", ("https://www.youtube.com/",), 15),
    Source("social", "Hacker News", ("https://news.ycombinator.com/", "https://news.ycombinator.com/item?id=40213412"),
           12),
    Source("social", "Medium", ("https://medium.com/",), 4),
    Source("social", "Zhihu", ("https://www.zhihu.com/question/31415926",), 3),
    Source("social", "Zalo", ("https://zalo.me/",), 3),
    Source("referral", "GitHub", ("https://github.com/footfall/footfall", "https://github.com/"), 30),
    Source("referral", "Product Hunt", ("https://www.producthunt.com/",), 8),
    Source("referral", "Stack Overflow", ("https://stackoverflow.com/questions/7123/track-page-views",), 12),
    Source("referral", "dev.to", ("https://dev.to/",), 8),
    Source("referral", "Wikipedia", ("https://en.wikipedia.org/",), 10),
    Source("referral", "viblo.asia", ("https://viblo.asia/p/self-hosted-analytics",), 5),
    Source("referral", "blog.example.org", ("https://blog.example.org/2024/analytics-stack",), 7),
    Source("ai", "ChatGPT", ("https://chatgpt.com/",), 68, campaign_share=0.7,
           campaigns=(Campaign("chatgpt.com"),)),
    Source("ai", "Perplexity", ("https://www.perplexity.ai/",), 16),
    Source("ai", "Claude", ("https://claude.ai/",), 8),
    Source("ai", "Gemini", ("https://gemini.google.com/",), 8),
    Source("email", "newsletter", ("",), 100, campaign_share=1.0, campaigns=(
        Campaign("newsletter", "email", "weekly-digest"), Campaign("newsletter", "email", "product-update"),
        Campaign("newsletter", "email", "onboarding-day-3"),
        Campaign("newsletter", "email", "webinar-invite"))),
    Source("paid", "Google", ("https://www.google.com/",), 60, campaign_share=1.0, campaigns=(
        Campaign("google", "cpc", "brand-search", "web analytics tool"),
        Campaign("google", "cpc", "brand-search", "analytics pricing"),
        Campaign("google", "cpc", "competitor-keywords", "google analytics alternative"),
        Campaign("google", "cpc", "spring-sale", "privacy friendly analytics"))),
    Source("paid", "Facebook", ("https://l.facebook.com/",), 28, campaign_share=1.0, campaigns=(
        Campaign("facebook", "cpc", "retargeting", utm_content="video-a"),
        Campaign("facebook", "cpc", "retargeting", utm_content="carousel-b"))),
    Source("paid", "LinkedIn", ("https://www.linkedin.com/",), 12, campaign_share=1.0,
           campaigns=(Campaign("linkedin", "cpc", "b2b-launch", utm_content="sponsored-post"),)),
)

# Search engine mix by visitor country; countries not listed use "*".
SEARCH_MIX: dict[str, dict[str, float]] = {
    "*": {"Google": 88, "Bing": 6, "DuckDuckGo": 2.5, "Yahoo": 1.5, "Ecosia": 1, "Yandex": 0.5, "Baidu": 0.5},
    "US": {"Google": 86, "Bing": 8, "DuckDuckGo": 3, "Yahoo": 2, "Ecosia": 1},
    "DE": {"Google": 87, "Bing": 5, "Ecosia": 5, "DuckDuckGo": 3},
    "VN": {"Google": 80, "Cốc Cốc": 16, "Bing": 4},
    "CN": {"Baidu": 72, "Bing": 22, "Google": 6},
    "KR": {"Google": 50, "Naver": 45, "Bing": 5},
    "CZ": {"Google": 70, "Seznam": 25, "Bing": 5},
    "RU": {"Yandex": 60, "Google": 38, "Bing": 2},
    "JP": {"Google": 78, "Yahoo": 18, "Bing": 4},
}

# Kinds of page, and how much each channel favours a kind as the entry page (search and AI
# answers land deep in docs and blog posts; ads land on product pages).
PAGE_KINDS = ("home", "product", "docs", "blog", "integration", "company", "legal")
ENTRY_PREFERENCE: dict[str, tuple[float, ...]] = {
    "direct": (6, 1.5, 1.2, 0.5, 0.8, 1, 1),
    "search": (0.4, 0.8, 2, 2.5, 2, 0.5, 0.5),
    "social": (1.5, 0.8, 0.6, 4, 0.8, 1, 0.2),
    "referral": (2, 1, 2, 2, 2, 0.5, 0.2),
    "ai": (1, 1, 3, 1, 2, 0.3, 0.2),
    "email": (0.5, 2, 1, 4, 0.5, 0.2, 0.1),
    "paid": (3, 6, 0.1, 0.1, 0.1, 0.05, 0.01),
}
# Per kind: median seconds of engagement, clicks per page view, desktop document height (px).
KIND_ENGAGEMENT_S = (14, 25, 55, 70, 30, 18, 20)
KIND_CLICK_RATE = (0.55, 0.6, 0.5, 0.3, 0.45, 0.35, 0.1)
KIND_DOC_HEIGHT = (4200, 3600, 5200, 6400, 3000, 2400, 5000)

# (path, title, kind, topic in en / vi / zh); "{b}" is the brand. Listed by popularity rank.
CORE_PAGES = (
    ("/", "{b} – Simple, privacy-friendly web analytics", "home",
     ("web analytics", "phân tích website", "网站分析")),
    ("/pricing", "Pricing – {b}", "product", ("{b} pricing", "bảng giá {b}", "{b} 价格")),
    ("/features", "Features – {b}", "product", ("analytics features", "tính năng phân tích", "分析功能")),
    ("/docs", "Documentation – {b}", "docs", ("{b} docs", "tài liệu {b}", "{b} 文档")),
    ("/blog", "Blog – {b}", "blog", ("analytics blog", "blog phân tích", "分析博客")),
    ("/signup", "Create your account – {b}", "product", ("{b} sign up", "đăng ký {b}", "{b} 注册")),
    ("/login", "Log in – {b}", "product", ("{b} login", "đăng nhập {b}", "{b} 登录")),
    ("/integrations", "Integrations – {b}", "integration", ("analytics integrations", "tích hợp", "集成")),
    ("/demo", "Live demo – {b}", "product", ("{b} demo", "demo {b}", "{b} 演示")),
    ("/compare/google-analytics", "{b} vs Google Analytics", "product",
     ("google analytics alternative", "thay thế google analytics", "谷歌分析替代")),
    ("/changelog", "Changelog – {b}", "product", ("{b} changelog", "cập nhật {b}", "{b} 更新日志")),
    ("/customers", "Customer stories – {b}", "product", ("{b} customers", "khách hàng {b}", "{b} 客户")),
    ("/download", "Download – {b}", "product", ("download {b}", "tải {b}", "{b} 下载")),
    ("/about", "About us – {b}", "company", ("about {b}", "giới thiệu {b}", "关于 {b}")),
    ("/contact", "Contact – {b}", "company", ("{b} contact", "liên hệ {b}", "联系 {b}")),
    ("/careers", "Careers – {b}", "company", ("{b} jobs", "tuyển dụng {b}", "{b} 招聘")),
    ("/security", "Security – {b}", "company", ("{b} security", "bảo mật {b}", "{b} 安全")),
    ("/status", "Status – {b}", "company", ("{b} status", "trạng thái {b}", "{b} 状态")),
    ("/privacy", "Privacy policy – {b}", "legal", ("{b} privacy policy", "chính sách bảo mật", "隐私政策")),
    ("/terms", "Terms of service – {b}", "legal", ("{b} terms", "điều khoản {b}", "服务条款")),
)
# Topics of docs pages and blog posts: (slug, en, vi, zh).
TOPICS = (
    ("privacy", "privacy", "quyền riêng tư", "隐私"),
    ("cookie-banner", "cookie banner", "banner cookie", "Cookie 横幅"),
    ("gdpr", "GDPR compliance", "tuân thủ GDPR", "GDPR 合规"),
    ("heatmaps", "heatmaps", "bản đồ nhiệt", "热图"),
    ("conversion-tracking", "conversion tracking", "theo dõi chuyển đổi", "转化跟踪"),
    ("funnels", "funnel analysis", "phân tích phễu", "漏斗分析"),
    ("page-speed", "page speed", "tốc độ trang", "页面速度"), ("seo", "SEO", "SEO", "搜索引擎优化"),
    ("bounce-rate", "bounce rate", "tỷ lệ thoát", "跳出率"), ("utm-tags", "UTM tags", "thẻ UTM", "UTM 参数"),
    ("self-hosting", "self-hosting", "tự lưu trữ", "自托管"),
    ("clickhouse", "ClickHouse", "ClickHouse", "ClickHouse"),
    ("docker", "Docker install", "cài đặt Docker", "Docker 安装"),
    ("events", "event tracking", "theo dõi sự kiện", "事件跟踪"),
    ("ab-testing", "A/B testing", "thử nghiệm A/B", "A/B 测试"),
    ("feedback", "customer feedback", "phản hồi khách hàng", "客户反馈"),
    ("nps", "NPS survey", "khảo sát NPS", "NPS 调查"),
    ("traffic", "website traffic", "lưu lượng truy cập website", "网站流量"),
    ("realtime", "real-time stats", "thống kê thời gian thực", "实时统计"),
    ("referrer-spam", "referrer spam", "spam giới thiệu", "引荐垃圾"),
    ("retention", "data retention", "lưu trữ dữ liệu", "数据保留"),
    ("api", "stats API", "API thống kê", "统计 API"),
    ("revenue", "ecommerce revenue", "doanh thu thương mại điện tử", "电商收入"),
    ("mobile", "mobile analytics", "phân tích di động", "移动分析"),
    ("email-campaigns", "email campaigns", "chiến dịch email", "邮件营销"),
    ("landing-pages", "landing pages", "trang đích", "落地页"), ("goals", "goals", "mục tiêu", "目标"),
    ("content-marketing", "content marketing", "tiếp thị nội dung", "内容营销"),
    ("dashboards", "dashboards", "bảng điều khiển", "仪表板"),
    ("sampling", "sampling", "lấy mẫu dữ liệu", "数据采样"),
)
DOC_PAGE = ("/docs/{slug}", "{En} – {b} Docs")
BLOG_PAGES = (
    ("/blog/what-is-{slug}", "What is {en}? – {b} Blog"),
    ("/blog/{slug}-guide", "The complete guide to {en}"),
    ("/blog/{slug}-best-practices", "{En}: 7 best practices"),
    ("/blog/{slug}-mistakes", "5 {en} mistakes to avoid"),
)
INTEGRATIONS = (
    "WordPress", "Shopify", "Next.js", "Nuxt", "Gatsby", "Hugo", "Jekyll", "Webflow", "Wix", "Squarespace",
    "Ghost", "Django", "Laravel", "Rails", "React", "Vue", "Svelte", "Angular", "Astro", "Docusaurus",
    "Cloudflare", "Vercel", "Netlify", "Google Tag Manager", "Magento", "WooCommerce", "Drupal", "Framer",
    "Bubble", "HubSpot",
)
# Search keyword patterns per language group (en, vi, zh); "{t}" is the page's topic.
KEYWORD_PATTERNS = (("{t}", "{t} tutorial", "best {t} tools"), ("{t}", "hướng dẫn {t}", "{t} là gì"),
                    ("{t}", "{t}教程", "什么是{t}"))


class ClickTarget(NamedTuple):
    selector: str
    x: float  # centre, fraction of the document width
    y_px: int  # from the top (or, when negative, from the bottom) of the document
    y_frac: float  # plus this fraction of the document height
    kinds: dict[str, float]  # popularity on each kind of page; "*" for every kind


CLICK_TARGETS = (
    ClickTarget("header a.logo", 0.08, 30, 0, {"*": 4}),
    ClickTarget("nav > a:nth-of-type(1)", 0.34, 32, 0, {"*": 6}),
    ClickTarget("nav > a:nth-of-type(2)", 0.42, 32, 0, {"*": 5}),
    ClickTarget("nav > a:nth-of-type(3)", 0.50, 32, 0, {"*": 4}),
    ClickTarget("nav > a:nth-of-type(4)", 0.58, 32, 0, {"*": 3}),
    ClickTarget("#signup", 0.90, 32, 0, {"*": 5, "product": 8}),
    ClickTarget("main .hero a.cta", 0.50, 560, 0, {"home": 20, "integration": 6}),
    ClickTarget("main img", 0.50, 0, 0.25, {"home": 4, "blog": 3}),
    ClickTarget("main button.buy", 0.50, 0, 0.42, {"product": 12}),
    ClickTarget("main .plans .plan-pro button", 0.62, 0, 0.30, {"product": 8}),
    ClickTarget("main .faq summary", 0.50, 0, 0.70, {"product": 6, "home": 2}),
    ClickTarget("main form input[name=email]", 0.50, 0, 0.30, {"product": 3, "company": 5}),
    ClickTarget("main form button[type=submit]", 0.50, 0, 0.36, {"product": 3, "company": 4}),
    ClickTarget("aside.toc a:nth-of-type(2)", 0.12, 0, 0.18, {"docs": 10, "legal": 4}),
    ClickTarget("main pre button.copy", 0.86, 0, 0.35, {"docs": 12, "integration": 8}),
    ClickTarget("article a.inline-link", 0.45, 0, 0.40, {"blog": 10, "docs": 4}),
    ClickTarget("article .share a.twitter", 0.40, 0, 0.92, {"blog": 3}),
    ClickTarget("footer a:nth-of-type(1)", 0.20, -120, 1.0, {"*": 1}),
    ClickTarget("footer a:nth-of-type(3)", 0.45, -120, 1.0, {"*": 1}),
)

# Custom events: chance per page view by kind of page, overridden for a few paths, and the
# value of their one property (plan for Signup, url for the others).
KIND_OUTBOUND_RATE = (0.015, 0.015, 0.05, 0.03, 0.06, 0.015, 0.01)
KIND_DOWNLOAD_RATE = (0.002, 0.002, 0.015, 0.012, 0.004, 0.002, 0.002)
PAGE_EVENT_RATES: dict[str, dict[str, float]] = {
    "/signup": {"Signup": 0.3}, "/pricing": {"Signup": 0.02}, "/download": {"File Download": 0.35},
}
SIGNUP_PLANS: Weighted = (("free", 70), ("pro", 22), ("team", 8))
OUTBOUND_URLS: Weighted = (
    ("https://github.com/footfall/footfall", 40), ("https://clickhouse.com/docs", 20),
    ("https://x.com/footfall", 12), ("https://docs.docker.com/get-docker/", 10),
    ("https://www.linkedin.com/company/footfall", 8), ("https://discord.gg/footfall", 10),
)
DOWNLOAD_FILES: Weighted = (
    ("footfall-whitepaper.pdf", 30), ("gdpr-checklist.pdf", 25), ("pricing-sheet.pdf", 15),
    ("footfall-linux-amd64.tar.gz", 20), ("brand-assets.zip", 10),
)


# ---- The tables compiled into lookups -------------------------------------------------------

_LAYOUT_SEED = 20240501  # page ranks and click targets belong to the site, not to the traffic seed


class Choice:
    """Weighted choices with one row of weights per condition, drawn by vectorised inverse CDF.

    The rows' cumulative distributions are shifted by their row number and laid end to end, so
    one `searchsorted` serves every condition at once. A row without weight always picks 0.
    """

    def __init__(self, weights: npt.ArrayLike) -> None:
        table = np.atleast_2d(np.asarray(weights, dtype=np.float64)).copy()
        table[table.sum(axis=1) == 0, 0] = 1.0
        cumulative = np.cumsum(table, axis=1) / table.sum(axis=1, keepdims=True)
        cumulative[:, -1] = 1.0
        self.width = table.shape[1]
        self._flat = (cumulative + np.arange(len(table))[:, None]).ravel()

    def pick(self, rng: np.random.Generator, given: Array) -> Array:
        """One column index per element of `given` (the row, i.e. the condition)."""
        # Scaled below 1 so that adding the row number never spills into the next row.
        u = rng.random(len(given)) * (1 - 1e-9)
        column: Array = np.searchsorted(self._flat, given + u, side="right") - given * self.width
        return column

    def draw(self, rng: np.random.Generator, n: int) -> Array:
        return self.pick(rng, np.zeros(n, dtype=np.int64))


class Column(NamedTuple):
    """A string column's values: item i has value `names[codes[i]]`, with '' at code 0.

    Names are distinct: chDB refuses an Arrow dictionary that repeats a value ("Expected
    Dictionary size 5, real Dictionary size is 4").
    """

    codes: Array
    names: pa.Array


def _column(values: Iterable[str]) -> Column:
    index = {"": 0}
    codes = [index.setdefault(value, len(index)) for value in values]
    return Column(np.array(codes, dtype=np.int32), pa.array(list(index), pa.string()))


def _nested(groups: Sequence[Weighted]) -> tuple[Choice, list[str]]:
    """A Choice over all names in `groups`, one row per group."""
    names = list(dict.fromkeys(name for group in groups for name, _ in group))
    weights = np.zeros((len(groups), len(names)))
    for row, group in enumerate(groups):
        for name, weight in group:
            weights[row, names.index(name)] += weight
    return Choice(weights), names


def _brand(site_id: str) -> str:
    return site_id.removeprefix("www.").split(".")[0].capitalize() or "Footfall"


def _site_pages(brand: str) -> list[tuple[str, str, str, tuple[str, str, str]]]:
    """Every page, most popular first: a few fixed leaders, then the rest in a fixed shuffle."""
    pages = [(path, title.format(b=brand), kind, topics) for path, title, kind, topics in CORE_PAGES]
    for slug, en, vi, zh in TOPICS:
        words = {"slug": slug, "en": en, "En": en[0].upper() + en[1:], "b": brand}
        for path, title in (DOC_PAGE, *BLOG_PAGES):
            kind = "docs" if path.startswith("/docs") else "blog"
            pages.append((path.format(**words), title.format(**words), kind, (en, vi, zh)))
    for name in INTEGRATIONS:
        slug = name.lower().replace(" ", "-").replace(".", "")
        pages.append((f"/integrations/{slug}", f"Use {brand} with {name}", "integration",
                      (f"{name} analytics", f"phân tích {name}", f"{name} 分析")))
    leaders, rest = pages[:8], pages[8:]
    order = np.random.default_rng(_LAYOUT_SEED).permutation(len(rest))
    return leaders + [rest[i] for i in order]


class World:
    """Everything a batch draws from: Choices over the catalog and the Arrow names of each value."""

    def __init__(self, site_id: str) -> None:
        self.site = _column([site_id])
        self._devices()
        self._places()
        self._pages(_brand(site_id))
        self._referrers()
        self._custom_events(site_id)

    def _devices(self) -> None:
        self.platform = Choice([p.weight for p in PLATFORMS])
        self.device_of = np.array([DEVICES.index(p.device) for p in PLATFORMS])
        self.devices = _column(DEVICES)
        oses = list(OS_VERSIONS)
        self.os_of = np.array([oses.index(p.os) for p in PLATFORMS])
        self.oses = _column(oses)
        self.browser, browsers = _nested([p.browsers for p in PLATFORMS])
        self.browsers = _column(browsers)
        self.browser_version, versions = _nested([BROWSER_VERSIONS[b] for b in browsers])
        self.browser_versions = _column(versions)
        self.os_version, versions = _nested([OS_VERSIONS[o] for o in oses])
        self.os_versions = _column(versions)
        self.screen, sizes = _nested([tuple((f"{w}x{h}", wt) for w, h, wt in p.screens) for p in PLATFORMS])
        self.screen_width = np.array([int(size.split("x")[0]) for size in sizes])
        self.screen_height = np.array([int(size.split("x")[1]) for size in sizes])

    def _places(self) -> None:
        self.country = Choice([c.weight for c in COUNTRIES])
        self.countries = _column(c.code for c in COUNTRIES)
        cities = [(row, *city) for row, c in enumerate(COUNTRIES) for city in c.cities]
        weights = np.zeros((len(COUNTRIES), len(cities)))
        for column, (row, *_, weight) in enumerate(cities):
            weights[row, column] = weight
        self.city = Choice(weights)
        self.regions = _column(str(c[1]) for c in cities)
        self.cities = _column(str(c[2]) for c in cities)
        self.timezones = _column(str(c[3]) for c in cities)
        self.language, languages = _nested([c.languages for c in COUNTRIES])
        self.languages = _column(languages)
        # Which KEYWORD_PATTERNS a visitor searches with: 0 English, 1 Vietnamese, 2 Chinese.
        self.keyword_group = np.array([1 if lang.startswith("vi") else 2 if lang.startswith("zh") else 0
                                       for lang in languages])

    def _pages(self, brand: str) -> None:
        pages = _site_pages(brand)
        self.paths = _column(p[0] for p in pages)
        self.titles = _column(p[1] for p in pages)
        kind = np.array([PAGE_KINDS.index(p[2]) for p in pages])
        popularity = np.arange(1, len(pages) + 1) ** -1.05  # Zipf over the rank
        # Search engines and AI answers reach far into the long tail of pages.
        self.entry_page = Choice([popularity ** (0.7 if channel in ("search", "ai") else 1.0)
                                  * np.array(ENTRY_PREFERENCE[channel])[kind] for channel, _ in CHANNELS])
        self.browse_page = Choice(popularity)
        layout, n = np.random.default_rng(_LAYOUT_SEED), len(kind)
        self.engagement_median_ms = np.array(KIND_ENGAGEMENT_S)[kind] * 1e3 * layout.lognormal(0, 0.2, n)
        self.click_rate = np.array(KIND_CLICK_RATE)[kind]
        self.document_height = np.array(KIND_DOC_HEIGHT)[kind] * layout.lognormal(0, 0.25, n)
        popular = [[t.kinds.get(PAGE_KINDS[k], t.kinds.get("*", 0)) for t in CLICK_TARGETS] for k in kind]
        self.target = Choice(np.array(popular) * layout.lognormal(0, 0.6, (n, len(CLICK_TARGETS))))
        self.selectors = _column(["", *(t.selector for t in CLICK_TARGETS)])  # 0: not a click
        self.target_x = np.array([t.x for t in CLICK_TARGETS])
        self.target_y_px = np.array([t.y_px for t in CLICK_TARGETS])
        self.target_y_frac = np.array([t.y_frac for t in CLICK_TARGETS])
        terms: dict[str, int] = {"": 0}  # keywords[page, group, k] is a code in `terms`
        self.keywords = np.array([[[terms.setdefault(pattern.format(t=topic.format(b=brand)), len(terms))
                                    for pattern in KEYWORD_PATTERNS[group]]
                                   for group, topic in enumerate(p[3])] for p in pages])
        self.term_texts = list(terms)
        self.terms = Column(np.arange(len(terms)), pa.array(self.term_texts, pa.string()))
        rates = [PAGE_EVENT_RATES.get(p[0], {}) for p in pages]
        self.signup_rate = np.array([r.get("Signup", 0.0) for r in rates])
        self.outbound_rate = np.array(KIND_OUTBOUND_RATE)[kind]
        self.download_rate = np.array([r.get("File Download", KIND_DOWNLOAD_RATE[k])
                                       for r, k in zip(rates, kind, strict=True)])

    def _referrers(self) -> None:
        channels = [name for name, _ in CHANNELS]
        self.channel = Choice([weight for _, weight in CHANNELS])
        self.search_channel = channels.index("search")
        self.channel_bounce = np.array(CHANNEL_EXTRA_BOUNCE)
        self.mediums = Column(np.arange(len(channels) + 2), pa.array(["", "internal", *channels]))
        by_channel = np.zeros((len(channels), len(SOURCES)))
        for column, source in enumerate(SOURCES):
            by_channel[channels.index(source.channel), column] = source.weight
        self.source_by_channel = Choice(by_channel)
        engines = {s.name: column for column, s in enumerate(SOURCES) if s.channel == "search"}
        by_country = np.zeros((len(COUNTRIES), len(SOURCES)))
        for row, country in enumerate(COUNTRIES):
            for name, weight in SEARCH_MIX.get(country.code, SEARCH_MIX["*"]).items():
                by_country[row, engines[name]] = weight
        self.source_by_country = Choice(by_country)
        self.sources = _column(s.name for s in SOURCES)
        self.term_share = np.array([s.term_share if s.search_url else 0.0 for s in SOURCES])
        self.search_urls = [s.search_url for s in SOURCES]
        self.campaign_share = np.array([s.campaign_share for s in SOURCES])
        self.referrer, urls = _nested([tuple((url, 1.0) for url in s.referrers) for s in SOURCES])
        self.referrers = _column(urls)
        campaigns = [Campaign(""), *(c for s in SOURCES for c in s.campaigns)]
        weights = np.zeros((len(SOURCES), len(campaigns)))
        for row, source in enumerate(SOURCES):
            for campaign in source.campaigns:
                weights[row, campaigns.index(campaign)] = 1.0
        self.campaign = Choice(weights)  # 0: no campaign
        self.utm = {field: _column(getattr(c, field) for c in campaigns) for field in Campaign._fields}
        self.campaign_query = _column(urlencode({k: v for k, v in c._asdict().items() if v})
                                      for c in campaigns)

    def _custom_events(self, site_id: str) -> None:
        values = [SIGNUP_PLANS, OUTBOUND_URLS, tuple((f"https://{site_id}/downloads/{name}", weight)
                                                    for name, weight in DOWNLOAD_FILES)]
        names = [name for group in values for name, _ in group]
        self.prop_values = pa.array(names, pa.string())
        self.prop_keys = pa.array(["plan", "url"])
        self.plan, self.outbound_url, self.download_url = (
            Choice([dict(group).get(name, 0.0) for name in names]) for group in values)
