"""What demo mode makes sure of: the demo site and an admin who can sign in."""

from __future__ import annotations

import os
import secrets

from footfall.settings import Settings
from pipelines.sites import Site, get_site, save_site
from pipelines.store.base import Store
from pipelines.users import find_user, save_user

ADMIN_FILE = "demo-admin.txt"


def ensure_demo_site(store: Store, settings: Settings) -> str:
    if get_site(store, settings.demo_site) is None:
        save_site(store, Site(site_id=settings.demo_site, name="Demo site", hostnames=("127.0.0.1",)))
        return f"Created the demo site {settings.demo_site!r}."
    return f"Demo site: {settings.demo_site}"


def ensure_admin(store: Store, settings: Settings) -> str:
    """Create the admin once; its password comes from the settings or is generated and kept."""
    password_file = settings.data_dir / ADMIN_FILE
    if find_user(store, settings.admin_email) is None:
        password = settings.admin_password or secrets.token_urlsafe(12)
        save_user(store, settings.admin_email, password, is_admin=True, name="Admin")
        if not settings.admin_password:
            fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(f"{settings.admin_email}\n{password}\n")
    change = f"change it with `footfall users add --email {settings.admin_email}`"
    if password_file.exists():
        email, password = password_file.read_text().split("\n")[:2]
        return f"Sign in as {email} with password {password} ({change}; it is kept in {password_file})."
    return f"Sign in as {settings.admin_email} with FOOTFALL_ADMIN_PASSWORD ({change})."
