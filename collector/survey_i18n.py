"""What visitors see of surveys, in their language: the widget's list and the link pages.

`GET /api/surveys?site=&path=[&lang=]`: the running surveys of the site whose URL rule matches
the path, with what the widget decides on the page (device, new/returning, trigger, sample,
frequency) and the texts of every language, or of the one `lang` (an Accept-Language value)
picks. Small and cacheable (60 s, ETag); an unknown site gets `[]`.

`GET /f/{survey}?score=9&lang=vi` records the answer (channel `link`) and shows a thank-you page
with an optional comment box that posts back; without `score` it shows the question with one
link per score. Pages are in the survey's languages (`lang`, then Accept-Language, then the
survey's default); what they say around the survey's own texts is below, in English, Vietnamese
and Chinese. They work without JavaScript (there is none), on a 360 px phone, under a strict CSP.

Anonymous link answers (no `v`) get a cookie for the survey, so reloading or clicking again
within the frequency window does not count twice; with `v` (an opaque recipient reference) the
window applies per recipient, as for the widget's visitors.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from collector.surveys import (
    CORS_HEADERS,
    Refusal,
    SurveyState,
    as_uuid,
    base_row,
    check_comment,
    check_score,
    enrich,
    read_body,
    request_meta,
    submit,
    survey_state,
)
from dashboard.web import TEMPLATES_DIR, templates
from pipelines.sites import Site
from pipelines.surveys import SCORE_RANGES, Survey

LIST_CACHE_SECONDS = 60
COOKIE_PREFIX = "ff_s_"
COOKIE_MAX_DAYS = 400  # browsers cap cookie lifetimes at 400 days
CSS = (TEMPLATES_DIR / "feedback_style.html").read_text()
_CSS_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
PAGE_HEADERS = {
    "Content-Security-Policy": (f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

PAGE_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Feedback",
        "recorded": "Your answer has been recorded.",
        "your_answer": "Your answer",
        "already": "You have already answered this survey; your first answer counts.",
        "comment_label": "Anything else you would like to tell us?",
        "comment_sent": "Thank you, your comment was sent.",
        "not_found": "This survey does not exist or is closed.",
        "bad_score": "That answer is not valid for this survey.",
        "too_long": "Your comment is too long: at most 2,000 characters.",
        "empty": "Please write your answer first.",
    },
    "vi": {
        "title": "Góp ý",
        "recorded": "Câu trả lời của bạn đã được ghi nhận.",
        "your_answer": "Câu trả lời của bạn",
        "already": "Bạn đã trả lời khảo sát này; câu trả lời đầu tiên của bạn được tính.",
        "comment_label": "Bạn còn muốn nói thêm điều gì không?",
        "comment_sent": "Cảm ơn bạn, ý kiến của bạn đã được gửi.",
        "not_found": "Khảo sát này không tồn tại hoặc đã kết thúc.",
        "bad_score": "Câu trả lời này không hợp lệ với khảo sát.",
        "too_long": "Ý kiến của bạn quá dài: tối đa 2.000 ký tự.",
        "empty": "Vui lòng nhập câu trả lời của bạn trước.",
    },
    "zh": {
        "title": "反馈",
        "recorded": "您的回答已记录。",
        "your_answer": "您的回答",
        "already": "您已回答过此调查，以您的首次回答为准。",
        "comment_label": "您还有什么想告诉我们的吗？",
        "comment_sent": "谢谢，您的意见已提交。",
        "not_found": "此调查不存在或已关闭。",
        "bad_score": "该回答对此调查无效。",
        "too_long": "您的意见太长：最多 2,000 个字符。",
        "empty": "请先填写您的回答。",
    },
}


def accept_languages(header: str, limit: int = 8) -> list[str]:
    """Language tags of an Accept-Language header (or a bare tag), most preferred first."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip().lower()
        if tag and tag != "*" and len(tag) <= 35 and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)[:limit]]


def page_texts(locale: str) -> dict[str, str]:
    return PAGE_TEXTS.get(locale.split("-")[0], PAGE_TEXTS["en"])


# -- the widget's list ---------------------------------------------------------------------


