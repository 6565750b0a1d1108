"""What a report is asked for: a site, a date range in the site's time zone, an interval, filters
and an optional comparison period. Every report module takes one `Query`.

Dates are local to the site: `date_from`/`date_to` as dates are whole days, both included;
as datetimes (naive = the site's wall clock, or aware) they are instants, `date_to` excluded.
`bounds()` turns either into the UTC half-open range [start, end) that SQL compares with.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Interval = Literal["hour", "day", "week", "month", "year"]
Comparison = Literal["previous", "year"]
SourceChoice = Literal["auto", "raw", "rollup"]

INTERVALS: tuple[str, ...] = ("hour", "day", "week", "month", "year")
COMPARISONS: tuple[str, ...] = ("previous", "year")
SOURCES: tuple[str, ...] = ("auto", "raw", "rollup")
MAX_BUCKETS = 5000


@dataclass(frozen=True)
class Query:
    """A report request. `filters` maps filter names (pipelines/filters.py) to values.

    `source` is for tests and the benchmark: 'raw' forces the events table, 'rollup' insists on
    a rollup (ValueError when none can serve), 'auto' lets the planner decide. `sampling=False`
    forbids SAMPLE even on huge ranges.
    """

    site_id: str
    date_from: date | datetime
    date_to: date | datetime
    timezone: str = "UTC"
    interval: Interval = "day"
    filters: Mapping[str, str] = field(default_factory=dict)
    comparison: Comparison | None = None
    source: SourceChoice = "auto"
    sampling: bool = True

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        if self.interval not in INTERVALS:
            raise ValueError(f"interval must be one of {', '.join(INTERVALS)}")
        if self.comparison is not None and self.comparison not in COMPARISONS:
            raise ValueError(f"comparison must be one of {', '.join(COMPARISONS)}")
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}")
        if isinstance(self.date_from, datetime) != isinstance(self.date_to, datetime):
            raise ValueError("date_from and date_to must both be dates or both be datetimes")
        start, end = self.bounds()
        if end <= start:
            raise ValueError("the date range is empty: date_to must not be before date_from")
        # A private copy in a stable order: callers may pass any mapping and change it later.
        object.__setattr__(self, "filters", dict(sorted(self.filters.items())))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def bounds(self) -> tuple[datetime, datetime]:
        """The UTC half-open range [start, end) the query covers."""
        return self._instant(self.date_from, end=False), self._instant(self.date_to, end=True)

    def _instant(self, value: date | datetime, end: bool) -> datetime:
        if isinstance(value, datetime):
            local = value if value.tzinfo else value.replace(tzinfo=self.zone)
            return local.astimezone(UTC)
        day = value + timedelta(days=1) if end else value
        return local_midnight(day, self.zone)

    def compared(self) -> Query | None:
        """The comparison period's query (same everything, other dates), or None."""
        if self.comparison is None:
            return None
        if self.comparison == "year":
            return replace(self, date_from=_year_before(self.date_from), date_to=_year_before(self.date_to),
                           comparison=None)
        if isinstance(self.date_from, datetime) and isinstance(self.date_to, datetime):
            span = self.date_to - self.date_from
            return replace(self, date_from=self.date_from - span, date_to=self.date_from, comparison=None)
        assert not isinstance(self.date_to, datetime)
        days = (self.date_to - self.date_from).days + 1
        return replace(self, date_from=self.date_from - timedelta(days=days),
                       date_to=self.date_from - timedelta(days=1), comparison=None)

    def hour_aligned(self) -> bool:
        """True when every local bucket boundary of the range falls on a UTC hour.

        Then hourly UTC rollups give exact local days, weeks and months (whole-hour offsets:
        Europe/Berlin, America/New_York); Asia/Kolkata (+5:30) or a range starting at 10:15 is not.
        """
        start, end = self.bounds()
        if start.minute or start.second or start.microsecond or end.minute or end.second or end.microsecond:
            return False
        zone = self.zone
        probe = start
        while probe <= end:
            offset = probe.astimezone(zone).utcoffset()
            if offset is None or offset.total_seconds() % 3600:
                return False
            probe += timedelta(hours=6)  # offsets change at most a few times a year
        offset = end.astimezone(zone).utcoffset()
        return offset is not None and offset.total_seconds() % 3600 == 0

    def buckets(self) -> list[str]:
        """Labels of every interval bucket in the range, in order, as SQL's `bucket_label` prints them."""
        labels: list[str] = []
        for local in _bucket_starts(self):
            label = bucket_label(local, self.interval)
            if labels and labels[-1] == label:
                continue  # the repeated hour when clocks go back: SQL puts both in one bucket
            labels.append(label)
            if len(labels) > MAX_BUCKETS:
                raise ValueError(f"more than {MAX_BUCKETS} {self.interval} buckets: choose a longer interval")
        return labels


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant a local day starts (the first existing local time on a DST-gap day)."""
    naive = datetime.combine(day, time())
    for minutes in range(0, 24 * 60, 30):
        candidate = (naive + timedelta(minutes=minutes)).replace(tzinfo=zone)
        # A wall time inside a DST gap does not survive the round trip.
        if candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == candidate.replace(tzinfo=None):
            return candidate.astimezone(UTC)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def bucket_label(local: datetime, interval: str) -> str:
    return local.strftime("%Y-%m-%d %H:00") if interval == "hour" else local.strftime("%Y-%m-%d")


def _bucket_starts(query: Query) -> Iterator[datetime]:
    start, end = query.bounds()
    zone = query.zone
    local = _truncate(start.astimezone(zone), query.interval)
    while local.astimezone(UTC) < end:
        yield local
        local = _next(local, query.interval, zone)


def _truncate(local: datetime, interval: str) -> datetime:
    if interval == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.date()
    if interval == "week":
        day -= timedelta(days=day.weekday())
    elif interval == "month":
        day = day.replace(day=1)
    elif interval == "year":
        day = day.replace(month=1, day=1)
    return datetime.combine(day, time(), tzinfo=local.tzinfo)


def _next(local: datetime, interval: str, zone: ZoneInfo) -> datetime:
    if interval == "hour":
        return (local.astimezone(UTC) + timedelta(hours=1)).astimezone(zone)
    day = local.date()
    if interval == "day":
        day += timedelta(days=1)
    elif interval == "week":
        day += timedelta(days=7)
    elif interval == "month":
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    else:
        day = date(day.year + 1, 1, 1)
    return datetime.combine(day, time(), tzinfo=zone)


def _year_before(value: date | datetime) -> date | datetime:
    try:
        return value.replace(year=value.year - 1)
    except ValueError:  # 29 February
        return value.replace(year=value.year - 1, day=28)
