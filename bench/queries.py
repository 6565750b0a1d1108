"""How fast the dashboard's panels answer: `python bench/queries.py --events 10000000`.

Not a timed test. Fills a fresh embedded store with `footfall demo-data` (90 days ending now, site
time zone Europe/Berlin), lets background merges settle and merges every table (see `settle`), then
times every panel of
pipelines.queries.PANELS for a 30-day view, unfiltered and filtered (page + country), 5 runs each
(the median is reported), plus the full overview (the panels of the dashboard's first screen, run
one after another) and the naive raw-scan version of that overview: the same panels forced onto
raw events without sampling. The two overviews run alternately, run after run, so that load from
other processes weighs on both alike. Prints one JSON object and writes its numbers into the
`## Queries` section of bench/RESULTS.md (other sections are left as they are).

`--data-dir DIR` keeps the filled store in DIR and reuses it when it already holds the events (the
results then say so, with when and how fast it was filled); pending migrations are applied first,
as `footfall serve` would.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from footfall.settings import Settings  # noqa: E402
from pipelines.migrate import migrate  # noqa: E402
from pipelines.queries import OVERVIEW, PANELS  # noqa: E402
from pipelines.query import Query  # noqa: E402
from pipelines.store import query_limits  # noqa: E402
from pipelines.store.base import Store, StoreError  # noqa: E402
from pipelines.store.embedded import EmbeddedStore  # noqa: E402

SITE = "bench.example"
TIMEZONE = "Europe/Berlin"
RESULTS = REPO / "bench" / "RESULTS.md"
ROLLUPS = ("rollup_hourly", "rollup_daily", "sessions", "visitor_first_seen")
SETTLE_TABLES = ("events", *ROLLUPS)
TARGETS = {
    10_000_000: "every panel ≤ 300 ms, overview ≤ 1 s, ratio ≤ 0.25, peak memory ≤ 1.5 GB",
    100_000_000: "overview ≤ 2 s, filtered drill-down ≤ 5 s, peak memory ≤ 1.5 GB",
}


def footfall(data_dir: Path, *args: str) -> None:
    # The fill is a bulk load, not a report: an insert (with the rollups' views) may take longer than
    # the 30 s report limit when other jobs load the machine.
    env = {**os.environ, "FOOTFALL_DATA_DIR": str(data_dir), "FOOTFALL_QUERY_MAX_SECONDS": "3600"}
    subprocess.run([sys.executable, "-m", "footfall", *args], env=env, check=True, cwd=REPO, stdout=subprocess.DEVNULL)


@dataclass
class Fill:
    seconds: float
    filled_at: str
    reused: bool  # filled by an earlier run into the kept --data-dir
    peak_rss_mb: int | None  # of the `footfall demo-data` process, when this run filled
    note: str = ""  # how an earlier run filled it, when that was unusual


def fill(data_dir: Path, events: int, seed: int) -> Fill:
    """`footfall sites add` + `footfall demo-data` in a child process, unless an earlier run did."""
    marker = data_dir / "bench-filled.json"
    if marker.exists() and json.loads(marker.read_text()).get("events") == events:
        earlier = json.loads(marker.read_text())
        return Fill(
            float(earlier.get("fill_seconds", 0.0)),
            str(earlier.get("filled_at", "")),
            reused=True,
            peak_rss_mb=earlier.get("peak_rss_mb"),
            note=str(earlier.get("note", "")),
        )
    started = time.perf_counter()
    footfall(data_dir, "sites", "add", SITE, "--timezone", TIMEZONE)
    footfall(data_dir, "demo-data", "--events", str(events), "--days", "90", "--site", SITE, "--seed", str(seed))
    seconds = time.perf_counter() - started
    filled_at = datetime.now(UTC).isoformat(timespec="seconds")
    peak = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)  # the largest child so far
    marker.write_text(
        json.dumps({"events": events, "filled_at": filled_at, "fill_seconds": round(seconds, 1), "peak_rss_mb": peak})
    )
    return Fill(seconds, filled_at, reused=False, peak_rss_mb=peak)


def settle(store: Store, limit_s: float) -> float:
    """Wait (at most `limit_s`) for background merges to finish, then merge every table fully.

    `footfall demo-data` writes all 90 days in every batch of 250k events, so each day's rollup
    rows arrive in ~40 pieces at once, and every part of `events` holds a sliver of every day. A
    live site writes today's rows only: background merges leave one row per key for past days and
    parts that hold whole days, which sampling (a share of each day's visitor ids) relies on.
    OPTIMIZE … FINAL reaches that state before timing; partitions already in one merged part are
    skipped, so a kept store settles once.
    """
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        running = store.scalar(
            "SELECT count() FROM system.merges WHERE database = {db:String} AND table IN {tables:Array(String)}",
            {"db": store.database, "tables": list(SETTLE_TABLES)},
        )
        if not running:
            break
        time.sleep(1)
    for table in SETTLE_TABLES:
        store.command(f"OPTIMIZE TABLE {table} FINAL SETTINGS optimize_skip_merged_partitions = 1")
    return time.perf_counter() - started


@dataclass
class Timing:
    ms: float  # median wall time
    cpu_ms: float  # median CPU time of this process (chDB runs inside it): barely moved by other load
    result: Any  # the last result, or the StoreError that stopped the runs


def timed(run: Callable[[], Any], runs: int) -> Timing:
    return alternating({"run": run}, {"run": runs})["run"]


def view_queries(filters: dict[str, str], today: date) -> Callable[[str], Query]:
    def for_panel(name: str) -> Query:
        panel = PANELS[name]
        panel_filters = dict(filters)
        if panel.needs_page:
            panel_filters.setdefault("page", "/pricing")
        return Query(
            SITE,
            today - timedelta(days=29),
            today,
            TIMEZONE,
            filters=panel_filters,
            comparison="previous" if name == "stats" else None,
        )

    return for_panel


def bench_view(store: Store, query_for: Callable[[str], Query], runs: int) -> dict[str, Any]:
    panels: dict[str, float] = {}
    cpu: dict[str, float] = {}
    details: dict[str, dict[str, Any]] = {}
    for name, panel in PANELS.items():
        query = query_for(name)
        timing = timed(lambda: panel.run(store, query), runs)  # noqa: B023
        panels[name], cpu[name] = timing.ms, timing.cpu_ms
        if isinstance(timing.result, StoreError):
            details[name] = {"sources": ["failed"], "sampled": 1, "rows": 0, "error": str(timing.result)[:300]}
        else:
            report = timing.result
            details[name] = {"sources": list(report.sources), "sampled": report.sampled, "rows": len(report.rows)}
    return {"panels_ms": panels, "panels_cpu_ms": cpu, "panels": details}


def alternating(runs: dict[str, Callable[[], Any]], times: dict[str, int]) -> dict[str, Timing]:
    """Time several callables round by round (a, b, a, b, …), `times[name]` runs each.

    A StoreError (e.g. a per-query memory limit) stops that callable's runs and is its result.
    """
    durations: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, Any] = {}
    failed: dict[str, Timing] = {}
    for round_ in range(max(times.values())):
        for name, run in runs.items():
            if round_ >= times[name] or name in failed:
                continue
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                results[name] = run()
            except StoreError as exc:
                failed[name] = Timing(round((time.perf_counter() - started) * 1000, 1), 0.0, exc)
                continue
            durations[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - cpu_started) * 1000)
    return {
        name: failed.get(name)
        or Timing(
            round(statistics.median(durations[name]), 1), round(statistics.median(cpu[name]), 1), results.get(name)
        )
        for name in runs
    }


def run_overview(store: Store, query_for: Callable[[str], Query], raw: bool) -> None:
    """The dashboard's first screen: its panels one after another (raw: forced onto events, unsampled)."""
    for name in OVERVIEW:
        query = query_for(name)
        if raw:
            query = replace(query, source="raw", sampling=False)
        PANELS[name].run(store, query)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--raw-runs", type=int, default=5, help="runs of the raw baseline overview")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, help="keep (and reuse) the filled store here")
    parser.add_argument("--settle-seconds", type=float, default=300)
    parser.add_argument(
        "--query-max-seconds",
        type=int,
        default=600,
        help="FOOTFALL_QUERY_MAX_SECONDS for the timed queries (the default 30 s stops the raw "
        "baseline at 100M events); the memory limit stays the default",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare_only:  # the child process of `prepare`
        print(json.dumps(prepare_here(args.data_dir, args.settle_seconds)))
        return 0
    command = " ".join(["python bench/queries.py", *(sys.argv[1:] if argv is None else argv)])
    tmp = None
    if args.data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="footfall-bench-queries-")
        data_dir = Path(tmp.name)
    else:
        data_dir = args.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
    try:
        filled = fill(data_dir, args.events, args.seed)
        result = run_bench(data_dir, args, filled)
    finally:
        if tmp is not None:
            tmp.cleanup()
    result["command"] = command
    print(json.dumps(result, indent=2))
    if not args.no_write:
        write_results(result)
    return 0


def prepare_here(data_dir: Path, settle_seconds: float) -> dict[str, Any]:
    """Apply pending migrations (a kept store may predate some) and settle the store."""
    settings = Settings.from_env(environ={}, env_file=None)
    store = EmbeddedStore(data_dir, settings.clickhouse_database, query_limits(settings))
    try:
        migrated = [f"{m.version:04d}_{m.name}" for m in migrate(store)]
        settled = settle(store, settle_seconds)
    finally:
        store.close()
    return {
        "migrated": migrated,
        "settle_seconds": round(settled, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def prepare(data_dir: Path, settle_seconds: float) -> dict[str, Any]:
    """`prepare_here` in a child process, so that the peak RSS measured here is the queries' own."""
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--prepare-only",
            "--data-dir",
            str(data_dir),
            "--settle-seconds",
            str(settle_seconds),
        ],
        check=True,
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def table_sizes(store: Store) -> list[dict[str, Any]] | str:
    """Parts, rows and MiB of each table read; the error instead, as an earlier 100M run lost
    every timing to an error ("Invalid flatbuffers message") of this last, merely informative query."""
    try:
        return store.query(
            "SELECT table, count() AS parts, sum(rows) AS rows, round(sum(bytes_on_disk) / 1048576) AS mib "
            "FROM system.parts WHERE active AND database = {db:String} AND table IN {t:Array(String)} "
            "GROUP BY table ORDER BY table",
            {"db": store.database, "t": list(SETTLE_TABLES)},
        )
    except StoreError as exc:
        return f"not read: {exc}"[:300]


def run_bench(data_dir: Path, args: argparse.Namespace, filled: Fill) -> dict[str, Any]:
    prepared = prepare(data_dir, args.settle_seconds)
    settings = Settings.from_env(environ={"FOOTFALL_QUERY_MAX_SECONDS": str(args.query_max_seconds)}, env_file=None)
    store = EmbeddedStore(data_dir, settings.clickhouse_database, query_limits(settings))
    try:
        events = int(store.scalar("SELECT count() FROM events WHERE site_id = {s:String}", {"s": SITE}))
        today = datetime.now(UTC).astimezone(Query(SITE, date.today(), date.today(), TIMEZONE).zone).date()
        load_before = os.getloadavg()
        started = datetime.now(UTC)
        unfiltered_view = view_queries({}, today)
        filtered_view = view_queries({"page": "/pricing", "country": "US"}, today)
        unfiltered = bench_view(store, unfiltered_view, args.runs)
        filtered = bench_view(store, filtered_view, args.runs)
        overviews = alternating(
            {
                "overview": lambda: run_overview(store, unfiltered_view, raw=False),
                "raw": lambda: run_overview(store, unfiltered_view, raw=True),
                "filtered": lambda: run_overview(store, filtered_view, raw=False),
            },
            {"overview": args.runs, "raw": args.raw_runs, "filtered": args.runs},
        )
        overview, raw, filtered_overview = overviews["overview"], overviews["raw"], overviews["filtered"]
        load_after = os.getloadavg()
        raw_error = str(raw.result)[:300] if isinstance(raw.result, StoreError) else None
        parts = table_sizes(store)
    finally:
        store.close()
    views = (("unfiltered", unfiltered), ("filtered", filtered))
    errors = {
        f"{view}/{name}": detail["error"]
        for view, details in views
        for name, detail in details["panels"].items()
        if "error" in detail
    }
    errors.update(
        {
            f"{name} overview": str(timing.result)[:300]
            for name, timing in overviews.items()
            if isinstance(timing.result, StoreError)
        }
    )
    return {
        "events": events,
        "view": f"30 days to {today}, {TIMEZONE}; filtered: page /pricing + country US",
        "measured_at": started.isoformat(timespec="minutes"),
        "fill_seconds": round(filled.seconds, 1),
        "filled_at": filled.filled_at,
        "fill_reused": filled.reused,
        "fill_note": filled.note,
        "migrated": prepared["migrated"],
        "settle_seconds": prepared["settle_seconds"],
        "prepare_peak_rss_mb": prepared["peak_rss_mb"],
        "runs": args.runs,
        "panels_ms": unfiltered["panels_ms"],
        "panels_cpu_ms": unfiltered["panels_cpu_ms"],
        "filtered_panels_ms": filtered["panels_ms"],
        "filtered_panels_cpu_ms": filtered["panels_cpu_ms"],
        "overview_panels": list(OVERVIEW),
        "overview_ms": overview.ms,
        "overview_cpu_ms": overview.cpu_ms,
        "filtered_overview_ms": filtered_overview.ms,
        "filtered_overview_cpu_ms": filtered_overview.cpu_ms,
        "raw_overview_ms": raw.ms,
        "raw_overview_cpu_ms": raw.cpu_ms,
        "raw_overview_error": raw_error,
        "ratio": round(overview.ms / raw.ms, 3) if raw.ms and not raw_error else None,
        "cpu_ratio": round(overview.cpu_ms / raw.cpu_ms, 3) if raw.cpu_ms else None,
        "errors": errors,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "fill_peak_rss_mb": filled.peak_rss_mb,
        "query_limits": query_limits(settings),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "cpus": os.cpu_count(),
        "sources": {name: detail["sources"] for name, detail in unfiltered["panels"].items()},
        "sampled": {
            view: {name: detail["sampled"] for name, detail in details["panels"].items() if detail["sampled"] > 1}
            for view, details in (("unfiltered", unfiltered), ("filtered", filtered))
        },
        "filtered_sources": {name: detail["sources"] for name, detail in filtered["panels"].items()},
        "tables": parts,
    }


def _size(events: int) -> str:
    return f"{events // 1_000_000}M" if events >= 1_000_000 else f"{events:,}"


def _fill_note(result: dict[str, Any]) -> str:
    how = (
        f"filled by an earlier run into the kept `--data-dir` ({result['filled_at'][:16].replace('T', ' ')} UTC)"
        if result["fill_reused"]
        else "filled by this run"
    )
    note = f"Data {how}: `footfall demo-data`, with the rollups' views, took {result['fill_seconds']} s"
    if result.get("fill_note"):
        note += f" ({result['fill_note']})"
    if result["migrated"]:
        note += f"; migrations applied before timing: {', '.join(result['migrated'])}"
    return note + f"; settling merges and `OPTIMIZE … FINAL` of every table: {result['settle_seconds']} s."


def results_section(result: dict[str, Any]) -> str:
    size = _size(result["events"])
    unfiltered, filtered = result["panels_ms"], result["filtered_panels_ms"]
    lines = [
        f"### {size} events",
        "",
        f"Measured {result['measured_at'].replace('T', ' ')[:16]} UTC with `{result['command']}`: "
        f"{result['view']}; median of {result['runs']} runs; {result['cpus']} CPUs, 1-minute load average "
        f"{result['load_average_before'][0]} before and {result['load_average_after'][0]} after (other "
        "processes shared the machine). " + _fill_note(result),
        "",
        f"Targets: {TARGETS.get(result['events'], '—')}.",
        "",
        "| | wall ms | CPU ms |",
        "|---|---:|---:|",
        f"| overview ({', '.join(result['overview_panels'])}) | {result['overview_ms']} | "
        f"{result['overview_cpu_ms']} |",
        f"| filtered overview (page + country) | {result['filtered_overview_ms']} | "
        f"{result['filtered_overview_cpu_ms']} |",
        f"| raw-scan overview (baseline) | {result['raw_overview_ms']}"
        f"{' (failed: ' + result['raw_overview_error'] + ')' if result['raw_overview_error'] else ''} | "
        f"{result['raw_overview_cpu_ms']} |",
        f"| ratio overview ÷ raw | {result['ratio']} | {result['cpu_ratio']} |",
        "",
        f"Peak RSS of the benchmark process (opening the store and every query): {result['peak_rss_mb']} MB. "
        f"In child processes: migrating and settling {result['prepare_peak_rss_mb']} MB, filling "
        f"{result['fill_peak_rss_mb'] or 'not recorded'}"
        f"{' MB' if result['fill_peak_rss_mb'] else ''}. Per-query limits: "
        f"`max_execution_time` {result['query_limits']['max_execution_time']} s, `max_memory_usage` "
        f"{result['query_limits']['max_memory_usage'] // 1048576} MB (GROUP BY and sorts spill to disk at half).",
        "",
        "| panel | unfiltered ms (CPU) | source | filtered ms (CPU) | source |",
        "|---|---:|---|---:|---|",
    ]
    for name in unfiltered:
        sampled = result["sampled"]
        note = f" (1/{sampled['unfiltered'][name]} sample)" if name in sampled["unfiltered"] else ""
        fnote = f" (1/{sampled['filtered'][name]} sample)" if name in sampled["filtered"] else ""
        lines.append(
            f"| {name} | {unfiltered[name]} ({result['panels_cpu_ms'][name]}) | "
            f"{', '.join(result['sources'][name])}{note} | {filtered[name]} "
            f"({result['filtered_panels_cpu_ms'][name]}) | "
            f"{', '.join(result['filtered_sources'][name])}{fnote} |"
        )
    lines += ["", "Sampled panels read 1/n of the visitors and scale counts by n: their numbers are estimates.", ""]
    lines += [f"- {where} failed: {error}" for where, error in result["errors"].items()]
    return "\n".join(lines)


def write_results(result: dict[str, Any]) -> None:
    """Replace this size's subsection of `## Queries` in RESULTS.md; keep every other section."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = results_section(result)
    heading = "## Queries: `bench/queries.py`"
    match = re.search(r"^## Queries\b[^\n]*\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    intro = (
        "Dashboard panels over demo traffic (bench/queries.py): rollups for the unfiltered view, raw "
        "events (sampled when huge) where filters need them.\n\n"
    )
    if match is None:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n{intro}{section}"
    else:
        body = match.group(1)
        size_heading = section.splitlines()[0]
        sub = re.search(rf"^{re.escape(size_heading)}\n.*?(?=^### |\Z)", body, re.MULTILINE | re.DOTALL)
        body = body.replace(sub.group(0), section) if sub else body.rstrip("\n") + "\n\n" + section
        text = text[: match.start(1)] + body.rstrip("\n") + "\n\n" + text[match.end(1) :]
    RESULTS.write_text(text.rstrip("\n") + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
