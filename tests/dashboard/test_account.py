"""Choosing the dashboard's language: stored per user, over Accept-Language, and back to
automatic; refused values, cross-site posts, and sessions that survive the change."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from pipelines.store.base import Store
from pipelines.users import find_user, set_locale, verify_password
from tests.dashboard import reports_data
from tests.dashboard.reports_data import JUNE, SITE
from tests.dashboard.test_pages import EMAIL, PASSWORD, SAME_ORIGIN

client = reports_data.client  # fixture
reader = reports_data.reader  # fixture


def test_account_page_offers_the_languages(reader: TestClient) -> None:
    page = reader.get("/account", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    for code, name in (("en", "English"), ("vi", "Tiếng Việt"), ("zh", "中文")):
        assert f'value="{code}"' in page.text and f'<span lang="{code}">{name}</span>' in page.text
    assert 'value="" checked' in page.text and "(中文)" in page.text  # automatic, and what that gives now
    assert 'href="/account"' in reader.get("/").text


def test_the_chosen_language_wins_over_the_browser(client: TestClient, store: Store) -> None:
    saved = client.post("/account/language", data={"locale": "vi"}, headers=SAME_ORIGIN)
    assert saved.status_code == 303 and saved.headers["location"] == "/account?saved=language"
    user = find_user(store, EMAIL)
    assert user is not None and user.locale == "vi"
    page = client.get(f"/s/{SITE}?{JUNE}", headers={"Accept-Language": "zh-CN,en"})  # still signed in
    assert page.status_code == 200 and '<html lang="vi">' in page.text and "Khách truy cập" in page.text
    assert "Đã lưu" in client.get("/account?saved=language").text
    client.post("/account/language", data={"locale": ""}, headers=SAME_ORIGIN)
    assert '<html lang="zh">' in client.get("/", headers={"Accept-Language": "zh-CN"}).text


def test_unknown_languages_and_cross_site_posts_are_refused(client: TestClient, store: Store) -> None:
    refused = client.post("/account/language", data={"locale": "fr"}, headers=SAME_ORIGIN)
    assert refused.status_code == 400 and "Choose one of the languages listed." in refused.text
    forged = client.post("/account/language", data={"locale": "zh"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 403
    user = find_user(store, EMAIL)
    assert user is not None and user.locale == ""
    client.post("/logout", headers=SAME_ORIGIN)
    assert client.post("/account/language", data={"locale": "vi"}, headers=SAME_ORIGIN).status_code == 302


def test_set_locale_keeps_everything_else(store: Store) -> None:
    from pipelines.users import UserError, save_user

    user = save_user(store, "someone@example.com", "a-long-password-1", name="Someone")
    set_locale(store, user.user_id, "zh")
    after = find_user(store, "someone@example.com")
    assert after is not None and after.locale == "zh"
    assert (after.password_hash, after.name, after.is_admin) == (user.password_hash, "Someone", False)
    with pytest.raises(UserError, match="unknown language"):
        set_locale(store, user.user_id, "xx")


def test_password_change_keeps_this_session_and_ends_the_others(client: TestClient, store: Store) -> None:
    other = TestClient(client.app, follow_redirects=False)
    other.cookies.update(client.cookies)  # the same session in another browser
    assert other.get("/account").status_code == 200
    form = {"current": PASSWORD, "new": "a-brand-new-password", "again": "a-brand-new-password"}
    changed = client.post("/account/password", data=form, headers=SAME_ORIGIN)
    assert changed.status_code == 303 and changed.headers["location"] == "/account?saved=password"
    assert "Every other session of yours has ended." in client.get("/account?saved=password").text
    assert other.get("/account").status_code == 302  # signed out
    user = find_user(store, EMAIL)
    assert user is not None and verify_password(user, "a-brand-new-password") and user.is_admin


@pytest.mark.parametrize(("form", "message"), [
    ({"current": "wrong-password-123", "new": "a-brand-new-password", "again": "a-brand-new-password"},
     "The current password is wrong."),
    ({"current": PASSWORD, "new": "a-brand-new-password", "again": "another-new-password"},
     "The two new passwords differ."),
    ({"current": PASSWORD, "new": "short", "again": "short"}, "The new password needs at least 10 characters."),
])
def test_password_change_refusals(reader: TestClient, form: dict[str, str], message: str) -> None:
    refused = reader.post("/account/password", data=form, headers=SAME_ORIGIN)
    assert refused.status_code == 400 and message in refused.text
    user = find_user(reader.app.state.store, EMAIL)  # type: ignore[attr-defined]
    assert user is not None and verify_password(user, PASSWORD)


def test_guessing_the_current_password_is_slowed_down(client: TestClient) -> None:
    form = {"current": "wrong-password-123", "new": "a-brand-new-password", "again": "a-brand-new-password"}
    for _ in range(5):
        assert client.post("/account/password", data=form, headers=SAME_ORIGIN).status_code == 400
    blocked = client.post("/account/password", data={**form, "current": PASSWORD}, headers=SAME_ORIGIN)
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
