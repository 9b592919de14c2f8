"""Joint-space trajectory interpolation: quintic (minimum-jerk) point-to-point segments sampled at a rate.

Between q0 and q1 over T seconds, with τ = t / T ∈ [0, 1]:
    q(t) = q0 + (q1 − q0) · s(τ),   s(τ) = 10τ³ − 15τ⁴ + 6τ⁵,
so velocity and acceleration are zero at both ends; the peak speed is 1.875·|q1 − q0| / T (at τ = ½).
This turns the sparse waypoints of seed 004 §29.3.4 into the per-control-step targets of §29.3.5.
"""

from __future__ import annotations

import math

import numpy as np

QUINTIC_PEAK_SPEED_FACTOR = 1.875  # max of ds/dτ = 30τ²(1 − τ)² at τ = ½


def quintic_profile(tau: np.ndarray) -> np.ndarray:
    """s(τ) = 10τ³ − 15τ⁴ + 6τ⁵ for τ clipped to [0, 1]."""
    tau = np.clip(np.asarray(tau, dtype=float), 0.0, 1.0)
    return tau**3 * (10.0 - 15.0 * tau + 6.0 * tau**2)


def segment_duration(q_start: np.ndarray, q_goal: np.ndarray, max_speed_rad_s: float, min_duration_s: float) -> float:
    """Shortest duration (s) keeping every joint's peak quintic speed ≤ max_speed_rad_s, at least min_duration_s."""
    if max_speed_rad_s <= 0:
        raise ValueError(f"max_speed_rad_s must be > 0, got {max_speed_rad_s}")
    delta = np.max(np.abs(np.asarray(q_goal, float) - np.asarray(q_start, float)))
    return max(min_duration_s, QUINTIC_PEAK_SPEED_FACTOR * float(delta) / max_speed_rad_s)


def quintic_trajectory(q_start: np.ndarray, q_goal: np.ndarray, duration_s: float, rate_hz: float) -> np.ndarray:
    """Samples (N, dof) of the segment stretched to N = ceil(duration·rate) control periods, at
    t = 1/rate, 2/rate, …, N/rate; the start is excluded (row k is the target of control step k + 1) and the
    last row equals q_goal."""
    q_start, q_goal = np.asarray(q_start, dtype=float), np.asarray(q_goal, dtype=float)
    if q_start.shape != q_goal.shape or q_start.ndim != 1:
        raise ValueError(f"q_start {q_start.shape} and q_goal {q_goal.shape} must be 1-D of equal length")
    if not (np.all(np.isfinite(q_start)) and np.all(np.isfinite(q_goal))):
        raise ValueError("trajectory endpoints contain NaN/inf; pass finite joint angles")
    if not (duration_s > 0 and rate_hz > 0):
        raise ValueError(f"duration_s ({duration_s}) and rate_hz ({rate_hz}) must be > 0")
    num_samples = max(1, math.ceil(duration_s * rate_hz - 1e-9))
    tau = np.arange(1, num_samples + 1) / num_samples
    return q_start + np.outer(quintic_profile(tau), q_goal - q_start)
