"""The widget's API over real HTTP: which surveys may show, and impressions, dismissals and answers
stored enriched, deduplicated, and refused with the right status and a counted reason."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.surveys.conftest import IPHONE, SurveyServer


def marker() -> str:
    return "/pricing/t-" + uuid.uuid4().hex[:10]


def listed(server: SurveyServer, **params: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/surveys", params=params, timeout=30)


def answer(server: SurveyServer, survey: str, path: str, **fields: Any) -> httpx.Response:
    payload = {"survey": server.ids[survey], "kind": "answer", "id": str(uuid.uuid4()),
               "u": f"https://shop.test{path}", "v": "v-" + uuid.uuid4().hex, **fields}
    return server.post(payload)


def test_only_running_surveys_whose_rule_matches_the_path_are_listed(surveys_server: SurveyServer) -> None:
    ids = surveys_server.ids

    def found(**params: str) -> set[str]:
        response = listed(surveys_server, **params)
        assert response.status_code == 200
        return {survey["id"] for survey in response.json()}

    always = {ids["csat"], ids["ces"], ids["text"]}
    assert found(site="shop.test", path="/pricing/team") == always | {ids["nps"]}
    assert found(site="shop.test", path="/docs/install") == always | {ids["helpful"]}
    assert found(site="shop.test", path="/") == always
    assert found(site="SHOP.test") == always  # no path: the home page
    assert found(site="other.test", path="/pricing") == {ids["other"]}
    assert listed(surveys_server, site="unknown.test", path="/").json() == []
    assert listed(surveys_server).json() == []


def test_a_listed_survey_carries_what_the_widget_decides(surveys_server: SurveyServer) -> None:
    [nps] = [s for s in listed(surveys_server, site="shop.test", path="/pricing").json()
             if s["id"] == surveys_server.ids["nps"]]
    english = {"question": "Would you recommend Shop?", "submit": "Send", "dismiss": "Close",
               "thanks": "Thank you for your feedback!", "placeholder": "Your comment (optional)",
               "low": "Not at all likely", "high": "Extremely likely", "follow_up": "What could we do better?"}
    assert nps == {
        "id": surveys_server.ids["nps"], "version": 1, "kind": "nps", "scale": [0, 10], "follow_up": True,
        "devices": ["desktop", "mobile"], "visitors": "all", "trigger": {"type": "scroll", "value": 50},
        "sample": 50, "frequency": {"type": "days", "days": 30}, "default_locale": "en",
        "texts": {"en": english, "vi": {
            "question": "Bạn có giới thiệu Shop không?", "submit": "Gửi", "dismiss": "Đóng",
            "thanks": "Cảm ơn bạn đã góp ý!", "placeholder": "Ý kiến của bạn (không bắt buộc)",
            "low": "Chắc chắn không", "high": "Chắc chắn có", "follow_up": "Chúng tôi có thể làm gì tốt hơn?"}},
    }
    # With the browser's language, only the texts it picks: an exact or a base language, else the default.
    for lang, picked in (("vi-VN,vi;q=0.9,en;q=0.8", "vi"), ("fr-FR,fr", "en"), ("zh-CN", "en")):
        [one] = [s for s in listed(surveys_server, site="shop.test", path="/pricing/x", lang=lang).json()
                 if s["id"] == surveys_server.ids["nps"]]
        assert list(one["texts"]) == [picked]
    by_id = {s["id"]: s for s in listed(surveys_server, site="shop.test", path="/docs/a", lang="zh").json()}
    helpful = by_id[surveys_server.ids["helpful"]]
    assert (helpful["visitors"], helpful["trigger"], helpful["scale"]) == ("new", {"type": "event",
                                                                                   "value": "Signup"}, [0, 1])
    assert helpful["texts"] == {"zh": {"question": "此页面对您有帮助吗？", "submit": "提交", "dismiss": "关闭",
                                       "thanks": "感谢您的反馈！", "placeholder": "您的意见（选填）",
                                       "yes": "是", "no": "否"}}
    assert by_id[surveys_server.ids["ces"]]["trigger"] == {"type": "exit"}
    assert by_id[surveys_server.ids["text"]]["scale"] is None


def test_the_list_is_small_cacheable_and_open_to_every_origin(surveys_server: SurveyServer) -> None:
    first = listed(surveys_server, site="shop.test", path="/pricing", lang="vi")
    headers = first.headers
    assert headers["cache-control"] == "public, max-age=60"
    assert headers["access-control-allow-origin"] == "*"
    assert headers["content-type"] == "application/json"
    assert len(first.content) < 2000
    again = httpx.get(f"{surveys_server.url}/api/surveys", params={"site": "shop.test", "path": "/pricing",
                                                                   "lang": "vi"},
                      headers={"if-none-match": headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == headers["etag"]
    other = listed(surveys_server, site="shop.test", path="/")
    assert other.headers["etag"] != headers["etag"]


def test_an_answer_is_stored_enriched_like_an_event(surveys_server: SurveyServer) -> None:
    path, visitor = marker(), "visitor-" + uuid.uuid4().hex
    # A page view first, then the answer on that page, from the same visitor.
    event = httpx.post(f"{surveys_server.url}/api/event", content=json.dumps(
        {"u": f"https://shop.test{path}", "v": visitor}), headers={"user-agent": IPHONE,
                                                                   "x-forwarded-for": "81.2.69.160"})
    assert event.json()["accepted"] == 1
    response_id = str(uuid.uuid4())
    response = surveys_server.post({"survey": surveys_server.ids["nps"], "version": 1, "kind": "answer",
                                    "score": 9, "comment": "  Fast checkout  ", "id": response_id,
                                    "v": visitor, "u": f"https://www.shop.test{path}?ref=mail", "l": "vi-VN"},
                                   ua=IPHONE)
    assert response.status_code == 202
    assert response.json() == {"accepted": 1, "dropped": 0, "id": response_id}
    assert response.headers["access-control-allow-origin"] == "*"
    [row] = surveys_server.responses(f"path = '{path}'")
    assert row["rid"] == response_id
    assert (row["site_id"], row["survey_id"], row["survey_version"]) == ("shop.test", surveys_server.ids["nps"], 1)
    assert (row["kind"], row["channel"], row["score"], row["comment"]) == ("answer", "widget", 9, "Fast checkout")
    assert (row["locale"], row["device"], row["country"]) == ("vi-vn", "mobile", "GB")
    surveys_server.server.wait_for_count(1, f"path = '{path}'")
    [tracked] = surveys_server.sql(f"SELECT visitor_id, session_id FROM events WHERE path = '{path}'")
    assert (row["visitor_id"], row["session_id"]) == (tracked["visitor_id"], tracked["session_id"])


def test_impressions_and_dismissals_are_stored(surveys_server: SurveyServer) -> None:
    path = marker()
    for kind in ("impression", "dismiss"):
        response = surveys_server.post({"survey": surveys_server.ids["csat"], "kind": kind, "id": str(uuid.uuid4()),
                                        "u": f"https://shop.test{path}", "v": "someone", "score": 3})
        assert response.status_code == 202 and response.json()["accepted"] == 1
    rows = surveys_server.responses(f"path = '{path}'", expected=2)
    assert [(r["kind"], r["score"], r["survey_version"]) for r in rows] == [("impression", None, 1),
                                                                           ("dismiss", None, 1)]


def test_a_follow_up_comment_is_stored_with_its_answers_id(surveys_server: SurveyServer) -> None:
    path, visitor, answer_id = marker(), "v-" + uuid.uuid4().hex, str(uuid.uuid4())
    base = {"survey": surveys_server.ids["nps"], "u": f"https://shop.test{path}", "v": visitor}
    assert surveys_server.post({**base, "kind": "answer", "score": 4, "id": answer_id}).status_code == 202
    comment = {**base, "kind": "comment", "id": str(uuid.uuid4()), "answer": answer_id, "comment": "Too slow\r\n"}
    assert surveys_server.post(comment).json()["accepted"] == 1
    rows = surveys_server.responses(f"path = '{path}'", expected=2)
    assert [(r["kind"], r["rid"], r["score"], r["comment"]) for r in rows] == [
        ("answer", answer_id, 4, ""), ("comment", answer_id, None, "Too slow")]


def test_a_replayed_request_counts_once(surveys_server: SurveyServer) -> None:
    path, response_id = marker(), str(uuid.uuid4())
    before = surveys_server.dropped().get("duplicate", 0)
    payload = {"survey": surveys_server.ids["csat"], "kind": "answer", "score": 5, "id": response_id,
               "u": f"https://shop.test{path}", "v": "replayer"}
    for _ in range(3):
        response = surveys_server.post(payload)
        assert response.status_code == 202 and response.json() == {"accepted": 1, "dropped": 0, "id": response_id}
    assert len(surveys_server.responses(f"path = '{path}'")) == 1
    assert surveys_server.dropped()["duplicate"] == before + 2


def test_a_second_answer_within_the_window_is_dropped_and_the_first_stands(surveys_server: SurveyServer) -> None:
    path, visitor, first = marker(), "v-" + uuid.uuid4().hex, str(uuid.uuid4())
    before = surveys_server.dropped().get("duplicate_answer", 0)
    assert answer(surveys_server, "nps", path, v=visitor, score=3, id=first).json()["accepted"] == 1
    surveys_server.responses(f"path = '{path}'")  # stored: now the store knows it too
    second = answer(surveys_server, "nps", path, v=visitor, score=10)
    assert second.status_code == 202
    assert second.json() == {"accepted": 0, "dropped": 1, "reason": "duplicate_answer", "id": first}
    # Another visitor, and the same visitor's impressions, still count.
    assert answer(surveys_server, "nps", path, score=10).json()["accepted"] == 1
    impression = {"survey": surveys_server.ids["nps"], "kind": "impression", "u": f"https://shop.test{path}",
                  "v": visitor}
    assert surveys_server.post(impression).json()["accepted"] == 1
    rows = surveys_server.responses(f"path = '{path}'", expected=3)
    assert sorted((r["kind"], r["score"]) for r in rows) == [("answer", 3), ("answer", 10), ("impression", None)]
    assert surveys_server.dropped()["duplicate_answer"] == before + 1


def test_a_site_that_respects_dnt_stores_the_answer_without_the_visitor(surveys_server: SurveyServer) -> None:
    path = marker()
    response = httpx.post(f"{surveys_server.url}/api/survey", content=json.dumps({
        "survey": surveys_server.ids["quiet"], "kind": "answer", "score": 2, "u": f"https://quiet.test{path}",
        "v": "ignored"}), headers={"user-agent": IPHONE, "dnt": "1"})
    assert response.status_code == 202
    [row] = surveys_server.responses(f"path = '{path}'")
    assert (row["visitor_id"], row["session_id"], row["score"]) == (0, 0, 2)


@pytest.mark.parametrize(("survey", "fields", "status", "reason"), [
    ("csat", {"score": 6}, 400, "bad_score"),
    ("csat", {"score": 0}, 400, "bad_score"),
    ("nps", {"score": 11}, 400, "bad_score"),
    ("ces", {"score": 8}, 400, "bad_score"),
    ("helpful", {"score": 2}, 400, "bad_score"),
    ("csat", {"score": 4.5}, 400, "bad_score"),
    ("csat", {}, 400, "bad_score"),
    ("text", {"score": 3, "comment": "hi"}, 400, "bad_score"),
    ("text", {"comment": "   "}, 400, "empty_answer"),
    ("csat", {"score": 4, "comment": "x" * 2001}, 413, "comment_too_long"),
    ("csat", {"score": 4, "comment": 42}, 400, "bad_field"),
    ("csat", {"kind": "vote", "score": 4}, 400, "bad_kind"),
    ("csat", {"version": 7, "score": 4}, 404, "unknown_survey"),
    ("missing", {"score": 4}, 404, "unknown_survey"),
    ("paused", {"score": 4}, 404, "inactive_survey"),
    ("future", {"score": 4}, 404, "inactive_survey"),
    ("paused", {"kind": "impression"}, 404, "inactive_survey"),
    ("csat", {"score": 4, "u": None}, 400, "missing_url"),
    ("csat", {"score": 4, "u": "https://evil.test/"}, 400, "bad_url"),
    ("csat", {"kind": "comment", "comment": "orphan"}, 400, "bad_field"),
])
def test_bad_input_gets_the_right_status_and_a_counted_reason(
    surveys_server: SurveyServer, survey: str, fields: dict[str, Any], status: int, reason: str,
) -> None:
    before = surveys_server.dropped().get(reason, 0)
    payload = {"survey": surveys_server.ids.get(survey, "Nope1234"), "kind": "answer", "id": str(uuid.uuid4()),
               "u": "https://shop.test/pricing/bad", "v": "v-" + uuid.uuid4().hex, **fields}
    response = surveys_server.post({key: value for key, value in payload.items() if value is not None})
    assert response.status_code == status, response.text
    assert response.json()["reason"] == reason and response.json()["error"]
    assert surveys_server.dropped()[reason] == before + 1


@pytest.mark.parametrize(("raw", "status", "reason"), [
    (b"{not json", 400, "malformed_json"),
    (b"[1, 2]", 400, "not_an_object"),
    (b'{"survey": "' + b"a" * 70_000 + b'"}', 413, "too_large"),
])
def test_bad_bodies_are_refused(surveys_server: SurveyServer, raw: bytes, status: int, reason: str) -> None:
    before = surveys_server.dropped().get(reason, 0)
    response = surveys_server.post(None, raw=raw)
    assert (response.status_code, response.json()["reason"]) == (status, reason)
    assert surveys_server.dropped()[reason] == before + 1


def test_bots_are_acknowledged_but_not_stored(surveys_server: SurveyServer) -> None:
    path = marker()
    response = surveys_server.post({"survey": surveys_server.ids["csat"], "kind": "impression",
                                    "u": f"https://shop.test{path}"}, ua="Googlebot/2.1 (+http://www.google.com/bot.html)")
    assert response.status_code == 202 and response.json() == {"accepted": 0, "dropped": 1, "reason": "bot"}


def test_preflight_and_metrics(surveys_server: SurveyServer) -> None:
    preflight = httpx.options(f"{surveys_server.url}/api/survey", headers={
        "origin": "https://shop.test", "access-control-request-method": "POST"})
    assert preflight.status_code == 204 and "POST" in preflight.headers["access-control-allow-methods"]
    answer(surveys_server, "csat", marker(), score=4)
    assert 'footfall_survey_responses_total{channel="widget",kind="answer"}' in httpx.get(
        f"{surveys_server.url}/metrics").text
