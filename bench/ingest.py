"""How many events per second `footfall serve` ingests, against a no-op on the same stack.

    .venv/bin/python bench/ingest.py [--duration 25] [--warmup 5] [--connections 64]   (or `make bench-ingest`)

1. Starts the real server (`bench/_server.py`: `footfall serve` plus a no-op route) in demo mode
   on a fresh embedded store in a temporary directory, rate limit off, client IPs taken from
   X-Forwarded-For so that each request can come from a different visitor.
2. Runs three phases, each a separate load process (`bench/_load.py`: closed loop over
   `--connections` keep-alive connections, one request at a time on each), a warm-up and then
   `--duration` measured seconds:
   - `noop`:   the same requests, sent to `POST /api/noop` (reads the body, answers 202): the
               baseline of what the HTTP stack alone can do;
   - `events`: single-event `POST /api/event`, as the tracker sends them;
   - `batch`:  `POST /api/event` with arrays of `--batch-size` events.
3. Waits for the flusher to write the spool to the store, reads back every stored event id
   through the server's admin SQL endpoint, stops the server with SIGTERM and prints one JSON
   object: throughput, `efficiency` (events/s ÷ no-op requests/s), latency of the single-event
   phase, the server's peak RSS, and `acked`/`stored`/`lost`/`duplicates` over every event
   acknowledged in any phase (each event carries its own UUID).

Payloads are realistic: ~200 real browser User-Agents, 8,000 visitors (each with an IP, a
first-party id, a screen, a language and a time zone), a Zipf mix over 1,000 pages, referrers
from search, social, other sites, internal and direct, some UTM-tagged URLs, engagement and
custom events with props. Results and how to read them: bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import array
import ipaddress
import itertools
import json
import os
import pickle
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from collector import useragent  # noqa: E402
from tests.collector.test_bots import MORE_BROWSERS  # noqa: E402
from tests.collector.test_useragent import BROWSER_UAS  # noqa: E402

SITE = "localhost"
VISITORS = 8_000
EVENT_TEMPLATES = 40_000
BATCH_TEMPLATES = 1_000
PAGES = 1_000
USER_AGENTS = 200

TARGETS = {"events_per_s": 5000, "efficiency": 0.5, "p99_ms": 50, "rss_mb": 512}


# -- payloads --------------------------------------------------------------------------------

def user_agents(rng: random.Random) -> list[str]:
    """The real browsers of the tests, topped up with the same browsers at other versions."""
    agents = list(dict.fromkeys(BROWSER_UAS + MORE_BROWSERS))
    variants = []
    for major in range(118, 134):
        build = f"{major}.0.{rng.randint(5000, 6900)}.{rng.randint(10, 200)}"
        variants += [
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{major}.0.0.0 Safari/537.36",
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{major}.0.0.0 Safari/537.36",
            f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{major}.0.0.0 Safari/537.36",
            f"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{major}.0.0.0 Mobile Safari/537.36",
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{major}.0.0.0 Safari/537.36 Edg/{major}.0.{rng.randint(2000, 3000)}.{rng.randint(10, 99)}",
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{major}.0) Gecko/20100101 Firefox/{major}.0",
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:{major}.0) Gecko/20100101 Firefox/{major}.0",
            f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{major % 8} like Mac OS X) AppleWebKit/605.1.15 "
            f"(KHTML, like Gecko) CriOS/{build} Mobile/15E148 Safari/604.1",
        ]
    for ios in ("15_8", "16_6", "16_7", "17_0", "17_1", "17_2", "17_3", "17_4", "17_5", "17_6", "18_0",
                "18_1", "18_2", "18_3"):
        version = ios.replace("_", ".")
        variants += [
            f"Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15 "
            f"(KHTML, like Gecko) Version/{version} Mobile/15E148 Safari/604.1",
            f"Mozilla/5.0 (iPad; CPU OS {ios} like Mac OS X) AppleWebKit/605.1.15 "
            f"(KHTML, like Gecko) Version/{version} Mobile/15E148 Safari/604.1",
        ]
    rng.shuffle(variants)
    for agent in variants:
        if len(agents) >= USER_AGENTS:
            break
        agents.append(agent)
    # Real browsers only: a string the collector would call a bot is a mistake here.
    bots = [agent for agent in agents if useragent.parse(agent).is_bot]
    if bots:
        raise SystemExit(f"these bench User-Agents parse as bots: {bots}")
    return agents


def public_ip(rng: random.Random) -> str:
    while True:
        address = ipaddress.IPv4Address(rng.randint(0x01000000, 0xDFFFFFFF))
        if address.is_global:
            return str(address)


@dataclass(frozen=True)
class Visitor:
    ip: str
    user_agent: str
    visitor_id: str | None
    screen: tuple[int, int]
    language: str
    timezone: str


def visitors(rng: random.Random, agents: list[str]) -> list[Visitor]:
    languages = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "pt-BR", "ja-JP", "vi-VN", "zh-CN", "nl-NL", "pl"]
    zones = ["America/New_York", "America/Los_Angeles", "Europe/Berlin", "Europe/London", "Europe/Paris",
             "Asia/Tokyo", "Asia/Ho_Chi_Minh", "America/Sao_Paulo", "Australia/Sydney", "Asia/Kolkata"]
    desktop = [(1920, 1080), (1536, 864), (1440, 900), (2560, 1440), (1366, 768), (1280, 720)]
    mobile = [(390, 844), (393, 873), (412, 915), (375, 667), (360, 800), (430, 932), (820, 1180)]
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(agents))))  # a few dominate
    found = []
    for _ in range(VISITORS):
        agent = rng.choices(agents, cum_weights=weights)[0]
        screens = mobile if ("Mobile" in agent or "iPad" in agent or "Android" in agent) else desktop
        found.append(Visitor(
            ip=public_ip(rng), user_agent=agent,
            visitor_id=_uuid(rng) if rng.random() < 0.9 else None,  # ~10% block localStorage
            screen=rng.choice(screens), language=rng.choice(languages), timezone=rng.choice(zones),
        ))
    return found


def pages(rng: random.Random) -> list[tuple[str, str]]:
    """(path, title), most popular first."""
    # Browsers send location.href percent-encoded; titles as they are.
    found = [("/", "Home – Example"), ("/pricing", "Pricing – Example"), ("/docs/", "Docs – Example"),
             (quote("/über-uns"), "Über uns – Example"), (quote("/ja/価格"), "価格 – Example")]
    sections = ["blog", "docs", "products", "help", "changelog", "careers", "tags"]
    while len(found) < PAGES:
        section = rng.choice(sections)
        slug = "-".join(rng.choice(["fast", "analytics", "privacy", "guide", "setup", "release", "notes",
                                    "team", "scale", "clickhouse", "web", "events"]) for _ in range(3))
        path = f"/{section}/{slug}-{len(found)}"
        found.append((path, f"{slug.replace('-', ' ').title()} – Example"))
    return found


REFERRERS: list[tuple[float, str | None]] = [
    (40, None),  # direct
    (22, "https://www.google.com/"),
    (3, "https://www.google.de/"),
    (5, "https://www.bing.com/search?q=web+analytics+self+hosted"),
    (3, "https://duckduckgo.com/"),
    (5, "https://l.facebook.com/"),
    (3, "https://t.co/Ab12Cd34Ef"),
    (2, "https://www.reddit.com/r/selfhosted/comments/abc123/footfall/"),
    (2, "https://www.linkedin.com/"),
    (2, "https://news.ycombinator.com/item?id=41234567"),
    (2, "https://github.com/footfall/footfall"),
    (1, "android-app://com.google.android.gm/"),
    (2, "https://blog.example.org/2024/10/best-analytics-tools"),
    (8, "internal"),
]
UTM = ["?utm_source=newsletter&utm_medium=email&utm_campaign=october",
       "?utm_source=twitter&utm_medium=social", "?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=x1"]


def events(
    rng: random.Random, people: list[Visitor], site_pages: list[tuple[str, str]]
) -> list[tuple[Visitor, dict[str, Any]]]:
    """Event payloads in the tracker's short keys, `i` left out (each send gets a fresh id)."""
    page_weights = list(itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(site_pages))))
    ref_weights = list(itertools.accumulate(weight for weight, _ in REFERRERS))
    found = []
    for _ in range(EVENT_TEMPLATES):
        person = rng.choice(people)
        path, title = rng.choices(site_pages, cum_weights=page_weights)[0]
        url = f"http://{SITE}{path}" + (rng.choice(UTM) if rng.random() < 0.08 else "")
        kind = rng.random()
        event: dict[str, Any] = {"n": "pageview", "s": SITE, "u": url, "t": title, "w": person.screen[0],
                                 "h": person.screen[1], "l": person.language, "z": person.timezone}
        if person.visitor_id:
            event["v"] = person.visitor_id
        referrer = rng.choices(REFERRERS, cum_weights=ref_weights)[0][1]
        if referrer == "internal":
            event["r"] = f"http://{SITE}{rng.choices(site_pages, cum_weights=page_weights)[0][0]}"
        elif referrer:
            event["r"] = referrer
        if kind < 0.12:
            event.update(n="engagement", e=rng.randint(500, 600_000), d=rng.randint(0, 100))
        elif kind < 0.18:
            event.update(n=rng.choice(["signup", "download", "Outbound Link: Click"]),
                         p={"plan": rng.choice(["free", "pro", "team"]), "step": rng.randint(1, 4)})
        found.append((person, event))
    return found


