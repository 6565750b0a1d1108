"""The survey widget in headless Chromium against a real collector: t.js loads the survey checker
(t-surveys.js), which asks GET /api/surveys and loads the widget (survey.js) only when a survey
may show; the widget decides device, visitor, sample, frequency and trigger, and what it records
is asserted on the rows of `survey_responses`.

Fixtures: survey_site and survey_tab (conftest.py, tests/tracker_js/survey_pages.py: one survey per
page path, see SURVEYS there).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.tracker_js.conftest import query
from tests.tracker_js.survey_pages import SurveySite, SurveyTab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OpenTab = Callable[..., SurveyTab]
# Focus on the page's button (or field) from the start, well before any survey shows.
FOCUS_BEFORE = "addEventListener('DOMContentLoaded', () => document.getElementById('before').focus())"
TYPE_IN_FIELD = "addEventListener('DOMContentLoaded', () => document.getElementById('field').focus())"
GLOBALS_BEFORE = "Object.defineProperty(window, '__before', {value: Object.getOwnPropertyNames(window)})"
GLOBALS_ADDED = """Object.getOwnPropertyNames(window)
    .filter(name => !__before.includes(name) && !['__before', '__shownAt'].includes(name))"""
# What the shadow root's elements compute, to compare with the host page's hostile CSS.
COMPUTED = """() => {
  const root = document.querySelector('footfall-survey').shadowRoot;
  const style = (selector) => {
    const s = getComputedStyle(root.querySelector(selector));
    return {color: s.color, fontSize: s.fontSize, display: s.display, fontFamily: s.fontFamily,
            letterSpacing: s.letterSpacing, background: s.backgroundColor, border: s.borderTopStyle,
            margin: s.marginTop};
  };
  return {question: style('#q'), radio: style('[role=radio]'), box: style('[role=dialog]')};
}"""


def test_a_survey_shows_on_matching_pages_only_after_its_delay(survey_site: SurveySite,
                                                               survey_tab: OpenTab) -> None:
    tab = survey_tab(init_script=GLOBALS_BEFORE)
    tab.goto(survey_site.page("elsewhere"))  # no survey targets this path
    tab.checker_done()
    tab.page.wait_for_timeout(1200)
    assert not tab.shown()
    assert len(tab.asked("/api/surveys")) == 1
    assert tab.asked("/survey.js") == []  # the widget is loaded only when a survey may show

    tab.goto(survey_site.page("delay/first"))
    tab.wait_shown()
    assert tab.page.evaluate("window.__shownAt") >= 1000  # delay:1, counted from the navigation
    assert tab.dialog.get_attribute("aria-labelledby") == "q"
    assert tab.dialog.locator("#q").text_content() == "How satisfied are you with your experience?"
    assert tab.radios().count() == 5
    rows = survey_site.responses("delay", "delay/first", expected=1)
    assert [(row["kind"], row["locale"], row["survey_version"]) for row in rows] == [("impression", "en", 1)]
    assert tab.page.evaluate(GLOBALS_ADDED) == ["footfall"]  # t.js, the checker and the widget
    assert tab.errors == []


def test_an_answer_and_its_follow_up_comment_are_stored(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab()
    tab.goto(survey_site.page("delay/answer"))
    tab.wait_shown()
    send = tab.dialog.get_by_role("button", name="Send")
    assert send.is_disabled()  # nothing chosen yet
    tab.radios().nth(3).click()
    assert tab.radios().nth(3).get_attribute("aria-checked") == "true"
    send.click()
    tab.dialog.locator("#q", has_text="What could we do better?").wait_for()
    tab.dialog.locator("textarea").fill("  The checkout was slow  ")
    tab.dialog.get_by_role("button", name="Send").click()
    tab.dialog.locator("#q", has_text="Thank you for your feedback!").wait_for()
    assert tab.dialog.locator("#q").get_attribute("role") == "status"

    impression, answer, comment = survey_site.responses("delay", "delay/answer", expected=3)
    assert (impression["kind"], answer["kind"], comment["kind"]) == ("impression", "answer", "comment")
    assert (answer["score"], answer["comment"]) == (4, "")
    assert (comment["comment"], comment["rid"]) == ("The checkout was slow", answer["rid"])
    # The widget's visitor is the tracker's: the answer joins the page view.
    [view] = query(survey_site.server, "SELECT toString(visitor_id) AS visitor FROM events "
                                       "WHERE path = '/survey/delay/answer' AND event_type = 'pageview'")
    assert answer["visitor"] == view["visitor"] != "0"
    tab.page.wait_for_function("() => !document.querySelector('footfall-survey')", timeout=6000)  # closes itself
    assert len(survey_site.responses("delay", "delay/answer")) == 3  # closing after answering is no dismissal
    assert tab.errors == []


def test_a_dismissal_is_stored_and_the_frequency_cap_holds_across_reloads(survey_site: SurveySite,
                                                                          survey_tab: OpenTab) -> None:
    tab = survey_tab()
    tab.goto(survey_site.page("delay/dismiss"))
    tab.wait_shown()
    tab.dialog.get_by_role("button", name="Close").click()
    assert not tab.shown()
    assert [row["kind"] for row in survey_site.responses("delay", "delay/dismiss", expected=2)] == [
        "impression", "dismiss"]

    for _ in range(2):  # "once": never again for this visitor, dismissed or not
        tab.page.reload()
        tab.checker_done()
        tab.page.wait_for_timeout(1300)
        assert not tab.shown()
    assert len(survey_site.responses("delay", "delay/dismiss")) == 2
    assert tab.errors == []


def test_again_after_n_days(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab()
    tab.goto(survey_site.page("days/x"))
    tab.wait_shown()
    tab.page.keyboard.press("Escape")
    tab.page.reload()
    tab.checker_done()
    assert not tab.shown()
    # 29 days later: still not; 31 days later: again.
    for days, expected in ((29, False), (31, True)):
        tab.page.evaluate("""(days) => {
            const state = JSON.parse(localStorage.footfall_s);
            for (const id in state) state[id][0] = Date.now() - days * 864e5;
            localStorage.footfall_s = JSON.stringify(state);
        }""", days)
        tab.page.reload()
        tab.checker_done()
        assert tab.shown() is expected
    assert [row["kind"] for row in survey_site.responses("days", "days/x", expected=3)] == [
        "impression", "impression", "dismiss"]


def test_scroll_trigger(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab()
    tab.goto(survey_site.page("scroll/x", style="tall"))
    tab.checker_done()
    tab.page.evaluate("scrollTo(0, 1000)")  # (1000 + 800) / 4000+ px: under 50 %
    tab.page.wait_for_timeout(500)
    assert not tab.shown()
    tab.page.evaluate("scrollTo(0, 1500)")  # 2300 / 4100 px: over 50 %
    tab.wait_shown(timeout=3000)
    assert tab.radios().count() == 11
    assert tab.errors == []


def test_exit_intent_on_desktop(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab()
    tab.goto(survey_site.page("exit/x"))
    tab.checker_done()
    tab.page.mouse.move(600, 400)
    tab.page.mouse.move(600, 5)
    tab.page.mouse.move(1279, 300)  # out through the right edge: not an exit intent
    tab.page.mouse.move(1300, 300)
    tab.page.wait_for_timeout(300)
    assert not tab.shown()
    tab.page.mouse.move(600, 200)
    tab.page.mouse.move(600, -10)  # out through the top, towards the tabs
    tab.wait_shown(timeout=3000)
    assert tab.radios().count() == 7  # CES 1–7

    phone = survey_tab(width=390, height=800)
    phone.goto(survey_site.page("exit/phone"))
    phone.checker_done()
    phone.page.mouse.move(200, 200)
    phone.page.mouse.move(200, -10)
    phone.page.wait_for_timeout(300)
    assert not phone.shown()
    assert tab.errors == phone.errors == []


def test_custom_event_trigger(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab()
    tab.goto(survey_site.page("event/x"))
    tab.checker_done()
    tab.page.evaluate("footfall('event', 'Other')")
    tab.page.wait_for_timeout(300)
    assert not tab.shown()
    tab.page.evaluate("footfall('event', 'Signup', {plan: 'pro'})")
    tab.wait_shown(timeout=3000)
    assert tab.dialog.locator("#q").text_content() == "Was this page helpful?"
    tab.dialog.get_by_role("button", name="No").click()
    rows = survey_site.responses("event", "event/x", expected=2)
    assert [(row["kind"], row["score"]) for row in rows] == [("impression", None), ("answer", 0)]

    # Sent before the widget was there (right at DOMContentLoaded, before the page's load event
    # and the checker): it counts too.
    early = survey_tab(init_script="addEventListener('DOMContentLoaded', () => footfall('event', 'Signup'))")
    early.goto(survey_site.page("event/early"))
    early.wait_shown()
    assert tab.errors == early.errors == []


def test_open_text(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab()
    tab.goto(survey_site.page("text/x"))
    tab.wait_shown()
    area = tab.dialog.locator("textarea")
    assert area.get_attribute("maxlength") == "2000"
    tab.dialog.get_by_role("button", name="Send").click()  # empty: nothing sent
    area.fill("Dark mode, please")
    tab.dialog.get_by_role("button", name="Send").click()
    tab.dialog.locator("#q", has_text="Thank you").wait_for()
    rows = survey_site.responses("text", "text/x", expected=2)
    assert [(row["kind"], row["score"], row["comment"]) for row in rows] == [
        ("impression", None, ""), ("answer", None, "Dark mode, please")]


def test_keyboard_only(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab(init_script=FOCUS_BEFORE)
    tab.page.goto(survey_site.page("keys/x"))
    tab.wait_shown()
    tab.page.wait_for_function(
        "() => document.querySelector('footfall-survey').shadowRoot.activeElement?.getAttribute('role') == 'radio'")
    tabbable = tab.page.evaluate(
        "[...document.querySelector('footfall-survey').shadowRoot.querySelectorAll('[role=radio]')]"
        ".map((r) => r.tabIndex)")
    assert tabbable == [0] + [-1] * 10  # a roving tabindex: the group is one Tab stop
    active = "() => document.querySelector('footfall-survey').shadowRoot.activeElement?.textContent"
    for key in ["ArrowRight"] * 9 + ["ArrowLeft", "End", "ArrowRight", "ArrowLeft", "ArrowLeft"]:
        tab.page.keyboard.press(key)
    assert tab.page.evaluate(active) == "9"  # End -> 10, Right wraps to 0, Left -> 10, Left -> 9
    # The focus ring is visible (keyboard focus).
    outline = tab.page.evaluate("""() => {
        const s = getComputedStyle(document.querySelector('footfall-survey').shadowRoot.activeElement);
        return [s.outlineStyle, s.outlineWidth]}""")
    assert outline == ["solid", "3px"]
    tab.page.keyboard.press("Enter")  # sends 9
    tab.dialog.locator("textarea").wait_for()
    tab.page.wait_for_function(
        "() => document.querySelector('footfall-survey').shadowRoot.activeElement?.localName == 'textarea'")
    tab.page.keyboard.type("More keyboard shortcuts")
    tab.page.keyboard.press("Tab")
    assert tab.page.evaluate(active) == "Send"
    tab.page.keyboard.press("Enter")
    tab.dialog.locator("#q", has_text="Thank you").wait_for()
    tab.page.keyboard.press("Escape")
    assert not tab.shown()
    assert tab.page.evaluate("document.activeElement.id") == "before"  # focus is back

    rows = survey_site.responses("keys", "keys/x", expected=3)
    assert [(row["kind"], row["score"], row["comment"]) for row in rows] == [
        ("impression", None, ""), ("answer", 9, ""), ("comment", None, "More keyboard shortcuts")]

    # Escape on the question: a dismissal, and focus returns.
    other = survey_tab(init_script=FOCUS_BEFORE)
    other.page.goto(survey_site.page("keys/escape"))
    other.wait_shown()
    other.page.wait_for_function("() => document.querySelector('footfall-survey').shadowRoot.activeElement")
    other.page.keyboard.press("Escape")
    assert not other.shown()
    assert other.page.evaluate("document.activeElement.id") == "before"
    assert [row["kind"] for row in survey_site.responses("keys", "keys/escape", expected=2)] == [
        "impression", "dismiss"]
    assert tab.errors == other.errors == []


def test_a_survey_does_not_take_the_keyboard_from_a_field(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab(init_script=TYPE_IN_FIELD)
    tab.page.goto(survey_site.page("keys/typing"))
    tab.page.keyboard.type("abc")
    tab.wait_shown()
    tab.page.wait_for_timeout(200)
    tab.page.keyboard.type("def")
    assert tab.page.evaluate("[document.activeElement.id, document.querySelector('#field').value]") == [
        "field", "abcdef"]


@pytest.mark.parametrize(("locale", "question", "send", "stored"), [
    ("vi-VN", "Bạn hài lòng với trải nghiệm của mình đến mức nào?", "Gửi", "vi"),
    ("zh-CN", "您对本次体验的满意程度如何？", "提交", "zh"),
    ("fr-FR", "How satisfied are you with your experience?", "Send", "en"),  # the default
])
def test_the_browser_language_picks_the_texts(survey_site: SurveySite, survey_tab: OpenTab, locale: str,
                                               question: str, send: str, stored: str) -> None:
    tab = survey_tab(locale=locale)
    path = f"lang/{locale}"
    tab.goto(survey_site.page(path))
    tab.wait_shown()
    assert tab.dialog.get_attribute("lang") == stored
    assert tab.dialog.locator("#q").text_content() == question
    assert tab.dialog.locator(".go").text_content() == send
    assert [row["locale"] for row in survey_site.responses("lang", path, expected=1)] == [stored]


def test_a_language_the_survey_lacks_gets_its_default(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab(locale="zh-CN")  # the survey has English and Vietnamese questions only
    tab.goto(survey_site.page("fallback/x"))
    tab.wait_shown()
    assert (tab.dialog.get_attribute("lang"), tab.dialog.locator("#q").text_content()) == (
        "en", "How was the checkout?")


def test_the_widget_does_not_inherit_host_css(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab()
    tab.goto(survey_site.page("hostile/x", style="hostile"))
    tab.wait_shown()
    computed = tab.page.evaluate(COMPUTED)
    assert computed["question"]["color"] == computed["radio"]["color"] == "rgb(31, 41, 55)"
    assert computed["question"]["fontSize"] == "15px"
    assert "serif" != computed["question"]["fontFamily"].split(",")[0]
    assert computed["radio"]["display"] == "block"
    assert computed["radio"]["background"] == "rgb(255, 255, 255)"
    assert computed["box"]["margin"] == "0px" and computed["box"]["letterSpacing"] == "normal"
    host = tab.page.evaluate("getComputedStyle(document.querySelector('footfall-survey')).opacity")
    assert host == "1"
    box = tab.dialog.bounding_box()
    assert box and 300 < box["width"] <= 360 and box["x"] + box["width"] <= 1280 - 12
    tab.radios().nth(10).click()  # clickable: nothing of the page covers or hides it
    tab.dialog.locator(".go").click()
    assert [row["score"] for row in survey_site.responses("hostile", "hostile/x", expected=2)] == [None, 10]


def test_usable_on_a_360_px_phone(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    desktop = survey_tab()
    desktop.goto(survey_site.page("mobile/desktop"))
    desktop.checker_done()
    assert not desktop.shown()  # a mobile-only survey

    tab = survey_tab(width=360, height=640)
    tab.goto(survey_site.page("mobile/x"))
    tab.wait_shown()
    box = tab.dialog.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["y"] + box["height"] <= 640
    radios = [tab.radios().nth(i).bounding_box() for i in range(11)]  # NPS 0–10 in one row
    assert all(r and r["width"] >= 24 and r["height"] >= 24 for r in radios)
    assert all(r and r["x"] >= box["x"] and r["x"] + r["width"] <= box["x"] + box["width"] for r in radios)
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    tab.radios().nth(10).click()
    tab.dialog.locator(".go").click()
    assert [row["score"] for row in survey_site.responses("mobile", "mobile/x", expected=2)] == [None, 10]


def test_new_and_returning_visitors(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    new = survey_tab()
    new.goto(survey_site.page("new/x"))
    new.wait_shown()
    new.goto(survey_site.page("returning/x"))
    new.checker_done()
    assert not new.shown()

    # A visitor id made 40 days ago (footfall_t), and one made by an older t.js (no footfall_t).
    for made in ("Date.now() - 40 * 864e5", None):
        stamp = f"localStorage.footfall_t = {made};" if made else ""
        returning = survey_tab(init_script=f"""if (!localStorage.footfall_id) {{
            localStorage.footfall_id = '0b6f2a4e-8f0c-4d8e-9b51-6b1f3c2d9e11'; {stamp} }}""")
        returning.goto(survey_site.page("new/old"))
        returning.checker_done()
        assert not returning.shown()
        returning.goto(survey_site.page("returning/old"))
        returning.wait_shown()


def test_sampling(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    # 1 %: a visitor who drew 50 never sees it, on any reload, and the draw is kept.
    tab = survey_tab(init_script="Math.random = () => 0.5")
    tab.goto(survey_site.page("sample/x"))
    tab.checker_done()
    assert not tab.shown()
    [(draw_shown, draw)] = json.loads(tab.page.evaluate("localStorage.footfall_s")).values()
    assert (draw_shown, draw) == (0, 50)
    tab.page.evaluate("Math.random = () => 0")  # a re-roll would show it now
    tab.page.reload()
    tab.checker_done()
    assert not tab.shown()

    lucky = survey_tab(init_script="Math.random = () => 0.001")  # drew 0.1 < 1
    lucky.goto(survey_site.page("sample/lucky"))
    lucky.wait_shown()

    # 0 %: not even the lowest possible draw gets it. (The CLI takes 1–100; the list is rewritten.)
    zero = survey_tab(init_script="Math.random = () => 0")

    def no_sample(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, json=[dict(s, sample=0) for s in response.json()])

    zero.page.route("**/api/surveys?*", no_sample)
    zero.goto(survey_site.page("sample/zero"))
    zero.checker_done()
    zero.page.wait_for_timeout(500)
    assert not zero.shown()
    assert survey_site.responses("sample", "sample/x") == survey_site.responses("sample", "sample/zero") == []


def test_spa_navigation_checks_the_new_page(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab()
    tab.goto(survey_site.page("spa/start"))
    tab.checker_done()
    assert not tab.shown()
    tab.page.evaluate("history.pushState({}, '', '/survey/spa/target')")
    tab.wait_shown()
    assert len(tab.asked("/api/surveys")) == 2
    rows = survey_site.responses("spa", "spa/target", expected=1)
    assert [row["kind"] for row in rows] == ["impression"]


def test_nothing_with_surveys_off_and_nothing_sent_on_an_excluded_page(survey_site: SurveySite,
                                                                       survey_tab: OpenTab) -> None:
    tab = survey_tab()
    tab.goto(survey_site.page("delay/off", attrs="off"))
    tab.page.wait_for_timeout(1500)
    assert tab.asked("/t-surveys.js") == tab.asked("/api/surveys") == []
    assert not tab.shown()

    excluded = survey_tab()
    excluded.goto(survey_site.page("excluded/x", attrs="exclude"))
    excluded.checker_done()
    assert excluded.asked("/api/surveys") == [] and not excluded.shown()

    # A page may also turn surveys off itself, before the checker runs.
    held = survey_tab(init_script="addEventListener('DOMContentLoaded', () => footfall.surveys = false)")
    held.goto(survey_site.page("delay/held"))
    held.page.wait_for_timeout(1500)
    assert held.asked("/t-surveys.js") == [] and not held.shown()
    assert tab.errors == excluded.errors == held.errors == []


def test_under_a_strict_content_security_policy(survey_site: SurveySite, survey_tab: OpenTab) -> None:
    tab = survey_tab()
    tab.goto(survey_site.page("hostile/csp", csp=True))
    tab.wait_shown()
    assert tab.page.evaluate(COMPUTED)["question"]["fontSize"] == "15px"  # its style sheet applies
    assert tab.errors == []
