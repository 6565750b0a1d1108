"""Survey definitions: validation, built-in texts per language, versioning, pause and resume."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from pipelines.surveys import (
    BUILTIN_LOCALES,
    KINDS,
    SurveyDefinition,
    SurveyError,
    Targeting,
    builtin_texts,
    definition_to_json,
    get_survey,
    list_surveys,
    parse_definition,
    save_survey,
    set_status,
)


@pytest.fixture
def shop(store: Store) -> Store:
    save_site(store, Site("shop.test", timezone="Asia/Ho_Chi_Minh"))
    return store


@pytest.mark.parametrize(("data", "problem"), [
    ({"kind": "stars"}, "kind must be one of"),
    ({"kind": "nps", "sample_percent": 0}, "sample_percent"),
    ({"kind": "nps", "sample_percent": 101}, "sample_percent"),
    ({"kind": "nps", "sample_percent": 12.5}, "sample_percent"),
    ({"kind": "nps", "targeting": {"path_glob": "/a*", "path_regex": "^/a"}}, "not both"),
    ({"kind": "nps", "targeting": {"path_regex": "(unclosed"}}, "does not compile"),
    ({"kind": "nps", "targeting": {"path_glob": "/" + "a" * 300}}, "at most 300"),
    ({"kind": "nps", "targeting": {"path_regex": "^/(a+)+$"}}, "repeats a repetition"),
    ({"kind": "nps", "targeting": {"path_regex": r"^/(\w*-)*x"}}, "repeats a repetition"),
    ({"kind": "nps", "targeting": {"devices": ["watch"]}}, "devices are"),
    ({"kind": "nps", "targeting": {"visitors": "loyal"}}, "visitors must be"),
    ({"kind": "nps", "trigger": {"type": "hover"}}, "trigger must be"),
    ({"kind": "nps", "trigger": {"type": "delay", "value": -1}}, "delay"),
    ({"kind": "nps", "trigger": {"type": "scroll", "value": 101}}, "scroll depth"),
    ({"kind": "nps", "trigger": {"type": "event"}}, "custom event"),
    ({"kind": "nps", "frequency": {"type": "days", "days": 0}}, "frequency in days"),
    ({"kind": "nps", "frequency": {"type": "weekly"}}, "once, or again"),
    ({"kind": "nps", "starts": "2025-02-01", "ends": "2025-01-31"}, "ends before it starts"),
    ({"kind": "nps", "starts": "tomorrow"}, "date like"),
    ({"kind": "nps", "texts": {"en": {"title": "x"}}}, "unknown texts"),
    ({"kind": "nps", "texts": {"en": {"question": "x" * 501}}}, "longer than 500"),
    ({"kind": "nps", "texts": {"english": {"question": "x"}}}, "language tag"),
    ({"kind": "nps", "texts": {"fr": {"thanks": "Merci"}}}, "no question in 'fr'"),
    ({"kind": "nps", "texts": {"en": {"question": "Hi?"}, "vi": {"thanks": "Cảm ơn"}}}, "no question in 'vi'"),
    ({"kind": "nps", "default_locale": "fr"}, "default language"),
])
def test_invalid_definitions_are_refused_with_a_reason(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(SurveyError, match=re.escape(problem)):
        parse_definition(data)


def test_a_bare_definition_gets_sensible_defaults() -> None:
    definition = parse_definition({"kind": "csat"})
    assert definition == SurveyDefinition(kind="csat")
    assert (definition.trigger.type, definition.trigger.value) == ("delay", 5)
    assert (definition.sample_percent, definition.frequency.window, definition.follow_up) == (100, None, False)
    assert definition.locales == BUILTIN_LOCALES and definition.default_locale == "en"
    every_device = parse_definition({"kind": "csat", "targeting": {"devices": ["tablet", "mobile", "desktop"]}})
    assert every_device.targeting.devices == ()


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_texts_in_english_vietnamese_and_chinese(kind: str) -> None:
    texts = {locale: builtin_texts(kind, locale) for locale in BUILTIN_LOCALES}
    for locale, found in texts.items():
        assert found.question and found.submit and found.thanks and found.follow_up and found.placeholder, locale
        if kind in ("csat", "nps", "ces"):
            assert found.low and found.high
    assert len({t.question for t in texts.values()}) == 3
    assert re.search(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", texts["vi"].question)
    assert re.search(r"[\u4e00-\u9fff]", texts["zh"].question)
    assert builtin_texts(kind, "fr") == texts["en"]


def test_custom_texts_override_and_decide_the_languages() -> None:
    definition = parse_definition({"kind": "nps", "default_locale": "vi", "texts": {
        "vi": {"question": "Bạn có giới thiệu Shop?", "submit": "Gửi đi"}, "zh-TW": {"question": "推薦嗎？"}}})
    assert definition.locales == ("vi", "zh-tw")
    vi = definition.texts_for("vi")
    assert (vi.question, vi.submit, vi.dismiss) == ("Bạn có giới thiệu Shop?", "Gửi đi", "Đóng")
    assert definition.texts_for("zh-tw").thanks == "感谢您的反馈！"
    assert definition.pick_locale(["zh-TW"]) == "zh-tw"
    assert definition.pick_locale(["zh-CN"]) == "zh-tw"  # the same language in another region
    assert definition.pick_locale(["en-US", "vi-VN"]) == "vi"
    assert definition.pick_locale(["fr"]) == "vi" and definition.pick_locale([]) == "vi"
    builtin = parse_definition({"kind": "csat"})
    assert builtin.pick_locale(["vi-VN"]) == "vi" and builtin.pick_locale(["zh-Hant-TW"]) == "zh"


def test_path_rules() -> None:
    everywhere = Targeting()
    glob = Targeting(path_glob="/pricing*")
    middle = Targeting(path_glob="/docs/*/install")
    regex = Targeting(path_regex=r"^/(en|vi)/checkout$")
    assert everywhere.matches_path("/anything")
    assert glob.matches_path("/pricing") and glob.matches_path("/pricing/team") and not glob.matches_path("/a/pricing")
    assert middle.matches_path("/docs/v2/install") and not middle.matches_path("/docs/v2/install/more")
    assert Targeting(path_glob="/a.b").matches_path("/a.b") and not Targeting(path_glob="/a.b").matches_path("/axb")
    assert regex.matches_path("/vi/checkout") and not regex.matches_path("/fr/checkout")
    assert Targeting(path_regex="blog").matches_path("/en/blog/post")  # searched, not anchored
    assert Targeting(path_glob="*").matches_path("/") and Targeting(path_glob="/a*a").matches_path("/aa")
    assert not Targeting(path_glob="/a*a").matches_path("/a")
    assert Targeting(path_glob="*/b*/c").matches_path("/x/by/c")
    assert not Targeting(path_glob="*c*/b").matches_path("/b/c")
    # Many stars against a long path: linear, never backtracking.
    assert not Targeting(path_glob="*a" * 100 + "*b").matches_path("/" + "a" * 1999)


def test_definitions_survive_json() -> None:
    definition = parse_definition({
        "kind": "ces", "texts": {"en": {"question": "Easy?"}}, "follow_up": True, "sample_percent": 25,
        "targeting": {"path_regex": "^/help", "devices": ["mobile"], "visitors": "returning"},
        "trigger": {"type": "event", "value": "Signup"}, "frequency": {"type": "days", "days": 30},
        "starts": "2025-01-01", "ends": "2025-12-31"})
    assert parse_definition(definition_to_json(definition)) == definition
    assert definition.frequency.window is not None and definition.frequency.window.days == 30


def test_a_survey_is_created_with_a_short_id_and_runs_within_its_dates(shop: Store) -> None:
    survey = save_survey(shop, "shop.test", parse_definition({"kind": "nps", "starts": "2025-06-01",
                                                              "ends": "2025-06-30"}))
    assert re.fullmatch(r"[A-Za-z0-9]{8}", survey.survey_id)
    assert (survey.site_id, survey.version, survey.status) == ("shop.test", 1, "active")
    assert survey.running(date(2025, 6, 1)) and survey.running(date(2025, 6, 30))
    assert not survey.running(date(2025, 5, 31)) and not survey.running(date(2025, 7, 1))
    assert get_survey(shop, survey.survey_id) == survey
    assert get_survey(shop, "missing1") is None and get_survey(shop, "../etc") is None
    with pytest.raises(SurveyError, match="no site"):
        save_survey(shop, "nowhere.test", parse_definition({"kind": "nps"}))


def test_editing_the_question_starts_a_new_version_other_changes_do_not(shop: Store) -> None:
    first = save_survey(shop, "shop.test", parse_definition({"kind": "nps"}))
    sid = first.survey_id
    targeting = save_survey(shop, "shop.test", parse_definition(
        {"kind": "nps", "sample_percent": 10, "targeting": {"path_glob": "/a*"}, "trigger": {"type": "exit"}}), sid)
    assert targeting.version == 1 and targeting.created_at == first.created_at
    assert get_survey(shop, sid).definition.sample_percent == 10  # type: ignore[union-attr]
    texts = save_survey(shop, "shop.test", parse_definition(
        {**definition_to_json(targeting.definition), "texts": {"en": {"question": "Recommend us?"}}}), sid)
    assert texts.version == 2 and texts.definition.sample_percent == 10
    follow_up = save_survey(shop, "shop.test", parse_definition(
        {**definition_to_json(texts.definition), "follow_up": True}), sid)
    kind = save_survey(shop, "shop.test", parse_definition({"kind": "csat"}), sid)
    assert (follow_up.version, kind.version) == (3, 4)
    assert get_survey(shop, sid, version=1).definition.texts == {}  # type: ignore[union-attr]
    assert get_survey(shop, sid, version=2).definition.texts["en"].question == "Recommend us?"  # type: ignore[union-attr]
    assert [(s.version, s.kind) for s in list_surveys(shop, "shop.test", all_versions=True)] == [
        (4, "csat"), (3, "nps"), (2, "nps"), (1, "nps")]
    with pytest.raises(SurveyError, match="no survey"):
        save_survey(shop, "shop.test", parse_definition({"kind": "nps"}), "Missing1")


def test_pause_and_resume_keep_the_version(shop: Store) -> None:
    survey = save_survey(shop, "shop.test", parse_definition({"kind": "helpful"}))
    paused = set_status(shop, survey.survey_id, "paused")
    assert (paused.version, paused.status) == (1, "paused") and not paused.running(date(2025, 1, 1))
    assert get_survey(shop, survey.survey_id).status == "paused"  # type: ignore[union-attr]
    resumed = set_status(shop, survey.survey_id, "active")
    assert get_survey(shop, survey.survey_id) == resumed and resumed.running(date(2025, 1, 1))
    with pytest.raises(SurveyError, match="status must be"):
        set_status(shop, survey.survey_id, "deleted")
    with pytest.raises(SurveyError, match="no survey"):
        set_status(shop, "Missing1", "paused")


def test_list_shows_the_newest_version_of_each_survey_of_a_site(shop: Store) -> None:
    save_site(shop, Site("other.test"))
    first = save_survey(shop, "shop.test", parse_definition({"kind": "nps"}))
    second = save_survey(shop, "shop.test", parse_definition({"kind": "csat"}))
    save_survey(shop, "other.test", parse_definition({"kind": "ces"}))
    save_survey(shop, "shop.test", parse_definition({"kind": "nps", "texts": {"en": {"question": "Q?"}}}),
                first.survey_id)
    assert [(s.survey_id, s.version) for s in list_surveys(shop, "shop.test")] == [
        (first.survey_id, 2), (second.survey_id, 1)]
    assert len(list_surveys(shop)) == 3
    # A row that no longer validates is skipped, not fatal.
    shop.command("INSERT INTO surveys (site_id, survey_id, version, kind, definition) "
                 "VALUES ('shop.test', 'broken12', 1, 'stars', '{}')")
    assert len(list_surveys(shop, "shop.test")) == 2
