"""Survey definitions: validated, versioned, stored as JSON in `surveys.definition`.

A definition says what to ask (kind, texts per language), where and to whom (targeting), when
(trigger, dates), how often (sampling, frequency). Every survey works without any texts: each
kind has built-in English, Vietnamese and Chinese texts, and custom texts override them.

Versions: changing what a visitor is asked — the kind, any text, the follow-up question — saves
version + 1, so results never mix two questions. Targeting, trigger, sampling, frequency, dates,
the default language and the status change the current version in place (a newer row of the
same version; `surveys` is a ReplacingMergeTree on `updated_at`).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pipelines.sites import get_site
from pipelines.store.base import Store

log = logging.getLogger("footfall.surveys")

KINDS = ("csat", "nps", "ces", "helpful", "text")
SCORE_RANGES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7), "helpful": (0, 1)}
DEVICES = ("desktop", "mobile", "tablet")
VISITORS = ("all", "new", "returning")
TRIGGERS = ("delay", "scroll", "exit", "event")
STATUSES = ("active", "paused", "archived")
BUILTIN_LOCALES = ("en", "vi", "zh")
MAX_TEXT = 500
MAX_PATTERN = 300
MAX_COMMENT = 2000
MAX_EVERY_DAYS = 3650
_LOCALE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,3}$")
_ID = re.compile(r"^[A-Za-z0-9]{4,32}$")
# A group holding + * or {n} that is itself repeated: the classic catastrophic backtracking shape.
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")
_ID_ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 8


class SurveyError(ValueError):
    """A definition or a change that cannot be saved; the message says what to fix."""


@dataclass(frozen=True)
class Texts:
    """What the widget and the link page say; empty fields take the built-in text."""

    question: str = ""
    follow_up: str = ""
    low: str = ""  # label under the lowest score
    high: str = ""  # label under the highest score
    yes: str = ""
    no: str = ""
    submit: str = ""
    dismiss: str = ""
    thanks: str = ""
    placeholder: str = ""


TEXT_FIELDS = tuple(f.name for f in fields(Texts))

_COMMON = {
    "en": Texts(follow_up="What could we do better?", yes="Yes", no="No", submit="Send", dismiss="Close",
                thanks="Thank you for your feedback!", placeholder="Your comment (optional)"),
    "vi": Texts(follow_up="Chúng tôi có thể làm gì tốt hơn?", yes="Có", no="Không", submit="Gửi",
                dismiss="Đóng", thanks="Cảm ơn bạn đã góp ý!", placeholder="Ý kiến của bạn (không bắt buộc)"),
    "zh": Texts(follow_up="我们可以在哪些方面做得更好？", yes="是", no="否", submit="提交", dismiss="关闭",
                thanks="感谢您的反馈！", placeholder="您的意见（选填）"),
}
# kind -> locale -> (question, low, high)
_QUESTIONS = {
    "csat": {"en": ("How satisfied are you with your experience?", "Very dissatisfied", "Very satisfied"),
             "vi": ("Bạn hài lòng với trải nghiệm của mình đến mức nào?", "Rất không hài lòng", "Rất hài lòng"),
             "zh": ("您对本次体验的满意程度如何？", "非常不满意", "非常满意")},
    "nps": {"en": ("How likely are you to recommend us to a friend or colleague?", "Not at all likely",
                   "Extremely likely"),
            "vi": ("Bạn có sẵn lòng giới thiệu chúng tôi cho bạn bè hoặc đồng nghiệp không?", "Chắc chắn không",
                   "Chắc chắn có"),
            "zh": ("您有多大可能向朋友或同事推荐我们？", "完全不可能", "极有可能")},
    "ces": {"en": ("How easy was it to do what you came to do?", "Very difficult", "Very easy"),
            "vi": ("Bạn thực hiện điều mình cần dễ dàng đến mức nào?", "Rất khó", "Rất dễ"),
            "zh": ("完成您想做的事情有多容易？", "非常困难", "非常容易")},
    "helpful": {"en": ("Was this page helpful?", "", ""), "vi": ("Trang này có hữu ích với bạn không?", "", ""),
                "zh": ("此页面对您有帮助吗？", "", "")},
    "text": {"en": ("What would you like to tell us?", "", ""),
             "vi": ("Bạn muốn chia sẻ điều gì với chúng tôi?", "", ""),
             "zh": ("您有什么想告诉我们的？", "", "")},
}


def builtin_texts(kind: str, locale: str) -> Texts:
    """The built-in texts of `kind` in `locale`'s language (zh-tw: zh), English for any other."""
    primary = locale.split("-")[0]
    base = primary if primary in BUILTIN_LOCALES else "en"
    question, low, high = _QUESTIONS[kind][base]
    return replace(_COMMON[base], question=question, low=low, high=high)


