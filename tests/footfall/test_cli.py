"""The `footfall` command, run as a user runs it: a real process on a real data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from footfall import __version__
from tests.conftest import RunningServer, free_port


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")}
    full_env.update({"FOOTFALL_DATA_DIR": str(data_dir), **env})
    return subprocess.run([sys.executable, "-m", "footfall", *args], env=full_env, capture_output=True,
                          text=True, timeout=180, cwd=data_dir.parent)


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


def send_pageview(server: RunningServer, path: str) -> None:
    response = httpx.post(f"{server.url}/api/event", content=json.dumps({"u": f"http://localhost{path}"}),
                          headers={"content-type": "text/plain", "user-agent": BROWSER})
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 1


def test_sql_goes_through_the_running_server(server: RunningServer) -> None:
    send_pageview(server, "/pricing")
    send_pageview(server, "/docs")
    assert server.wait_for_count(2) == 2
    result = server.footfall("sql", "SELECT path FROM events ORDER BY path", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ['"path"', '"/docs"', '"/pricing"']
    as_json = json.loads(server.footfall("sql", "SELECT count() AS n FROM events", "--format", "json").stdout)
    assert as_json["data"] == [{"n": 2}]
    table = server.footfall("sql", "SELECT count() AS n FROM events").stdout
    assert "n" in table and "2" in table


def test_sql_through_the_server_is_read_only(server: RunningServer) -> None:
    result = server.footfall("sql", "DROP TABLE events")
    assert result.returncode == 1
    assert "readonly" in result.stderr
    assert server.footfall("sql", "SELECT count() FROM events", "--format", "csv").returncode == 0


def test_the_sql_endpoint_needs_the_admin_token(server: RunningServer) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = httpx.post(f"{server.url}/api/admin/sql", json={"sql": "SELECT 1"}, headers=headers)
        assert response.status_code == 401


def test_sql_opens_the_data_dir_itself_when_no_server_runs(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert run(data_dir, "sites", "add", "example.com").returncode == 0
    result = run(data_dir, "sql", "SELECT site_id FROM sites FINAL", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert '"example.com"' in result.stdout
    refused = run(data_dir, "sql", "DROP TABLE sites")
    assert refused.returncode == 1 and "readonly" in refused.stderr


def test_a_second_server_on_the_same_data_dir_is_refused_clearly(server: RunningServer) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "footfall", "serve", "--port", str(free_port())],
        env=server.env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "in use by another Footfall process" in result.stdout + result.stderr


def test_sites_add_list_remove(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    added = run(data_dir, "sites", "add", "https://www.Example.com/", "--hostname", "*.example.org",
                "--timezone", "Asia/Ho_Chi_Minh", "--cookieless")
    assert added.returncode == 0, added.stderr
    assert 'data-site="example.com"' in added.stdout
    listed = run(data_dir, "sites", "list").stdout
    assert "example.com (+*.example.org)" in listed and "tz=Asia/Ho_Chi_Minh" in listed
    assert "cookieless=True" in listed
    # Changing one option keeps the others.
    assert run(data_dir, "sites", "add", "example.com", "--respect-dnt").returncode == 0
    listed = run(data_dir, "sites", "list").stdout
    assert "tz=Asia/Ho_Chi_Minh" in listed and "cookieless=True" in listed and "respect_dnt=True" in listed
    removed = run(data_dir, "sites", "remove", "example.com", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert "No sites yet" in run(data_dir, "sites", "list").stdout
    missing = run(data_dir, "sites", "remove", "nope.com", "--yes")
    assert missing.returncode == 1 and "no site 'nope.com'" in missing.stderr


def test_bad_site_input_is_explained(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    bad_zone = run(data_dir, "sites", "add", "example.com", "--timezone", "Mars/Olympus")
    assert bad_zone.returncode == 1 and "unknown time zone" in bad_zone.stderr
    bad_host = run(data_dir, "sites", "add", "not a host")
    assert bad_host.returncode == 1 and "is not a hostname" in bad_host.stderr


def test_tokens_create_prints_a_token_stored_only_as_a_hash(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert run(data_dir, "tokens", "create", "example.com").returncode == 1
    run(data_dir, "sites", "add", "example.com")
    result = run(data_dir, "tokens", "create", "example.com", "--name", "grafana")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("ff_") and len(token) > 40
    stored = run(data_dir, "sql", "SELECT token_hash, scope, site_id FROM api_tokens", "--format", "csv").stdout
    assert token not in stored
    assert '"stats:read","example.com"' in stored


def test_users_add_takes_the_password_from_env_and_hashes_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    short = run(data_dir, "users", "add", "--email", "ana@example.com", FOOTFALL_ADMIN_PASSWORD="short")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    ok = run(data_dir, "users", "add", "--email", "Ana@Example.com", "--admin",
             FOOTFALL_ADMIN_PASSWORD="a-long-password")
    assert ok.returncode == 0, ok.stderr
    assert "ana@example.com (admin)" in ok.stdout
    stored = run(data_dir, "sql", "SELECT email, password_hash FROM users FINAL", "--format", "csv").stdout
    assert "ana@example.com" in stored and "$argon2id$" in stored and "a-long-password" not in stored


def test_users_add_grants_roles_on_sites(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    unknown = run(data_dir, "users", "add", "--email", "vi@example.com", "--site", "nope.example",
                  FOOTFALL_ADMIN_PASSWORD="a-long-password")
    assert unknown.returncode == 1 and "no site 'nope.example'" in unknown.stderr
    run(data_dir, "sites", "add", "a.example")
    run(data_dir, "sites", "add", "b.example")
    ok = run(data_dir, "users", "add", "--email", "vi@example.com", "--site", "a.example", "--site", "B.example",
             "--role", "owner", FOOTFALL_ADMIN_PASSWORD="a-long-password")
    assert ok.returncode == 0, ok.stderr
    assert "(owner of a.example, B.example)" in ok.stdout
    stored = run(data_dir, "sql", "SELECT site_id, role FROM site_members FINAL ORDER BY site_id",
                 "--format", "csv").stdout
    assert stored.split()[1:] == ['"a.example","owner"', '"b.example","owner"']


def test_users_add_prompts_for_the_password(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")}
    env["FOOTFALL_DATA_DIR"] = str(data_dir)
    result = subprocess.run([sys.executable, "-m", "footfall", "users", "add", "--email", "bo@example.com"],
                            input="prompted-password\nprompted-password\n", env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Saved user bo@example.com." in result.stdout


def test_version() -> None:
    result = subprocess.run([sys.executable, "-m", "footfall", "version"], capture_output=True, text=True)
    assert result.stdout.strip() == f"footfall {__version__}"


def test_demo_data_writes_realistic_events_with_a_progress_bar(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = run(data_dir, "demo-data", "--events", "30000", "--days", "7", "--site", "demo.example", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "Wrote 30,000 events and " in result.stdout
    assert " survey responses for demo.example over 7 days." in result.stdout
    assert "demo events" in result.stderr and "100%" in result.stderr  # tqdm's bar
    summary = run(data_dir, "sql", "SELECT count() AS n, uniqExact(visitor_id) > 100 AS many_visitors, "
                  "dateDiff('day', min(timestamp), max(timestamp)) <= 7 AS in_range FROM events", "--format", "csv")
    assert summary.stdout.splitlines()[1] == "30000,1,1"
    assert "demo.example" in run(data_dir, "sites", "list").stdout
    # Survey answers hang off stored page views: same visitor, page and country.
    surveys = run(data_dir, "sql", "SELECT countIf(kind = 'impression') > 20 AS shown, countIf(kind = 'answer') > 5 "
                  "AS answered, countIf(r.visitor_id NOT IN (SELECT visitor_id FROM events)) AS strangers, "
                  "uniqExact(survey_id) AS surveys FROM survey_responses AS r", "--format", "csv")
    assert surveys.stdout.splitlines()[1] == "1,1,0,2"
    assert run(data_dir, "demo-data", "--events", "0").returncode == 1


def test_commands_work_through_a_running_server(tmp_path: Path) -> None:
    """While `footfall serve` holds the embedded data directory, the CLI goes through it."""
    from tests.conftest import start_server

    server = start_server(tmp_path, sites=(("a.example",),))
    try:
        token = server.footfall("tokens", "create", "a.example", "--name", "while running")
        assert token.returncode == 0, token.stderr
        answer = httpx.get(f"{server.url}/api/v1/stats/aggregate?site_id=a.example&period=7d",
                           headers={"Authorization": f"Bearer {token.stdout.strip()}"})
        assert answer.status_code == 200, answer.text
        assert server.footfall("sites", "add", "b.example", "--timezone", "Asia/Ho_Chi_Minh").returncode == 0
        assert "b.example" in server.footfall("sites", "list").stdout
        user = server.footfall("users", "add", "--email", "lan@example.com", "--site", "b.example")
        assert user.returncode == 0, user.stderr
        survey = server.footfall("surveys", "add", "b.example", "--kind", "csat")
        assert survey.returncode == 0, survey.stderr
        demo = server.footfall("demo-data", "--events", "3000", "--site", "b.example")
        assert demo.returncode == 0, demo.stderr
        assert server.count("site_id = 'b.example'") == 3000
        # Anyone without the admin token is refused.
        refused = httpx.post(f"{server.url}/api/admin/store?op=command", json={"sql": "DROP TABLE events"})
        assert refused.status_code == 401
        assert server.count("1") >= 3000
    finally:
        server.stop()
