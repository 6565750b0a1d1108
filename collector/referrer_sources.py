"""Known referrer sources as data: search engines, social networks, AI assistants, webmail.

Each record names a source, its medium, the hostnames it refers from and, for search engines,
the query parameters that carry the keywords. The logic that reads this table lives in
`collector/referrers.py`; docs/referrers.md explains the rules and how to add a source.

Host patterns:
- `example.com` matches example.com and every subdomain of it (m.example.com, l.example.com).
- `example.*` matches example under any top-level domain, including two-part country domains
  (example.de, example.co.uk, example.com.vn) and every subdomain of those.
- The most specific pattern wins: `mail.google.com` (Gmail) beats `google.*` (Google search).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Medium = Literal["search", "social", "email", "paid", "ai", "referral", "internal", "direct"]


@dataclass(frozen=True, slots=True)
class KnownSource:
    name: str  # stored as referrer_source
    medium: Medium
    hosts: tuple[str, ...]  # host patterns, see the module docstring
    params: tuple[str, ...] = ()  # query parameters holding the search keywords, first found wins
    apps: tuple[str, ...] = ()  # Android package names seen in android-app:// referrers
    aliases: tuple[str, ...] = ()  # further utm_source spellings (lower case) that mean this source
    charset: str = ""  # fallback encoding of keywords that are not UTF-8 (older Chinese engines)


S = KnownSource
GB = "gb18030"  # superset of GBK / GB2312

SOURCES: tuple[KnownSource, ...] = (
    # Search engines. Google's own products come first so that they beat google.*.
    S("Gmail", "email", ("mail.google.*", "inbox.google.com"), apps=("com.google.android.gm",)),
    S("Gemini", "ai", ("gemini.google.com", "bard.google.com"), apps=("com.google.android.apps.bard",),
      aliases=("bard", "google gemini")),
    S("Google News", "referral", ("news.google.*",), apps=("com.google.android.apps.magazines",)),
    S("Google Docs", "referral", ("docs.google.com",)),
    S("Google Drive", "referral", ("drive.google.com",)),
    S("Google Sites", "referral", ("sites.google.com",)),
    S("Google Groups", "social", ("groups.google.*",)),
    S("Google Play", "referral", ("play.google.com",), apps=("com.android.vending",)),
    S("Google Maps", "referral", ("maps.google.*", "maps.app.goo.gl"), apps=("com.google.android.apps.maps",)),
    S("Google Translate", "referral", ("translate.google.*", "translate.goog")),
    S("Google Classroom", "referral", ("classroom.google.com",)),
    S("Google Scholar", "search", ("scholar.google.*",), ("q",)),
    S("Google", "search", ("google.*", "cdn.ampproject.org"), ("q",),
      apps=("com.google.android.googlequicksearchbox",), aliases=("goog", "google search")),
    S("Google", "paid", ("googleadservices.com", "googlesyndication.com", "doubleclick.net"),
      aliases=("adwords", "google ads", "google_ads", "googleads")),
    S("Bing", "search", ("bing.com", "bing-amp.com"), ("q",), apps=("com.microsoft.bing",),
      aliases=("microsoft ads", "bing ads")),
    S("Yahoo Japan", "search", ("search.yahoo.co.jp",), ("p",)),
    S("Yahoo", "search", ("search.yahoo.*",), ("p", "q")),
    S("Yandex", "search", ("yandex.*", "ya.ru"), ("text",), apps=("ru.yandex.searchplugin",), aliases=("ya",)),
    S("Baidu Tieba", "social", ("tieba.baidu.com",), apps=("com.baidu.tieba",)),
    S("Baidu Baike", "referral", ("baike.baidu.com",)),
    S("ERNIE Bot", "ai", ("yiyan.baidu.com",), aliases=("yiyan", "ernie")),
    S("Baidu", "search", ("baidu.com",), ("wd", "word"), apps=("com.baidu.searchbox",), charset=GB),
    S("DuckDuckGo", "search", ("duckduckgo.com", "ddg.gg"), ("q",),
      apps=("com.duckduckgo.mobile.android",), aliases=("ddg",)),
    S("Ecosia", "search", ("ecosia.org",), ("q",), apps=("com.ecosia.android",)),
    S("Naver Mail", "email", ("mail.naver.com",)),
    S("Naver Blog", "social", ("blog.naver.com",)),
    S("Naver Cafe", "social", ("cafe.naver.com",)),
    S("Naver", "search", ("naver.com",), ("query",), apps=("com.nhn.android.search",)),
    S("Seznam Email", "email", ("email.seznam.cz",)),
    S("Seznam", "search", ("seznam.cz",), ("q",)),
    S("Sogou", "search", ("sogou.com",), ("query", "keyword"), charset=GB),
    S("Cốc Cốc", "search", ("coccoc.com",), ("query",), aliases=("coccoc", "coc coc", "coc-coc")),
    S("Startpage", "search", ("startpage.com", "ixquick.com"), ("query", "q")),
    S("Brave Search", "search", ("search.brave.com",), ("q",), aliases=("brave",)),
    S("Qwant", "search", ("qwant.com",), ("q",)),
    S("Ask", "search", ("ask.com",), ("q",)),
    S("AOL Mail", "email", ("mail.aol.com",)),
    S("AOL", "search", ("search.aol.*",), ("q", "query")),
    S("Mojeek", "search", ("mojeek.com",), ("q",)),
    S("Petal Search", "search", ("petalsearch.com",), ("query",), aliases=("petal",)),
    S("360 Search", "search", ("so.com", "so.360.cn", "haosou.com"), ("q",), charset=GB,
      aliases=("360", "so.com")),
    S("Daum Mail", "email", ("mail.daum.net",)),
    S("Daum", "search", ("daum.net",), ("q",)),
    S("Shenma", "search", ("sm.cn",), ("q",)),
    S("Kagi", "search", ("kagi.com",), ("q",)),
    S("Swisscows", "search", ("swisscows.com",), ("query",)),
    S("Presearch", "search", ("presearch.com", "presearch.org"), ("q",)),
    S("MetaGer", "search", ("metager.org", "metager.de"), ("eingabe",)),
    S("Yep", "search", ("yep.com",), ("q",)),
    S("Mail.ru", "search", ("go.mail.ru",), ("q",)),
    # Social networks, messengers and forums.
    S("Facebook", "social", ("facebook.com", "fb.com", "fb.me", "fb.watch"),
      apps=("com.facebook.katana", "com.facebook.lite"), aliases=("fb", "meta")),
    S("Messenger", "social", ("messenger.com", "m.me"), apps=("com.facebook.orca",)),
    S("Instagram", "social", ("instagram.com",), apps=("com.instagram.android",), aliases=("ig", "insta")),
    S("Threads", "social", ("threads.net", "threads.com"), apps=("com.instagram.barcelona",)),
    S("X", "social", ("x.com", "twitter.com", "t.co"), apps=("com.twitter.android",),
      aliases=("twitter", "tw")),
    S("LinkedIn", "social", ("linkedin.com", "lnkd.in"), apps=("com.linkedin.android",)),
    S("Reddit", "social", ("reddit.com", "redd.it"), apps=("com.reddit.frontpage",)),
    S("YouTube", "social", ("youtube.com", "youtu.be"), apps=("com.google.android.youtube",), aliases=("yt",)),
    S("Pinterest", "social", ("pinterest.*", "pin.it"), apps=("com.pinterest",)),
    S("TikTok", "social", ("tiktok.com",), apps=("com.zhiliaoapp.musically", "com.ss.android.ugc.trill")),
    S("Snapchat", "social", ("snapchat.com",), apps=("com.snapchat.android",)),
    S("Tumblr", "social", ("tumblr.com",), apps=("com.tumblr",)),
    S("Zalo", "social", ("zalo.me", "zaloapp.com"), apps=("com.zing.zalo",)),
    S("Weibo", "social", ("weibo.com", "weibo.cn", "t.cn"), apps=("com.sina.weibo",)),
    S("WeChat", "social", ("weixin.qq.com", "wx.qq.com", "wechat.com"), apps=("com.tencent.mm",),
      aliases=("weixin",)),
    S("Qzone", "social", ("qzone.qq.com",)),
    S("Douyin", "social", ("douyin.com", "iesdouyin.com"), apps=("com.ss.android.ugc.aweme",)),
    S("Bilibili", "social", ("bilibili.com", "b23.tv"), apps=("tv.danmaku.bili",)),
    S("Xiaohongshu", "social", ("xiaohongshu.com", "xhslink.com"), apps=("com.xingin.xhs",),
      aliases=("rednote", "xhs")),
    S("Zhihu", "social", ("zhihu.com",), apps=("com.zhihu.android",)),
    S("Douban", "social", ("douban.com",)),
    S("VK", "social", ("vk.com", "vk.ru", "vkontakte.ru"), apps=("com.vkontakte.android",),
      aliases=("vkontakte",)),
    S("OK", "social", ("ok.ru",), aliases=("odnoklassniki",)),
    S("LINE", "social", ("line.me",), apps=("jp.naver.line.android",)),
    S("Mastodon", "social", ("mastodon.social", "mastodon.online", "mastodon.world", "mstdn.social", "mas.to",
                             "fosstodon.org", "hachyderm.io", "infosec.exchange", "techhub.social"),
      apps=("org.joinmastodon.android",)),
    S("Bluesky", "social", ("bsky.app",), apps=("xyz.blueskyweb.app",), aliases=("bsky",)),
    S("Hacker News", "social", ("news.ycombinator.com",), aliases=("hn", "hackernews")),
    S("Lobsters", "social", ("lobste.rs",)),
    S("Telegram", "social", ("t.me", "telegram.me", "telegram.org"), apps=("org.telegram.messenger",),
      aliases=("tg",)),
    S("WhatsApp", "social", ("whatsapp.com", "wa.me"), apps=("com.whatsapp", "com.whatsapp.w4b"),
      aliases=("wa",)),
    S("Discord", "social", ("discord.com", "discordapp.com", "discord.gg"), apps=("com.discord",)),
    S("Slack", "social", ("slack.com",), apps=("com.slack",)),
    S("Quora", "social", ("quora.com",), apps=("com.quora.android",)),
    S("Medium", "social", ("medium.com",), apps=("com.medium.reader",)),
    S("Flipboard", "social", ("flipboard.com",), apps=("flipboard.app",)),
    # Sites with a familiar name that send plain referral traffic.
    S("GitHub", "referral", ("github.com",)),
    S("Stack Overflow", "referral", ("stackoverflow.com",)),
    S("Product Hunt", "referral", ("producthunt.com",)),
    S("Wikipedia", "referral", ("wikipedia.org",), apps=("org.wikipedia",)),
    # AI assistants.
    S("ChatGPT", "ai", ("chatgpt.com", "chat.openai.com"), apps=("com.openai.chatgpt",), aliases=("openai",)),
    S("Perplexity", "ai", ("perplexity.ai",), apps=("ai.perplexity.app.android",)),
    S("Claude", "ai", ("claude.ai",), apps=("com.anthropic.claude",)),
    S("Copilot", "ai", ("copilot.microsoft.com", "copilot.cloud.microsoft", "copilot.com"),
      apps=("com.microsoft.copilot",)),
    S("Poe", "ai", ("poe.com",)),
    S("DeepSeek", "ai", ("deepseek.com",), apps=("com.deepseek.chat",)),
    S("Kimi", "ai", ("kimi.moonshot.cn", "kimi.com", "kimi.ai")),
    S("Doubao", "ai", ("doubao.com",)),
    S("Qwen", "ai", ("chat.qwen.ai", "tongyi.aliyun.com", "qianwen.aliyun.com"), aliases=("tongyi",)),
    S("Yuanbao", "ai", ("yuanbao.tencent.com",)),
    S("Phind", "ai", ("phind.com",)),
    S("You.com", "ai", ("you.com",)),
    S("Le Chat", "ai", ("chat.mistral.ai",), aliases=("mistral",)),
    S("Meta AI", "ai", ("meta.ai",)),
    S("Grok", "ai", ("grok.com",)),
    # Webmail and newsletter services.
    S("Outlook", "email", ("outlook.live.com", "outlook.office.com", "outlook.office365.com", "outlook.com"),
      apps=("com.microsoft.office.outlook",), aliases=("hotmail",)),
    S("Yahoo Mail", "email", ("mail.yahoo.*",), apps=("com.yahoo.mobile.client.android.mail",)),
    S("Proton Mail", "email", ("mail.proton.me", "mail.protonmail.com"), apps=("ch.protonmail.android",)),
    S("iCloud Mail", "email", ("icloud.com",)),
    S("Zoho Mail", "email", ("mail.zoho.*",)),
    S("Fastmail", "email", ("fastmail.com",)),
    S("Tuta", "email", ("app.tuta.com", "mail.tutanota.com")),
    S("Yandex Mail", "email", ("mail.yandex.*",), apps=("ru.yandex.mail",)),
    S("Mail.ru Mail", "email", ("e.mail.ru",), apps=("ru.mail.mailapp",)),
    S("QQ Mail", "email", ("mail.qq.com",), apps=("com.tencent.androidqqmail",)),
    S("NetEase Mail", "email", ("mail.163.com", "mail.126.com", "mail.yeah.net")),
    S("GMX", "email", ("gmx.*",)),
    S("Mailchimp", "email", ("mailchi.mp", "campaign-archive.com", "list-manage.com")),
)

# Landing-page query parameters added only to ad clicks: -> the ad platform (the source).
# fbclid is absent on purpose: Facebook adds it to organic links too.
CLICK_IDS: dict[str, str] = {
    "gclid": "Google",
    "gbraid": "Google",
    "wbraid": "Google",
    "dclid": "Google",
    "msclkid": "Bing",
    "yclid": "Yandex",
    "ttclid": "TikTok",
    "twclid": "X",
}

# utm_medium values (lower case, '_' and ' ' read as '-') -> medium. "organic" is handled apart:
# it means the source's own medium, or search. Values matching no rule: see UTM in docs/referrers.md.
UTM_MEDIUMS: dict[str, Medium] = {
    **dict.fromkeys(("email", "e-mail", "mail", "newsletter", "newsletters", "mailing", "mailing-list"), "email"),
    **dict.fromkeys(("cpc", "ppc", "cpm", "cpv", "cpa", "paid", "paidsearch", "paid-search", "paid-social",
                     "paidsocial", "display", "banner", "ad", "ads", "retargeting", "remarketing", "sem"),
                    "paid"),
    **dict.fromkeys(("social", "social-network", "social-media", "socialnetwork", "socialmedia", "sm", "sn",
                     "organic-social"), "social"),
    **dict.fromkeys(("ai", "chatbot", "llm", "ai-assistant", "genai"), "ai"),
    **dict.fromkeys(("referral", "referrer", "link", "affiliate", "affiliates", "partner"), "referral"),
}
ORGANIC_MEDIUMS = frozenset({"organic", "organic-search", "seo"})

# Second-level labels under which country domains register names (google.co.uk, google.com.vn).
COUNTRY_SECOND_LEVELS = frozenset(
    {"com", "co", "ac", "ad", "ed", "go", "gob", "gov", "edu", "net", "ne", "or", "org", "ltd", "plc", "mil",
     "nic", "nom", "sch", "biz", "info"}
)
# First labels of unknown hosts that are webmail (webmail.example.com): medium email.
WEBMAIL_LABELS = frozenset({"webmail", "mail", "email", "owa", "roundcube", "squirrelmail", "horde"})
