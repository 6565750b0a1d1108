"""Hostile text for the XSS test: what a visitor (or anyone who can POST to the collector) could
send, in every field the collector keeps and every survey answer.

Each payload, if it ever ran, would set `window.__xss` and open a dialog — the test watches both.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

SITE = "xss.example"
MARK = "window.__xss=1"
PAYLOADS = (
    f"<script>{MARK};alert('script')</script>",
    f'"><img src=x onerror="{MARK};alert(\'img\')">',
    f"'><svg onload={MARK};alert('svg')>",
    f"javascript:{MARK};alert('href')",
    f"</script><script>{MARK};alert('break')</script>",
    f"<b onmouseover={MARK};alert('hover')>hover</b>",
    f"<a href=\"javascript:{MARK};alert('plotly-link')\">link</a>",
    "'-alert('js-string')-'\\u2028{{7*7}}",
    f"<iframe srcdoc=\"<script>parent.{MARK}</script>\"></iframe>",
    f"=HYPERLINK(\"http://evil.example\",\"{MARK}\")",
)


def short(payload: str, limit: int) -> str:
    return payload[:limit]


def events() -> list[dict[str, Any]]:
    """One event per payload and field kind: page views with hostile paths, titles, referrers,
    search terms and UTM tags; clicks with hostile selectors; custom events with hostile names and
    props; hostile language and time-zone strings."""
    batch: list[dict[str, Any]] = []
    for number, payload in enumerate(PAYLOADS):
        visitor = f"xss-visitor-{number}"
        path = "/" + payload  # raw, as a sender other than a browser may post it
        query = f"utm_source={quote(payload)}&utm_medium={quote(payload)}&utm_campaign={quote(payload)}"
        url = f"https://{SITE}{path}?{query}"
        referrers = (f"https://evil-{number}.example/{payload}", f"https://www.google.com/search?q={quote(payload)}")
        for referrer in referrers:
            batch.append({"n": "pageview", "u": url, "r": referrer, "t": short(payload, 1000), "v": visitor,
                          "i": str(uuid.uuid4()), "l": short(payload, 35), "z": short(payload, 64),
                          "w": 1280, "h": 800})
        batch.append({"n": "engagement", "u": url, "v": visitor, "i": str(uuid.uuid4()), "e": 15000, "d": 80})
        batch.append({"n": "click", "u": url, "v": visitor, "i": str(uuid.uuid4()), "cx": 0.5, "cy": 300,
                      "cs": short(payload, 200), "ox": 0.5, "oy": 0.5, "vw": 1280, "dh": 3000, "rc": number % 2 == 0})
        batch.append({"n": short(payload, 120), "u": url, "v": visitor, "i": str(uuid.uuid4()),
                      "p": {short(payload, 100): short(payload, 500)}})
    return batch
