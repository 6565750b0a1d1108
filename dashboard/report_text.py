"""How report values read in the page's language: headline numbers, changes, durations, bucket
labels, weekday names and the stored values that have a name of their own (mediums, devices).

Everything here returns plain text; templates escape it and figures pass visitor text through
`figures.plain`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.dates import format_skeleton, get_day_names

from dashboard.countries import country_name
from dashboard.i18n import N_, babel_locale, gettext, number, percent

# Headline metrics of pipelines/queries/stats.py, in display order, with their labels.
METRIC_LABELS = {
    "visitors": N_("Visitors"),
    "new_visitors": N_("New visitors"),
    "returning_visitors": N_("Returning visitors"),
    "visits": N_("Visits"),
    "pageviews": N_("Page views"),
    "bounce_rate": N_("Bounce rate"),
    "visit_duration": N_("Visit duration"),
    "pages_per_visit": N_("Pages per visit"),
    "time_on_page": N_("Time on page"),
}
# Where a rise is bad news (shown in the warning colour).
LOWER_IS_BETTER = frozenset({"bounce_rate"})

# Column headers of the list cards.
COLUMN_LABELS = {
    "visitors": N_("Visitors"),
    "visits": N_("Visits"),
    "pageviews": N_("Page views"),
    "time_on_page": N_("Time on page"),
    "exits": N_("Exits"),
}

# Stored values that are words of ours rather than visitors' text.
VALUE_LABELS = {
    "medium": {
        "search": N_("Search"), "social": N_("Social"), "email": N_("E-mail"), "paid": N_("Paid"),
        "ai": N_("AI assistants"), "referral": N_("Referral"), "direct": N_("Direct"),
        "internal": N_("Internal"),
    },
    "device": {"desktop": N_("Desktop"), "mobile": N_("Mobile"), "tablet": N_("Tablet")},
    "device_class": {"desktop": N_("Desktop"), "mobile": N_("Mobile"), "tablet": N_("Tablet")},
    "visitor_type": {"new": N_("New visitors"), "returning": N_("Returning visitors")},
}
# What an empty value means, per filter name of the row (the rest: "(not set)").
EMPTY_LABELS = {"source": N_("Direct / none"), "medium": N_("Direct / none")}
NOT_SET = N_("(not set)")


@dataclass(frozen=True)
class Headline:
    """One headline number as shown: label, value, the comparison's value and the change."""

    metric: str
    label: str
    value: str
    previous: str | None
    change: str | None
    trend: str  # "up", "down" or "" (no change or nothing to compare with)
    good: bool | None  # whether the trend is good news; None when there is none


def duration(locale: str, seconds: float | None) -> str:
    """42 → "42 s", 95 → "1 min 35 s", 4000 → "1 h 6 min" (units in the page's language)."""
    if seconds is None:
        return "–"
    total = round(seconds)
    if total < 60:
        tenths = seconds < 10 and seconds != int(seconds)  # 4.5 s, but 0 s and 42 s
        return gettext(locale, N_("%(seconds)s s"), seconds=number(locale, seconds if tenths else total,
                                                                        1 if tenths else 0))
    if total < 3600:
        return gettext(locale, N_("%(minutes)s min %(seconds)s s"), minutes=total // 60, seconds=total % 60)
    return gettext(locale, N_("%(hours)s h %(minutes)s min"), hours=number(locale, total // 3600),
                   minutes=total % 3600 // 60)


def metric_value(locale: str, metric: str, value: float | None) -> str:
    if value is None:
        return "–"
    if metric == "bounce_rate":
        return percent(locale, value * 100)
    if metric in ("visit_duration", "time_on_page"):
        return duration(locale, value)
    if metric == "pages_per_visit":
        return number(locale, value, 2)
    return number(locale, value)


def change_text(locale: str, change: float | None) -> str | None:
    """+25 % / −10 % from a relative change (0.25); None without a base to compare with."""
    if change is None:
        return None
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return sign + percent(locale, abs(change) * 100, 0)


def headlines(locale: str, rows: list[dict[str, Any]]) -> list[Headline]:
    by_metric = {row["metric"]: row for row in rows}
    shown = []
    for metric, label in METRIC_LABELS.items():
        row = by_metric.get(metric)
        if row is None:
            continue
        change = row.get("change")
        trend = "" if not change else "up" if change > 0 else "down"
        good = None if not trend else (trend == "down") == (metric in LOWER_IS_BETTER)
        previous = row.get("previous")
        shown.append(Headline(metric, gettext(locale, label), metric_value(locale, metric, row["value"]),
                              None if previous is None else metric_value(locale, metric, previous),
                              change_text(locale, change), trend, good))
    return shown


def value_label(locale: str, filter_name: str, value: str) -> str:
    """How a stored value reads: a country's name, a medium's or device's word, or the value."""
    if value == "":
        return gettext(locale, EMPTY_LABELS.get(filter_name, NOT_SET))
    if filter_name == "country":
        return country_name(locale, value)
    named = VALUE_LABELS.get(filter_name, {}).get(value)
    return gettext(locale, named) if named else value


def bucket_label(locale: str, bucket: str, interval: str, one_day: bool = False) -> str:
    """A time series bucket ("2025-06-10", "2025-06-10 14:00") as a short local label."""
    babel = babel_locale(locale)
    if interval == "hour":
        moment = datetime.strptime(bucket, "%Y-%m-%d %H:%M")
        clock = str(format_skeleton("Hm", moment, locale=babel))
        return clock if one_day else f"{format_skeleton('MMMd', moment, locale=babel)} {clock}"
    day = date.fromisoformat(bucket)
    skeleton = {"month": "yMMM", "year": "y"}.get(interval, "MMMd")
    return str(format_skeleton(skeleton, day, locale=babel))


def long_day(locale: str, value: date) -> str:
    return str(format_skeleton("yMMMd", value, locale=babel_locale(locale)))


def weekday_names(locale: str) -> list[str]:
    """Monday … Sunday, abbreviated."""
    names = get_day_names("abbreviated", locale=babel_locale(locale))
    return [str(names[index]) for index in range(7)]
