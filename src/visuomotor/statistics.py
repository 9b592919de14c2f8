"""The two summaries every eval and bench JSON shares: latency samples → one shape, successes → a rate with its
Wilson 95 % interval. Base layer, so the benchmarks of every package (detection, policy, eval, commands) use it.

Latency shape (all values in milliseconds, 3 decimals; every value None when there is no sample):
    {"n": count, "mean_ms", "min_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms"}
Percentiles interpolate linearly between order statistics (NumPy's default, "linear" = Hyndman & Fan type 7).

Success shape: {"episodes": n, "successes": k, "success_rate": k/n, "success_wilson_95": [lo, hi]} (3 decimals).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal, TypedDict

import numpy as np

Z_95 = 1.959963984540054  # two-sided 95 % standard-normal quantile, Φ⁻¹(0.975)
DECIMALS = 3
Statistic = Literal["mean_ms", "min_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms"]


class LatencySummary(TypedDict):
    """Count, mean, min, p50, p95, p99, max of latency samples (ms); the statistics are None when n == 0."""

    n: int
    mean_ms: float | None
    min_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None


class SuccessSummary(TypedDict):
    """Episodes, successes, their rate and its Wilson 95 % interval [lo, hi] (None without episodes)."""

    episodes: int
    successes: int
    success_rate: float | None
    success_wilson_95: list[float] | None


def latency_summary(samples_ms: Iterable[float]) -> LatencySummary:
    """The latency shape of the module docstring over samples in ms (any iterable of finite numbers).

    Raises ValueError for a NaN or infinite sample: a missing measurement is left out, never summarised."""
    samples = np.asarray(list(samples_ms), dtype=np.float64).ravel()
    if not samples.size:
        return LatencySummary(n=0, mean_ms=None, min_ms=None, p50_ms=None, p95_ms=None, p99_ms=None, max_ms=None)
    if not np.all(np.isfinite(samples)):
        raise ValueError(f"{int(np.sum(~np.isfinite(samples)))} latency samples are NaN or infinite; leave them out")
    p50, p95, p99 = np.percentile(samples, [50, 95, 99])
    return LatencySummary(
        n=int(samples.size),
        mean_ms=_rounded(samples.mean()),
        min_ms=_rounded(samples.min()),
        p50_ms=_rounded(p50),
        p95_ms=_rounded(p95),
        p99_ms=_rounded(p99),
        max_ms=_rounded(samples.max()),
    )


def meets_goal(summary: LatencySummary, goal_ms: float, statistic: Statistic = "p50_ms") -> bool:
    """Whether `statistic` of a latency summary (the median by default) is ≤ goal_ms; False without samples."""
    value = summary[statistic]
    return value is not None and value <= goal_ms


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion p̂ = k/n (Wilson 1927):

        centre = (p̂ + z²/2n) / (1 + z²/n),  half-width = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²),

    (lo, hi) = centre ∓ half-width, inside [0, 1] also at k = 0 and k = n (where the normal interval
    collapses to a point). z = 1.96 gives the 95 % interval, e.g. 17/20 → (0.640, 0.948).
    Raises ValueError unless 0 ≤ k ≤ n and n ≥ 1 (no trials carry no rate)."""
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError(f"wilson_interval needs 0 ≤ successes ≤ trials and trials ≥ 1, got {successes}/{trials}")
    p = successes / trials
    shrink = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / shrink
    half_width = z / shrink * math.sqrt(p * (1.0 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half_width), min(1.0, centre + half_width)


def success_summary(successes: int, episodes: int) -> SuccessSummary:
    """The success shape of the module docstring; rate and interval are None when there are no episodes.
    Raises ValueError unless 0 ≤ successes ≤ episodes."""
    if episodes == 0 and successes == 0:
        return SuccessSummary(episodes=0, successes=0, success_rate=None, success_wilson_95=None)
    lo, hi = wilson_interval(successes, episodes)
    return SuccessSummary(
        episodes=episodes,
        successes=successes,
        success_rate=round(successes / episodes, DECIMALS),
        success_wilson_95=[round(lo, DECIMALS), round(hi, DECIMALS)],
    )


def _rounded(value: float | np.floating) -> float:
    return round(float(value), DECIMALS)
