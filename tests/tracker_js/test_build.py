"""The committed tracker is what its source builds to, and it stays inside its size budget."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tracker_js import DIST

TRACKER = DIST.parent
BUDGET_GZIP_BYTES = 1536  # tracker_js/ARCHITECTURE.md, "Size budget"


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def test_committed_tracker_is_the_build_of_its_source(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: run `make test-deps` (Debian's nodejs and npm)")
    if not (TRACKER / "node_modules" / "esbuild").is_dir():
        pytest.fail("tracker_js/node_modules is missing: run `make test-deps` (it runs `npm ci` there)")
    result = subprocess.run([node, "build.mjs", str(tmp_path)], cwd=TRACKER, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "t.js").read_bytes() == (DIST / "t.js").read_bytes(), (
        "tracker_js/dist/t.js is stale: run `make tracker` and commit the result")


def test_tracker_is_within_its_size_budget() -> None:
    size = gzip_size((DIST / "t.js").read_bytes())
    assert size <= BUDGET_GZIP_BYTES, f"t.js is {size} bytes gzipped, over the {BUDGET_GZIP_BYTES} budget"


def test_build_and_docs_state_the_same_budget() -> None:
    build = (TRACKER / "build.mjs").read_text()
    assert re.search(rf"BUDGET_GZIP_BYTES = {BUDGET_GZIP_BYTES};", build)
    assert f"{BUDGET_GZIP_BYTES:,} bytes" in (TRACKER / "ARCHITECTURE.md").read_text()


def test_esbuild_is_pinned_exactly() -> None:
    package = json.loads((TRACKER / "package.json").read_text())
    lock = json.loads((TRACKER / "package-lock.json").read_text())
    version = package["devDependencies"]["esbuild"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "pin esbuild to one version: the output depends on it"
    assert lock["packages"]["node_modules/esbuild"]["version"] == version


def test_tracker_is_one_iife() -> None:
    """Nothing but the IIFE at top level: any global besides window.footfall is a bug (the
    browser test checks the page's globals too)."""
    code = (DIST / "t.js").read_text()
    assert code.startswith("(()=>{") and code.rstrip().endswith("})();")
