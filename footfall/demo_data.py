"""Realistic synthetic traffic, for the demo site and for benchmarks at 10M–100M events.

Made visitor-first: each visitor keeps one device, browser, place and language, and makes a
long-tailed number of visits (most come once; a few return over days or weeks). Each visit has
one referrer and a chain of page views; a page view may be followed by an engagement report,
clicks on that page's usual targets and a custom event. Everything is drawn column-wise with
numpy from `footfall.demo_catalog` and sent as Arrow dictionary columns: no Python loop runs per
event, and memory stays bounded by the batch size.

Only page views carry attribution, as the collector stores it: the first page view of a visit has
the referrer, source, medium, search term and utm tags, later ones have medium 'internal', and
engagement, click and custom rows leave it empty because they are not navigations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus

import numpy as np
import pyarrow as pa

from footfall.demo_catalog import Array, Column, World
from pipelines.store.base import Store

HOUR_MS = 3_600_000
# Share of traffic by UTC hour of day, and by weekday from Monday: quiet nights, low weekends.
_HOURLY = np.array([0.35, 0.28, 0.24, 0.22, 0.24, 0.32, 0.5, 0.7, 0.88, 1.0, 1.05, 1.05,
                    1.0, 1.0, 1.02, 1.0, 0.95, 0.9, 0.85, 0.82, 0.78, 0.7, 0.58, 0.45])
_WEEKLY = np.array([1.0, 1.03, 1.02, 1.0, 0.93, 0.62, 0.58])
_GROWTH_PER_WEEK, _MAX_GROWTH = 0.02, 0.4
_VISITS_ZIPF_A, _MAX_VISITS = 2.5, 60  # ~75% of visitors come once; mean ~2 visits each
_SPAN_MEDIAN_DAYS = 6.0  # a returning visitor's visits spread over about this many days
_PAGEVIEW_STOP = np.array([0.40, 0.50, 0.45])  # per device: desktop, mobile, tablet
_MAX_PAGEVIEWS = 30
_ENGAGEMENT_SHARE = 0.85  # some tabs die before their engagement report is sent
_RAGE_SHARE = 0.012
_DEVICE_HEIGHT_FACTOR = np.array([1.0, 2.6, 1.6])  # narrow screens make long documents
_FIRST_GUESS_ROWS_PER_VISITOR = 11.0
_EVENT_NAMES = pa.array(["pageview", "engagement", "click", "Signup", "Outbound Link: Click",
                         "File Download"])
_EVENT_TYPES = pa.array(["pageview", "engagement", "click", "custom"])
_TYPE_OF_NAME = np.array([0, 1, 2, 3, 3, 3])
_PAGEVIEW, _ENGAGEMENT, _CLICK, _SIGNUP, _OUTBOUND, _DOWNLOAD = range(6)
_MEDIUM_INTERNAL = 1  # index in World.mediums: '', 'internal', then one per channel


def generate_demo_events(store: Store, site_id: str, events: int, days: int, *, seed: int = 0,
                         end: datetime | None = None, batch_size: int = 250_000,
                         progress: Callable[[int], None] | None = None) -> int:
    """Insert about `events` rows of realistic traffic for `site_id` over the `days` days ending at `end`.

    `end` defaults to now; a naive `end` is taken as UTC. `progress(n)` is called after each batch
    with the rows just inserted. Returns the rows inserted (the last batch is trimmed to `events`).
    """
    if events < 0 or days < 1 or batch_size < 1:
        raise ValueError("events must be >= 0, days and batch_size >= 1")
    end = datetime.now(UTC) if end is None else end if end.tzinfo else end.replace(tzinfo=UTC)
    rng = np.random.default_rng(seed)
    world = World(site_id)
    timeline = Timeline(end - timedelta(days=days), end)
    inserted = visitors_made = rows_made = 0
    while inserted < events:
        remaining = events - inserted
        wanted = min(batch_size, remaining)
        if wanted == remaining:
            wanted = math.ceil(wanted * 1.05)  # overshoot and trim, rather than add a tiny batch
        per_visitor = rows_made / visitors_made if visitors_made else _FIRST_GUESS_ROWS_PER_VISITOR
        visitors = max(1, math.ceil(wanted / per_visitor))
        table, made = _batch(rng, world, timeline, visitors, limit=remaining)
        visitors_made, rows_made = visitors_made + visitors, rows_made + made
        store.insert("events", table)
        inserted += table.num_rows
        if progress is not None:
            progress(table.num_rows)
    return inserted


class Timeline:
    """Where visits fall in time: an hourly density over [start, end) with daily, weekly and growth shapes."""

    def __init__(self, start: datetime, end: datetime) -> None:
        self.start_ms = int(start.timestamp() * 1000)
        self.end_ms = int(end.timestamp() * 1000)
        slots = max(1, (self.end_ms - self.start_ms) // HOUR_MS)
        hours = self.start_ms // HOUR_MS + np.arange(slots)
        weekday = (hours // 24 + 3) % 7  # 1970-01-01 was a Thursday
        growth = 1 + min(_MAX_GROWTH, _GROWTH_PER_WEEK * slots / 168) * np.arange(slots) / slots
        self.weights = _HOURLY[hours % 24] * _WEEKLY[weekday] * growth
        self.cdf = np.cumsum(self.weights) / self.weights.sum()
        self.cdf[-1] = 1.0

    def at(self, position: Array) -> Array:
        """Epoch ms of positions in [0, 1) of the cumulative traffic; uniform positions follow the density."""
        slot = np.minimum(np.searchsorted(self.cdf, position, side="right"), len(self.cdf) - 1)
        before = np.where(slot > 0, self.cdf[slot - 1], 0.0)
        within = np.clip((position - before) / (self.cdf[slot] - before), 0.0, 1.0)
        epoch_ms: Array = self.start_ms + ((slot + within) * HOUR_MS).astype(np.int64)
        return epoch_ms


def _batch(rng: np.random.Generator, world: World, timeline: Timeline, n_visitors: int,
           limit: int) -> tuple[pa.Table, int]:
    """One insert's worth of traffic from `n_visitors` new visitors, trimmed to `limit` rows."""
    visitors = _draw_visitors(rng, world, n_visitors)
    visits = _draw_visits(rng, world, timeline, visitors)
    views = _draw_page_views(rng, world, timeline, visitors, visits)
    rows = _concat([_page_view_rows(views), _engagement_rows(rng, views),
                    _click_rows(rng, world, visitors, visits, views), _custom_rows(rng, world, views)])
    made = len(rows["page_view"])
    rows["timestamp"] = np.clip(rows["timestamp"], timeline.start_ms, timeline.end_ms - 1)
    if made > limit:
        # Rows are grouped by page view, so a cut splits at most one visit.
        keep = np.sort(np.argsort(rows["page_view"], kind="stable")[:limit])
        rows = {name: column[keep] for name, column in rows.items()}
    return _table(rng, world, visitors, visits, views, rows), made


