"""How fast every dashboard page answers with 1M demo events: `python bench/dashboard.py`.

Not a timed test. Fills a fresh embedded store with `footfall demo-data` (1M events over 90 days,
with the demo surveys and their answers), starts the real `footfall serve` on it, signs in as the
admin, and requests every page of the dashboard — every GET route of `dashboard.app.routes()`,
with its path parameters filled in from the data (site, a survey, a panel for CSV) — plus the
stats API with a real token. Each URL gets one warm-up request, then `--runs` timed ones over
loopback HTTP; the median and the slowest are reported. Loopback adds well under a millisecond, so
these are the server's times. Prints JSON and writes the `## Dashboard pages` section of
bench/RESULTS.md. Target (issue #7): every page's server time under 1 s.

`--data-dir DIR` keeps the filled store in DIR and reuses it when it already holds the events.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from starlette.routing import Route  # noqa: E402

import dashboard.app  # noqa: E402

SITE = "bench.example"
TIMEZONE = "Europe/Berlin"
PASSWORD = "bench-password-123"
RESULTS = REPO / "bench" / "RESULTS.md"
TARGET_MS = 1000
# Query strings for pages that need more than their path (and a second view of the overview).
EXTRA_URLS = (
    "/s/{site_id}?period=30d&compare=previous&page=/pricing&country=US",
    "/s/{site_id}?period=12mo",
    "/s/{site_id}/heatmaps?page=/pricing&device_class=desktop",
    "/s/{site_id}/export/pages.csv?period=30d",
)
SKIPPED_PREFIXES = ("/vendor/", "/static/", "/login", "/api/", "/s/{site_id}/heatmaps/screenshot")  # API: api_urls()


def footfall(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "footfall", *args], env=env, check=True, cwd=REPO,
                          capture_output=True, text=True).stdout


def fill(env: dict[str, str], data_dir: Path, events: int) -> float:
    marker = data_dir / "bench-filled.json"
    if marker.exists() and json.loads(marker.read_text()).get("events") == events:
        return float(json.loads(marker.read_text())["fill_seconds"])
    started = time.perf_counter()
    footfall(env, "sites", "add", SITE, "--timezone", TIMEZONE)
    footfall(env, "demo-data", "--events", str(events), "--days", "90", "--site", SITE, "--seed", "7")
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps({"events": events, "fill_seconds": round(seconds, 1)}))
    return seconds


def page_urls(survey_id: str) -> list[str]:
    """Every GET page of the dashboard, path parameters filled in."""
    values = {"site_id": SITE, "survey_id": survey_id, "panel": "sources"}
    urls = []
    for route in dashboard.app.routes():
        if not isinstance(route, Route) or "GET" not in (route.methods or ()):
            continue
        if route.path.startswith(SKIPPED_PREFIXES):
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", route.path)
        missing = [name for name in names if name not in values]
        if missing:
            raise SystemExit(f"bench/dashboard.py: no value for {missing} in {route.path}: add one to page_urls")
        urls.append(re.sub(r"{(\w+)(?::\w+)?}", lambda match: values[match.group(1)], route.path))
    urls += [url.replace("{site_id}", SITE) for url in EXTRA_URLS]
    return list(dict.fromkeys(urls))


def api_urls() -> list[str]:
    base = f"/api/v1/stats/{{}}?site_id={SITE}&period=30d"
    return [base.format("aggregate"), base.format("timeseries"), base.format("breakdown") + "&property=source",
            f"/api/v1/stats/realtime?site_id={SITE}", "/api/v1/openapi.json"]


def survey_api_url(survey_id: str) -> str:
    return f"/api/v1/surveys/{survey_id}/results?site_id={SITE}&period=30d"


def time_url(client: httpx.Client, url: str, runs: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    first = client.get(url, headers=headers)
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        durations.append((time.perf_counter() - started) * 1000)
    return {"status": response.status_code, "first_status": first.status_code, "bytes": len(response.content),
            "median_ms": round(statistics.median(durations), 1), "max_ms": round(max(durations), 1)}


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "footfall", "serve", "--host", "127.0.0.1", "--port",
                                    str(port)], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"footfall serve did not start:\n{log.read_text()[-3000:]}")


def run(data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")},
           "FOOTFALL_DATA_DIR": str(data_dir), "FOOTFALL_DEMO": "1", "FOOTFALL_ADMIN_PASSWORD": PASSWORD,
           "FOOTFALL_LOG_LEVEL": "warning"}
    fill_seconds = fill(env, data_dir, args.events)
    survey_id = footfall(env, "surveys", "list", SITE).split()[0] if args.events else ""
    token = footfall(env, "tokens", "create", SITE, "--name", "bench").strip()
    process = serve(env, args.port, data_dir / "bench-server.log")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{args.port}", timeout=120,
                          headers={"Sec-Fetch-Site": "same-origin"}) as client:
            signed = client.post("/login", data={"email": "admin@localhost", "password": PASSWORD})
            if signed.status_code != 303:
                raise SystemExit(f"sign-in failed: {signed.status_code}")
            pages = {url: time_url(client, url, args.runs) for url in page_urls(survey_id)}
        with httpx.Client(base_url=f"http://127.0.0.1:{args.port}", timeout=120) as api:
            bearer = {"Authorization": f"Bearer {token}"}
            apis = {url: time_url(api, url, args.runs, bearer) for url in [*api_urls(), survey_api_url(survey_id)]}
    finally:
        process.terminate()
        process.wait(timeout=60)
    everything = {**pages, **apis}
    slowest = max(everything.items(), key=lambda item: item[1]["median_ms"])
    return {
        "events": args.events,
        "fill_seconds": round(fill_seconds, 1),
        "runs": args.runs,
        "pages": pages,
        "api": apis,
        "slowest": {"url": slowest[0], **slowest[1]},
        "all_ok": all(result["status"] == 200 for result in everything.values()),
        "target_ms": TARGET_MS,
        "target_met": all(result["median_ms"] < TARGET_MS for result in everything.values()),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }


def results_section(result: dict[str, Any], command: str) -> str:
    rows = "\n".join(f"| `{url}` | {r['status']} | {r['median_ms']} | {r['max_ms']} | {r['bytes']:,} |"
                     for url, r in {**result["pages"], **result["api"]}.items())
    return (f"```\n{command}\n```\n\n{result['events']:,} demo events over 90 days (filled in "
            f"{result['fill_seconds']} s), {result['runs']} timed requests per URL after one warm-up, load average "
            f"after the run {result['load_average']} on {result['cpus']} CPUs. Target: every page under "
            f"{TARGET_MS} ms — **{'met' if result['target_met'] else 'not met'}** (slowest: "
            f"`{result['slowest']['url']}`, {result['slowest']['median_ms']} ms).\n\n"
            "| URL | status | median ms | max ms | bytes |\n|---|---|---|---|---|\n" + rows + "\n")


def write_results(section: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    heading = "## Dashboard pages"
    body = f"{heading}\n\nServer time of every dashboard page and API endpoint (bench/dashboard.py).\n\n{section}\n"
    match = re.search(rf"^{heading}\n.*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    text = text.replace(match.group(0), body) if match else text.rstrip("\n") + "\n\n" + body
    RESULTS.write_text(text.rstrip("\n") + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8789)
    parser.add_argument("--data-dir", type=Path, help="keep (and reuse) the filled store here")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="footfall-bench-dashboard-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        result = run(data_dir, args)
    print(json.dumps(result, indent=2))
    if not args.no_write:
        command = "python bench/dashboard.py" + (" " + " ".join(argv or sys.argv[1:])).rstrip()
        write_results(results_section(result, command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
