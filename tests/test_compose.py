"""The production docker-compose.yml, its Dockerfile and ClickHouse configuration hang together.

No Docker here: the files are parsed and checked against the code they configure.
"""

from __future__ import annotations

import fnmatch
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from footfall.settings import SPECS
from pipelines.store.server import parse_server_url

REPO = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
USERS_XML = REPO / "deploy/clickhouse/users.d/footfall.xml"
SAMPLE = {"CLICKHOUSE_PASSWORD": "s4mplePassw0rd", "ANALYST_PASSWORD": "an4lystPassw0rd",
          "FOOTFALL_SECRET_KEY": "k" * 10 + "ey-for-the-compose-test-0123456789"}
_VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}` substitution."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        value = variables.get(name)
        # With a colon, an empty value counts as unset.
        unset = value is None or (value == "" and (operator or "").startswith(":"))
        if not unset:
            return str(value)
        if operator and operator.endswith("?"):
            raise ValueError(f"{name} is required: {argument}")
        return argument or "" if operator else ""

    return _VARIABLE.sub(substitute, value)


def environment(service: str) -> dict[str, str]:
    env = SERVICES[service].get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(key): str(value) for key, value in env.items()}


def bind_mounts(service: str) -> list[tuple[str, str]]:
    mounts = []
    for volume in SERVICES[service].get("volumes", []):
        source, target = (volume["source"], volume["target"]) if isinstance(volume, dict) else volume.split(":")[:2]
        if source.startswith((".", "/")):
            mounts.append((source, target))
    return mounts


def test_both_services_exist() -> None:
    assert {"clickhouse", "footfall"} <= set(SERVICES)


def test_every_footfall_variable_is_a_real_setting() -> None:
    known = {spec.env for spec in SPECS}
    for name, service in SERVICES.items():
        names = set(environment(name)) | {m[0] for m in _VARIABLE.findall(yaml.safe_dump(service))}
        unknown = {n for n in names if n.startswith("FOOTFALL_")} - known
        assert not unknown, f"service {name} sets {sorted(unknown)}, which footfall.settings does not know"


def test_footfall_points_at_the_clickhouse_service() -> None:
    url = interpolate(environment("footfall")["FOOTFALL_CLICKHOUSE_URL"], SAMPLE)
    address = parse_server_url(url)
    assert address.host == "clickhouse" and address.host in SERVICES
    assert address.database == "footfall"
    assert address.port == 8123
    assert (address.username, address.password) == ("footfall", SAMPLE["CLICKHOUSE_PASSWORD"])
    assert not address.secure


def test_compose_refuses_to_start_without_its_secrets() -> None:
    for variable in SAMPLE:
        missing = {k: v for k, v in SAMPLE.items() if k != variable}
        with pytest.raises(ValueError, match=variable):
            for service in SERVICES:
                for value in environment(service).values():
                    interpolate(value, missing)


def test_footfall_waits_for_a_healthy_clickhouse_and_keeps_its_data() -> None:
    footfall = SERVICES["footfall"]
    assert footfall["depends_on"]["clickhouse"]["condition"] == "service_healthy"
    assert any(str(port).split(":")[-1] == "8000" for port in footfall["ports"])
    assert interpolate(environment("footfall")["FOOTFALL_SECRET_KEY"], SAMPLE) == SAMPLE["FOOTFALL_SECRET_KEY"]
    data_dir = dict(pair.split("=", 1) for pair in _dockerfile_env())["FOOTFALL_DATA_DIR"]
    assert any(str(volume).endswith(f":{data_dir}") for volume in footfall["volumes"])


def test_clickhouse_has_a_pinned_image_healthcheck_volume_and_ulimits() -> None:
    clickhouse = SERVICES["clickhouse"]
    image, _, tag = clickhouse["image"].partition(":")
    assert image == "clickhouse/clickhouse-server"
    assert re.fullmatch(r"\d+\.\d+(\.\d+)*", tag), f"pin a release, not {tag!r}"
    test = " ".join(clickhouse["healthcheck"]["test"])
    assert "SELECT 1" in test or "/ping" in test
    data = [v for v in clickhouse["volumes"] if str(v).split(":")[1] == "/var/lib/clickhouse"]
    assert data, "ClickHouse's data directory must be a volume"
    assert data[0].split(":")[0] in COMPOSE["volumes"], "use a named volume for the data"
    nofile = clickhouse["ulimits"]["nofile"]
    assert (nofile if isinstance(nofile, int) else nofile["soft"]) == 262144


def test_every_mounted_file_and_the_build_exist() -> None:
    for name in SERVICES:
        for source, target in bind_mounts(name):
            assert (REPO / source).exists(), f"service {name} mounts {source}, which is not in the repo"
            if target.startswith("/etc/clickhouse-server/"):
                assert target.endswith(Path(source).name)
    build = SERVICES["footfall"]["build"]
    context = REPO / (build if isinstance(build, str) else build.get("context", "."))
    dockerfile = context / ("Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
    assert context.is_dir() and dockerfile.is_file()


def _dockerfile_env() -> list[str]:
    """ENV lines of the Dockerfile, continuation lines joined, one `KEY=value` each."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    pairs = []
    for line in text.splitlines():
        if line.startswith("ENV "):
            pairs += re.findall(r"[A-Z_]+=\S+", line)
    return pairs


def test_dockerfile_installs_the_package_and_serves_on_all_interfaces() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.MULTILINE)
    assert "pip install ." in text
    cmd = re.search(r"^CMD (.+)$", text, re.MULTILINE)
    assert cmd and "serve" in cmd.group(1) and "0.0.0.0" in cmd.group(1)
    for pair in _dockerfile_env():
        name = pair.split("=", 1)[0]
        if name.startswith("FOOTFALL_"):
            assert name in {spec.env for spec in SPECS}


def test_dockerignore_keeps_what_pip_install_needs() -> None:
    patterns = [line.strip().rstrip("/") for line in (REPO / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    needed = ["pyproject.toml", "README.md", "footfall", "collector", "dashboard", "pipelines",
              "pipelines/migrations", "tracker_js", "tracker_js/dist"]
    for path in needed:
        assert (REPO / path).exists()
        assert not any(fnmatch.fnmatch(path, pattern) for pattern in patterns), f".dockerignore drops {path}"
    assert ".env" in patterns and ".venv" in patterns, "keep secrets and the venv out of the image"


def _users() -> ET.Element:
    root = ET.parse(USERS_XML).getroot()
    assert root.tag == "clickhouse"
    return root


def test_users_xml_defines_footfall_and_a_readonly_analyst() -> None:
    root = _users()
    profiles = root.find("profiles")
    users = root.find("users")
    assert profiles is not None and users is not None
    analyst = users.find("analyst")
    assert analyst is not None
    profile_name = analyst.findtext("profile")
    assert profile_name
    profile = profiles.find(profile_name)
    assert profile is not None, f"the analyst's profile {profile_name!r} is not defined"
    assert profile.findtext("readonly") == "1"
    grants = [q.text or "" for q in analyst.iterfind("grants/query")]
    assert any(g.startswith("GRANT SELECT ON footfall.") for g in grants)
    assert not any(re.search(r"\b(INSERT|ALTER|CREATE|DROP|ALL)\b", g) for g in grants if g.startswith("GRANT"))
    assert "REVOKE SELECT(password_hash) ON footfall.users" in grants

    footfall = users.find("footfall")
    assert footfall is not None
    assert "GRANT ALL ON footfall.*" in [q.text for q in footfall.iterfind("grants/query")]


def test_user_passwords_come_from_the_compose_environment() -> None:
    users = _users().find("users")
    assert users is not None
    env = environment("clickhouse")
    for user, compose_variable in (("footfall", "CLICKHOUSE_PASSWORD"), ("analyst", "ANALYST_PASSWORD")):
        password = users.find(f"{user}/password")
        assert password is not None and not (password.text or "").strip(), f"no password in the file for {user}"
        variable = password.get("from_env")
        assert variable in env, f"{user}'s password comes from {variable}, which compose does not set"
        assert interpolate(env[variable], SAMPLE) == SAMPLE[compose_variable]
    # The image turns CLICKHOUSE_PASSWORD/CLICKHOUSE_USER into a network-wide default user.
    assert not {"CLICKHOUSE_PASSWORD", "CLICKHOUSE_USER"} & set(env)


def test_server_config_parses() -> None:
    root = ET.parse(REPO / "deploy/clickhouse/config.d/footfall.xml").getroot()
    assert root.tag == "clickhouse"
    assert root.findtext("backups/allowed_disk") in {d.tag for d in root.iterfind("storage_configuration/disks/*")}


def test_deploy_docs_name_every_variable_compose_requires() -> None:
    required = {m[0] for m in _VARIABLE.findall((REPO / "docker-compose.yml").read_text()) if "?" in m[1]}
    assert required == set(SAMPLE)
    deploy = (REPO / "docs/deploy.md").read_text()
    for variable in required:
        assert f"`{variable}`" in deploy