def _draw_visitors(rng: np.random.Generator, world: World, n: int) -> dict[str, Array]:
    platform = world.platform.draw(rng, n)
    browser = world.browser.pick(rng, platform)
    country = world.country.draw(rng, n)
    screen = world.screen.pick(rng, platform)
    device = world.device_of[platform]
    width = world.screen_width[screen]
    # A desktop window is often narrower than its screen; phones and tablets use the whole width.
    shrunk = (width * rng.uniform(0.55, 0.95, n)).astype(np.int64)
    viewport = np.where((device == 0) & (rng.random(n) < 0.3), shrunk, width)
    city = world.city.pick(rng, country)
    return {
        "visitor_id": rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True),
        "platform": platform, "device": device, "os": world.os_of[platform], "browser": browser,
        "browser_version": world.browser_version.pick(rng, browser),
        "os_version": world.os_version.pick(rng, world.os_of[platform]),
        "screen_width": width, "screen_height": world.screen_height[screen], "viewport_width": viewport,
        "country": country, "city": city, "language": world.language.pick(rng, country),
    }


def _draw_visits(rng: np.random.Generator, world: World, timeline: Timeline,
                 visitors: dict[str, Array]) -> dict[str, Array]:
    n = len(visitors["visitor_id"])
    per_visitor = np.minimum(rng.zipf(_VISITS_ZIPF_A, n), _MAX_VISITS)
    visitor = np.repeat(np.arange(n), per_visitor)
    count = len(visitor)
    # Each visitor is active in a window of traffic (circular, so the density stays exact);
    # returning visitors' visits fall inside it, usually on different days.
    days = (timeline.end_ms - timeline.start_ms) / (24 * HOUR_MS)
    anchor = rng.random(n)
    span = np.clip(rng.lognormal(math.log(_SPAN_MEDIAN_DAYS), 1.0, n), 0.5, days) / days
    position = (anchor[visitor] + span[visitor] * rng.random(count)) % 1.0
    channel = world.channel.draw(rng, count)
    by_channel = world.source_by_channel.pick(rng, channel)
    by_country = world.source_by_country.pick(rng, visitors["country"][visitor])
    source = np.where(channel == world.search_channel, by_country, by_channel)
    entry = world.entry_page.pick(rng, channel)
    has_term = rng.random(count) < world.term_share[source]
    group = world.keyword_group[visitors["language"][visitor]]
    term = world.keywords[entry, group, rng.integers(0, world.keywords.shape[2], count)]
    has_campaign = rng.random(count) < world.campaign_share[source]
    stop = _PAGEVIEW_STOP[visitors["device"][visitor]] + world.channel_bounce[channel]
    return {
        "visitor": visitor, "session_id": rng.integers(0, 2**64 - 1, count, dtype=np.uint64, endpoint=True),
        "start_ms": timeline.at(position), "channel": channel, "source": source,
        "referrer": world.referrer.pick(rng, source), "entry_page": entry,
        "search_term": np.where(has_term, term, 0),
        "campaign": np.where(has_campaign, world.campaign.pick(rng, source), 0),
        "page_views": np.minimum(rng.geometric(stop), _MAX_PAGEVIEWS),
    }


