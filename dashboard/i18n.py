"""The dashboard's languages: English (the message ids), Vietnamese and Chinese.

Messages are gettext catalogs, one pair per area of the dashboard so that areas can be worked on
apart: `dashboard/locales/<area>/<locale>.po` (Babel reads them; `pybabel extract` and any .po
editor work on them). All areas merge into one catalog per locale. A message missing from a
catalog shows in English; `tests/dashboard/test_i18n.py` makes sure none is missing.

In templates: `{{ _("Visitors") }}`, with named placeholders `{{ _("%(count)s sites", count=n) }}`,
and the filters `number`, `percent`, `decimal`, `date`, `datetime` format per the page's locale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LOCALES = ("en", "vi", "zh")
DEFAULT_LOCALE = "en"
LANGUAGE_NAMES = {"en": "English", "vi": "Tiếng Việt", "zh": "中文"}
LOCALES_DIR = Path(__file__).parent / "locales"
# Babel's locale for each UI language: Chinese is shown in simplified characters.
_BABEL = {"en": "en", "vi": "vi", "zh": "zh_Hans_CN"}


@cache
def catalog(locale: str) -> dict[str, str]:
    """msgid → translation for one locale, merged over every area's .po file."""
    messages: dict[str, str] = {}
    if locale == DEFAULT_LOCALE:
        return messages
    for path in sorted(LOCALES_DIR.glob(f"*/{locale}.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=_BABEL[locale]):
                if message.id and isinstance(message.id, str) and isinstance(message.string, str) and message.string:
                    messages[message.id] = message.string
    return messages


def N_(message: str) -> str:
    """Marks a message for translation where it is defined; it is translated where it is shown."""
    return message


def gettext(locale: str, message: str, **values: Any) -> str:
    """The message in `locale` (English when it has no translation), its `%(name)s` filled in."""
    text = catalog(locale).get(message, message) if locale in LOCALES else message
    return text % values if values else text


def negotiate(accept_language: str | None, preferred: str = "") -> str:
    """The user's chosen language if any, else the best match of the browser's Accept-Language."""
    if preferred in LOCALES:
        return preferred
    for tag in _ranked(accept_language or ""):
        primary = tag.split("-")[0].lower()
        if primary in LOCALES:
            return primary
    return DEFAULT_LOCALE


def _ranked(header: str) -> list[str]:
    """Language tags by quality, highest first (ties keep the header's order)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def babel_locale(locale: str) -> Locale:
    return Locale.parse(_BABEL.get(locale, "en"))


def number(locale: str, value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + (("." + "0" * digits) if digits else "")
    return str(format_decimal(value, format=pattern, locale=babel_locale(locale)))


def percent(locale: str, value: float | None, digits: int = 1) -> str:
    """`value` is a percentage already (42.5 → "42.5%")."""
    if value is None:
        return "–"
    pattern = "#,##0" + (("." + "0" * digits) if digits else "") + "%"
    return str(format_percent(value / 100, format=pattern, locale=babel_locale(locale)))


def day(locale: str, value: date | datetime, style: str = "medium") -> str:
    return str(format_date(value, format=style, locale=babel_locale(locale)))


def moment(locale: str, value: datetime, style: str = "medium") -> str:
    return str(format_datetime(value, format=style, locale=babel_locale(locale)))


def _with_locale(function: Callable[..., str]) -> Callable[..., str]:
    @jinja2.pass_context
    def filter_(context: jinja2.runtime.Context, value: Any, *args: Any) -> str:
        return function(context.get("locale", DEFAULT_LOCALE), value, *args)

    return filter_


def install(env: jinja2.Environment) -> None:
    """Add the locale-aware filters; each page's context carries `locale` and `_`."""
    env.filters["number"] = _with_locale(number)
    env.filters["percent"] = _with_locale(percent)
    env.filters["date"] = _with_locale(day)
    env.filters["datetime"] = _with_locale(moment)


def page_context(locale: str) -> dict[str, Any]:
    """What every template needs to speak the page's language."""

    def translate(message: str, **values: Any) -> str:
        return gettext(locale, message, **values)

    return {"locale": locale, "_": translate, "languages": LANGUAGE_NAMES}


def all_message_ids(areas: Iterable[Path] | None = None) -> set[str]:
    """Every msgid in the catalogs (for tests and translators)."""
    ids: set[str] = set()
    for path in areas or LOCALES_DIR.glob("*/*.po"):
        with path.open("rb") as handle:
            ids.update(str(message.id) for message in read_po(handle) if message.id)
    return ids
