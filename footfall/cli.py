"""The `footfall` command."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, NoReturn

import click
import httpx

from footfall import __version__
from footfall.cli_surveys import surveys
from footfall.runtime import read_runtime
from footfall.settings import ConfigError, Settings, resolve_secret
from pipelines.migrate import SCHEMA_SNAPSHOT, MigrationError, migrate, schema_snapshot
from pipelines.sites import IP_STORAGE, Site, SiteError, list_sites, remove_site, save_site
from pipelines.store import OUTPUT_FORMATS, Store, StoreError, open_store
from pipelines.store.embedded import DataDirInUse
from pipelines.tokens import SCOPES, create_token
from pipelines.users import UserError, save_user


def _fail(message: str) -> NoReturn:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(1)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        _fail(str(exc))


@contextmanager
def _store(settings: Settings | None = None, migrated: bool = True) -> Iterator[Store]:
    """Open the configured store (migrated), with errors turned into fixes to try."""
    settings = settings or _settings()
    try:
        store = open_store(settings)
    except DataDirInUse as exc:
        store = _store_through_server(settings, exc)
    except StoreError as exc:
        _fail(str(exc))
    try:
        if migrated:
            migrate(store)
        yield store
    except (StoreError, MigrationError, SiteError, UserError, ValueError) as exc:
        _fail(str(exc))
    finally:
        store.close()


def _store_through_server(settings: Settings, in_use: DataDirInUse) -> Store:
    """The running server's store, when `footfall serve` holds the embedded data directory."""
    from pipelines.store.remote import RemoteStore

    runtime = read_runtime(settings.data_dir)
    if runtime is None:
        _fail(f"{in_use}\nNo running server is recorded in {settings.data_dir}: stop whatever holds it.")
    return RemoteStore(str(runtime["url"]), str(runtime["admin_token"]), settings.clickhouse_database)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="footfall")
def main() -> None:
    """Footfall: self-hosted web analytics and instant feedback on ClickHouse.

    Settings come from FOOTFALL_* environment variables or a .env file (docs/configuration.md).
    """


@main.command()
def version() -> None:
    """Print the version."""
    click.echo(f"footfall {__version__}")


@main.command()
@click.option("--host", help="Address to listen on (default FOOTFALL_HOST).")
@click.option("--port", type=int, help="Port to listen on (default FOOTFALL_PORT).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the collector, tracker and dashboard (applies migrations first)."""
    settings = _settings()
    settings = settings.with_overrides(host=host or settings.host, port=port or settings.port)
    try:
        settings = resolve_secret(settings)
    except ConfigError as exc:
        _fail(str(exc))
    # Imported only now, so a configuration error is reported before anything heavy loads.
    import uvicorn

    from footfall.server import create_app

    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    click.echo(f"Footfall {__version__} on http://{settings.host}:{settings.port}  "
               f"(store: {'embedded chDB in ' + str(settings.data_dir) if settings.embedded else 'ClickHouse server'})")
    if settings.demo:
        click.echo(f"Demo page: http://{settings.host}:{settings.port}/demo")
    app = create_app(settings)
    try:
        # proxy_headers=False: FOOTFALL_TRUSTED_PROXY_HEADER is the one switch for client IPs.
        # A line per request would cost the collector a tenth of its time (every page view is
        # a request): the access log is on only at FOOTFALL_LOG_LEVEL=debug.
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level,
                    access_log=settings.log_level == "debug", timeout_graceful_shutdown=10,
                    proxy_headers=False)
    except DataDirInUse as exc:
        _fail(str(exc))


@main.command("migrate")
@click.option("--snapshot", "snapshot", is_flag=True, help=f"Also write the schema snapshot to {SCHEMA_SNAPSHOT.name}.")
def migrate_command(snapshot: bool) -> None:
    """Apply pending schema migrations."""
    with _store(migrated=False) as store:
        applied = migrate(store, on_applied=lambda m: click.echo(f"applied {m.version:04d}_{m.name}"))
        click.echo(f"{len(applied)} migration(s) applied; the schema is up to date.")
        if snapshot:
            SCHEMA_SNAPSHOT.write_text(schema_snapshot(store))
            click.echo(f"wrote {SCHEMA_SNAPSHOT}")


