"""The committed tracker files are what their source builds to, and they stay inside their size
budgets: t.js (the snippet), the chunks it loads after the page's load event — t-clicks.js (the
heatmap click collector) and t-surveys.js (the survey checker) — survey.js (the survey widget,
which the checker loads only when a survey may show) and overlay.js (the live-page heatmap
overlay, which the checker loads on a page opened from the dashboard)."""

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
BUDGETS = {"t.js": 1536, "t-clicks.js": 768, "t-surveys.js": 512, "survey.js": 4096,  # ARCHITECTURE.md
           "overlay.js": 2048}
# In the minified code (property names and strings survive minification): what only the
# click chunk, and only the survey widget, may contain.
CLICK_CODE = ("nth-of-type", "getBoundingClientRect", "hypot")
WIDGET_CODE = ("attachShadow", "radiogroup", "footfall_s", "mouseout")


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
    # Every file the build writes is committed, and dist/ holds nothing else (the collector
    # serves every file in it).
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(BUDGETS)
    assert sorted(path.name for path in DIST.iterdir()) == sorted(BUDGETS)
    for name in BUDGETS:
        assert (tmp_path / name).read_bytes() == (DIST / name).read_bytes(), (
            f"tracker_js/dist/{name} is stale: run `make tracker` and commit the result")


@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_tracker_is_within_its_size_budget(name: str) -> None:
    size = gzip_size((DIST / name).read_bytes())
    assert size <= BUDGETS[name], f"{name} is {size} bytes gzipped, over the {BUDGETS[name]} budget"


def test_build_and_docs_state_the_same_budgets() -> None:
    build = (TRACKER / "build.mjs").read_text()
    assert re.search(rf"BUDGET_GZIP_BYTES = {BUDGETS['t.js']};", build)
    assert re.search(rf"CLICKS_BUDGET_GZIP_BYTES = {BUDGETS['t-clicks.js']};", build)
    assert re.search(rf"SURVEYS_BUDGET_GZIP_BYTES = {BUDGETS['t-surveys.js']};", build)
    assert re.search(rf"WIDGET_BUDGET_GZIP_BYTES = {BUDGETS['survey.js']};", build)
    assert re.search(rf"OVERLAY_BUDGET_GZIP_BYTES = {BUDGETS['overlay.js']};", build)
    architecture = (TRACKER / "ARCHITECTURE.md").read_text()
    for name, budget in BUDGETS.items():
        assert f"{budget:,} bytes of `dist/{name}`" in architecture


def test_esbuild_is_pinned_exactly() -> None:
    package = json.loads((TRACKER / "package.json").read_text())
    lock = json.loads((TRACKER / "package-lock.json").read_text())
    version = package["devDependencies"]["esbuild"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "pin esbuild to one version: the output depends on it"
    assert lock["packages"]["node_modules/esbuild"]["version"] == version


@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_tracker_is_one_iife(name: str) -> None:
    """Nothing but the IIFE at top level: any global besides window.footfall is a bug (the
    browser test checks the page's globals too). overlay.js is an ES module, and an IIFE all the
    same: not even a module-scoped name."""
    code = (DIST / name).read_text()
    assert code.startswith("(()=>{") and code.rstrip().endswith("})();")


def test_click_code_is_only_in_the_chunk() -> None:
    """t.js carries none of the click code; it only knows the chunk's name."""
    small, chunk = (DIST / "t.js").read_text(), (DIST / "t-clicks.js").read_text()
    assert [word for word in CLICK_CODE if word in small] == []
    assert [word for word in CLICK_CODE if word not in chunk] == []
    assert '"t-clicks.js"' in small and "import(" in small


def test_survey_code_is_only_in_the_widget() -> None:
    """t.js loads the checker by name; the checker loads the widget by name; only the widget
    carries the widget's code."""
    small, checker, widget = ((DIST / name).read_text() for name in ("t.js", "t-surveys.js", "survey.js"))
    assert [word for word in WIDGET_CODE if word in small + checker] == []
    assert [word for word in WIDGET_CODE if word not in widget] == []
    assert '"t-surveys.js"' in small and '"survey.js"' not in small
    assert '"./survey.js"' in checker and "/api/surveys" not in small


def test_overlay_code_is_only_in_the_overlay() -> None:
    """The checker only knows the overlay's name and its fragment; t.js knows neither."""
    small, checker, overlay = ((DIST / name).read_text() for name in ("t.js", "t-surveys.js", "overlay.js"))
    assert "ff-overlay" not in small and "overlay.js" not in small
    assert '"./overlay.js"' in checker and "/api/overlay" not in checker
    assert "/api/overlay" in overlay and "import.meta.url" in overlay