@dataclass(frozen=True)
class Targeting:
    path_glob: str = ""  # `*` matches any characters; the whole path must match
    path_regex: str = ""  # searched in the path (anchor it with ^ and $)
    devices: tuple[str, ...] = ()  # empty: every device
    visitors: str = "all"  # all, new or returning (decided by the widget)

    def matches_path(self, path: str) -> bool:
        if self.path_regex:
            return re.search(self.path_regex, path) is not None
        if self.path_glob:
            return _glob_match(self.path_glob, path)
        return True


def _glob_match(pattern: str, text: str) -> bool:
    """`*` matches any characters (`/` too), anything else itself; never backtracks."""
    first, *middle, last = pattern.split("*") if "*" in pattern else (pattern, None)
    if last is None:
        return text == pattern
    if not text.startswith(first) or len(text) < len(first) + len(last):
        return False
    position = len(first)
    for part in middle:  # the leftmost match of each part leaves the most room for the rest
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return len(text) - position >= len(last) and text.endswith(last)


@dataclass(frozen=True)
class Trigger:
    type: str = "delay"
    value: int | str | None = 5  # seconds (delay), percent (scroll), event name (event), None (exit)


@dataclass(frozen=True)
class Frequency:
    every_days: int = 0  # 0: once per visitor, ever; N: again after N days

    @property
    def window(self) -> timedelta | None:
        """How long an answer blocks the next one from the same visitor (None: for ever)."""
        return timedelta(days=self.every_days) if self.every_days else None


@dataclass(frozen=True)
class SurveyDefinition:
    kind: str
    texts: Mapping[str, Texts] = field(default_factory=dict)  # custom texts by locale
    default_locale: str = "en"
    targeting: Targeting = Targeting()
    trigger: Trigger = Trigger()
    sample_percent: int = 100
    frequency: Frequency = Frequency()
    starts: date | None = None  # first day, in the site's time zone
    ends: date | None = None  # last day, inclusive
    follow_up: bool = False

    @property
    def locales(self) -> tuple[str, ...]:
        """The languages offered: those with a custom question, else the built-in ones."""
        custom = tuple(sorted(loc for loc, texts in self.texts.items() if texts.question))
        return custom or BUILTIN_LOCALES

    def texts_for(self, locale: str) -> Texts:
        """Every text in `locale` (an offered one): the custom ones over the built-in ones."""
        base = builtin_texts(self.kind, locale)
        custom = self.texts.get(locale, Texts())
        return Texts(**{name: getattr(custom, name) or getattr(base, name) for name in TEXT_FIELDS})

    def pick_locale(self, wanted: list[str]) -> str:
        """The first offered language matching `wanted` (exact tag, then language), else the default."""
        offered = self.locales
        for tag in wanted:
            tag = tag.strip().lower().replace("_", "-")
            primary = tag.split("-")[0]
            for candidate in (tag, primary):
                if candidate in offered:
                    return candidate
            similar = [loc for loc in offered if loc.split("-")[0] == primary]
            if similar:
                return similar[0]
        return self.default_locale

    def asks_the_same_as(self, other: SurveyDefinition) -> bool:
        return (self.kind, dict(self.texts), self.follow_up) == (other.kind, dict(other.texts), other.follow_up)