@main.group()
def sites() -> None:
    """Add, list and remove sites."""


@sites.command("add")
@click.argument("site_id")
@click.option("--name", help="Display name (new sites: the site id).")
@click.option("--hostname", "hostnames", multiple=True,
              help="Another allowed hostname, e.g. *.example.com. Repeatable; replaces the list.")
@click.option("--timezone", help="IANA time zone for days and weeks (new sites: UTC).")
@click.option("--cookieless/--no-cookieless", default=None,
              help="Identify visitors without storage on their device (new sites: off).")
@click.option("--respect-dnt/--no-respect-dnt", default=None,
              help="Drop events from browsers sending DNT or GPC (new sites: off).")
@click.option("--ip-storage", type=click.Choice(IP_STORAGE), help="Keep visitor IPs (new sites: none).")
@click.option("--retention-days", type=int, help="Days to keep events; 0 keeps them (new sites: 0).")
def sites_add(site_id: str, **options: Any) -> None:
    """Register SITE_ID (its main hostname, e.g. example.com), or change the options given."""
    from pipelines.sites import get_site, normalize_hostname

    given = {key: value for key, value in options.items() if value is not None and value != ()}
    with _store() as store:
        existing = get_site(store, normalize_hostname(site_id))
        site = save_site(store, replace(existing or Site(site_id), **given))
        click.echo(f"Saved site {site.site_id}. Snippet:\n"
                   f'<script defer src="https://YOUR-FOOTFALL-HOST/t.js" data-site="{site.site_id}"></script>')


@sites.command("list")
def sites_list() -> None:
    """List the registered sites."""
    with _store() as store:
        rows = list_sites(store)
    if not rows:
        click.echo("No sites yet: add one with `footfall sites add example.com`.")
    for site in rows:
        extra = f" (+{', '.join(site.hostnames)})" if site.hostnames else ""
        retention = site.retention_days or "forever"
        click.echo(f"{site.site_id}{extra}  tz={site.timezone}  cookieless={site.cookieless}  "
                   f"respect_dnt={site.respect_dnt}  ip={site.ip_storage}  retention={retention}")


@sites.command("remove")
@click.argument("site_id")
@click.option("--purge-events", is_flag=True, help="Also delete the site's stored events and survey answers.")
@click.confirmation_option(prompt="Stop accepting events for this site?")
def sites_remove(site_id: str, purge_events: bool) -> None:
    """Remove a site: its events are no longer accepted."""
    with _store() as store:
        if not remove_site(store, site_id, purge_events):
            _fail(f"no site {site_id!r}; see `footfall sites list`")
    click.echo(f"Removed {site_id}{' and deleted its events' if purge_events else ''}.")


@main.group()
def users() -> None:
    """Manage dashboard users."""


@users.command("add")
@click.option("--email", default=lambda: _settings().admin_email, show_default="FOOTFALL_ADMIN_EMAIL")
@click.option("--admin/--no-admin", default=False, help="Give the user access to every site.")
@click.option("--name", default="")
@click.option("--site", "site_ids", multiple=True, metavar="SITE_ID",
              help="A site the user may see (repeat for more). Admins see every site.")
@click.option("--role", type=click.Choice(["viewer", "owner"]), default="viewer", show_default=True,
              help="The role on each --site: viewers read reports, owners also manage the site.")
