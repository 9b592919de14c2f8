"""The shared summaries: latency samples → one JSON shape; successes → rate + Wilson 95 % interval."""

import json

import numpy as np
import pytest
from scipy.stats import binomtest

from visuomotor.statistics import latency_summary, meets_goal, success_summary, wilson_interval

LATENCY_KEYS = ["n", "mean_ms", "min_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms"]


def test_latency_summary_of_1_to_100_ms():
    summary = latency_summary(range(1, 101))
    assert list(summary) == LATENCY_KEYS
    # linear interpolation between order statistics: p = 1 + q·99 for samples 1..100
    assert summary == {
        "n": 100,
        "mean_ms": 50.5,
        "min_ms": 1.0,
        "p50_ms": 50.5,
        "p95_ms": 95.05,
        "p99_ms": 99.01,
        "max_ms": 100.0,
    }
    assert json.loads(json.dumps(summary)) == summary


def test_latency_summary_rounds_to_microseconds_and_matches_numpy():
    samples = np.random.default_rng(0).exponential(20.0, 257)
    summary = latency_summary(samples.tolist())
    assert summary["n"] == 257
    assert summary["p95_ms"] == round(float(np.percentile(samples, 95)), 3)
    assert summary["mean_ms"] == round(float(samples.mean()), 3)
    assert summary["min_ms"] <= summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"] <= summary["max_ms"]


def test_latency_summary_without_samples_has_the_same_keys_and_no_values():
    summary = latency_summary([])
    assert list(summary) == LATENCY_KEYS
    assert summary["n"] == 0 and all(summary[k] is None for k in LATENCY_KEYS[1:])


def test_meets_goal_reads_the_median_unless_told():
    summary = latency_summary([1.0, 2.0, 10.0])
    assert meets_goal(summary, 2.0) and not meets_goal(summary, 2.0, "p95_ms") and meets_goal(summary, 10.0, "max_ms")
    assert not meets_goal(latency_summary([]), 1e9)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_latency_summary_refuses_non_finite_samples(bad):
    with pytest.raises(ValueError, match="NaN or infinite"):
        latency_summary([1.0, bad])


def test_wilson_17_of_20():
    lo, hi = wilson_interval(17, 20)
    assert (round(lo, 3), round(hi, 3)) == (0.640, 0.948)


@pytest.mark.parametrize(("k", "n"), [(0, 1), (0, 10), (3, 10), (10, 10), (50, 100), (1, 1000)])
def test_wilson_matches_scipy(k, n):
    reference = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    np.testing.assert_allclose(wilson_interval(k, n), (reference.low, reference.high), atol=1e-12)


@pytest.mark.parametrize(("k", "n"), [(0, 0), (-1, 5), (6, 5)])
def test_wilson_refuses_impossible_counts(k, n):
    with pytest.raises(ValueError, match="successes ≤ trials"):
        wilson_interval(k, n)


def test_success_summary():
    assert success_summary(17, 20) == {
        "episodes": 20,
        "successes": 17,
        "success_rate": 0.85,
        "success_wilson_95": [0.64, 0.948],
    }
    assert success_summary(0, 0) == {"episodes": 0, "successes": 0, "success_rate": None, "success_wilson_95": None}
    with pytest.raises(ValueError):
        success_summary(1, 0)
