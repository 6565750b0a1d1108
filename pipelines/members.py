"""Site roles: which users may read a site (viewer) or also manage it (owner).

Admins (`users.is_admin`) hold every role on every site without a row in `site_members`.
"""

from __future__ import annotations

from enum import IntEnum

from pipelines.store.base import Store


class Role(IntEnum):
    """Ordered, so that `role >= Role.VIEWER` reads as "may at least view"."""

    VIEWER = 1
    OWNER = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"role must be 'owner' or 'viewer', not {text!r}") from None


def grant(store: Store, site_id: str, user_id: str, role: Role) -> None:
    """Give a user a role on a site (replacing the one they had)."""
    store.command(
        "INSERT INTO site_members (site_id, user_id, role, updated_at) "
        "VALUES ({site:String}, {user:UUID}, {role:String}, now64(3))",
        {"site": site_id, "user": user_id, "role": role.label},
    )


def revoke(store: Store, site_id: str, user_id: str) -> None:
    store.command(
        "INSERT INTO site_members (site_id, user_id, role, deleted, updated_at) "
        "VALUES ({site:String}, {user:UUID}, '', true, now64(3))",
        {"site": site_id, "user": user_id},
    )


def site_roles(store: Store, user_id: str) -> dict[str, Role]:
    """The sites a (non-admin) user may see, with their role on each."""
    rows = store.query(
        "SELECT site_id, role FROM site_members FINAL WHERE user_id = {user:UUID} AND NOT deleted",
        {"user": user_id},
    )
    return {str(row["site_id"]): Role.parse(str(row["role"])) for row in rows}


def members(store: Store, site_id: str) -> list[dict[str, str]]:
    """Who holds a role on a site: e-mail, name, user id and role, by e-mail."""
    return [
        {key: str(value) for key, value in row.items()}
        for row in store.query(
            "SELECT m.user_id AS user_id, u.email AS email, u.name AS name, m.role AS role "
            "FROM (SELECT toString(user_id) AS user_id, role FROM site_members FINAL "
            "      WHERE site_id = {site:String} AND NOT deleted) AS m "
            "INNER JOIN (SELECT toString(user_id) AS user_id, email, name FROM users FINAL WHERE NOT deleted) AS u "
            "ON m.user_id = u.user_id ORDER BY email",
            {"site": site_id},
        )
    ]