def _draw_page_views(rng: np.random.Generator, world: World, timeline: Timeline,
                     visitors: dict[str, Array], visits: dict[str, Array]) -> dict[str, Array]:
    counts = visits["page_views"]
    visit = np.repeat(np.arange(len(counts)), counts)
    n = len(visit)
    first_row = np.cumsum(counts) - counts
    first = np.zeros(n, dtype=bool)
    first[first_row] = True
    page = np.where(first, visits["entry_page"][visit], world.browse_page.draw(rng, n))
    median_ms = world.engagement_median_ms[page]
    engaged = np.clip(rng.lognormal(np.log(median_ms), 1.0), 300, 1_800_000).astype(np.int64)
    # Time on the page counts hidden-tab time too; the next page view follows after a short load.
    on_page = (engaged * (1 + rng.exponential(0.25, n))).astype(np.int64)
    step = on_page + rng.integers(200, 2500, n)
    before = np.cumsum(step) - step
    offset = before - before[first_row][visit]
    duration = np.add.reduceat(step, first_row) if n else step
    # A visit still running at `end` is moved back so that every event lies in the range.
    start = np.minimum(visits["start_ms"], timeline.end_ms - 1 - duration)
    start = np.maximum(start, timeline.start_ms)
    timestamp = np.minimum(start[visit] + offset, timeline.end_ms - 1)
    return {"visit": visit, "page": page, "first": first, "timestamp": timestamp,
            "on_page": on_page, "engaged": engaged}


def _page_view_rows(views: dict[str, Array]) -> dict[str, Array]:
    n = len(views["visit"])
    return {"page_view": np.arange(n), "timestamp": views["timestamp"], "name": np.full(n, _PAGEVIEW)}


def _engagement_rows(rng: np.random.Generator, views: dict[str, Array]) -> dict[str, Array]:
    pv = np.flatnonzero(rng.random(len(views["visit"])) < _ENGAGEMENT_SHARE)
    engaged = views["engaged"][pv]
    # Long engagement usually means deep scrolling; short pages get scrolled through quickly.
    reach = 1 - np.exp(-engaged / 40_000)
    depth = 100 * np.clip(0.12 + 0.88 * reach * rng.beta(3, 1.3, len(pv)), 0, 1)
    return {"page_view": pv, "timestamp": views["timestamp"][pv] + views["on_page"][pv],
            "name": np.full(len(pv), _ENGAGEMENT), "engagement_ms": engaged.astype(np.uint32),
            "scroll_depth": depth.astype(np.uint8)}