def _uuid(rng: random.Random) -> str:
    return str(uuid_from_int(rng.getrandbits(128)))


def uuid_from_int(value: int) -> str:
    import uuid

    return str(uuid.UUID(int=value, version=4))


def _body_chunks(events_: list[dict[str, Any]]) -> list[bytes]:
    """The JSON body cut where each event's id goes: `{...,"i":"` <id> `"}`."""
    chunks = [b"[" if len(events_) > 1 else b""]
    for index, event in enumerate(events_):
        text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        chunks[-1] += (b"," if index else b"") + text[:-1].encode() + b',"i":"'
        chunks.append(b'"}')
    if len(events_) > 1:
        chunks[-1] += b"]"
    return chunks


def http_request(path: str, port: int, person: Visitor, page_url: str, chunks: list[bytes]) -> list[bytes]:
    """A browser's beacon POST: its headers, then the body chunks (ids are 36 bytes each)."""
    length = sum(len(chunk) for chunk in chunks) + 36 * (len(chunks) - 1)
    head = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"User-Agent: {person.user_agent}\r\n"
        "Accept: */*\r\n"
        f"Accept-Language: {person.language},en;q=0.8\r\n"
        "Accept-Encoding: gzip, deflate, br, zstd\r\n"
        "Content-Type: text/plain;charset=UTF-8\r\n"
        f"Origin: http://{SITE}\r\n"
        f"Referer: {page_url}\r\n"
        "Sec-Fetch-Dest: empty\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Site: cross-site\r\n"
        f"X-Forwarded-For: {person.ip}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    return [head + chunks[0], *chunks[1:]]


