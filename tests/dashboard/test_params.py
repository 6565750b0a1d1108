"""URL parameters → report queries, and back to URLs."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.params import ParamError, View, read_view

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("today", date(2026, 11, 24), date(2026, 11, 24)),
        ("yesterday", date(2026, 11, 23), date(2026, 11, 23)),
        ("7d", date(2026, 11, 18), date(2026, 11, 24)),
        ("30d", date(2026, 10, 26), date(2026, 11, 24)),
        ("month", date(2026, 11, 1), date(2026, 11, 24)),
        ("last_month", date(2026, 10, 1), date(2026, 10, 31)),
        ("year", date(2026, 1, 1), date(2026, 11, 24)),
    ],
)
def test_periods(period: str, first: date, last: date) -> None:
    assert read_view({"period": period}).days(TODAY) == (first, last)


def test_last_month_in_january_is_december() -> None:
    assert read_view({"period": "last_month", "date": "2027-01-15"}).days(TODAY) == (date(2026, 12, 1),
                                                                                     date(2026, 12, 31))


def test_custom_range_filters_and_comparison_make_a_query() -> None:
    view = read_view({"period": "custom", "from": "2026-11-01", "to": "2026-11-10", "compare": "previous",
                      "page": "/pricing", "country": "VN", "utm": "ignored on pages"})
    query = view.query("example.com", "Asia/Ho_Chi_Minh", TODAY)
    assert (query.date_from, query.date_to, query.interval) == (date(2026, 11, 1), date(2026, 11, 10), "day")
    assert query.filters == {"country": "VN", "page": "/pricing"}
    compared = query.compared()
    assert compared is not None and compared.date_to == date(2026, 10, 31)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "fortnight"}, "use one of today"),
        ({"period": "custom", "from": "2026-11-01"}, "needs from=YYYY-MM-DD and to"),
        ({"period": "custom", "from": "2026-11-10", "to": "2026-11-01"}, "to must not be before from"),
        ({"date": "24/11/2026"}, "write it as YYYY-MM-DD"),
        ({"interval": "minute"}, "use one of hour"),
        ({"compare": "lastweek"}, "use one of none, previous, year"),
        ({"device_class": "fridge"}, "must be one of mobile"),
    ],
)
def test_bad_values_say_how_to_fix_them(params: dict[str, str], message: str) -> None:
    with pytest.raises(ParamError, match=message):
        read_view(params)


def test_strict_mode_refuses_unknown_parameters() -> None:
    with pytest.raises(ParamError, match="unknown parameter 'pagee'"):
        read_view({"pagee": "/"}, strict=True)
    assert read_view({"site_id": "x"}, strict=True, extra=("site_id",)).filters == {}


def test_interval_follows_the_range() -> None:
    assert read_view({"period": "today"}).chosen_interval(TODAY) == "hour"
    assert read_view({"period": "30d"}).chosen_interval(TODAY) == "day"
    assert read_view({"period": "12mo"}).chosen_interval(TODAY) == "month"
    assert read_view({"period": "30d", "interval": "week"}).chosen_interval(TODAY) == "week"


def test_urls_round_trip_and_change_filters() -> None:
    view = read_view({"period": "7d", "compare": "year", "source": "Google"})
    url = view.url("/s/example.com", country="VN")
    assert url == "/s/example.com?period=7d&compare=year&source=Google&country=VN"
    assert View().url("/s/x") == "/s/x"
    assert view.url("/s/x", source=None, period="30d") == "/s/x?compare=year"
    reread = read_view(dict(pair.split("=") for pair in url.split("?")[1].split("&")))
    assert reread == View("7d", compare="year", filters={"source": "Google", "country": "VN"})
