"""A site's settings page (owners only), the live "has it sent data yet?" check, removing a site,
and adding one (admins only).

Every form is a plain POST checked by the CSRF middleware. A POST that works redirects back with
`?done=…` (a fixed word, shown as a translated notice); one that fails renders the page again
with the messages next to the form, status 400.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dashboard.i18n import N_
from dashboard.pages.sites import site_totals
from dashboard.site_forms import (
    FormErrors,
    new_site_from_form,
    settings_from_form,
    site_snippet,
    text,
    zone_groups,
)
from dashboard.web import (
    SECURITY_HEADERS,
    SiteAccess,
    public_origin,
    redirect,
    render,
    require_site,
    require_user,
    store_of,
)
from pipelines.members import Role, members
from pipelines.sites import IP_STORAGE, Site, get_site, remove_site, save_site
from pipelines.tokens import SCOPES, list_tokens, revoke_token

NOTICES = {
    "saved": N_("Settings saved."),
    "added": N_("Site added. Put the snippet on your pages, then watch for the first data below."),
    "member_added": N_("Member added."),
    "member_changed": N_("Role changed."),
    "member_removed": N_("Member removed."),
    "token_revoked": N_("Token revoked: requests with it are refused from now on."),
}
ONLY_ADMINS = N_("Only an admin may add sites.")
SITE_EXISTS = N_("A site with this id already exists.")
CONFIRM_REMOVE = N_("Type the site's id exactly as shown to remove it.")
FORM_FIELDS = 40  # the most fields any of these forms has, with room to spare


def settings_url(site_id: str, done: str = "") -> str:
    return f"/s/{site_id}/settings" + (f"?done={done}" if done else "")


async def read_form(request: Request) -> dict[str, str]:
    """The posted fields as text (no uploads on these forms)."""
    async with request.form(max_files=0, max_fields=FORM_FIELDS) as form:
        return {key: value for key, value in form.items() if isinstance(value, str)}


def settings_context(request: Request, access: SiteAccess, **extra: Any) -> dict[str, Any]:
    """Everything the settings page shows (store calls: run in a worker thread)."""
    store = store_of(request)
    site: Site = extra.pop("draft", None) or access.site
    site_members = members(store, site.site_id)
    done = request.query_params.get("done", "")
    return {
        "user": access.user,
        "access": access,
        "tab": "settings",
        "site": site,
        "zones": zone_groups(),
        "ip_storage_choices": IP_STORAGE,
        "snippet": site_snippet(public_origin(request), access.site),
        "members": site_members,
        "owners": sum(1 for member in site_members if member["role"] == Role.OWNER.label),
        "tokens": list_tokens(store, site.site_id),
        "scopes": SCOPES,
        "notice": NOTICES.get(done, ""),
        "errors": FormErrors(),
        "section": "",
        "new_token": None,
        **extra,
    }


async def show_settings(request: Request, access: SiteAccess, status: int = 200, **extra: Any) -> Response:
    context = await run_in_threadpool(settings_context, request, access, **extra)
    return render(request, "site_settings.html", context, status)


async def settings_page(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"], Role.OWNER)
    if request.method == "GET":
        return await show_settings(request, access)
    form = await read_form(request)
    draft, errors = settings_from_form(access.site, form)
    if errors:
        return await show_settings(request, access, 400, draft=draft, errors=errors, section="general")
    await run_in_threadpool(save_site, store_of(request), draft)
    return redirect(settings_url(draft.site_id, "saved"))


async def site_status(request: Request) -> Response:
    """JSON for static/site_settings.js: has the site sent any event yet?"""
    access = await require_site(request, request.path_params["site_id"], Role.OWNER)
    totals = await run_in_threadpool(site_totals, store_of(request), [access.site.site_id])
    last_24h, total = totals.get(access.site.site_id, (0, 0))
    return JSONResponse({"receiving": total > 0, "last_24h": last_24h, "total": total},
                        headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})


def _remove(store: Any, site_id: str, purge: bool) -> None:
    """Remove the site and revoke its tokens (scripts holding them must not read a site re-added later)."""
    for token in list_tokens(store, site_id):
        revoke_token(store, str(token["token_prefix"]), site_id)
    remove_site(store, site_id, purge_events=purge)


async def remove_page(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"], Role.OWNER)
    form = await read_form(request)
    if text(form, "confirm", 300).lower() != access.site.site_id:
        errors = FormErrors()
        errors.add(CONFIRM_REMOVE)
        return await show_settings(request, access, 400, errors=errors, section="remove")
    await run_in_threadpool(_remove, store_of(request), access.site.site_id, bool(form.get("purge")))
    return redirect("/")


async def new_site(request: Request) -> Response:
    user = await require_user(request)
    if not user.is_admin:
        raise HTTPException(403, ONLY_ADMINS)
    context: dict[str, Any] = {"user": user, "zones": zone_groups(), "form": {}, "errors": FormErrors()}
    if request.method == "GET":
        return render(request, "site_new.html", context)
    form = await read_form(request)
    site, errors = new_site_from_form(form)
    store = store_of(request)
    if not errors and await run_in_threadpool(get_site, store, site.site_id) is not None:
        errors.add(SITE_EXISTS)
    if errors:
        return render(request, "site_new.html", {**context, "form": form, "errors": errors}, 400)
    await run_in_threadpool(save_site, store, site)
    return redirect(settings_url(site.site_id, "added"))


def routes() -> list[Route]:
    return [
        Route("/sites/new", new_site, methods=["GET", "POST"]),
        Route("/s/{site_id}/settings", settings_page, methods=["GET", "POST"]),
        Route("/s/{site_id}/settings/status", site_status, methods=["GET"]),
        Route("/s/{site_id}/settings/remove", remove_page, methods=["POST"]),
    ]