@dataclass(frozen=True)
class Survey:
    site_id: str
    survey_id: str
    version: int
    status: str
    definition: SurveyDefinition
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def kind(self) -> str:
        return self.definition.kind

    def running(self, today: date) -> bool:
        """Active and within its dates (`today` in the site's time zone)."""
        d = self.definition
        return self.status == "active" and (d.starts is None or d.starts <= today) and (
            d.ends is None or today <= d.ends)


# -- validation and JSON --------------------------------------------------------------------


def definition_to_json(definition: SurveyDefinition) -> dict[str, Any]:
    d = definition
    frequency = {"type": "days", "days": d.frequency.every_days} if d.frequency.every_days else {"type": "once"}
    return {
        "kind": d.kind,
        "texts": {loc: {k: v for k, v in vars(t).items() if v} for loc, t in sorted(d.texts.items())},
        "default_locale": d.default_locale,
        "targeting": {"path_glob": d.targeting.path_glob, "path_regex": d.targeting.path_regex,
                      "devices": list(d.targeting.devices), "visitors": d.targeting.visitors},
        "trigger": {"type": d.trigger.type, "value": d.trigger.value},
        "sample_percent": d.sample_percent,
        "frequency": frequency,
        "starts": d.starts.isoformat() if d.starts else None,
        "ends": d.ends.isoformat() if d.ends else None,
        "follow_up": d.follow_up,
    }


def parse_definition(data: Mapping[str, Any]) -> SurveyDefinition:
    """Validate plain (JSON) data into a definition; raises SurveyError naming the problem."""
    kind = str(data.get("kind", ""))
    if kind not in KINDS:
        raise SurveyError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    texts = _parse_texts(data.get("texts") or {})
    definition = SurveyDefinition(
        kind=kind,
        texts=texts,
        default_locale=str(data.get("default_locale") or "en").lower(),
        targeting=_parse_targeting(data.get("targeting") or {}),
        trigger=_parse_trigger(data.get("trigger") or {}),
        sample_percent=_int(data.get("sample_percent", 100), "sample_percent", 1, 100),
        frequency=_parse_frequency(data.get("frequency") or {}),
        starts=_date(data.get("starts"), "starts"),
        ends=_date(data.get("ends"), "ends"),
        follow_up=bool(data.get("follow_up", False)),
    )
    if definition.starts and definition.ends and definition.ends < definition.starts:
        raise SurveyError("the survey ends before it starts")
    offered = definition.locales
    for locale in texts:
        if locale not in offered:
            raise SurveyError(f"texts for {locale!r} but no question in {locale!r}: give the question in "
                              f"every language you add texts for (offered: {', '.join(offered)})")
    if definition.default_locale not in offered:
        raise SurveyError(f"the default language {definition.default_locale!r} must be one of the survey's "
                          f"languages: {', '.join(offered)}")
    return definition


def _parse_texts(raw: Any) -> dict[str, Texts]:
    if not isinstance(raw, Mapping):
        raise SurveyError("texts must map a language to its texts")
    texts = {}
    for locale, values in raw.items():
        locale = str(locale).lower().replace("_", "-")
        if not _LOCALE.match(locale):
            raise SurveyError(f"{locale!r} is not a language tag such as en, vi or zh-tw")
        if not isinstance(values, Mapping):
            raise SurveyError(f"the texts for {locale} must map names to text")
        unknown = set(values) - set(TEXT_FIELDS)
        if unknown:
            raise SurveyError(f"unknown texts {sorted(unknown)}; known: {', '.join(TEXT_FIELDS)}")
        cleaned = {name: " ".join(str(value).split()) for name, value in values.items() if value}
        for name, value in cleaned.items():
            if len(value) > MAX_TEXT:
                raise SurveyError(f"{locale}.{name} is longer than {MAX_TEXT} characters")
        if cleaned:
            texts[locale] = Texts(**cleaned)
    return texts


