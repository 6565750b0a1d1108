"""Who may see a site, and its API tokens: forms on the settings page, for owners.

Members are existing users (admins add users with `footfall users add`). A site keeps at least
one owner: the last one cannot be removed or made a viewer, except by an admin (admins own every
site anyway). A new token is shown once, on the page that answers its form, and never again:
only its hash is stored.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.i18n import N_
from dashboard.pages.site_settings import read_form, settings_url, show_settings
from dashboard.site_forms import FormErrors, text
from dashboard.web import SiteAccess, redirect, require_site, store_of
from pipelines.members import Role, grant, members, revoke
from pipelines.store.base import Store
from pipelines.tokens import SCOPES, create_token, revoke_token
from pipelines.users import find_user

NO_SUCH_USER = N_("No user has this e-mail. An admin can add them with: footfall users add --email …")
NO_SUCH_MEMBER = N_("This person is not a member of the site.")
BAD_ROLE = N_("Choose owner or viewer.")
LAST_OWNER = N_("A site needs an owner: make someone else an owner first.")
BAD_SCOPE = N_("Choose what the token may do.")
NO_SUCH_TOKEN = N_("No live token of this site has that prefix.")
MAX_TOKEN_NAME = 100


def _role(raw: str, errors: FormErrors) -> Role | None:
    try:
        return Role.parse(raw)
    except ValueError:
        errors.add(BAD_ROLE)
        return None


def _member(store: Store, site_id: str, user_id: str) -> dict[str, str] | None:
    return next((m for m in members(store, site_id) if m["user_id"] == user_id), None)


def _leaves_no_owner(store: Store, access: SiteAccess, user_id: str, new_role: Role | None) -> bool:
    """Whether taking `user_id`'s owner role away (new_role None: removing them) leaves no owner.

    Admins may: they own every site without a membership."""
    if access.user.is_admin or new_role is Role.OWNER:
        return False
    current = members(store, access.site.site_id)
    owners = [m["user_id"] for m in current if m["role"] == Role.OWNER.label]
    return owners == [user_id]


async def _failed(request: Request, access: SiteAccess, message: str, section: str) -> Response:
    errors = FormErrors()
    errors.add(message)
    return await show_settings(request, access, 400, errors=errors, section=section)


async def add_member(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"], Role.OWNER)
    form = await read_form(request)
    errors = FormErrors()
    role = _role(text(form, "role", 20), errors)
    store = store_of(request)
    user = await run_in_threadpool(find_user, store, text(form, "email", 254))
    if user is None:
        errors.add(NO_SUCH_USER)
    if errors or user is None or role is None:
        return await show_settings(request, access, 400, errors=errors, section="members")
    await run_in_threadpool(grant, store, access.site.site_id, user.user_id, role)
    return redirect(settings_url(access.site.site_id, "member_added"))


def _change(store: Store, access: SiteAccess, user_id: str, role: Role | None) -> str:
    """Set (or, with None, remove) a member's role; '' when done, else the message why not."""
    if _member(store, access.site.site_id, user_id) is None:
        return NO_SUCH_MEMBER
    if _leaves_no_owner(store, access, user_id, role):
        return LAST_OWNER
    if role is None:
        revoke(store, access.site.site_id, user_id)
    else:
        grant(store, access.site.site_id, user_id, role)
    return ""


async def change_member(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"], Role.OWNER)
    form = await read_form(request)
    errors = FormErrors()
    role = _role(text(form, "role", 20), errors)
    if role is None:
        return await show_settings(request, access, 400, errors=errors, section="members")
    problem = await run_in_threadpool(_change, store_of(request), access, text(form, "user_id", 64), role)
    if problem:
        return await _failed(request, access, problem, "members")
    return redirect(settings_url(access.site.site_id, "member_changed"))


async def remove_member(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"], Role.OWNER)
    form = await read_form(request)
    user_id = text(form, "user_id", 64)
    problem = await run_in_threadpool(_change, store_of(request), access, user_id, None)
    if problem:
        return await _failed(request, access, problem, "members")
    if user_id == access.user.user_id and not access.user.is_admin:
        return redirect("/")  # they just left the site
    return redirect(settings_url(access.site.site_id, "member_removed"))


async def create_api_token(request: Request) -> Response:
    """The new token is rendered on this response only (no redirect: it must not reach a URL)."""
    access = await require_site(request, request.path_params["site_id"], Role.OWNER)
    form = await read_form(request)
    scope = text(form, "scope", 40)
    if scope not in SCOPES:
        return await _failed(request, access, BAD_SCOPE, "tokens")
    token = await run_in_threadpool(create_token, store_of(request), access.site.site_id, scope,
                                    text(form, "name", MAX_TOKEN_NAME))
    return await show_settings(request, access, 200, new_token=token, section="tokens")


async def revoke_api_token(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"], Role.OWNER)
    form = await read_form(request)
    count = await run_in_threadpool(revoke_token, store_of(request), text(form, "prefix", 40), access.site.site_id)
    if not count:
        return await _failed(request, access, NO_SUCH_TOKEN, "tokens")
    return redirect(settings_url(access.site.site_id, "token_revoked"))


def routes() -> list[Route]:
    return [
        Route("/s/{site_id}/settings/members", add_member, methods=["POST"]),
        Route("/s/{site_id}/settings/members/role", change_member, methods=["POST"]),
        Route("/s/{site_id}/settings/members/remove", remove_member, methods=["POST"]),
        Route("/s/{site_id}/settings/tokens", create_api_token, methods=["POST"]),
        Route("/s/{site_id}/settings/tokens/revoke", revoke_api_token, methods=["POST"]),
    ]
