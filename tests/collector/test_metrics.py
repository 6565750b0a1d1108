"""The ingest path's own histogram is exposed exactly as prometheus_client's Histogram."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from collector.metrics import _STEP_BUCKETS, LoopHistogram

VALUES = [0.0, 1e-6, 3e-6, 1e-5, 2.5e-4, 0.05, 0.07, 3.0]


def exposition(registry: CollectorRegistry) -> list[str]:
    return [line for line in generate_latest(registry).decode().splitlines()
            if line.startswith("footfall_") and "_created" not in line]


@pytest.mark.parametrize("labels", [(), ("step",)])
def test_the_same_observations_give_the_same_text(labels: tuple[str, ...]) -> None:
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    fast = LoopHistogram("footfall_x_seconds", "x", labels, buckets=_STEP_BUCKETS, registry=ours)
    reference = Histogram("footfall_x_seconds", "x", labels, buckets=_STEP_BUCKETS, registry=theirs)
    for value in VALUES:
        if labels:
            fast.labels("put_page").observe(value)
            reference.labels("put_page").observe(value)
            fast.labels("gate_site").observe(value / 2)
            reference.labels("gate_site").observe(value / 2)
        else:
            fast.observe(value)
            reference.observe(value)
    assert exposition(ours) == exposition(theirs)


def test_an_unlabelled_histogram_shows_zeros_before_the_first_observation() -> None:
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    LoopHistogram("footfall_y_seconds", "y", registry=ours)
    Histogram("footfall_y_seconds", "y", registry=theirs)
    assert exposition(ours) == exposition(theirs)


def test_labels_must_match() -> None:
    with pytest.raises(ValueError):
        LoopHistogram("footfall_z_seconds", "z", ["step"]).labels()