def risky_regex(pattern: str) -> bool:
    """A regex that repeats a repetition, like (a+)+: it could stall the collector on a crafted URL."""
    return _NESTED_REPEAT.search(pattern) is not None


def _parse_targeting(raw: Mapping[str, Any]) -> Targeting:
    glob, regex = str(raw.get("path_glob") or ""), str(raw.get("path_regex") or "")
    if glob and regex:
        raise SurveyError("give a path glob or a path regex, not both")
    if len(glob) > MAX_PATTERN or len(regex) > MAX_PATTERN:
        raise SurveyError(f"path patterns are at most {MAX_PATTERN} characters")
    if regex:
        try:
            re.compile(regex)
        except re.error as exc:
            raise SurveyError(f"the path regex does not compile: {exc}") from None
        if risky_regex(regex):
            raise SurveyError("the path regex repeats a repetition, like (a+)+, which can stall the collector "
                              "on a crafted URL; use a glob or a simpler regex")
    devices = tuple(sorted({str(d).lower() for d in raw.get("devices") or ()}))
    if set(devices) - set(DEVICES):
        raise SurveyError(f"devices are {', '.join(DEVICES)}")
    visitors = str(raw.get("visitors") or "all")
    if visitors not in VISITORS:
        raise SurveyError(f"visitors must be one of {', '.join(VISITORS)}")
    return Targeting(glob, regex, () if set(devices) == set(DEVICES) else devices, visitors)


def _parse_trigger(raw: Mapping[str, Any]) -> Trigger:
    kind = str(raw.get("type") or "delay")
    value = raw.get("value")
    if kind == "delay":
        return Trigger(kind, _int(5 if value is None else value, "the delay (seconds)", 0, 3600))
    if kind == "scroll":
        return Trigger(kind, _int(50 if value is None else value, "the scroll depth (%)", 1, 100))
    if kind == "exit":
        return Trigger(kind, None)
    if kind == "event":
        name = str(value or "").strip()
        if not 0 < len(name) <= 120:
            raise SurveyError("an event trigger needs the custom event's name (at most 120 characters)")
        return Trigger(kind, name)
    raise SurveyError(f"the trigger must be one of {', '.join(TRIGGERS)}")


def _parse_frequency(raw: Mapping[str, Any]) -> Frequency:
    kind = raw.get("type", "once")
    if kind == "once":
        return Frequency(0)
    if kind == "days":
        return Frequency(_int(raw.get("days"), "the frequency in days", 1, MAX_EVERY_DAYS))
    raise SurveyError("the frequency is once, or again after N days")


