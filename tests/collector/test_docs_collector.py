"""docs/tracking-api.md names every key, every drop reason and every metric the collector has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from prometheus_client.metrics import MetricWrapperBase

from collector.metrics import LoopHistogram, Metrics
from collector.pipeline import DropReason
from collector.request import FIELDS, MAX_BATCH, MAX_BODY_BYTES, Field
from collector.steps import STEPS

DOC = Path(__file__).resolve().parents[2] / "docs" / "tracking-api.md"
TEXT = DOC.read_text()
KEYS_SECTION = TEXT.split("\n### Keys\n", 1)[-1].split("\n### ", 1)[0]
KEYS_TABLE = re.compile(r"^\| `(\w+)` \| `(\w+)` \|", re.MULTILINE)


def exposed_metrics() -> list[tuple[str, tuple[str, ...]]]:
    """Each metric of collector/metrics.py as /metrics shows it (counters with `_total`), with its labels."""
    found = []
    for value in vars(Metrics()).values():
        if isinstance(value, MetricWrapperBase | LoopHistogram):
            [family] = value.describe()
            name = family.name + ("_total" if family.type == "counter" else "")
            found.append((name, tuple(value._labelnames)))
    return found


@pytest.mark.parametrize("reason", [reason.value for reason in DropReason])
def test_every_drop_reason_is_documented(reason: str) -> None:
    assert f"`{reason}`" in TEXT, f"docs/tracking-api.md: say when an event is dropped as {reason!r}"


@pytest.mark.parametrize(("name", "labels"), exposed_metrics())
def test_every_metric_and_label_is_documented(name: str, labels: tuple[str, ...]) -> None:
    rows = [line for line in TEXT.splitlines() if line.startswith(f"| `{name}` |")]
    assert rows, f"docs/tracking-api.md: add {name} to the table of metrics"
    for label in labels:
        assert f"`{label}`" in rows[0], f"docs/tracking-api.md: name the label {label!r} of {name}"


def test_the_metrics_list_is_complete() -> None:
    assert len(exposed_metrics()) >= 9
    documented = {name for name in re.findall(r"^\| `(footfall_\w+)` \|", TEXT, re.MULTILINE)}
    assert documented == {name for name, _ in exposed_metrics()}, "a documented metric does not exist"


def test_every_step_is_named_as_a_label_value() -> None:
    for step in STEPS:
        assert f"`{step.__name__}`" in TEXT, f"docs/tracking-api.md: list the step {step.__name__}"


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.long)
def test_every_key_is_documented_short_and_long(field: Field) -> None:
    rows = dict(KEYS_TABLE.findall(KEYS_SECTION))
    short, long = field.short, field.long
    assert short in rows, f"docs/tracking-api.md: add the key `{short}` ({long}) to the table of keys"
    assert rows[short] == long, f"docs/tracking-api.md: `{short}` is short for `{long}`, not `{rows[short]}`"


def test_the_keys_table_has_no_key_the_collector_does_not_read() -> None:
    assert set(dict(KEYS_TABLE.findall(KEYS_SECTION))) == {field.short for field in FIELDS}


def test_limits_in_the_docs_match_the_code() -> None:
    assert f"1 to {MAX_BATCH} events" in TEXT
    assert f"{MAX_BODY_BYTES // 1024} KiB" in TEXT and f"{MAX_BODY_BYTES:,} bytes" in TEXT


@pytest.mark.parametrize("word", ["Retry-After", "insert_deduplication_token", "ReplacingMergeTree", "FINAL",
                                  "spool/rejected/", "FOOTFALL_DRAIN_SECONDS", "events:write", "304", "ETag"])
def test_the_promises_are_explained(word: str) -> None:
    assert word in TEXT