def _click_rows(rng: np.random.Generator, world: World, visitors: dict[str, Array], visits: dict[str, Array],
                views: dict[str, Array]) -> dict[str, Array]:
    clicks = rng.poisson(world.click_rate[views["page"]])
    pv = np.repeat(np.arange(len(clicks)), clicks)
    target = world.target.pick(rng, views["page"][pv])
    moment = rng.uniform(0.05, 0.95, len(pv))
    jitter_x, jitter_y = rng.normal(0, 0.03, len(pv)), rng.normal(0, 12, len(pv))  # spread over the element
    # A rage click is a burst of 3-5 clicks on one spot (a few pixels apart), 180 ms apart.
    burst = np.where(rng.random(len(pv)) < _RAGE_SHARE, rng.integers(3, 6, len(pv)), 1)
    click = np.repeat(np.arange(len(pv)), burst)
    nth = np.arange(len(click)) - (np.cumsum(burst) - burst)[click]
    pv, target, moment, n = pv[click], target[click], moment[click], len(click)
    page = views["page"][pv]
    visitor = visits["visitor"][views["visit"][pv]]
    device = visitors["device"][visitor]
    height = (world.document_height[page] * _DEVICE_HEIGHT_FACTOR[device]).astype(np.int64)
    y_px = world.target_y_px[target]
    top = np.where(y_px < 0, height + y_px, y_px)  # negative: measured from the bottom (footers)
    y = top + world.target_y_frac[target] * height + jitter_y[click] + rng.normal(0, 3, n)
    x = world.target_x[target] + jitter_x[click] + rng.normal(0, 0.002, n)
    x, y = np.clip(x, 0, 1), np.clip(y, 0, height - 1)
    timestamp = views["timestamp"][pv] + (moment * views["on_page"][pv]).astype(np.int64) + 180 * nth
    return {"page_view": pv, "timestamp": timestamp, "name": np.full(n, _CLICK),
            "click_x": x.astype(np.float32), "click_y": y.astype(np.uint32), "click_selector": target + 1,
            "click_offset_x": rng.beta(2, 2, n).astype(np.float32),
            "click_offset_y": rng.beta(2, 2, n).astype(np.float32),
            "viewport_width": visitors["viewport_width"][visitor].astype(np.uint16),
            "document_height": height.astype(np.uint32), "rage_click": burst[click] > 1}


def _custom_rows(rng: np.random.Generator, world: World, views: dict[str, Array]) -> dict[str, Array]:
    page = views["page"]
    parts = []
    for name, rate, values in ((_SIGNUP, world.signup_rate, world.plan),
                               (_OUTBOUND, world.outbound_rate, world.outbound_url),
                               (_DOWNLOAD, world.download_rate, world.download_url)):
        pv = np.flatnonzero(rng.random(len(page)) < rate[page])
        moment = rng.uniform(0.3, 0.95, len(pv))
        parts.append({"page_view": pv, "name": np.full(len(pv), name), "prop": values.draw(rng, len(pv)),
                      "timestamp": views["timestamp"][pv] + (moment * views["on_page"][pv]).astype(np.int64)})
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


_ROW_DTYPES = {"click_x": np.float32, "click_y": np.uint32, "click_selector": np.int32,
               "click_offset_x": np.float32, "click_offset_y": np.float32, "viewport_width": np.uint16,
               "document_height": np.uint32, "rage_click": np.bool_, "engagement_ms": np.uint32,
               "scroll_depth": np.uint8, "prop": np.int64}


def _concat(parts: list[dict[str, Array]]) -> dict[str, Array]:
    """Stack row groups; a column a group lacks is zero (the column's default) for its rows."""
    rows = {key: np.concatenate([part[key] for part in parts]) for key in ("page_view", "timestamp", "name")}
    for key, dtype in _ROW_DTYPES.items():
        rows[key] = np.concatenate([part.get(key, np.zeros(len(part["page_view"]), dtype)) for part in parts])
    return rows


