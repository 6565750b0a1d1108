"""Every message the dashboard shows has a Vietnamese and a Chinese translation, with the same
placeholders; languages are negotiated and numbers formatted per locale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dashboard import i18n

DASHBOARD = Path(i18n.__file__).parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
# gettext(locale, message): the message is the second argument.
KEYWORDS = {"_": None, "N_": None, "gettext": (2,)}


def used_messages() -> set[str]:
    """Every literal message in the dashboard's templates and Python code."""
    found: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(str(DASHBOARD), METHODS, keywords=KEYWORDS):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def test_messages_are_found() -> None:
    messages = used_messages()
    assert "Sign in" in messages and "Wrong e-mail or password." in messages


@pytest.mark.parametrize("locale", ["vi", "zh"])
def test_every_message_is_translated(locale: str) -> None:
    catalog = i18n.catalog(locale)
    missing = sorted(message for message in used_messages() if message not in catalog)
    assert not missing, f"add to dashboard/locales/<area>/{locale}.po: {missing}"


@pytest.mark.parametrize("locale", ["vi", "zh"])
def test_translations_keep_their_placeholders(locale: str) -> None:
    for message, translation in i18n.catalog(locale).items():
        assert set(PLACEHOLDER.findall(message)) == set(PLACEHOLDER.findall(translation)), message


def test_each_area_has_both_catalogs_with_the_same_messages() -> None:
    for area in (path for path in (DASHBOARD / "locales").iterdir() if path.is_dir()):
        ids = []
        for locale in ("vi", "zh"):
            with (area / f"{locale}.po").open("rb") as handle:
                ids.append({message.id for message in read_po(handle) if message.id})
        assert ids[0] == ids[1], f"{area.name}: vi.po and zh.po differ: {ids[0] ^ ids[1]}"


@pytest.mark.parametrize(
    ("header", "preferred", "expected"),
    [
        ("vi-VN,vi;q=0.9,en;q=0.8", "", "vi"),
        ("fr-FR, zh-CN;q=0.5, en;q=0.4", "", "zh"),
        ("en;q=0.2, zh-TW;q=0.9", "", "zh"),
        ("de, fr", "", "en"),
        ("", "", "en"),
        ("vi;q=0", "", "en"),
        ("zh-CN", "vi", "vi"),
        ("zh-CN", "xx", "zh"),
    ],
)
def test_negotiation(header: str, preferred: str, expected: str) -> None:
    assert i18n.negotiate(header, preferred) == expected


def test_numbers_and_dates_follow_the_locale() -> None:
    from datetime import date

    assert i18n.number("en", 1234567) == "1,234,567"
    assert i18n.number("vi", 1234567.25, 2) == "1.234.567,25"
    assert i18n.percent("vi", 42.5) == "42,5%"
    assert i18n.day("zh", date(2026, 11, 24)) == "2026年11月24日"
    assert i18n.number("en", None) == "–"


def test_missing_translation_falls_back_to_english() -> None:
    assert i18n.gettext("vi", "A message nobody translated") == "A message nobody translated"
    assert i18n.gettext("xx", "Sites") == "Sites"
