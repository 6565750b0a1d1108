"""The docs describe what the code has: every setting, table, column and command, and the
example queries in docs/schema.md run against a real store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from footfall.cli import main
from footfall.settings import SPECS, SettingSpec
from pipelines.store.base import Store

DOCS = Path(__file__).resolve().parent.parent / "docs"
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
_SQL_BLOCK = re.compile(r"^```sql\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Section:
    level: int
    title: str
    body: str


def sections(text: str) -> list[Section]:
    """Each heading with the text up to the next heading of the same or a higher level.

    Lines inside fenced code blocks are never headings (shell comments start with `#` too).
    """
    lines = text.splitlines()
    headings: list[tuple[int, int, str]] = []
    fenced = False
    for number, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            headings.append((number, len(match.group(1)), match.group(2)))
    found = []
    for index, (start, level, title) in enumerate(headings):
        end = next((n for n, lv, _ in headings[index + 1:] if lv <= level), len(lines))
        found.append(Section(level, title, "\n".join(lines[start + 1:end])))
    return found


def section(doc: str, title: str) -> Section:
    matches = [s for s in sections((DOCS / doc).read_text()) if s.title == title]
    assert matches, f"docs/{doc} has no heading {title!r}"
    assert len(matches) == 1, f"docs/{doc} has {len(matches)} headings {title!r}"
    return matches[0]


# -- docs/configuration.md ------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.env)
def test_every_setting_has_a_section_with_its_default(spec: SettingSpec) -> None:
    body = section("configuration.md", f"`{spec.env}`").body
    expected = f"`{spec.default}`" if spec.default else "empty"
    assert f"Default: {expected}" in body, f"the section on {spec.env} should say `Default: {expected}`"
    assert len(body.split()) >= 20, f"say more about {spec.env}: what it does and when to change it"
    glance = section("configuration.md", "At a glance").body
    assert re.search(rf"^\| `{spec.env}` \| {re.escape(expected)} \|", glance, re.MULTILINE), (
        f"the table at the top of docs/configuration.md should list {spec.env} with {expected}"
    )


def test_configuration_names_only_real_settings() -> None:
    known = {spec.env for spec in SPECS}
    for doc in ("configuration.md", "deploy.md", "cli.md", "schema.md"):
        mentioned = set(re.findall(r"\bFOOTFALL_[A-Z_]+[A-Z]\b", (DOCS / doc).read_text()))
        assert mentioned <= known, f"docs/{doc} names settings that do not exist: {sorted(mentioned - known)}"


def test_configuration_covers_env_file_modes_and_stores() -> None:
    titles = {s.title for s in sections((DOCS / "configuration.md").read_text())}
    for title in ("The `.env` file", "Demo mode and production", "Embedded store or ClickHouse server"):
        assert title in titles


# -- docs/schema.md -------------------------------------------------------------------------


def _tables(store: Store) -> list[str]:
    rows = store.query("SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name",
                       {"db": store.database})
    return [str(row["name"]) for row in rows]


def _columns(store: Store, table: str) -> list[tuple[str, str]]:
    rows = store.query(
        "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String} "
        "ORDER BY position",
        {"db": store.database, "t": table},
    )
    return [(str(row["name"]), str(row["type"])) for row in rows]


def _documented_columns(body: str) -> dict[str, str]:
    """`| \\`name\\` | \\`Type\\` | meaning |` rows of a table section: name -> type."""
    rows = re.findall(r"^\|\s*`([a-z_0-9]+)`\s*\|\s*`([^`]+)`\s*\|\s*(\S.*?)\s*\|\s*$", body, re.MULTILINE)
    return {name: type_ for name, type_, _meaning in rows}


def test_every_table_and_column_is_documented_under_its_heading(store: Store) -> None:
    tables = _tables(store)
    assert {"events", "sites", "users", "api_tokens", "surveys", "survey_responses",
            "schema_migrations"} <= set(tables)
    for table in tables:
        documented = _documented_columns(section("schema.md", f"`{table}`").body)
        actual = dict(_columns(store, table))
        missing = sorted(set(actual) - set(documented))
        assert not missing, f"docs/schema.md, table {table}: document the columns {missing}"
        stale = sorted(set(documented) - set(actual))
        assert not stale, f"docs/schema.md, table {table}: no such columns any more: {stale}"
        wrong = {name: (documented[name], type_) for name, type_ in actual.items() if documented[name] != type_}
        assert not wrong, f"docs/schema.md, table {table}: (documented, actual) types differ: {wrong}"


def test_schema_documents_no_table_that_does_not_exist(store: Store) -> None:
    tables_section = section("schema.md", "Tables")
    documented = set(re.findall(r"^### `([a-z_0-9]+)`$", tables_section.body, re.MULTILINE))
    assert documented == set(_tables(store))


SQL_EXAMPLES = _SQL_BLOCK.findall((DOCS / "schema.md").read_text())


def _example_id(sql: str) -> str:
    return re.sub(r"\W+", "_", sql.split("\n")[0])[:50]


def _fill(store: Store) -> None:
    """A little of everything for the site the examples use, so each example returns rows."""
    store.command("INSERT INTO sites (site_id, name, timezone) VALUES ('example.com', 'Example', 'Asia/Tokyo')")
    store.command(
        "INSERT INTO events (site_id, timestamp, event_id, event_type, event_name, visitor_id, session_id, "
        "hostname, path, referrer, referrer_source, referrer_medium, click_selector, rage_click, "
        "engagement_ms, scroll_depth, props) VALUES "
        "('example.com', now64(3) - INTERVAL 2 DAY, generateUUIDv4(), 'pageview', 'pageview', 1, 10, "
        " 'example.com', '/', 'https://www.google.com/', 'Google', 'search', '', false, 0, 0, {}), "
        "('example.com', now64(3) - INTERVAL 1 HOUR, generateUUIDv4(), 'pageview', 'pageview', 2, 20, "
        " 'example.com', '/pricing', '', '', 'direct', '', false, 0, 0, {}), "
        "('example.com', now64(3) - INTERVAL 1 HOUR, generateUUIDv4(), 'engagement', 'engagement', 2, 20, "
        " 'example.com', '/pricing', '', '', 'direct', '', false, 12000, 80, {}), "
        "('example.com', now64(3) - INTERVAL 1 HOUR, generateUUIDv4(), 'click', 'click', 2, 20, "
        " 'example.com', '/pricing', '', '', 'direct', 'main > button.buy', true, 0, 0, {}), "
        "('example.com', now64(3) - INTERVAL 1 HOUR, generateUUIDv4(), 'custom', 'Signup', 2, 20, "
        " 'example.com', '/pricing', '', '', 'direct', '', false, 0, 0, {'plan': 'pro'})"
    )
    store.command(
        "INSERT INTO surveys (site_id, survey_id, version, kind, definition) "
        "VALUES ('example.com', 'nps1', 1, 'nps', '{}')"
    )
    store.command(
        "INSERT INTO survey_responses (site_id, timestamp, response_id, survey_id, survey_version, kind, "
        "channel, visitor_id, session_id, path, score) VALUES "
        "('example.com', now64(3), generateUUIDv4(), 'nps1', 1, 'answer', 'widget', 2, 20, '/pricing', 10)"
    )


def test_schema_has_sql_examples() -> None:
    assert len(SQL_EXAMPLES) >= 5


@pytest.mark.parametrize("sql", SQL_EXAMPLES, ids=_example_id)
def test_schema_example_runs_read_only_and_returns_rows(store: Store, sql: str) -> None:
    _fill(store)
    # The way `footfall sql` runs a query: ClickHouse's own readonly mode, database already in use.
    output = store.raw(sql, "TSVWithNames", readonly=True).decode()
    header, *rows = output.strip("\n").split("\n")
    assert header
    assert rows, f"this example returned no rows on sample data:\n{sql}"


def test_pageviews_per_day_example_uses_the_sites_time_zone(store: Store) -> None:
    example = next(sql for sql in SQL_EXAMPLES if "toDate(timestamp, tz)" in sql)
    store.command("INSERT INTO sites (site_id, timezone) VALUES ('example.com', 'Asia/Tokyo')")
    # 20:00 UTC is already the next day in Tokyo (UTC+9).
    store.command(
        "INSERT INTO events (site_id, timestamp, event_id, event_type, event_name, visitor_id, session_id) "
        "VALUES ('example.com', toStartOfDay(now64(3) - INTERVAL 3 DAY) + INTERVAL 20 HOUR, generateUUIDv4(), "
        "'pageview', 'pageview', 1, 1)"
    )
    rows = store.query(example)
    expected = store.scalar("SELECT toDate(toStartOfDay(now() - INTERVAL 3 DAY), 'UTC') + 1")
    assert [(row["day"], row["pageviews"]) for row in rows] == [(expected, 1)]


# -- docs/cli.md ----------------------------------------------------------------------------


def _commands(group: click.Group, prefix: str = "footfall") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, path)


COMMANDS = list(_commands(main))


def test_walk_finds_the_nested_commands() -> None:
    paths = {path for path, _ in COMMANDS}
    assert {"footfall serve", "footfall sites add", "footfall tokens create", "footfall sql"} <= paths


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[path for path, _ in COMMANDS])
def test_every_command_and_option_is_documented(path: str, command: click.Command) -> None:
    body = section("cli.md", f"`{path}`").body
    for param in command.params:
        if isinstance(param, click.Argument):
            assert param.human_readable_name in body, f"docs/cli.md, {path}: describe {param.human_readable_name}"
            continue
        assert isinstance(param, click.Option)
        for flag in (*param.opts, *param.secondary_opts):
            if flag not in {"-h", "--help"}:
                assert f"`{flag}" in body, f"docs/cli.md, {path}: document {flag}"
        if isinstance(param.type, click.Choice):
            for choice in param.type.choices:
                assert str(choice) in body, f"docs/cli.md, {path}: name the choice {choice!r} of {param.opts[0]}"


def test_top_level_options_are_documented() -> None:
    body = section("cli.md", "Global options").body
    for param in main.params:
        for flag in param.opts:
            assert f"`{flag}" in body


def test_cli_documents_no_command_that_does_not_exist() -> None:
    known = {path for path, _ in COMMANDS}
    documented = {s.title.strip("`") for s in sections((DOCS / "cli.md").read_text())
                  if s.title.startswith("`footfall ")}
    assert documented == known
