"""The running server's address and admin token, left in the data directory.

chDB lets only one process open the data directory, so a second `footfall` command (such as
`footfall sql`) finds the running server here and goes through its read-only SQL endpoint.
The file is readable only by its owner: whoever can read it could open the data dir anyway.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

RUNTIME_FILE = "server.json"


def write_runtime(data_dir: Path, url: str) -> str:
    """Record this server; return the admin token that its SQL endpoint accepts."""
    token = secrets.token_urlsafe(32)
    path = data_dir / RUNTIME_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"url": url, "pid": os.getpid(), "admin_token": token}, handle)
    return token


def read_runtime(data_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((data_dir / RUNTIME_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def remove_runtime(data_dir: Path) -> None:
    runtime = read_runtime(data_dir)
    if runtime is not None and runtime.get("pid") == os.getpid():
        (data_dir / RUNTIME_FILE).unlink(missing_ok=True)