def build_templates(seed: int) -> tuple[list[tuple[Visitor, dict[str, Any]]], int]:
    rng = random.Random(seed)
    agents = user_agents(rng)
    people = visitors(rng, agents)
    return events(rng, people, pages(rng)), len(agents)


def write_templates(path: Path, url_path: str, port: int, payloads: list[tuple[Visitor, dict[str, Any]]],
                    batch_size: int) -> None:
    templates = []
    if batch_size == 1:
        for person, event in payloads:
            templates.append(http_request(url_path, port, person, event["u"], _body_chunks([event])))
    else:
        for index in range(BATCH_TEMPLATES):
            start = (index * batch_size) % (len(payloads) - batch_size)
            group = payloads[start:start + batch_size]
            person = group[0][0]
            templates.append(http_request(url_path, port, person, group[0][1]["u"],
                                          _body_chunks([event for _, event in group])))
    path.write_bytes(pickle.dumps(templates))


# -- the server ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, workdir: Path, port: int) -> None:
        self.data_dir = workdir / "data"
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = workdir / "server.log"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("FOOTFALL_")},
            "FOOTFALL_DATA_DIR": str(self.data_dir),
            "FOOTFALL_DEMO": "1",
            "FOOTFALL_ADMIN_PASSWORD": "bench-password-123",
            "FOOTFALL_RATE_LIMIT": "0",
            "FOOTFALL_TRUSTED_PROXY_HEADER": "X-Forwarded-For",
        }
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(HERE / "_server.py"), "--host", "127.0.0.1", "--port", str(port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"the server did not become ready:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def memory_mb(self) -> dict[str, int]:
        """Resident memory of the server process: peak (VmHWM), now, and now split into anonymous
        (heap: Python, chDB) and file-backed pages (the mmapped GeoIP database, libraries)."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value
        return {name: round(int(fields[key].split()[0]) / 1024) for name, key in
                (("peak", "VmHWM"), ("now", "VmRSS"), ("anon", "RssAnon"), ("file", "RssFile"))}

    def cpu_seconds(self) -> tuple[float, float, float]:
        """CPU time used so far by the whole server process, by its main (event loop) thread, and
        by its other Python threads (the spool's committer, the flusher, thread pools: Linux names
        them all `python`; ClickHouse names its own threads)."""
        tick = os.sysconf("SC_CLK_TCK")
        pid = self.process.pid

        def used(stat: str) -> tuple[str, float]:
            text = Path(stat).read_text()
            fields = text.rpartition(")")[2].split()
            return text[text.find("(") + 1:text.rfind(")")], (int(fields[11]) + int(fields[12])) / tick

        python_threads = 0.0
        for task in os.listdir(f"/proc/{pid}/task"):
            if task != str(pid):
                try:
                    name, seconds = used(f"/proc/{pid}/task/{task}/stat")
                except OSError:  # ended meanwhile
                    continue
                if name.startswith("python"):
                    python_threads += seconds
        return used(f"/proc/{pid}/stat")[1], used(f"/proc/{pid}/task/{pid}/stat")[1], python_threads

    def fsyncs(self) -> tuple[int, float]:
        """How many group commits the spool has made so far, and the seconds they took."""
        stats = httpx.get(f"{self.url}/api/bench-stats", timeout=10).json()
        return int(stats["fsyncs"]), float(stats["fsync_seconds"])

    def metric(self, name: str) -> float:
        text = httpx.get(f"{self.url}/metrics", timeout=10).text
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return 0.0

    def wait_for_flush(self, timeout: float = 120) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.metric("footfall_spool_bytes") == 0:
                return True
            time.sleep(0.5)
        return False

    def sql(self, query: str) -> str:
        token = json.loads((self.data_dir / "server.json").read_text())["admin_token"]
        response = httpx.post(f"{self.url}/api/admin/sql", json={"sql": query, "format": "tsv"},
                              headers={"Authorization": f"Bearer {token}"}, timeout=120)
        response.raise_for_status()
        return response.text

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class CpuSampler(threading.Thread):
    """The server's CPU time four times a second, to charge each measured window its share."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.samples: list[tuple[float, float, float, float]] = []  # (epoch, process, main, python threads)
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(0.25):
            try:
                self.samples.append((time.time(), *self.server.cpu_seconds()))
            except OSError:
                return

    def used(self, start: float, end: float) -> tuple[float, float, float]:
        """(process, main thread, other Python threads) CPU seconds between two epoch times,
        from the nearest samples."""
        first = min(self.samples, key=lambda sample: abs(sample[0] - start))
        last = min(self.samples, key=lambda sample: abs(sample[0] - end))
        return last[1] - first[1], last[2] - first[2], last[3] - first[3]


# -- phases ----------------------------------------------------------------------------------

def run_phase(workdir: Path, name: str, port: int, templates: Path, id_prefix: str, id_start: int,
              args: argparse.Namespace) -> tuple[dict[str, Any], array.array[int]]:
    config = {
        "host": "127.0.0.1", "port": port, "templates": str(templates), "id_prefix": id_prefix,
        "id_start": id_start, "connections": args.connections, "warmup_s": args.warmup,
        "duration_s": args.duration, "acked_path": str(workdir / f"{name}.acked"),
    }
    config_path = workdir / f"{name}.json"
    config_path.write_text(json.dumps(config))
    timeout = args.warmup + args.duration + 60
    done = subprocess.run([sys.executable, str(HERE / "_load.py"), str(config_path)],
                          capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {name} load process failed:\n{done.stderr}")
    acked: array.array[int] = array.array("Q")
    acked.frombytes((workdir / f"{name}.acked").read_bytes())
    return json.loads(done.stdout), acked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=25.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds before each phase")
    parser.add_argument("--connections", type=int, default=64, help="concurrent keep-alive connections")
    parser.add_argument("--batch-size", type=int, default=50, help="events per request in the batch phase")
    parser.add_argument("--phases", default="noop,events,batch", help="which phases, in order")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (data, logs)")
    args = parser.parse_args(argv)
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]

    load_at_start = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="footfall-bench-ingest-"))
    port = free_port()
    payloads, agent_count = build_templates(args.seed)
    paths = {"noop": ("/api/noop", 1), "events": ("/api/event", 1), "batch": ("/api/event", args.batch_size)}
    for phase in phases:
        url_path, size = paths[phase]
        write_templates(workdir / f"{phase}.templates", url_path, port, payloads, size)
    # One run, one prefix; the last 12 hex digits of each id count the events sent.
    id_prefix = uuid_from_int(random.Random().getrandbits(128))[:24]
    progress(f"starting the server in {workdir}")
    server = Server(workdir, port)
    results: dict[str, dict[str, Any]] = {}
    acked: array.array[int] = array.array("Q")
    sampler = CpuSampler(server)
    sampler.start()
    try:
        for index, phase in enumerate(phases):
            progress(f"phase {phase}: {args.warmup:g} s warm-up, {args.duration:g} s measured")
            fsyncs, fsync_s = server.fsyncs()
            results[phase], ids = run_phase(workdir, phase, port, workdir / f"{phase}.templates", id_prefix,
                                            index << 40, args)
            fsyncs_now, fsync_s_now = server.fsyncs()
            fsyncs, fsync_s = fsyncs_now - fsyncs, fsync_s_now - fsync_s
            if fsyncs:
                results[phase].update(requests_per_fsync=round(results[phase]["sent"] / fsyncs, 1),
                                      fsync_mean_ms=round(fsync_s / fsyncs * 1000, 2))
            process_s, main_s, python_s = sampler.used(*results[phase].pop("window"))
            requests = max(1, results[phase]["requests"])
            # CPU per request does not depend on what else the machine runs, unlike requests/s.
            results[phase].update(server_cpu_percent=round(100 * process_s / args.duration),
                                  server_cpu_us_per_request=round(process_s / requests * 1e6),
                                  loop_thread_cpu_us_per_request=round(main_s / requests * 1e6),
                                  other_python_threads_cpu_us_per_request=round(python_s / requests * 1e6),
                                  clickhouse_threads_cpu_us_per_request=round(
                                      (process_s - main_s - python_s) / requests * 1e6))
            if phase != "noop":
                acked.extend(ids)
        memory = server.memory_mb()
        progress("waiting for the flusher to empty the spool")
        drained = server.wait_for_flush()
        stored_ids = [int(line, 16) for line in server.sql(
            f"SELECT substring(toString(event_id), 25, 12) AS n FROM events "
            f"WHERE startsWith(toString(event_id), '{id_prefix}')").split()[1:]]
        other_rows = int(server.sql(
            f"SELECT count() AS n FROM events WHERE NOT startsWith(toString(event_id), '{id_prefix}')").split()[1])
    finally:
        sampler.halt.set()
        exit_code = server.stop()
    unique = set(stored_ids)
    acked_set = set(acked)
    single = results.get("events", {})
    noop = results.get("noop", {})
    batch = results.get("batch", {})
    summary: dict[str, Any] = {
        "events_per_s": single.get("events_per_s"),
        "noop_req_per_s": noop.get("req_per_s"),
        "efficiency": round(single["events_per_s"] / noop["req_per_s"], 3) if single and noop else None,
        "p50_ms": single.get("p50_ms"),
        "p99_ms": single.get("p99_ms"),
        "rss_mb": memory["peak"],
        "acked": len(acked),
        "stored": len(stored_ids),
        "lost": len(acked_set - unique),
        "duplicates": len(stored_ids) - len(unique),
        "batch_events_per_s": batch.get("events_per_s"),
        "batch_size": args.batch_size,
    }
    summary["targets_met"] = {
        "events_per_s": (summary["events_per_s"] or 0) >= TARGETS["events_per_s"],
        "efficiency": (summary["efficiency"] or 0) >= TARGETS["efficiency"],
        "p99_ms": summary["p99_ms"] is not None and summary["p99_ms"] < TARGETS["p99_ms"],
        "rss_mb": summary["rss_mb"] < TARGETS["rss_mb"],
        "lost_and_duplicates": summary["lost"] == 0 and summary["duplicates"] == 0,
    }
    summary["detail"] = {
        "stored_not_acked": len(unique - acked_set),  # sent, answered with an error, stored anyway
        "acked_ids_repeated": len(acked) - len(acked_set),  # must be 0: the bench never resends
        "rows_from_elsewhere": other_rows,
        "rss_breakdown_mb": memory,
        "drained_before_stop": drained,
        "server_exit": exit_code,  # -15: uvicorn re-raises SIGTERM after a clean drain
        "connections": args.connections,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "user_agents": agent_count,
        "visitors": VISITORS,
        "cpus": os.cpu_count(),
        # Other work on the machine skews requests/s (the 1-minute load average; 2 cores here).
        "load_average": [load_at_start, os.getloadavg()[0]],
        "phases": results,
    }
    if args.keep:
        summary["detail"]["workdir"] = str(workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
