"""What every dashboard page shares: rendering, who is signed in, and which sites they may see.

Ground rules every page follows:
- every page goes through `render` (autoescaped Jinja2, security headers, the page's language,
  no caching of signed-in pages);
- every page that shows data starts with `require_user`, and every page about one site with
  `require_site`, which answers 404 for a site the user may not see (so its existence does not
  leak) and 403 when they may see it but the action needs an owner;
- every query takes its values as typed parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from dashboard import i18n
from dashboard.auth import SignedIn, session_user
from dashboard.i18n import N_
from pipelines.members import Role, site_roles
from pipelines.sites import Site, get_site, list_sites
from pipelines.store.base import Store

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: f"{int(n):,}"
    i18n.install(env)
    return env


templates = Jinja2Templates(env=_environment())


def page_locale(request: Request, user: SignedIn | None = None) -> str:
    """The user's chosen language, else the browser's (Accept-Language), else English."""
    return i18n.negotiate(request.headers.get("accept-language"), user.locale if user else "")


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200, private: bool = True
) -> Response:
    user = context.get("user")
    locale = page_locale(request, user if isinstance(user, SignedIn) else None)
    context = {"demo": bool(request.app.state.settings.demo), **i18n.page_context(locale), **context}
    headers = dict(SECURITY_HEADERS)
    if private:
        headers["Cache-Control"] = "no-store"
    headers["Content-Language"] = locale
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def redirect(url: str, status_code: int = 303) -> Response:
    return RedirectResponse(url, status_code, headers=SECURITY_HEADERS)


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def signed_in(request: Request) -> SignedIn | None:
    """The user behind the session cookie; a stale session (user gone, password changed) is dropped."""
    if not request.session:
        return None
    user = await run_in_threadpool(session_user, store_of(request), dict(request.session))
    if user is None:
        request.session.clear()
    return user


class SignInRequired(Exception):
    """Raised by `require_user`; the app answers with a redirect to the sign-in page."""


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect("/login?" + urlencode({"next": target}), 302)


async def require_user(request: Request) -> SignedIn:
    user = await signed_in(request)
    if user is None:
        raise SignInRequired
    return user


def roles_of(store: Store, user: SignedIn) -> dict[str, Role]:
    """Every site the user may see, with their role on it (admins own every site)."""
    if user.is_admin:
        return {site.site_id: Role.OWNER for site in list_sites(store)}
    return site_roles(store, user.user_id)


def visible_sites(store: Store, user: SignedIn) -> list[tuple[Site, Role]]:
    roles = roles_of(store, user)
    return [(site, roles[site.site_id]) for site in list_sites(store) if site.site_id in roles]


@dataclass(frozen=True)
class SiteAccess:
    user: SignedIn
    site: Site
    role: Role

    @property
    def is_owner(self) -> bool:
        return self.role >= Role.OWNER


def _site_access(store: Store, user: SignedIn, site_id: str, role: Role) -> SiteAccess:
    site = get_site(store, site_id)
    held = roles_of(store, user).get(site_id) if site is not None else None
    if site is None or held is None:
        raise HTTPException(404, N_("No such site, or you may not see it."))
    if held < role:
        raise HTTPException(403, N_("Only an owner of this site may do that."))
    return SiteAccess(user, site, held)


async def require_site(request: Request, site_id: str, role: Role = Role.VIEWER) -> SiteAccess:
    """The signed-in user's access to one site: 404 if they may not see it, 403 if `role` is more
    than they hold."""
    user = await require_user(request)
    return await run_in_threadpool(_site_access, store_of(request), user, site_id.lower(), role)


def public_origin(request: Request) -> str:
    """Where browsers reach this server: FOOTFALL_BASE_URL, else the request's own origin."""
    base_url: str = request.app.state.settings.base_url
    if base_url:
        return base_url.rstrip("/")
    return str(request.base_url).rstrip("/")
