"""Demo surveys and their answers, so the survey pages have something to show.

Two surveys (CSAT on every page after scrolling half of it; NPS on the pricing pages on exit
intent, with a follow-up question), in English, Vietnamese and Chinese from the built-in texts.
Their responses hang off real stored page views — same visitor, visit, page, device, country and
language — so breakdowns by traffic make sense: of the visitors shown a survey, about a third
dismiss it and 45 % answer; a quarter of NPS answers leave a comment.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import numpy as np

from pipelines.samples import sample_pageviews
from pipelines.store.base import Store
from pipelines.survey_responses import survey_responses_batch
from pipelines.surveys import Frequency, Survey, SurveyDefinition, Targeting, Trigger, list_surveys, save_survey

DEMO_SURVEYS = (
    SurveyDefinition("csat", trigger=Trigger("scroll", 50), sample_percent=20, frequency=Frequency(30)),
    SurveyDefinition("nps", targeting=Targeting(path_glob="/pricing*"), trigger=Trigger("exit", None),
                     follow_up=True, frequency=Frequency(90)),
)
# Answer shares by score, low to high: most are content, some are not.
_CSAT_SCORES = (0.05, 0.07, 0.16, 0.37, 0.35)
_NPS_SCORES = (0.03, 0.02, 0.02, 0.03, 0.03, 0.05, 0.07, 0.12, 0.20, 0.22, 0.21)
_COMMENTS = {
    "en": ("Pricing is clear, thanks!", "Would love a cheaper plan for small sites.", "The docs helped a lot.",
           "Hard to find the export button.", "Great product, keep it simple."),
    "vi": ("Giá cả rõ ràng, cảm ơn!", "Mong có gói rẻ hơn cho trang nhỏ.", "Tài liệu rất hữu ích.",
           "Khó tìm nút xuất dữ liệu."),
    "zh": ("价格很清楚，谢谢！", "希望为小网站提供更便宜的套餐。", "文档很有帮助。", "很难找到导出按钮。"),
}
RESPONSES_PER_EVENTS = 400  # impressions: one per this many events


def ensure_demo_surveys(store: Store, site_id: str) -> list[Survey]:
    """The site's surveys, after adding the demo ones when it has none."""
    existing = list_surveys(store, site_id)
    if existing:
        return existing
    return [save_survey(store, site_id, definition) for definition in DEMO_SURVEYS]


def add_demo_responses(store: Store, site_id: str, events: int, seed: int = 0) -> int:
    """Impressions, dismissals, answers and comments for the site's demo surveys; the rows written."""
    surveys = {survey.definition.kind: survey for survey in ensure_demo_surveys(store, site_id)}
    if "csat" not in surveys or "nps" not in surveys:
        return 0
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for view in sample_pageviews(store, site_id, max(20, events // RESPONSES_PER_EVENTS), seed):
        survey = surveys["nps"] if str(view["path"]).startswith("/pricing") else surveys["csat"]
        rows.extend(_responses(rng, site_id, survey, view))
    for start in range(0, len(rows), 50_000):
        store.insert("survey_responses", survey_responses_batch(rows[start:start + 50_000]))
    return len(rows)


def _responses(rng: np.random.Generator, site_id: str, survey: Survey, view: dict[str, Any]) -> list[dict[str, Any]]:
    """What one visitor shown `survey` on the page view `view` did."""
    locale = str(view["language"]).split("-")[0].lower()
    locale = locale if locale in _COMMENTS else "en"
    base = {"site_id": site_id, "survey_id": survey.survey_id, "survey_version": survey.version,
            "visitor_id": int(view["visitor_id"]), "session_id": int(view["session_id"]), "path": str(view["path"]),
            "locale": locale, "device": str(view["device"]), "country": str(view["country"])}
    shown = view["timestamp"] + timedelta(seconds=int(rng.integers(5, 60)))
    rows = [{**base, "kind": "impression", "timestamp": shown, "response_id": str(uuid.uuid4())}]
    outcome = rng.random()
    if outcome < 0.33:
        rows.append({**base, "kind": "dismiss", "timestamp": shown + timedelta(seconds=4),
                     "response_id": str(uuid.uuid4())})
    elif outcome < 0.78:
        nps = survey.definition.kind == "nps"
        shares = _NPS_SCORES if nps else _CSAT_SCORES
        score = int(rng.choice(len(shares), p=shares)) + (0 if nps else 1)
        answer_id = str(uuid.uuid4())
        rows.append({**base, "kind": "answer", "timestamp": shown + timedelta(seconds=8), "score": score,
                     "response_id": answer_id})
        if nps and rng.random() < 0.25:
            comments = _COMMENTS[locale]
            rows.append({**base, "kind": "comment", "timestamp": shown + timedelta(seconds=30), "score": score,
                         "comment": comments[int(rng.integers(len(comments)))], "response_id": answer_id})
    return rows
