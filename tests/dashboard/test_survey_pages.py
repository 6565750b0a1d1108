"""The survey pages on real chDB: the list, the editor's validation and versioning, pause and
resume, owner-only changes, and the results page's numbers on hand-built responses."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from footfall.server import create_app
from pipelines.members import Role
from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from pipelines.survey_responses import survey_responses_batch
from pipelines.surveys import Survey, get_survey, list_surveys, parse_definition, save_survey
from tests.dashboard.test_heatmaps import figures, signed_in
from tests.dashboard.test_pages import SAME_ORIGIN, make_settings

SITE = "shop.example"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def app(store: Store, tmp_path: Path) -> Any:
    save_site(store, Site(SITE, name="Shop"))
    return create_app(make_settings(tmp_path), store=store)


@pytest.fixture
def client(app: Any, store: Store) -> Iterator[TestClient]:
    with signed_in(app, store) as test_client:
        yield test_client


@pytest.fixture
def viewer(app: Any, store: Store) -> Iterator[TestClient]:
    with signed_in(app, store, Role.VIEWER) as test_client:
        yield test_client


def make(store: Store, kind: str = "nps", **data: Any) -> Survey:
    return save_survey(store, SITE, parse_definition({"kind": kind, **data}))


def respond(store: Store, survey: Survey, kind: str, score: int | None = None, comment: str = "",
            version: int | None = None, channel: str = "widget", ago: timedelta = timedelta(hours=2),
            **fields: Any) -> str:
    response_id = str(uuid.uuid4())
    row = {"site_id": SITE, "timestamp": NOW - ago, "response_id": response_id, "survey_id": survey.survey_id,
           "survey_version": version or survey.version, "kind": kind, "channel": channel, "score": score,
           "comment": comment, "visitor_id": 7, "session_id": 70, "path": "/checkout", "locale": "en",
           "device": "desktop", "country": "VN", **fields}
    store.insert("survey_responses", survey_responses_batch([row]))
    return response_id


def form(**changes: Any) -> dict[str, Any]:
    """A complete, valid editor form; `changes` replace fields (None drops one)."""
    fields: dict[str, Any] = {
        "kind": "csat", "default_locale": "en", "follow_up": "1",
        "text.en.question": "How was checkout?", "text.vi.question": "Thanh toán thế nào?",
        "text.en.thanks": "Thanks!", "path_mode": "glob", "path_pattern": "/checkout*",
        "devices": ["desktop", "mobile"], "visitors": "returning", "trigger": "scroll", "trigger_scroll": "60",
        "trigger_delay": "5", "trigger_event": "", "sample_percent": "25", "frequency": "days",
        "frequency_days": "14", "starts": "2025-01-01", "ends": "2099-12-31",
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


def post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=data, headers=SAME_ORIGIN)


def error_of(page: str, field: str) -> str:
    match = re.search(rf'<span class="field-error" id="err-{re.escape(field.replace(".", "-"))}">([^<]*)</span>', page)
    assert match, f"no error shown for {field}"
    return match.group(1)


def test_create_from_the_form_stores_every_option(client: TestClient, store: Store) -> None:
    response = post(client, f"/s/{SITE}/surveys/new", form())
    assert response.status_code == 303
    survey_id = response.headers["location"].split("/")[-1].split("?")[0]
    survey = get_survey(store, survey_id)
    assert survey is not None and survey.status == "active" and survey.version == 1
    d = survey.definition
    assert (d.kind, d.follow_up, d.default_locale, d.locales) == ("csat", True, "en", ("en", "vi"))
    assert d.texts["en"].thanks == "Thanks!" and d.texts["vi"].question == "Thanh toán thế nào?"
    assert (d.targeting.path_glob, d.targeting.devices, d.targeting.visitors) == ("/checkout*",
                                                                                  ("desktop", "mobile"), "returning")
    assert (d.trigger.type, d.trigger.value, d.sample_percent, d.frequency.every_days) == ("scroll", 60, 25, 14)
    assert (d.starts, d.ends) == (date(2025, 1, 1), date(2099, 12, 31))
    page = client.get(response.headers["location"])
    assert "Survey created." in page.text and "How was checkout?" in page.text


def test_every_trigger_and_frequency_round_trips(client: TestClient, store: Store) -> None:
    for trigger, extra in (("delay", {"trigger_delay": "0"}), ("exit", {}), ("event", {"trigger_event": "Signup"})):
        data = form(trigger=trigger, frequency="once", path_mode="regex", path_pattern="^/docs/[a-z]+$",
                    devices=["desktop", "mobile", "tablet"], starts="", ends="", paused="1", **extra)
        assert post(client, f"/s/{SITE}/surveys/new", data).status_code == 303
    found = {s.definition.trigger.type: s for s in list_surveys(store, SITE)}
    assert (found["delay"].definition.trigger.value, found["exit"].definition.trigger.value,
            found["event"].definition.trigger.value) == (0, None, "Signup")
    event = found["event"]
    assert (event.status, event.definition.frequency.every_days, event.definition.targeting.devices,
            event.definition.targeting.path_regex) == ("paused", 0, (), "^/docs/[a-z]+$")
    edit = client.get(f"/s/{SITE}/surveys/{event.survey_id}/edit").text
    assert 'value="Signup"' in edit and 'value="^/docs/[a-z]+$"' in edit
    assert '<option value="event" selected>' in edit and '<option value="regex" selected>' in edit


INVALID: list[tuple[dict[str, Any], str, str]] = [
    ({"sample_percent": "0"}, "sample_percent", "Enter a whole number from 1 to 100."),
    ({"trigger": "delay", "trigger_delay": "soon"}, "trigger_delay", "Enter a whole number from 0 to 3600."),
    ({"trigger": "event", "trigger_event": ""}, "trigger_event", "Enter the custom event&#39;s name"),
    ({"path_mode": "regex", "path_pattern": "(a+)+$"}, "path_pattern", "repeats a repetition"),
    ({"path_mode": "regex", "path_pattern": "[unclosed"}, "path_pattern", "does not compile"),
    ({"path_mode": "glob", "path_pattern": ""}, "path_pattern", "Enter the pattern"),
    ({"ends": "2024-12-31"}, "ends", "The last day is before the first day."),
    ({"starts": "31/12/2025"}, "starts", "Enter a date like 2025-06-30."),
    ({"devices": None}, "devices", "Choose at least one device type."),
    ({"text.zh.submit": "提交"}, "text.zh.question", "Give the question in this language too"),
    ({"default_locale": "zh"}, "default_locale", "must be one the survey asks in: en, vi"),
    ({"frequency_days": "0"}, "frequency_days", "Enter a whole number from 1 to 3650."),
    ({"kind": "poll"}, "kind", "Choose what the survey asks."),
    ({"extra_locale": "not a tag", "text.extra.question": "Q"}, "extra_locale", "Write a language tag"),
    ({"text.en.thanks": "x" * 501}, "text.en.thanks", "At most 500 characters."),
]


def test_invalid_forms_show_the_field_error_and_keep_values(client: TestClient, store: Store) -> None:
    for changes, field, message in INVALID:
        page = post(client, f"/s/{SITE}/surveys/new", form(**{"text.en.question": HOSTILE, **changes}))
        assert page.status_code == 400, field
        assert message in error_of(page.text, field)
        assert "Please correct the fields marked below." in page.text
        assert HOSTILE not in page.text and 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;' in page.text
        assert 'value="/checkout*"' in page.text or field == "path_pattern"  # what was typed stays
    assert list_surveys(store, SITE) == []


def test_errors_are_translated(client: TestClient) -> None:
    page = client.post(f"/s/{SITE}/surveys/new", data=form(sample_percent="101"),
                       headers={**SAME_ORIGIN, "Accept-Language": "vi"})
    assert error_of(page.text, "sample_percent") == "Hãy nhập một số nguyên từ 1 đến 100."


def test_another_language_can_be_added(client: TestClient, store: Store) -> None:
    data = form(**{"extra_locale": "fr", "text.extra.question": "Comment était le paiement ?",
                   "text.extra.submit": "Envoyer"})
    assert post(client, f"/s/{SITE}/surveys/new", data).status_code == 303
    (survey,) = list_surveys(store, SITE)
    assert survey.definition.texts["fr"].submit == "Envoyer" and survey.definition.locales == ("en", "fr", "vi")
    edit = client.get(f"/s/{SITE}/surveys/{survey.survey_id}/edit").text
    assert 'name="text.fr.question" value="Comment était le paiement ?"' in edit


def test_editing_targeting_keeps_the_version_and_editing_the_question_starts_one(client: TestClient,
                                                                                 store: Store) -> None:
    post(client, f"/s/{SITE}/surveys/new", form())
    (survey,) = list_surveys(store, SITE)
    url = f"/s/{SITE}/surveys/{survey.survey_id}/edit"
    same = post(client, url, form(sample_percent="50", trigger="exit"))
    assert same.status_code == 303 and same.headers["location"].endswith("?saved=same")
    again = get_survey(store, survey.survey_id)
    assert again is not None and (again.version, again.definition.sample_percent) == (1, 50)
    changed = post(client, url, form(**{"text.en.question": "How was paying?"}))
    assert changed.headers["location"].endswith("?saved=version")
    newest = get_survey(store, survey.survey_id)
    assert newest is not None and newest.version == 2 and newest.definition.texts["en"].question == "How was paying?"
    assert "Saved as a new version" in client.get(changed.headers["location"]).text
    assert post(client, url, form(kind="ces")).status_code == 303
    assert get_survey(store, survey.survey_id).version == 3  # type: ignore[union-attr]


def test_edit_form_shows_the_stored_definition(client: TestClient, store: Store) -> None:
    survey = make(store, "nps", texts={"en": {"question": HOSTILE}}, targeting={"path_glob": "/a*"},
                  trigger={"type": "delay", "value": 12}, frequency={"type": "days", "days": 7}, sample_percent=30)
    page = client.get(f"/s/{SITE}/surveys/{survey.survey_id}/edit").text
    assert 'name="text.en.question" value="&lt;script&gt;' in page and HOSTILE not in page
    for fragment in ('<option value="nps" selected>', 'name="trigger_delay" value="12"',
                     'name="sample_percent" value="30"', 'name="frequency_days" value="7"',
                     '<option value="days" selected>', 'value="/a*"'):
        assert fragment in page, fragment
    assert f"http://testserver/f/{survey.survey_id}?score=9&amp;lang=vi" in page  # the e-mail link format


def test_pause_and_resume(client: TestClient, store: Store) -> None:
    survey = make(store)
    url = f"/s/{SITE}/surveys/{survey.survey_id}/status"
    assert post(client, url, {"action": "pause"}).status_code == 303
    assert get_survey(store, survey.survey_id).status == "paused"  # type: ignore[union-attr]
    assert "Survey paused." in client.get(f"/s/{SITE}/surveys/{survey.survey_id}?saved=paused").text
    assert post(client, url, {"action": "resume"}).status_code == 303
    assert get_survey(store, survey.survey_id).status == "active"  # type: ignore[union-attr]
    assert post(client, url, {"action": "delete"}).status_code == 400


def test_list_shows_states_kinds_and_numbers(client: TestClient, store: Store) -> None:
    active = make(store, "csat")
    for score in (5, 4, 2):
        respond(store, active, "answer", score)
    for _ in range(6):
        respond(store, active, "impression")
    paused = save_survey(store, SITE, parse_definition({"kind": "ces"}), status="paused")
    later = make(store, "helpful", starts=(NOW + timedelta(days=30)).date().isoformat())
    over = make(store, "text", starts="2020-01-01", ends="2020-02-01")
    page = client.get(f"/s/{SITE}/surveys").text
    rows = {sid: page[page.index(sid) - 400:page.index(sid) + 700] for sid in
            (active.survey_id, paused.survey_id, later.survey_id, over.survey_id)}
    assert 'badge active">Active' in rows[active.survey_id] and "66.7%" in rows[active.survey_id]
    assert '<td class="num">3</td>' in rows[active.survey_id] and '<td class="num">50.0%</td>' in rows[active.survey_id]
    assert 'badge paused">Paused' in rows[paused.survey_id]
    assert 'badge scheduled">Scheduled' in rows[later.survey_id]
    assert 'badge ended">Ended' in rows[over.survey_id]
    assert "How satisfied are you with your experience?" in page  # the built-in question as the title


def test_viewer_reads_but_cannot_change(viewer: TestClient, store: Store) -> None:
    survey = make(store)
    assert viewer.get(f"/s/{SITE}/surveys").status_code == 200
    assert "New survey" not in viewer.get(f"/s/{SITE}/surveys").text
    edit = viewer.get(f"/s/{SITE}/surveys/{survey.survey_id}/edit")
    assert edit.status_code == 200 and '<fieldset class="sv-all" disabled>' in edit.text
    assert 'type="submit">Save' not in edit.text
    results = viewer.get(f"/s/{SITE}/surveys/{survey.survey_id}")
    assert results.status_code == 200 and "/status" not in results.text
    assert viewer.get(f"/s/{SITE}/surveys/new").status_code == 403
    assert post(viewer, f"/s/{SITE}/surveys/new", form()).status_code == 403
    assert post(viewer, f"/s/{SITE}/surveys/{survey.survey_id}/edit", form()).status_code == 403
    assert post(viewer, f"/s/{SITE}/surveys/{survey.survey_id}/status", {"action": "pause"}).status_code == 403
    assert get_survey(store, survey.survey_id) == survey and len(list_surveys(store, SITE)) == 1


def test_surveys_of_other_sites_are_not_found(client: TestClient, store: Store) -> None:
    save_site(store, Site("other.example"))
    theirs = save_survey(store, "other.example", parse_definition({"kind": "nps"}))
    assert client.get(f"/s/{SITE}/surveys/{theirs.survey_id}").status_code == 404
    assert post(client, f"/s/{SITE}/surveys/{theirs.survey_id}/edit", form()).status_code == 404
    assert client.get(f"/s/{SITE}/surveys/nosuch00").status_code == 404
    assert client.get(f"/s/{SITE}/surveys/../../etc").status_code == 404


def nps_results(store: Store) -> Survey:
    """NPS v1: widget answers 10, 9, 9, 7, 3 and one link answer 10; 10 impressions, 2 dismissals.
    Promoters 4 of 6, detractors 1 → NPS 50; response rate 5 widget answers ÷ 10 = 50 %."""
    survey = make(store, "nps")
    respond(store, survey, "answer", 10, comment=HOSTILE, device="mobile", country="DE", path="/a")
    respond(store, survey, "answer", 9, comment="Fast and easy", locale="vi")
    respond(store, survey, "answer", 9)
    respond(store, survey, "answer", 7, comment="ok I guess", ago=timedelta(days=3))
    respond(store, survey, "answer", 3, comment="Too slow", ago=timedelta(days=3))
    respond(store, survey, "answer", 10, channel="link", visitor_id=0, session_id=0, path="", device="")
    for _ in range(10):
        respond(store, survey, "impression")
    for _ in range(2):
        respond(store, survey, "dismiss")
    return survey


def test_results_numbers(client: TestClient, store: Store) -> None:
    survey = nps_results(store)
    page = client.get(f"/s/{SITE}/surveys/{survey.survey_id}", params={"period": "7d"})
    assert page.status_code == 200
    numbers = dict(re.findall(r"<div><dt>([^<]+)</dt><dd>([^<]+)</dd></div>", page.text))
    assert numbers == {"NPS": "+50", "Answers": "6", "Times shown": "10", "Response rate": "50.0%",
                       "Dismissed": "2", "Answers from links": "1"}
    charts = {figure["data"][0]["type"]: figure for figure in figures(page.text)}
    assert charts["indicator"]["data"][0]["value"] == 50.0
    assert charts["indicator"]["data"][0]["gauge"]["axis"]["range"] == [-100, 100]
    distribution = next(f for f in figures(page.text) if f["layout"].get("xaxis", {}).get("type") == "category")
    assert dict(zip(distribution["data"][0]["x"], distribution["data"][0]["y"], strict=True)) == {
        "0": 0, "1": 0, "2": 0, "3": 1, "4": 0, "5": 0, "6": 0, "7": 1, "8": 0, "9": 2, "10": 2}
    trend = next(f for f in figures(page.text) if len(f["data"]) == 2)
    assert sum(trend["data"][0]["y"]) == 6 and len(trend["data"][0]["x"]) == 7  # a bar per day
    devices = page.text[page.text.index('id="sv-by-device"'):page.text.index('id="sv-by-country"')]
    assert re.search(r"Desktop</td>\s*<td class=\"num\">4</td>", devices)
    assert re.search(r"Mobile</td>\s*<td class=\"num\">1</td>", devices)
    assert "(unknown)" in devices  # the link answer has no device
    assert f"/f/{survey.survey_id}?score=9&amp;lang=vi" in page.text


def test_comments_are_escaped_and_filterable(client: TestClient, store: Store) -> None:
    survey = nps_results(store)
    url = f"/s/{SITE}/surveys/{survey.survey_id}"
    page = client.get(url).text
    assert HOSTILE not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert all("<" not in block for block in re.findall(r"data-figure>(.*?)</script>", page, re.DOTALL))
    shown = re.findall(r'<td class="text">([^<]*)</td>\s*<td class="text">', page)
    assert len(shown) == 4
    low = client.get(url, params={"c_max": "6"}).text
    assert re.findall(r'<td class="text">([^<]*)</td>\s*<td class="text">', low) == ["Too slow"]
    found = client.get(url, params={"q": "EASY", "c_locale": "vi"}).text
    assert re.findall(r'<td class="text">([^<]*)</td>\s*<td class="text">', found) == ["Fast and easy"]
    assert client.get(url, params={"c_min": "many"}).status_code == 400


def test_versions_stay_apart(client: TestClient, store: Store) -> None:
    survey = make(store, "csat")
    respond(store, survey, "answer", 5)
    respond(store, survey, "answer", 5)
    second = save_survey(store, SITE, parse_definition({"kind": "csat", "texts": {"en": {"question": "New?"}}}),
                         survey.survey_id)
    respond(store, second, "answer", 1)
    url = f"/s/{SITE}/surveys/{survey.survey_id}"

    def score(params: dict[str, str]) -> str:
        text = client.get(url, params=params).text
        return str(dict(re.findall(r"<div><dt>([^<]+)</dt><dd>([^<]+)</dd></div>", text))["CSAT"])

    assert (score({}), score({"version": "1"}), score({"version": "2"})) == ("66.7%", "100.0%", "0.0%")
    third = save_survey(store, SITE, parse_definition({"kind": "nps", "texts": {"en": {"question": "Recommend?"}}}),
                        survey.survey_id)
    respond(store, third, "answer", 10)
    page = client.get(url).text
    assert "NPS" in page and "+100" in page and "versions 3" in page  # never two kinds at once
    assert '<option value="1">Version 1 · CSAT' in page
    assert client.get(url, params={"version": "9"}).status_code == 404


def test_text_survey_has_no_score_but_lists_answers(client: TestClient, store: Store) -> None:
    survey = make(store, "text")
    respond(store, survey, "answer", None, comment="Please add dark mode")
    page = client.get(f"/s/{SITE}/surveys/{survey.survey_id}").text
    assert "Please add dark mode" in page and "indicator" not in page
    assert f"/f/{survey.survey_id}?lang=vi" in page


def test_empty_results(client: TestClient, store: Store) -> None:
    survey = make(store, "ces")
    page = client.get(f"/s/{SITE}/surveys/{survey.survey_id}")
    assert page.status_code == 200 and "No answers in this period yet." in page.text
    assert json.loads(re.findall(r"data-figure>(.*?)</script>", page.text, re.DOTALL)[0])["data"]
