"""What the survey pages say about a survey: its state, title, link format and headline score."""

from __future__ import annotations

from datetime import date

from dashboard import i18n
from dashboard.i18n import N_
from pipelines.surveys import SCORE_RANGES, Survey

STATE_NAMES = {"active": N_("Active"), "paused": N_("Paused"), "scheduled": N_("Scheduled"), "ended": N_("Ended")}
SCORE_NAMES = {"csat": N_("CSAT"), "nps": N_("NPS"), "ces": N_("CES"), "helpful": N_("Found it helpful"),
               "text": N_("Answers")}
# A sample score for the e-mail link example: the top of the scale (yes for helpful).
_EXAMPLE_SCORE = {"csat": 5, "nps": 9, "ces": 7, "helpful": 1}


def state(survey: Survey, today: date) -> str:
    """active, paused, scheduled (starts later) or ended (past its last day, or archived)."""
    if survey.status == "archived":
        return "ended"
    if survey.status == "paused":
        return "paused"
    d = survey.definition
    if d.ends is not None and d.ends < today:
        return "ended"
    if d.starts is not None and d.starts > today:
        return "scheduled"
    return "active"


def title(survey: Survey) -> str:
    """The question in the survey's default language (owner text: escaped where shown)."""
    return survey.definition.texts_for(survey.definition.default_locale).question


def link(origin: str, survey: Survey, lang: str = "vi") -> str:
    """An answer link for e-mails and SMS, e.g. https://stats.example.com/f/k3J9xQ2m?score=9&lang=vi."""
    base = f"{origin}/f/{survey.survey_id}"
    example = _EXAMPLE_SCORE.get(survey.kind)
    return f"{base}?score={example}&lang={lang}" if example is not None else f"{base}?lang={lang}"


def scale(kind: str) -> tuple[int, int] | None:
    return SCORE_RANGES.get(kind)


def score_text(locale: str, kind: str, score: float | None) -> str:
    """The headline score as people write it: 82.5% CSAT, +31 NPS, 5.4 CES, 70% helpful."""
    if score is None or kind not in SCORE_RANGES:
        return "–"
    if kind == "nps":
        return ("+" if score > 0 else "") + i18n.number(locale, score, 0)
    if kind == "ces":
        return i18n.number(locale, score, 1)
    return i18n.percent(locale, score, 1)