def widget_json(survey: Survey, lang: str) -> dict[str, Any]:
    d = survey.definition
    locales = [d.pick_locale(accept_languages(lang))] if lang else list(d.locales)
    wanted = ["question", "submit", "dismiss", "thanks", "placeholder"]
    wanted += ["low", "high"] if survey.kind in ("csat", "nps", "ces") else []
    wanted += ["yes", "no"] if survey.kind == "helpful" else []
    wanted += ["follow_up"] if d.follow_up else []
    trigger: dict[str, Any] = {"type": d.trigger.type}
    if d.trigger.value is not None:
        trigger["value"] = d.trigger.value
    return {
        "id": survey.survey_id,
        "version": survey.version,
        "kind": survey.kind,
        "scale": list(SCORE_RANGES[survey.kind]) if survey.kind in SCORE_RANGES else None,
        "follow_up": d.follow_up,
        "devices": list(d.targeting.devices),
        "visitors": d.targeting.visitors,
        "trigger": trigger,
        "sample": d.sample_percent,
        "frequency": ({"type": "days", "days": d.frequency.every_days} if d.frequency.every_days
                      else {"type": "once"}),
        "default_locale": d.default_locale,
        "texts": {loc: {name: getattr(d.texts_for(loc), name) for name in wanted} for loc in locales},
    }