def _table(rng: np.random.Generator, world: World, visitors: dict[str, Array], visits: dict[str, Array],
           views: dict[str, Array], rows: dict[str, Array]) -> pa.Table:
    n = len(rows["page_view"])
    visit = views["visit"][rows["page_view"]]
    visitor = visits["visitor"][visit]
    page = views["page"][rows["page_view"]]
    is_view = rows["name"] == _PAGEVIEW
    landing = is_view & views["first"][rows["page_view"]]
    campaign = np.where(landing, visits["campaign"][visit], 0)
    medium = np.where(landing, visits["channel"][visit] + 2, np.where(is_view, _MEDIUM_INTERNAL, 0))

    def of_visitor(key: str, column: Column) -> pa.Array:
        return _strings(column, visitors[key][visitor])

    def on_landing(codes: Array, names: pa.Array) -> pa.Array:
        """The visit's value on its first page view, '' (code 0) on every other row."""
        return pa.DictionaryArray.from_arrays(pa.array(np.where(landing, codes[visit], 0)), names)

    referrer_codes, referrer_names = _referrers(world, visits)

    return pa.table({
        "site_id": _strings(world.site, np.zeros(n, np.int32)),
        "timestamp": pa.array(rows["timestamp"], pa.timestamp("ms", "UTC")),
        "event_id": _uuid_strings(rng, n),
        "event_type": pa.DictionaryArray.from_arrays(pa.array(_TYPE_OF_NAME[rows["name"]]), _EVENT_TYPES),
        "event_name": pa.DictionaryArray.from_arrays(pa.array(rows["name"]), _EVENT_NAMES),
        "visitor_id": pa.array(visitors["visitor_id"][visitor]),
        "session_id": pa.array(visits["session_id"][visit]),
        "hostname": _strings(world.site, np.zeros(n, np.int32)),
        "path": _strings(world.paths, page),
        "query": _strings(world.campaign_query, campaign),
        "title": _strings(world.titles, page),
        "referrer": on_landing(referrer_codes, referrer_names),
        "referrer_source": on_landing(world.sources.codes[visits["source"]], world.sources.names),
        "referrer_medium": _strings(world.mediums, medium),
        "search_term": on_landing(world.terms.codes[visits["search_term"]], world.terms.names),
        **{field: _strings(column, campaign) for field, column in world.utm.items()},
        "country": of_visitor("country", world.countries),
        "region": of_visitor("city", world.regions),
        "city": of_visitor("city", world.cities),
        "browser": of_visitor("browser", world.browsers),
        "browser_version": of_visitor("browser_version", world.browser_versions),
        "os": of_visitor("os", world.oses),
        "os_version": of_visitor("os_version", world.os_versions),
        "device": of_visitor("device", world.devices),
        "screen_width": pa.array(visitors["screen_width"][visitor].astype(np.uint16)),
        "screen_height": pa.array(visitors["screen_height"][visitor].astype(np.uint16)),
        "language": of_visitor("language", world.languages),
        "timezone": of_visitor("city", world.timezones),
        "click_selector": _strings(world.selectors, rows["click_selector"]),
        **{key: pa.array(rows[key]) for key in ("click_x", "click_y", "click_offset_x", "click_offset_y",
                                                "viewport_width", "document_height", "rage_click",
                                                "engagement_ms", "scroll_depth")},
        "props": _props(world, rows),
    })


def _strings(column: Column, items: Array) -> pa.DictionaryArray:
    """A string column as codes into the column's names: no per-row string is built (ClickHouse casts it)."""
    return pa.DictionaryArray.from_arrays(pa.array(column.codes[items]), column.names)


def _referrers(world: World, visits: dict[str, Array]) -> tuple[Array, pa.Array]:
    """Each visit's referrer as a code into names: with keywords, the engine's search URL carrying them."""
    codes = world.referrers.codes[visits["referrer"]]
    searched = np.flatnonzero(visits["search_term"] > 0)
    terms = len(world.term_texts)
    pairs, pair_of = np.unique(visits["source"][searched] * terms + visits["search_term"][searched],
                               return_inverse=True)
    urls = [world.search_urls[pair // terms].format(q=quote_plus(world.term_texts[pair % terms]))
            for pair in pairs.tolist()]
    codes[searched] = len(world.referrers.names) + pair_of
    return codes, pa.concat_arrays([world.referrers.names, pa.array(urls, pa.string())])


def _props(world: World, rows: dict[str, Array]) -> pa.MapArray:
    """One property per custom event (plan for Signup, url otherwise); other rows get an empty map."""
    has = np.flatnonzero(rows["name"] >= _SIGNUP)
    offsets = np.zeros(len(rows["name"]) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum(rows["name"] >= _SIGNUP)
    keys = world.prop_keys.take(pa.array((rows["name"][has] != _SIGNUP).astype(np.int32)))
    values = world.prop_values.take(pa.array(rows["prop"][has]))
    return pa.MapArray.from_arrays(pa.array(offsets), keys, values)


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_UUID_BYTE_AT = np.array([0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34])


def _uuid_strings(rng: np.random.Generator, n: int) -> pa.Array:
    """Random version-4 UUIDs as text, written straight into one Arrow buffer (uuid.uuid4() is 50x slower)."""
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    text = np.full((n, 36), ord("-"), dtype=np.uint8)
    text[:, _UUID_BYTE_AT] = _HEX[raw >> 4]
    text[:, _UUID_BYTE_AT + 1] = _HEX[raw & 0x0F]
    offsets = np.arange(0, 36 * n + 1, 36, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(text))
