"""Settings from the environment and `.env`, and the secret key check that guards production."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from footfall.settings import DOCS, MIN_SECRET_LENGTH, SPECS, ConfigError, Settings, resolve_secret, secret_problem

STRONG_KEY = "pQ7vX2mK9rT4wY8zB3nC6dF1gH5jL0sA-strong"


def from_env(**environ: str) -> Settings:
    return Settings.from_env(environ, env_file=None)


# -- parsing --------------------------------------------------------------------------------


def test_defaults() -> None:
    settings = from_env()
    for spec in SPECS:
        assert getattr(settings, spec.field) == spec.parse(spec.default), spec.env
    assert settings.data_dir == Path("data")
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.demo is False
    assert settings.secret_key == ""
    assert settings.embedded
    assert settings.clickhouse_database == "footfall"
    assert (settings.query_max_seconds, settings.query_max_memory_mb) == (30, 1024)


def test_values_are_parsed_to_their_types() -> None:
    settings = from_env(FOOTFALL_DATA_DIR="/srv/footfall", FOOTFALL_PORT="9000",
                        FOOTFALL_QUERY_MAX_SECONDS="5", FOOTFALL_CLICKHOUSE_URL="http://clickhouse:8123/ff")
    assert settings.data_dir == Path("/srv/footfall")
    assert settings.port == 9000
    assert settings.query_max_seconds == 5
    assert not settings.embedded


def test_unknown_variables_are_ignored() -> None:
    assert from_env(FOOTFALL_NO_SUCH_THING="1", PATH="/bin") == from_env()


@pytest.mark.parametrize("raw", ["80a", "0", "65536", "-1", ""])
def test_bad_port_names_the_variable_and_the_docs(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_env(FOOTFALL_PORT=raw)
    message = str(caught.value)
    assert "FOOTFALL_PORT" in message
    assert repr(raw) in message
    assert "docs/configuration.md" in message


@pytest.mark.parametrize("env", ["FOOTFALL_QUERY_MAX_SECONDS", "FOOTFALL_QUERY_MAX_MEMORY_MB"])
@pytest.mark.parametrize("raw", ["0", "-5", "ten"])
def test_limits_must_be_positive_whole_numbers(env: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=env):
        from_env(**{env: raw})


@pytest.mark.parametrize(("raw", "expected"), [
    ("1", True), ("true", True), ("TRUE", True), ("yes", True), ("on", True), (" True ", True),
    ("0", False), ("false", False), ("No", False), ("off", False), ("", False),
])
def test_booleans(raw: str, expected: bool) -> None:
    assert from_env(FOOTFALL_DEMO=raw).demo is expected


@pytest.mark.parametrize("raw", ["2", "maybe", "enabled"])
def test_a_boolean_that_is_neither_is_an_error(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_env(FOOTFALL_DEMO=raw)
    assert "FOOTFALL_DEMO" in str(caught.value) and DOCS in str(caught.value)


def test_with_overrides_changes_only_what_it_is_given() -> None:
    settings = from_env(FOOTFALL_PORT="9000")
    changed = settings.with_overrides(host="0.0.0.0")
    assert (changed.host, changed.port) == ("0.0.0.0", 9000)
    assert settings.host == "127.0.0.1"
    with pytest.raises(TypeError, match="nonsense"):
        settings.with_overrides(nonsense=1)


# -- the .env file --------------------------------------------------------------------------


def write_env_file(path: Path) -> Path:
    path.write_text(
        "# comment\n"
        "FOOTFALL_PORT=9100\n"
        "export FOOTFALL_LOG_LEVEL=debug\n"
        'FOOTFALL_BASE_URL="https://stats.example.com"\n'
        "FOOTFALL_DEMO_SITE=from-file.example\n"
    )
    return path


def test_env_file_is_read(tmp_path: Path) -> None:
    settings = Settings.from_env({}, env_file=write_env_file(tmp_path / ".env"))
    assert settings.port == 9100
    assert settings.log_level == "debug"
    assert settings.base_url == "https://stats.example.com"


def test_environment_overrides_env_file(tmp_path: Path) -> None:
    env_file = write_env_file(tmp_path / ".env")
    settings = Settings.from_env({"FOOTFALL_PORT": "9200", "FOOTFALL_BASE_URL": ""}, env_file=env_file)
    assert settings.port == 9200
    assert settings.base_url == "", "an empty variable in the environment still wins"
    assert settings.demo_site == "from-file.example"


def test_env_file_in_the_working_directory_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_env_file(tmp_path / ".env")
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({}).port == 9100


def test_os_environ_is_used_when_no_mapping_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOOTFALL_PORT", "9300")
    assert Settings.from_env(env_file=None).port == 9300


def test_missing_env_file_is_fine(tmp_path: Path) -> None:
    assert Settings.from_env({}, env_file=tmp_path / "absent.env") == from_env()


def test_bad_value_in_env_file_names_the_variable(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("FOOTFALL_PORT=eighty\n")
    with pytest.raises(ConfigError, match="FOOTFALL_PORT='eighty'"):
        Settings.from_env({}, env_file=env_file)


# -- the secret key -------------------------------------------------------------------------


def production(tmp_path: Path, secret: str = "") -> Settings:
    return from_env(FOOTFALL_DATA_DIR=str(tmp_path / "data"), FOOTFALL_SECRET_KEY=secret)


def demo(tmp_path: Path, secret: str = "") -> Settings:
    return from_env(FOOTFALL_DATA_DIR=str(tmp_path / "data"), FOOTFALL_DEMO="1", FOOTFALL_SECRET_KEY=secret)


@pytest.mark.parametrize(("secret", "why"), [
    ("", "is not set"),
    ("tooshort-3f9a", "characters long"),
    ("x" * (MIN_SECRET_LENGTH - 1), "characters long"),
    ("a" * 64, "too easy to guess"),
    ("abababababababababababababababababab", "too easy to guess"),
    ("0123456" * 6, "too easy to guess"),
])
def test_weak_secret_is_refused_outside_demo_mode(tmp_path: Path, secret: str, why: str) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_secret(production(tmp_path, secret))
    message = str(caught.value)
    assert message.startswith("FOOTFALL_SECRET_KEY ")
    assert why in message
    assert "docs/configuration.md" in message
    assert "secrets.token_urlsafe" in message, "the message should say how to make a key"
    assert not (tmp_path / "data").exists(), "refusing must not write anything"


@pytest.mark.parametrize("word", ["changeme", "password", "secret"])
def test_well_known_words_are_guessable(word: str) -> None:
    assert secret_problem(word) is not None


def test_strong_secret_passes_unchanged(tmp_path: Path) -> None:
    settings = production(tmp_path, STRONG_KEY)
    assert secret_problem(STRONG_KEY) is None
    assert resolve_secret(settings) is settings
    assert resolve_secret(demo(tmp_path, STRONG_KEY)).secret_key == STRONG_KEY
    assert not (tmp_path / "data").exists(), "a good key needs no generated one"


def test_demo_mode_generates_a_key_and_keeps_it(tmp_path: Path) -> None:
    first = resolve_secret(demo(tmp_path))
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.read_text().strip() == first.secret_key
    assert secret_problem(first.secret_key) is None
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600, "only the owner may read the key"
    second = resolve_secret(demo(tmp_path))
    assert second.secret_key == first.secret_key, "sessions must survive a restart"


def test_demo_mode_replaces_a_weak_key_with_the_kept_one(tmp_path: Path) -> None:
    kept = resolve_secret(demo(tmp_path)).secret_key
    assert resolve_secret(demo(tmp_path, "changeme")).secret_key == kept


def test_demo_keys_differ_between_data_dirs(tmp_path: Path) -> None:
    one = resolve_secret(demo(tmp_path / "one")).secret_key
    two = resolve_secret(demo(tmp_path / "two")).secret_key
    assert one != two


# -- end to end -----------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "changeme"])
def test_serve_refuses_to_start_without_a_strong_secret(tmp_path: Path, secret: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")}
    env["FOOTFALL_DATA_DIR"] = str(tmp_path / "data")
    if secret is not None:
        env["FOOTFALL_SECRET_KEY"] = secret
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "footfall", "serve", "--port", "1"],  # never bound: it stops first
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    elapsed = time.monotonic() - started
    assert result.returncode != 0, result.stdout
    assert "FOOTFALL_SECRET_KEY" in result.stderr
    assert "docs/configuration.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < 30, f"took {elapsed:.1f}s to refuse"
    assert not (tmp_path / "data").exists(), "nothing may be opened or created before the check"
