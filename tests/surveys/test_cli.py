"""`footfall surveys …` as a user runs it: a real process on a real data directory."""

from __future__ import annotations

import json
from pathlib import Path

from tests.surveys.conftest import add_survey, footfall


def test_add_list_show_edit_pause_resume(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert footfall(data, "sites", "add", "shop.test").returncode == 0
    created = footfall(data, "surveys", "add", "shop.test", "--kind", "nps", "--question", "vi=Bạn có giới thiệu?",
                       "--question", "en=Recommend us?", "--path", "/pricing*", "--device", "mobile",
                       "--visitors", "new", "--trigger", "delay:10", "--sample", "50", "--frequency", "days:30",
                       "--from", "2025-01-01", "--until", "2025-12-31", "--follow-up",
                       "--text", "vi.submit=Gửi đi")
    assert created.returncode == 0, created.stderr
    survey = created.stdout.split()[2]
    assert f"https://stats.example.com/f/{survey}?score=" in created.stdout
    shown = json.loads(footfall(data, "surveys", "show", survey).stdout)
    assert (shown["version"], shown["status"], shown["site"]) == (1, "active", "shop.test")
    assert shown["definition"] == {
        "kind": "nps", "default_locale": "en", "follow_up": True, "sample_percent": 50,
        "texts": {"en": {"question": "Recommend us?"}, "vi": {"question": "Bạn có giới thiệu?", "submit": "Gửi đi"}},
        "targeting": {"path_glob": "/pricing*", "path_regex": "", "devices": ["mobile"], "visitors": "new"},
        "trigger": {"type": "delay", "value": 10}, "frequency": {"type": "days", "days": 30},
        "starts": "2025-01-01", "ends": "2025-12-31"}
    same = footfall(data, "surveys", "edit", survey, "--sample", "20", "--all-pages", "--any-device")
    assert same.returncode == 0 and "(version 1)" in same.stdout
    bumped = footfall(data, "surveys", "edit", survey, "--question", "en=Would you recommend us?")
    assert "(new version 2)" in bumped.stdout
    assert footfall(data, "surveys", "pause", survey).stdout.strip() == f"Survey {survey} is paused."
    listing = footfall(data, "surveys", "list", "shop.test").stdout
    assert f"{survey}  nps v2  paused  every page  any device  visitors=new  sample=20%" in listing
    assert footfall(data, "surveys", "resume", survey).stdout.strip() == f"Survey {survey} is active."
    old = json.loads(footfall(data, "surveys", "show", survey, "--version", "1").stdout)
    assert old["definition"]["texts"]["en"]["question"] == "Recommend us?"


def test_mistakes_are_explained(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert footfall(data, "sites", "add", "shop.test").returncode == 0
    add_survey(data, "shop.test", "--kind", "helpful")
    for args, message in (
        (("add", "nowhere.test", "--kind", "nps"), "no site 'nowhere.test'"),
        (("add", "shop.test", "--kind", "nps", "--path", "/a*", "--path-regex", "^/a"), "not both"),
        (("add", "shop.test", "--kind", "nps", "--frequency", "weekly"), "once or days:N"),
        (("add", "shop.test", "--kind", "nps", "--sample", "0"), "sample_percent"),
        (("add", "shop.test", "--kind", "nps", "--thanks", "fr=Merci"), "no question in 'fr'"),
        (("pause", "Missing1"), "no survey 'Missing1'"),
        (("show", "Missing1"), "no survey 'Missing1'"),
    ):
        result = footfall(data, "surveys", *args)
        assert result.returncode != 0 and message in result.stderr, (args, result.stderr)
    assert "No surveys on other.test yet" in footfall(data, "surveys", "list", "other.test").stdout
