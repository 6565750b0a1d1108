"""How long `collector.useragent.parse` takes, in µs per User-Agent; prints JSON.

    .venv/bin/python bench/useragent.py [--file user-agents.txt] [--rounds 5]

The default set is ~200 real User-Agents: every browser and crawler of the tests, topped up with
real crawler strings from the `crawler-user-agents` package when it is installed. `--file` takes
one User-Agent a line instead (e.g. from an access log). A miss is a string not seen before: ua-parser
(Rust) plus the bot checks; a hit comes from the LRU cache. For comparison the same strings go
through the `user-agents` package, which wraps ua-parser's pure-Python parser.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collector import bots, useragent  # noqa: E402
from tests.collector.test_bots import CRAWLERS, MORE_BROWSERS  # noqa: E402
from tests.collector.test_useragent import BROWSER_UAS  # noqa: E402

TARGET = 200


def default_set() -> list[str]:
    uas = BROWSER_UAS + MORE_BROWSERS + [ua for _, ua in CRAWLERS]
    try:
        import crawleruseragents
    except ImportError:
        return uas
    for entry in crawleruseragents.CRAWLER_USER_AGENTS_DATA:
        for instance in entry.get("instances", [])[:1]:
            if len(uas) < TARGET and instance not in uas:
                uas.append(instance)
    return uas


def per_item_us(
    run: Callable[[], None], items: int, rounds: int, before: Callable[[], None] | None = None
) -> float:
    """Median over `rounds` of the µs per item of `run`, calling `before` untimed each round."""
    samples = []
    for _ in range(rounds):
        if before is not None:
            before()
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1e6 / items)
    return round(statistics.median(samples), 2)


def clear_all() -> None:
    useragent.cache_clear()
    bots.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, help="User-Agents to parse, one a line")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    uas = [line for line in args.file.read_text().splitlines() if line] if args.file else default_set()
    n, rounds = len(uas), args.rounds

    began = time.perf_counter()
    useragent.parse(uas[0])  # builds the Rust resolver and the crawler-list regex set
    setup_ms = round((time.perf_counter() - began) * 1e3, 1)

    def parse_all() -> None:
        for ua in uas:
            useragent.parse(ua)

    miss = per_item_us(parse_all, n, rounds, before=clear_all)
    hit_repeats = 20

    def parse_all_cached() -> None:
        for _ in range(hit_repeats):
            parse_all()

    hit = per_item_us(parse_all_cached, n * hit_repeats, rounds, before=parse_all)

    resolver = useragent.resolver()

    def resolve_all() -> None:
        for ua in uas:
            resolver(ua, useragent.Domain.ALL)

    def bots_all() -> None:
        for ua in uas:
            bots.user_agent_reason(ua)

    matches = bots.crawler_list()

    def list_all() -> None:
        for ua in uas:
            if matches is not None:
                matches(ua)

    result = {
        "user_agents": n,
        "rounds": rounds,
        "setup_ms": setup_ms,
        "hit_us": hit,
        "miss_us": miss,
        "miss_parts_us": {
            "ua_parser_rust": per_item_us(resolve_all, n, rounds),
            "bot_checks": per_item_us(bots_all, n, rounds, before=bots.cache_clear),
            "crawler_list": per_item_us(list_all, n, rounds) if matches is not None else None,
        },
        "user_agents_package_miss_us": user_agents_package(uas[:50], rounds),
        "resolver": f"{type(resolver).__module__}.{type(resolver).__name__}",
        "python": sys.version.split()[0],
    }
    print(json.dumps(result, indent=2))


def user_agents_package(uas: list[str], rounds: int) -> float | None:
    """µs per miss of `user_agents.parse(ua).is_mobile` (its pure-Python ua-parser path)."""
    try:
        import user_agents
        from ua_parser import user_agent_parser
    except ImportError:
        return None

    def run() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for ua in uas:
                _ = user_agents.parse(ua).is_mobile

    return per_item_us(run, len(uas), rounds, before=user_agent_parser._PARSE_CACHE.clear)


if __name__ == "__main__":
    main()