async def surveys_for_page(request: Request) -> Response:
    """`GET /api/surveys?site=&path=[&lang=]`: a small, cacheable JSON list (`[]` for an unknown site)."""
    state = await survey_state(request)
    params = request.query_params
    site_id, lang = params.get("site", "").strip().lower()[:253], params.get("lang", "")[:200]
    path = params.get("path", "/").split("?")[0][:2000] or "/"
    site = state.collector.context.sites.find(site_id, site_id) if site_id else None
    found = [] if site is None else [
        widget_json(survey, lang) for survey in state.by_site.get(site.site_id, ())
        if state.running(survey, site) and survey.definition.targeting.matches_path(path)
    ]
    body = orjson.dumps(found)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {**CORS_HEADERS, "Cache-Control": f"public, max-age={LIST_CACHE_SECONDS}", "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


# -- the link pages --------------------------------------------------------------------------


class View:
    """Renders the pages of one survey in one language."""

    def __init__(self, survey: Survey, locale: str, visitor: str) -> None:
        self.survey, self.locale, self.visitor = survey, locale, visitor
        self.texts = survey.definition.texts_for(locale)
        self.action = f"/f/{survey.survey_id}"

    def _render(self, mode: str, status: int = 200, **extra: Any) -> Response:
        context = {"lang": self.locale, "page": page_texts(self.locale), "css": CSS, "mode": mode,
                   "kind": self.survey.kind, "texts": self.texts, "action": self.action, "visitor": self.visitor,
                   "choices": [], "error": "", "already": False, "answer_label": "", "comment_sent": False,
                   "response_id": "", "comment_label": "", **extra}
        html = templates.env.get_template("feedback.html").render(context)
        return HTMLResponse(html, status, headers=PAGE_HEADERS)

    def link(self, score: int) -> str:
        params = {"score": score, "lang": self.locale, **({"v": self.visitor} if self.visitor else {})}
        return f"{self.action}?{urlencode(params)}"

    def ask(self) -> Response:
        if self.survey.kind == "helpful":
            choices = [(self.texts.yes, self.link(1)), (self.texts.no, self.link(0))]
        elif self.survey.kind in SCORE_RANGES:
            low, high = SCORE_RANGES[self.survey.kind]
            choices = [(str(score), self.link(score)) for score in range(low, high + 1)]
        else:
            choices = []
        return self._render("ask", choices=choices)

    def thanks(self, response_id: str | None, score: int | None = None, already: bool = False,
               comment_sent: bool = False) -> Response:
        label = "" if score is None else str(score)
        if self.survey.kind == "helpful" and score is not None:
            label = self.texts.yes if score else self.texts.no
        follow_up = self.texts.follow_up if self.survey.definition.follow_up else ""
        return self._render("thanks", response_id=response_id or "", answer_label=label, already=already,
                            comment_sent=comment_sent,
                            comment_label=follow_up or page_texts(self.locale)["comment_label"])

    def error(self, refusal: Refusal) -> Response:
        return error_page(self.locale, refusal)


def error_page(locale: str, refusal: Refusal) -> Response:
    page = page_texts(locale)
    message = {"unknown_survey": page["not_found"], "inactive_survey": page["not_found"],
               "comment_too_long": page["too_long"], "too_large": page["too_long"],
               "empty_answer": page["empty"]}.get(refusal.reason, page["bad_score"])
    context = {"lang": locale if locale in PAGE_TEXTS else "en", "page": page, "css": CSS, "mode": "error",
               "error": message}
    return HTMLResponse(templates.env.get_template("feedback.html").render(context), refusal.status,
                        headers=PAGE_HEADERS)


async def feedback(request: Request) -> Response:
    """`GET|POST /f/{survey}`: ask, record a link answer, or attach a comment to one."""
    state = await survey_state(request)
    collector = state.collector
    params: dict[str, str] = dict(request.query_params)
    wanted = accept_languages(request.headers.get("accept-language", ""))
    try:
        if request.method == "POST":
            params.update(parse_qsl((await read_body(request)).decode("utf-8", "replace"), keep_blank_values=True))
        wanted = [params["lang"][:35], *wanted] if params.get("lang") else wanted
        survey, site = state.open_survey(request.path_params["survey"])
    except Refusal as refusal:
        collector.metrics.dropped.labels(refusal.reason).inc()
        return error_page(next((tag.split("-")[0] for tag in wanted if tag.split("-")[0] in PAGE_TEXTS), "en"),
                          refusal)
    view = View(survey, survey.definition.pick_locale(wanted), params.get("v", "")[:128])
    try:
        if request.method != "POST":
            if not params.get("score") or request.method == "HEAD":  # HEAD (link checkers) records nothing
                return view.ask()
            return await answer(state, request, view, site, check_score(survey, params["score"], ""), "")
        comment = check_comment(params.get("comment"))
        answer_id = as_uuid(params.get("r"))
        if answer_id is not None:
            if comment:
                await attach_comment(state, request, view, site, answer_id, comment)
            return view.thanks(answer_id, comment_sent=bool(comment))
        return await answer(state, request, view, site, check_score(survey, params.get("score") or None, comment),
                            comment)
    except Refusal as refusal:
        collector.metrics.dropped.labels(refusal.reason).inc()
        return view.error(refusal)


async def answer(state: SurveyState, request: Request, view: View, site: Site, score: int | None,
                 comment: str) -> Response:
    survey, cookie = view.survey, COOKIE_PREFIX + view.survey.survey_id
    earlier = as_uuid(request.cookies.get(cookie))
    if earlier is not None and not view.visitor:
        state.collector.metrics.dropped.labels("duplicate_answer").inc()
        return view.thanks(earlier, already=True)
    response_id = str(uuid.uuid4())
    row = base_row(survey, "answer", "link", response_id, response_id)
    row.update(score=score, comment=comment, locale=view.locale)
    if not enrich(state.collector, site, row, request_meta(request, state.collector), None, view.visitor or None):
        state.collector.metrics.dropped.labels("bot").inc()  # link scanners: shown the page, not counted
        return view.thanks(None, score)
    outcome, response_id = await submit(state, survey, row)
    page = view.thanks(None if comment else response_id, score, already=outcome == "duplicate_answer",
                       comment_sent=bool(comment))
    if not view.visitor:
        window = survey.definition.frequency.window
        days = min(window.days, COOKIE_MAX_DAYS) if window is not None else COOKIE_MAX_DAYS
        page.set_cookie(cookie, response_id, max_age=days * 86400, path=view.action, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return page


async def attach_comment(state: SurveyState, request: Request, view: View, site: Site, answer_id: str,
                         comment: str) -> None:
    """A comment row carrying its answer's response id; a replayed post is stored once."""
    digest = hashlib.sha256(comment.encode()).hexdigest()[:16]
    row = base_row(view.survey, "comment", "link", answer_id, f"c-{answer_id}-{digest}")
    row.update(comment=comment, locale=view.locale)
    if enrich(state.collector, site, row, request_meta(request, state.collector), None, view.visitor or None):
        await submit(state, view.survey, row)


def routes() -> list[Route]:
    return [
        Route("/api/surveys", surveys_for_page, methods=["GET"]),
        Route("/f/{survey}", feedback, methods=["GET", "POST"]),
    ]
