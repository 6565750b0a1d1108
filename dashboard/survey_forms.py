"""The survey editor's form: definition ⇄ form fields, and server-side validation with a
translatable message per field.

`parse_form` checks every field itself, so the owner reads which field is wrong and how to fix
it, in their language; `pipelines.surveys.parse_definition` then checks the whole once more
(its rare English message is shown as a form-level error). The values the owner typed travel
back into the form as they were (the template escapes them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dashboard.i18n import N_
from pipelines.surveys import (
    BUILTIN_LOCALES,
    DEVICES,
    KINDS,
    MAX_EVERY_DAYS,
    MAX_PATTERN,
    MAX_TEXT,
    TEXT_FIELDS,
    VISITORS,
    SurveyDefinition,
    SurveyError,
    definition_to_json,
    parse_definition,
    risky_regex,
)

TRIGGERS = ("delay", "scroll", "exit", "event")
PATH_MODES = ("all", "glob", "regex")
EXTRA = "extra"  # the form's block for one more language, named by `extra_locale`
_LOCALE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,3}$")

KIND_NAMES = {"csat": N_("CSAT: satisfaction, 1 to 5"), "nps": N_("NPS: would recommend, 0 to 10"),
              "ces": N_("CES: effort, 1 to 7"), "helpful": N_("Helpful: yes or no"), "text": N_("Open text")}
TEXT_NAMES = {"question": N_("Question"), "follow_up": N_("Follow-up question"),
              "low": N_("Label under the lowest score"), "high": N_("Label under the highest score"),
              "yes": N_("Yes button"), "no": N_("No button"), "submit": N_("Send button"),
              "dismiss": N_("Close button"), "thanks": N_("Thank-you message"),
              "placeholder": N_("Comment box placeholder")}
LANGUAGE_NAMES = {"en": "English", "vi": "Tiếng Việt", "zh": "中文"}


@dataclass
class SurveyForm:
    """What the editor shows: field values as typed, and errors by field name."""

    values: dict[str, Any]
    errors: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def error(self, name: str, message: str, **params: Any) -> None:
        self.errors.setdefault(name, (message, params))

    @property
    def languages(self) -> list[str]:
        """The built-in languages first, then any other the survey has texts in."""
        texts: dict[str, Any] = self.values.get("texts", {})
        return list(BUILTIN_LOCALES) + sorted(loc for loc in texts if loc not in BUILTIN_LOCALES and loc != EXTRA)


def blank_values() -> dict[str, Any]:
    return {"kind": "csat", "follow_up": False, "default_locale": "en", "texts": {}, "extra_locale": "",
            "path_mode": "all", "path_pattern": "", "devices": list(DEVICES), "visitors": "all", "trigger": "delay",
            "trigger_delay": "5", "trigger_scroll": "50", "trigger_event": "", "sample_percent": "100",
            "frequency": "once", "frequency_days": "30", "starts": "", "ends": "", "paused": False}


def values_of(definition: SurveyDefinition) -> dict[str, Any]:
    """The form's fields for a stored definition."""
    d = definition_to_json(definition)
    targeting, trigger, frequency = d["targeting"], d["trigger"], d["frequency"]
    values = blank_values()
    values.update(
        kind=d["kind"], follow_up=d["follow_up"], default_locale=d["default_locale"],
        texts={loc: dict(texts) for loc, texts in d["texts"].items()},
        path_mode="regex" if targeting["path_regex"] else "glob" if targeting["path_glob"] else "all",
        path_pattern=targeting["path_regex"] or targeting["path_glob"],
        devices=list(targeting["devices"]) or list(DEVICES), visitors=targeting["visitors"], trigger=trigger["type"],
        sample_percent=str(d["sample_percent"]), frequency=frequency["type"] if frequency["type"] == "once" else "days",
        starts=d["starts"] or "", ends=d["ends"] or "",
    )
    if trigger["type"] in ("delay", "scroll", "event"):
        values[f"trigger_{trigger['type']}"] = str(trigger["value"])
    if frequency["type"] == "days":
        values["frequency_days"] = str(frequency["days"])
    return values


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def read_values(form: Any) -> dict[str, Any]:
    """The posted fields, as typed (multi-valued `devices` as a list)."""
    values = blank_values()
    for name in values:
        if name not in ("texts", "devices", "follow_up", "paused"):
            values[name] = _text(form, name).strip()
    values["follow_up"] = _text(form, "follow_up") == "1"
    values["paused"] = _text(form, "paused") == "1"
    values["devices"] = [d for d in form.getlist("devices") if isinstance(d, str)]
    texts: dict[str, dict[str, str]] = {}
    for key in form.keys():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "text" and parts[2] in TEXT_FIELDS and _text(form, key).strip():
            texts.setdefault(parts[1].lower(), {})[parts[2]] = _text(form, key).strip()
    values["texts"] = texts
    return values


def _whole(form: SurveyForm, name: str, low: int, high: int) -> int | None:
    raw = str(form.values.get(name, ""))
    if not re.fullmatch(r"\d{1,9}", raw) or not low <= int(raw) <= high:
        form.error(name, N_("Enter a whole number from %(low)s to %(high)s."), low=low, high=high)
        return None
    return int(raw)