def _int(value: Any, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SurveyError(f"{name} must be a whole number from {low} to {high}") from None
    if isinstance(value, bool) or not low <= number <= high or (isinstance(value, float) and number != value):
        raise SurveyError(f"{name} must be a whole number from {low} to {high}")
    return number


def _date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SurveyError(f"{name} must be a date like 2025-06-30") from None


# -- storage --------------------------------------------------------------------------------

_COLUMNS = "site_id, survey_id, version, kind, status, definition, created_at, updated_at"


def is_survey_id(text: str) -> bool:
    return bool(_ID.match(text))


def _from_row(row: Mapping[str, Any]) -> Survey:
    data = json.loads(row["definition"] or "{}")
    data["kind"] = row["kind"]
    return Survey(str(row["site_id"]), str(row["survey_id"]), int(row["version"]), str(row["status"]),
                  parse_definition(data), row["created_at"], row["updated_at"])


def _insert(store: Store, survey: Survey) -> None:
    store.command(
        f"INSERT INTO surveys ({_COLUMNS}) VALUES ({{site_id:String}}, {{survey_id:String}}, "
        "{version:UInt32}, {kind:String}, {status:String}, {definition:String}, "
        "{created_at:DateTime64(3, 'UTC')}, {updated_at:DateTime64(3, 'UTC')})",
        {"site_id": survey.site_id, "survey_id": survey.survey_id, "version": survey.version,
         "kind": survey.kind, "status": survey.status,
         "definition": json.dumps(definition_to_json(survey.definition), ensure_ascii=False),
         "created_at": survey.created_at, "updated_at": survey.updated_at},
    )


def _now_after(previous: datetime | None) -> datetime:
    """Now, but always after `previous`, so the newer row wins even within one millisecond."""
    now = datetime.now(UTC)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    if previous is not None and now <= previous:
        now = previous + timedelta(milliseconds=1)
    return now


def save_survey(store: Store, site_id: str, definition: SurveyDefinition, survey_id: str | None = None,
                status: str | None = None) -> Survey:
    """Create a survey (`survey_id` None) or change one: a new version when the question changes."""
    definition = parse_definition(definition_to_json(definition))
    if status is not None and status not in STATUSES:
        raise SurveyError(f"status must be one of {', '.join(STATUSES)}")
    if survey_id is None:
        site = get_site(store, site_id)
        if site is None:
            raise SurveyError(f"no site {site_id!r}; add it with `footfall sites add {site_id}`")
        survey_id = _new_id(store)
        now = _now_after(None)
        survey = Survey(site.site_id, survey_id, 1, status or "active", definition, now, now)
    else:
        current = get_survey(store, survey_id)
        if current is None:
            raise SurveyError(f"no survey {survey_id!r}")
        now = _now_after(current.updated_at)
        if definition.asks_the_same_as(current.definition):
            survey = replace(current, definition=definition, status=status or current.status, updated_at=now)
        else:
            survey = Survey(current.site_id, current.survey_id, current.version + 1, status or current.status,
                            definition, now, now)
    _insert(store, survey)
    return survey


def set_status(store: Store, survey_id: str, status: str) -> Survey:
    current = get_survey(store, survey_id)
    if current is None:
        raise SurveyError(f"no survey {survey_id!r}")
    return save_survey(store, current.site_id, current.definition, survey_id, status)


def _new_id(store: Store) -> str:
    while True:
        candidate = "".join(secrets.choice(_ID_ALPHABET) for _ in range(ID_LENGTH))
        if not store.scalar("SELECT count() FROM surveys WHERE survey_id = {id:String}", {"id": candidate}):
            return candidate


def get_survey(store: Store, survey_id: str, version: int | None = None) -> Survey | None:
    """The newest version (or the one asked for) of a survey."""
    if not is_survey_id(survey_id):
        return None
    rows = store.query(
        f"SELECT {_COLUMNS} FROM surveys FINAL WHERE survey_id = {{id:String}} "
        "AND ({version:UInt32} = 0 OR version = {version:UInt32}) ORDER BY version DESC LIMIT 1",
        {"id": survey_id, "version": version or 0},
    )
    return _from_row(rows[0]) if rows else None


def list_surveys(store: Store, site_id: str | None = None, all_versions: bool = False) -> list[Survey]:
    """The newest version of each survey of a site (or of every site), oldest survey first.

    A stored definition that no longer validates is skipped with a warning.
    """
    rows = store.query(
        f"SELECT {_COLUMNS}, min(created_at) OVER (PARTITION BY survey_id) AS first_created "
        "FROM surveys FINAL WHERE ({site:String} = '' OR site_id = {site:String}) "
        "ORDER BY first_created, survey_id, version DESC"
        + ("" if all_versions else " LIMIT 1 BY survey_id"),
        {"site": (site_id or "").lower()},
    )
    surveys = []
    for row in rows:
        try:
            surveys.append(_from_row(row))
        except (SurveyError, ValueError) as exc:
            log.warning("skipping survey %s version %s: %s", row["survey_id"], row["version"], exc)
    return surveys
