"""No input makes the collector answer 5xx, and every event ends stored or counted as dropped.

Hypothesis sends generated requests to the real app (lifespan, spool, group commit, flusher)
over a real store. Each answer is checked against the app's own counters; at the end, once the
flusher has drained, the store holds exactly the events that were acknowledged as new.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from collector.pipeline import DropReason
from collector.request import BY_KEY, FIELDS, MAX_BATCH, MAX_BODY_BYTES
from footfall.server import create_app
from footfall.settings import Settings
from pipelines.sites import Site, save_site
from pipelines.store.base import Store
from pipelines.tokens import create_token

pytestmark = pytest.mark.slow

# 10,000 generated examples in all (5,200 + 3,500 + 1,000 + 300 pairs), sized so the file runs
# in about 80 s on two busy cores. FUZZ_SCALE=10 runs ten times as many.
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
REASONS = [reason.value for reason in DropReason]
STATUS_FOR = {
    "too_large": {413}, "malformed_json": {400}, "bad_batch": {400}, "not_an_object": {400},
    "bad_field": {400}, "missing_url": {400}, "bad_url": {400}, "rate_limited": {429}, "bad_token": {401, 403},
}

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
BROWSERS = [
    CHROME,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
]
ODD_AGENTS = ["", " ", "Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0", "Mozilla/5.0",
              "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0 Safari/537.36", "()" * 400, "\t\t"]


# -- strategies -------------------------------------------------------------------------------

# Text with what breaks naive code: emoji, right-to-left marks and scripts, NUL, combining marks.
ODD_TEXT = st.sampled_from(["🎉", "\u202e", "مرحبا", "שלום", "\x00", "e\u0301", "\ufeff", "𝔘𝔫𝔦", "\u2028", "%00",
                            "%ZZ", "\\", '"', "'", "<script>", "../", "\r\n"])
TEXT = st.one_of(st.text(max_size=20), st.lists(ODD_TEXT, max_size=4).map("".join))
LONG_TEXT = st.builds(lambda piece, n: piece * n, st.sampled_from(["a", "é", "🎉", "\x00"]),
                      st.integers(0, 3000))
NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70), st.sampled_from([0, -1, 2**31, 2**32, 2**63 - 1, 2**64 - 1, 2**64, -(2**63)]),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([1e308, -1e308, 5e-324, 0.5, -0.0]),
)
JSON = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=5,
)

HOSTS = st.sampled_from(["fuzz.test", "www.fuzz.test", "FUZZ.TEST", "fuzz.test.", "quiet.test",  # registered
                         "sub.fuzz.test", "other.test", "localhost", "127.0.0.1", "[::1]", "xn--fuzz-9ta.test"])
PATHS = st.one_of(st.just("/"), st.builds("/{}".format, TEXT),
                  st.sampled_from(["/a/b/c", "/%F0%9F%8E%89", "/#/hash", "/ü", "/" + "p" * 2500]))
QUERIES = st.one_of(st.just(""), st.sampled_from(["?utm_source=news&utm_medium=email", "?q=%ZZ&&=&a=b",
                                                  "?utm_campaign=" + "c" * 500, "?gclid=1"]),
                    st.builds("?{}".format, TEXT))
GOOD_URLS = st.builds(lambda scheme, host, port, path, query: f"{scheme}://{host}{port}{path}{query}",
                      st.sampled_from(["https", "http", "HTTPS"]), HOSTS,
                      st.sampled_from(["", "", ":8080", ":99999", ":x"]), PATHS, QUERIES)
BAD_URLS = st.one_of(TEXT, st.sampled_from([
    "javascript:alert(1)", "ftp://fuzz.test/", "https://", "https:///path", "http://[::1", "http://[zz]/",
    "//fuzz.test/", "fuzz.test/page", "https://fuzz.test\u2100/", "data:text/html,hi", "https://user:pw@fuzz.test/",
]))
URLS = st.one_of(GOOD_URLS, GOOD_URLS, GOOD_URLS, BAD_URLS)

GOOD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "str": TEXT,
    "int": st.integers(-10, 5_000_000_000) | st.sampled_from([0, 65535, 65536, 2**64 - 1]),
    "float": st.floats(-2, 2, allow_nan=False) | st.sampled_from([0, 1, 1e300]),
    "bool": st.booleans() | st.sampled_from([0, 1, 7]),
    "time": st.integers(-(2**63), 2**64 - 1) | st.floats(-1e300, 1e300, allow_nan=False)
    | st.builds(lambda offset: int(time.time() * 1000) + offset, st.integers(-(10**11), 10**11)),
    # Past the limits: more than 30 keys, values over 500 characters.
    "props": st.dictionaries(TEXT, st.booleans() | NUMBERS | TEXT | LONG_TEXT, max_size=3)
    | st.builds(lambda n: {f"k{i}": "v" * 600 for i in range(n)}, st.integers(25, 40)),
}
NAMES = st.one_of(st.sampled_from(["pageview", "engagement", "click", "Signup", " pageview ", "", "   "]), TEXT)
UNKNOWN_KEYS = TEXT.filter(lambda key: key not in BY_KEY)
# A fresh id every time, even when Hypothesis replays a choice: these tests send no duplicates.
FRESH_IDS = st.builds(lambda: str(uuid.uuid4()))
WRONG_VALUES = st.one_of(JSON, LONG_TEXT, st.dictionaries(TEXT, JSON, max_size=3))


@st.composite
def known_field(draw: st.DrawFn, good: bool) -> tuple[str, Any]:
    """A real key (short or long) with a value that is right (then maybe clamped) or, unless
    `good`, perhaps of the wrong type."""
    spec = draw(st.sampled_from(FIELDS))
    key = draw(st.sampled_from([spec.short, spec.long]))
    if spec.long == "name":
        right = NAMES.filter(str.strip) if good else NAMES
    elif spec.long == "url":
        right = GOOD_URLS if good else URLS
    elif spec.long == "id":
        right = FRESH_IDS | TEXT
    else:
        right = GOOD_VALUES[spec.kind]
    return key, draw(right if good else st.one_of(right, right, WRONG_VALUES))


@st.composite
def good_event(draw: st.DrawFn) -> dict[str, Any]:
    """Every value of the right type (strings and numbers may still be out of range)."""
    fields = dict(draw(st.lists(known_field(good=True), max_size=5)))
    if draw(st.booleans()):
        fields[draw(UNKNOWN_KEYS)] = draw(JSON)  # ignored
    fields = {key: value for key, value in fields.items() if key not in ("u", "url")}
    fields["u" if draw(st.booleans()) else "url"] = draw(GOOD_URLS)
    return fields


@st.composite
def wild_event(draw: st.DrawFn) -> Any:
    shape = draw(st.sampled_from(["mixed"] * 4 + ["junk", "not an object"]))
    if shape == "not an object":
        return draw(JSON)
    fields = dict(draw(st.lists(known_field(good=False), max_size=8)))
    fields.update(draw(st.dictionaries(TEXT, JSON, max_size=6 if shape == "junk" else 2)))
    return fields


def event() -> st.SearchStrategy[Any]:
    return st.one_of(good_event(), good_event(), wild_event())


def deep(depth: int) -> bytes:
    return b'{"u": "https://fuzz.test/", "p": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"


RAW_BODIES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"", b"null", b"[]", b"{}", b"1", b'"x"', b"[[]]", b"\x00", b"\xff\xfe{", b"[" * 5000,
                     b'{"u": "https://fuzz.test/\\ud800"}', b'{"u": "https://fuzz.test/", "u": 5}',
                     b'{"u": "https://fuzz.test/", "w": NaN}', b'{"u": "https://fuzz.test/", "w": 1e400}',
                     b"\xef\xbb\xbf{}", b'{"u": "https://fuzz.test/"} trailing']),
    st.integers(1, 1500).map(deep),
    st.builds(lambda n: b"[" + b",".join([b'{"u":"https://fuzz.test/big"}'] * n) + b"]", st.integers(90, 2500)),
)


@st.composite
def batch(draw: st.DrawFn, events: st.SearchStrategy[Any]) -> list[Any]:
    """0 to 150 events. Big batches repeat a few generated events (with fresh ids), which keeps
    generation fast; small ones are all distinct."""
    distinct = draw(st.lists(events, min_size=1, max_size=4))
    size = draw(st.one_of(st.integers(1, len(distinct)), st.integers(1, MAX_BATCH), st.integers(0, MAX_BATCH + 50),
                          st.sampled_from([0, MAX_BATCH, MAX_BATCH + 1])))
    if size <= len(distinct):
        return distinct[:size]
    copies = [distinct[n % len(distinct)] for n in range(size)]
    return [{**copy, "i": str(uuid.uuid4())} if isinstance(copy, dict) else copy for copy in copies]


@dataclass
class Request:
    body: bytes  # as sent (compressed when the headers say gzip)
    headers: dict[str, str]

    def events(self) -> int:
        """How many events an accepted body holds (inflated as the collector inflates it)."""
        plain = self.body
        if self.headers.get("content-encoding", "").lower() == "gzip":
            plain = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(plain, MAX_BODY_BYTES + 1)
        payload = orjson.loads(plain)
        return len(payload) if isinstance(payload, list) else 1


@st.composite
def request(draw: st.DrawFn, token: str) -> Request:
    kind = draw(st.sampled_from(["one"] * 4 + ["good batch"] * 4 + ["batch", "raw", "padded"]))
    if kind == "raw":
        body = draw(RAW_BODIES)
    else:
        if kind in ("good batch", "batch"):
            payload: Any = draw(batch(good_event() if kind == "good batch" else event()))
        else:
            payload = draw(event())
        if kind == "padded" and isinstance(payload, dict):
            payload["pad"] = "x" * draw(st.integers(30_000, 120_000))
        body = json.dumps(payload, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    headers = {"content-type": draw(st.sampled_from(["text/plain", "application/json", "text/plain;charset=UTF-8",
                                                     "application/x-www-form-urlencoded", "image/png"]))}
    encoding = draw(st.sampled_from(["none"] * 6 + ["gzip", "GZIP", "gzip-corrupt", "gzip-truncated", "br"]))
    # Where to break a gzip body is drawn before compressing: fresh ids make its length vary.
    where, flip = draw(st.integers(0, 2**16)), draw(st.integers(1, 255))
    if encoding in ("gzip", "GZIP"):
        body = gzip.compress(body, compresslevel=draw(st.integers(1, 9)), mtime=0)
    elif encoding == "gzip-corrupt":
        compressed = bytearray(gzip.compress(body, mtime=0))
        compressed[where % len(compressed)] ^= flip
        body = bytes(compressed)
    elif encoding == "gzip-truncated":
        compressed = gzip.compress(body, mtime=0)
        body = compressed[: where % len(compressed)]
    if encoding != "none":
        headers["content-encoding"] = encoding.split("-")[0]
    agent = draw(st.sampled_from(["browser"] * 6 + ["odd", "none", "text"]))
    if agent == "browser":
        headers["user-agent"] = draw(st.sampled_from(BROWSERS))
    elif agent == "odd":
        headers["user-agent"] = draw(st.sampled_from(ODD_AGENTS))
    elif agent == "text":
        headers["user-agent"] = draw(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=200))
    for name in ("dnt", "sec-gpc"):
        value = draw(st.sampled_from([None] * 4 + ["1", "0", "yes", ""]))
        if value is not None:
            headers[name] = value
    auth = draw(st.sampled_from([None] * 10 + ["token", "token", "Bearer ff_nope", "Bearer ", "Basic Zm9vOmJhcg==",
                                               "bearer x", "Bearer " + "ff_" + "a" * 300]))
    if auth == "token":
        headers["authorization"] = f"Bearer {token}"
    elif auth is not None:
        headers["authorization"] = auth
    return Request(body, headers)


# -- the app and its bookkeeping ----------------------------------------------------------------


@dataclass
class Fuzzer:
    client: TestClient
    store: Store
    token: str
    data_dir: Path
    sent: int = 0
    acknowledged: int = 0  # sum of "accepted" over every 202 (duplicates included)
    statuses: dict[int, int] = field(default_factory=dict)

    def counters(self) -> dict[str, float]:
        """The app's accepted and dropped counters, read in process (cheaper than GET /metrics)."""
        metrics = self.client.app.state.collector.metrics  # type: ignore[attr-defined]
        found = dict.fromkeys(REASONS, 0.0)
        for sample in metrics.dropped.collect()[0].samples:
            if sample.name == "footfall_dropped_total":
                found[sample.labels["reason"]] = sample.value
        found["accepted"] = metrics.accepted.collect()[0].samples[0].value
        return found

    def send(self, request: Request) -> dict[str, Any]:
        """Send one request and check the answer against the app's counters; return the answer."""
        before = self.counters()
        response = self.client.post("/api/event", content=request.body, headers=request.headers)
        after = self.counters()
        rose = {name: after[name] - before[name] for name in after if after[name] != before[name]}
        self.sent += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (response.status_code, response.text, request)
        answer = response.json()
        if response.status_code == 202:
            events = request.events()
            assert answer["accepted"] + answer["dropped"] == events, (answer, request)
            duplicates = rose.get("duplicate", 0)
            assert rose.get("accepted", 0) == answer["accepted"] - duplicates, (answer, rose, request)
            assert sum(v for k, v in rose.items() if k != "accepted") == answer["dropped"], (answer, rose, request)
            self.acknowledged += answer["accepted"]
        else:
            reason = answer["reason"]
            assert response.status_code in STATUS_FOR[reason], (response.status_code, answer, request)
            assert answer["error"]
            assert rose.get(reason, 0) >= 1 and set(rose) == {reason}, (answer, rose, request)
        return dict(answer)

    def stored(self) -> int:
        return int(self.store.scalar("SELECT count() FROM events"))

    def check_everything_stored(self) -> None:
        """Once the flusher drains, the store holds each acknowledged new event exactly once."""
        # Retried events are acknowledged again but stored once (and counted as duplicates).
        expected = self.acknowledged - int(self.counters()["duplicate"])
        deadline = time.monotonic() + 60
        while self.stored() < expected and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)  # nothing more may arrive
        assert self.stored() == expected
        assert self.store.scalar("SELECT uniqExact(event_id) FROM events") == expected
        metrics = self.client.get("/metrics").text
        assert metric(metrics, "footfall_accepted_total") == expected
        assert metric(metrics, "footfall_rejected_rows_total") == 0
        assert not (self.data_dir / "spool" / "rejected").exists()
        assert self.store.scalar("SELECT countIf(site_id NOT IN ('fuzz.test', 'quiet.test')) FROM events") == 0