def _day(form: SurveyForm, name: str) -> str | None:
    raw = str(form.values.get(name, ""))
    if not raw:
        return None
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        form.error(name, N_("Enter a date like 2025-06-30."))
        return None


def _texts(form: SurveyForm) -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    raw: dict[str, dict[str, str]] = form.values["texts"]
    extra = str(form.values.get("extra_locale", "")).lower().replace("_", "-")
    if raw.get(EXTRA) and not extra:
        form.error("extra_locale", N_("Name the language of these texts, e.g. fr or zh-tw."))
    elif extra and not _LOCALE.match(extra):
        form.error("extra_locale", N_("Write a language tag such as fr, ko or zh-tw."))
    elif extra and extra in raw and extra != EXTRA:
        form.error("extra_locale", N_("This language already has its own texts above."))
    for locale, values in raw.items():
        tag = extra if locale == EXTRA else locale
        for name, value in values.items():
            if len(value) > MAX_TEXT:
                form.error(f"text.{locale}.{name}", N_("At most %(n)s characters."), n=MAX_TEXT)
        if values and not values.get("question"):
            form.error(f"text.{locale}.question", N_("Give the question in this language too, or clear its other "
                                                     "texts: a language is offered only with its own question."))
        if tag and tag != EXTRA and _LOCALE.match(tag):
            texts[tag] = values
    return texts


def _targeting(form: SurveyForm) -> dict[str, Any]:
    v = form.values
    mode, pattern = v["path_mode"], v["path_pattern"]
    if mode not in PATH_MODES:
        form.error("path_mode", N_("Choose which pages the survey shows on."))
    elif mode != "all" and not pattern:
        form.error("path_pattern", N_("Enter the pattern the page's path must match, e.g. /pricing*."))
    elif len(pattern) > MAX_PATTERN:
        form.error("path_pattern", N_("At most %(n)s characters."), n=MAX_PATTERN)
    elif mode == "regex":
        try:
            re.compile(pattern)
        except re.error:
            form.error("path_pattern", N_("This regular expression does not compile."))
        else:
            if risky_regex(pattern):
                form.error("path_pattern", N_("This regular expression repeats a repetition, like (a+)+, which can "
                                              "stall the server: use a glob or a simpler expression."))
    devices = sorted(set(v["devices"]))
    if not devices:
        form.error("devices", N_("Choose at least one device type."))
    elif set(devices) - set(DEVICES):
        form.error("devices", N_("Choose among the device types shown."))
    if v["visitors"] not in VISITORS:
        form.error("visitors", N_("Choose which visitors are asked."))
    return {"path_glob": pattern if mode == "glob" else "", "path_regex": pattern if mode == "regex" else "",
            "devices": [] if set(devices) == set(DEVICES) else devices, "visitors": v["visitors"]}


def _trigger(form: SurveyForm) -> dict[str, Any]:
    kind = form.values["trigger"]
    if kind == "delay":
        return {"type": kind, "value": _whole(form, "trigger_delay", 0, 3600)}
    if kind == "scroll":
        return {"type": kind, "value": _whole(form, "trigger_scroll", 1, 100)}
    if kind == "event":
        name = form.values["trigger_event"]
        if not 0 < len(name) <= 120:
            form.error("trigger_event", N_("Enter the custom event's name (at most 120 characters)."))
        return {"type": kind, "value": name}
    if kind != "exit":
        form.error("trigger", N_("Choose when the survey shows."))
    return {"type": "exit", "value": None}


def parse_form(form: SurveyForm) -> SurveyDefinition | None:
    """The definition the form describes, or None with `form.errors` filled in."""
    v = form.values
    if v["kind"] not in KINDS:
        form.error("kind", N_("Choose what the survey asks."))
    texts = _texts(form)
    offered = sorted(loc for loc, t in texts.items() if t.get("question")) or list(BUILTIN_LOCALES)
    if v["default_locale"] not in offered:
        form.error("default_locale", N_("The default language must be one the survey asks in: %(offered)s."),
                   offered=", ".join(offered))
    data: dict[str, Any] = {
        "kind": v["kind"], "texts": texts, "default_locale": v["default_locale"], "follow_up": v["follow_up"],
        "targeting": _targeting(form), "trigger": _trigger(form),
        "sample_percent": _whole(form, "sample_percent", 1, 100),
        "frequency": {"type": "once"} if v["frequency"] == "once" else {
            "type": "days", "days": _whole(form, "frequency_days", 1, MAX_EVERY_DAYS)},
        "starts": _day(form, "starts"), "ends": _day(form, "ends"),
    }
    if v["frequency"] not in ("once", "days"):
        form.error("frequency", N_("Choose how often a visitor may be asked."))
    if data["starts"] and data["ends"] and data["ends"] < data["starts"]:
        form.error("ends", N_("The last day is before the first day."))
    if form.errors:
        return None
    try:
        return parse_definition(data)
    except SurveyError as problem:
        form.error("", N_("The survey could not be saved: %(reason)s"), reason=str(problem))
        return None