def users_add(email: str, admin: bool, name: str, site_ids: tuple[str, ...], role: str) -> None:
    """Add a user or set a new password (taken from FOOTFALL_ADMIN_PASSWORD, else prompted)."""
    from pipelines.members import Role, grant
    from pipelines.sites import get_site

    password = os.environ.get("FOOTFALL_ADMIN_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    with _store() as store:
        for site_id in site_ids:
            if get_site(store, site_id.lower()) is None:
                _fail(f"no site {site_id!r}; add it with `footfall sites add {site_id}`")
        user = save_user(store, email, password, is_admin=admin, name=name)
        for site_id in site_ids:
            grant(store, site_id.lower(), user.user_id, Role.parse(role))
    roles = f" ({role} of {', '.join(site_ids)})" if site_ids else ""
    click.echo(f"Saved user {user.email}{' (admin)' if user.is_admin else ''}{roles}.")


@main.group()
def tokens() -> None:
    """Create API tokens."""


@tokens.command("create")
@click.argument("site_id")
@click.option("--scope", type=click.Choice(SCOPES), default="stats:read", show_default=True)
@click.option("--name", default="", help="What the token is for.")
def tokens_create(site_id: str, scope: str, name: str) -> None:
    """Print a new token for SITE_ID (read-only stats API by default). It is shown only once."""
    from pipelines.sites import get_site

    with _store() as store:
        if get_site(store, site_id) is None:
            _fail(f"no site {site_id!r}; add it with `footfall sites add {site_id}`")
        click.echo(create_token(store, site_id.lower(), scope, name))


@main.command("sql")
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(list(OUTPUT_FORMATS)), default="table", show_default=True)
def sql(query: str, fmt: str) -> None:
    """Run a read-only QUERY against Footfall's database.

    Works while `footfall serve` holds the embedded data directory: then the query goes through
    the running server. On a ClickHouse server it queries the server directly.
    """
    settings = _settings()
    try:
        store = open_store(settings)
    except DataDirInUse:
        click.echo(_sql_through_server(settings, query, fmt), nl=False)
        return
    except StoreError as exc:
        _fail(str(exc))
    try:
        click.echo(store.raw(query, OUTPUT_FORMATS[fmt], readonly=True).decode(), nl=False)
    except StoreError as exc:
        _fail(str(exc))
    finally:
        store.close()


def _sql_through_server(settings: Settings, query: str, fmt: str) -> str:
    runtime = read_runtime(settings.data_dir)
    if runtime is None:
        _fail(f"the data directory {settings.data_dir} is in use, but no running server is recorded there")
    try:
        response = httpx.post(f"{runtime['url']}/api/admin/sql", json={"sql": query, "format": fmt},
                              headers={"Authorization": f"Bearer {runtime['admin_token']}"}, timeout=300)
    except httpx.HTTPError as exc:
        _fail(f"could not reach the running server at {runtime['url']}: {exc}")
    if response.status_code != 200:
        try:
            message = response.json().get("error", response.text)
        except json.JSONDecodeError:
            message = response.text
        _fail(message)
    return response.text


@main.command("demo-data")
@click.option("--events", "count", type=int, default=100_000, show_default=True, help="How many events to write.")
@click.option("--days", type=int, default=30, show_default=True, help="Spread over this many days up to now.")
@click.option("--site", "site_id", default="localhost", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same data.")
def demo_data(count: int, days: int, site_id: str, seed: int) -> None:
    """Write realistic synthetic traffic for a site (creating the site if needed), with demo survey answers."""
    from tqdm import tqdm

    from footfall.demo_data import generate_demo_events
    from footfall.demo_surveys import add_demo_responses
    from pipelines.sites import get_site

    if count <= 0 or days <= 0:
        _fail("--events and --days must be positive")
    with _store() as store:
        if get_site(store, site_id) is None:
            save_site(store, Site(site_id, name=f"{site_id} (demo data)"))
        with tqdm(total=count, unit="ev", unit_scale=True, desc="demo events") as bar:
            written = generate_demo_events(store, site_id, count, days, seed=seed, progress=bar.update)
        responses = add_demo_responses(store, site_id, written, seed)
    click.echo(f"Wrote {written:,} events and {responses:,} survey responses for {site_id} over {days} days.")


main.add_command(surveys)