def metric(text: str, name: str) -> float:
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} is not in /metrics"
    return float(match.group(1))


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """On tmpfs when there is one: these tests are about answers and bookkeeping, and an fsync
    per request on a busy disk would make them slow (durability has its own tests)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path / "data"
        return
    with tempfile.TemporaryDirectory(prefix="footfall-fuzz-", dir=shm) as directory:
        yield Path(directory)


@pytest.fixture
def fuzzer(store: Store, data_dir: Path) -> Iterator[Fuzzer]:
    save_site(store, Site("fuzz.test"))
    save_site(store, Site("quiet.test", cookieless=True, respect_dnt=True, ip_storage="truncated"))
    token = create_token(store, "fuzz.test", "events:write")
    settings = Settings.from_env({
        "FOOTFALL_DATA_DIR": str(data_dir), "FOOTFALL_SECRET_KEY": "fuzz-" + uuid.uuid4().hex * 2,
        "FOOTFALL_RATE_LIMIT": "0", "FOOTFALL_FLUSH_INTERVAL_MS": "200", "FOOTFALL_LOG_LEVEL": "warning",
    }, env_file=None)
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as client:
        yield Fuzzer(client, store, token, data_dir)


def fuzz(fuzzer: Fuzzer, strategy: st.SearchStrategy[Request], examples: int) -> None:
    @settings(max_examples=int(examples * SCALE), deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(strategy)
    def send(request: Request) -> None:
        fuzzer.send(request)

    send()
    fuzzer.check_everything_stored()


def test_generated_requests_never_get_a_5xx_and_every_event_is_accounted_for(fuzzer: Fuzzer) -> None:
    fuzz(fuzzer, request(fuzzer.token), 5200)
    assert fuzzer.sent >= 5200 * SCALE
    assert fuzzer.statuses[202] > fuzzer.sent // 3, (fuzzer.statuses, fuzzer.counters())  # a good share is stored
    assert {202, 400}.issubset(fuzzer.statuses), fuzzer.statuses


def test_generated_single_events_are_stored_or_counted(fuzzer: Fuzzer) -> None:
    one = st.builds(lambda payload, agent: Request(json.dumps(payload).encode(), {"user-agent": agent}),
                    event(), st.sampled_from(BROWSERS))
    fuzz(fuzzer, one, 3500)
    assert fuzzer.sent >= 3500 * SCALE


def test_server_side_events_with_a_token_are_stored_or_counted(fuzzer: Fuzzer) -> None:
    trusted = st.builds(
        lambda events, ip, agent: [{**e, "ip": ip, "ua": agent} if isinstance(e, dict) else e for e in events],
        st.lists(event(), min_size=1, max_size=8),
        st.one_of(TEXT, st.sampled_from(["81.2.69.160", "2001:db8::1", "[2001:db8::1]:443", "1.2.3.4:80",
                                         "::ffff:10.0.0.1", "999.1.1.1", ""])),
        st.one_of(st.sampled_from(BROWSERS + ODD_AGENTS), TEXT),
    ).map(lambda events: Request(json.dumps(events).encode(),
                                 {"authorization": f"Bearer {fuzzer.token}", "user-agent": "relay/1.0"}))
    fuzz(fuzzer, trusted, 1000)
    assert fuzzer.sent >= 1000 * SCALE


def test_a_retry_is_acknowledged_like_the_first_try(fuzzer: Fuzzer) -> None:
    """A client that lost the first answer sends the same events (same ids) again: it must get
    the same answer, and the events are stored once."""
    body = json.dumps([{"u": "https://fuzz.test/retry", "i": str(uuid.uuid4())},
                       {"u": "https://unknown.test/", "i": str(uuid.uuid4())}]).encode()
    first = fuzzer.client.post("/api/event", content=body, headers={"user-agent": CHROME}).json()
    again = fuzzer.client.post("/api/event", content=body, headers={"user-agent": CHROME}).json()
    assert first == {"accepted": 1, "dropped": 1}
    assert again == first  # the retried event is acknowledged, not reported as dropped
    assert fuzzer.counters()["duplicate"] == 1


def test_generated_retries_are_acknowledged_again_and_stored_once(fuzzer: Fuzzer) -> None:
    """Deliberate duplicates: each generated batch is sent twice, with the same event ids."""
    batches = st.lists(st.builds(lambda url: {"u": url, "i": str(uuid.uuid4())}, GOOD_URLS), min_size=1, max_size=30)

    @settings(max_examples=int(300 * SCALE), deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(batches, st.sampled_from(BROWSERS))
    def send_twice(events: list[dict[str, str]], agent: str) -> None:
        request = Request(json.dumps(events).encode(), {"user-agent": agent})
        first = fuzzer.send(request)
        before = fuzzer.counters()
        again = fuzzer.client.post("/api/event", content=request.body, headers=request.headers)
        after = fuzzer.counters()
        assert again.status_code == 202 and again.json() == first
        assert after["accepted"] == before["accepted"]
        assert after["duplicate"] - before["duplicate"] == first["accepted"]
        fuzzer.sent += 1
        fuzzer.acknowledged += first["accepted"]

    send_twice()
    fuzzer.check_everything_stored()
    assert fuzzer.counters()["duplicate"] > 0
