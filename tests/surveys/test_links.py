"""Answers from links in e-mails and SMS: `GET /f/{survey}?score=…` records and thanks in the
visitor's language; the page's comment box posts back; bad links get a localized error page."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.surveys.conftest import CHROME, SurveyServer

SAME_ORIGIN = {"sec-fetch-site": "same-origin"}


def client(**headers: str) -> httpx.Client:
    return httpx.Client(headers={"user-agent": CHROME, **headers}, timeout=30)


def response_id(html: str) -> str:
    match = re.search(r'name="r" value="([0-9a-f-]{36})"', html)
    assert match, html
    return match.group(1)


def link_rows(server: SurveyServer, rid: str, expected: int = 1) -> list[dict[str, object]]:
    return server.responses(f"response_id = '{rid}'", expected=expected)


def test_a_link_answer_is_recorded_and_thanked_in_vietnamese(surveys_server: SurveyServer) -> None:
    survey = surveys_server.ids["nps"]
    with client() as http:
        page = http.get(f"{surveys_server.url}/f/{survey}", params={"score": "9", "lang": "vi"})
    assert page.status_code == 200
    html = page.text
    assert '<html lang="vi">' in html
    assert "Cảm ơn bạn đã góp ý!" in html and "Câu trả lời của bạn đã được ghi nhận." in html
    assert "Chúng tôi có thể làm gì tốt hơn?" in html  # the survey's follow-up question labels the box
    assert '<form method="post" action="/f/' + survey + '">' in html
    assert "<script" not in html and 'name="viewport"' in html
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["cache-control"] == "no-store"
    [row] = link_rows(surveys_server, response_id(html))
    assert (row["kind"], row["channel"], row["score"], row["locale"]) == ("answer", "link", 9, "vi")
    assert (row["visitor_id"], row["session_id"], row["path"], row["device"]) == (0, 0, "", "desktop")


def test_the_browser_language_picks_chinese_and_a_comment_is_attached(surveys_server: SurveyServer) -> None:
    survey = surveys_server.ids["csat"]
    with client(**{"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"}) as http:
        page = http.get(f"{surveys_server.url}/f/{survey}?score=2")
        assert page.status_code == 200 and '<html lang="zh">' in page.text
        assert "感谢您的反馈！" in page.text and "您还有什么想告诉我们的吗？" in page.text
        rid = response_id(page.text)
        form = {"r": rid, "lang": "zh", "comment": "结账太慢 <script>alert(1)</script>\r\n第二行"}
        sent = http.post(f"{surveys_server.url}/f/{survey}", data=form, headers=SAME_ORIGIN)
    assert sent.status_code == 200
    assert "谢谢，您的意见已提交。" in sent.text and "<script>alert" not in sent.text
    rows = link_rows(surveys_server, rid, expected=2)
    assert [(r["kind"], r["score"], r["comment"]) for r in rows] == [
        ("answer", 2, ""), ("comment", None, "结账太慢 <script>alert(1)</script>\n第二行")]


def test_reloading_the_link_does_not_count_twice(surveys_server: SurveyServer) -> None:
    survey = surveys_server.ids["ces"]
    before = surveys_server.dropped().get("duplicate_answer", 0)
    with client() as http:
        first = http.get(f"{surveys_server.url}/f/{survey}?score=6&lang=en")
        rid = response_id(first.text)
        assert first.cookies.get(f"ff_s_{survey}") == rid
        again = http.get(f"{surveys_server.url}/f/{survey}?score=2&lang=en")
    assert again.status_code == 200 and "your first answer counts" in again.text
    assert response_id(again.text) == rid  # a comment still goes to the first answer
    assert surveys_server.dropped()["duplicate_answer"] == before + 1
    assert [r["score"] for r in surveys_server.responses(f"survey_id = '{survey}' AND channel = 'link'")] == [6]


def test_a_recipient_reference_allows_one_answer_per_window(surveys_server: SurveyServer) -> None:
    survey, recipient = surveys_server.ids["nps"], "customer-" + uuid.uuid4().hex
    pages = []
    for score in ("10", "0"):
        with client() as http:  # no cookie: another device, say
            pages.append(http.get(f"{surveys_server.url}/f/{survey}", params={"score": score, "v": recipient}))
    first, second = (response_id(page.text) for page in pages)
    assert first == second and "your first answer counts" in pages[1].text
    assert f'name="v" value="{recipient}"' in pages[1].text
    [row] = link_rows(surveys_server, first)
    assert row["score"] == 10 and row["visitor_id"] != 0


def test_without_a_score_the_page_asks(surveys_server: SurveyServer) -> None:
    with client() as http:
        nps = http.get(f"{surveys_server.url}/f/{surveys_server.ids['nps']}?lang=en&v=%22%3E%3Cb%3E")
        helpful = http.get(f"{surveys_server.url}/f/{surveys_server.ids['helpful']}?lang=vi")
        text = http.get(f"{surveys_server.url}/f/{surveys_server.ids['text']}")
    assert "Would you recommend Shop?" in nps.text
    links = re.findall(r'href="(/f/[^"]+)"', nps.text)
    assert len(links) == 11 and links[0].startswith(f"/f/{surveys_server.ids['nps']}?score=0&amp;lang=en&amp;v=")
    assert "<b>" not in nps.text and "&#34;&gt;&lt;b&gt;" not in nps.text  # the reference is URL-encoded
    assert ">Có</a>" in helpful.text and ">Không</a>" in helpful.text
    # Open text: the survey's default language (vi) and a form that works without JavaScript.
    assert '<html lang="vi">' in text.text and '<textarea name="comment"' in text.text


def test_an_open_text_answer_is_posted_from_the_form(surveys_server: SurveyServer) -> None:
    survey, words = surveys_server.ids["text"], "Giao hàng nhanh " + uuid.uuid4().hex
    with client() as http:
        page = http.post(f"{surveys_server.url}/f/{survey}", data={"lang": "vi", "comment": words},
                         headers=SAME_ORIGIN)
        empty = http.post(f"{surveys_server.url}/f/{survey}", data={"lang": "vi", "comment": " "},
                          headers=SAME_ORIGIN)
    assert page.status_code == 200 and "Cảm ơn bạn, ý kiến của bạn đã được gửi." in page.text
    [row] = surveys_server.responses(f"comment = '{words}'")
    assert (row["kind"], row["score"], row["channel"]) == ("answer", None, "link")
    assert empty.status_code == 400 and "Vui lòng nhập câu trả lời của bạn trước." in empty.text


def test_bad_links_get_a_localized_error_page_and_are_counted(surveys_server: SurveyServer) -> None:
    ids, url = surveys_server.ids, surveys_server.url
    before = surveys_server.dropped()
    with client() as http:
        bad_score = http.get(f"{url}/f/{ids['nps']}?score=11&lang=vi")
        not_a_number = http.get(f"{url}/f/{ids['csat']}?score=abc")
        unknown = http.get(f"{url}/f/Nope1234?score=5", headers={"accept-language": "zh"})
        paused = http.get(f"{url}/f/{ids['paused']}?score=5&lang=en")
        too_long = http.post(f"{url}/f/{ids['csat']}", data={"score": "4", "comment": "x" * 2001},
                             headers=SAME_ORIGIN)
    assert bad_score.status_code == 400 and "Câu trả lời này không hợp lệ với khảo sát." in bad_score.text
    assert not_a_number.status_code == 400
    assert unknown.status_code == 404 and "此调查不存在或已关闭。" in unknown.text
    assert paused.status_code == 404 and "does not exist or is closed" in paused.text
    assert too_long.status_code == 413 and "at most 2,000 characters" in too_long.text
    after = surveys_server.dropped()
    for reason, count in (("bad_score", 2), ("unknown_survey", 1), ("inactive_survey", 1), ("comment_too_long", 1)):
        assert after[reason] >= before.get(reason, 0) + count


def test_a_cross_site_post_is_refused(surveys_server: SurveyServer) -> None:
    with client() as http:
        response = http.post(f"{surveys_server.url}/f/{surveys_server.ids['csat']}", data={"score": "4"},
                             headers={"sec-fetch-site": "cross-site"})
    assert response.status_code == 403


def test_link_scanners_see_the_page_but_are_not_counted(surveys_server: SurveyServer) -> None:
    survey = surveys_server.ids["other"]
    page = httpx.get(f"{surveys_server.url}/f/{survey}?score=7",
                     headers={"user-agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"})
    assert page.status_code == 200 and 'name="r"' not in page.text
    checked = httpx.head(f"{surveys_server.url}/f/{survey}?score=7", headers={"user-agent": CHROME})
    assert checked.status_code == 200 and "set-cookie" not in checked.headers
    assert surveys_server.responses(f"survey_id = '{survey}'", expected=1, timeout=1.5) == []
