"""Quintic joint-space interpolation."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.control.trajectory import quintic_profile, quintic_trajectory, segment_duration


def test_quintic_profile_boundary_conditions():
    np.testing.assert_allclose(quintic_profile(np.array([0.0, 0.5, 1.0])), [0.0, 0.5, 1.0])
    h = 1e-6  # s'(0) = s'(1) = 0 and s''(0) = s''(1) = 0
    for tau in (0.0, 1.0):
        lo, hi = np.clip(tau - h, 0, 1), np.clip(tau + h, 0, 1)
        assert abs(quintic_profile(hi) - quintic_profile(lo)) / (hi - lo) < 1e-5


def test_trajectory_samples_rate_endpoints_and_monotonic_progress():
    q0, q1 = np.zeros(6), np.linspace(-1.0, 1.0, 6)
    samples = quintic_trajectory(q0, q1, duration_s=1.0, rate_hz=50.0)
    assert samples.shape == (50, 6)
    np.testing.assert_allclose(samples[-1], q1)
    progress = samples[:, -1] / q1[-1]
    assert np.all(np.diff(progress) > 0)
    np.testing.assert_allclose(samples[24], 0.5 * q1, atol=1e-12)  # t = 0.5 s is the midpoint


def test_segment_duration_bounds_peak_joint_speed():
    q0, q1 = np.zeros(6), np.array([0.0, 1.5, 0, 0, -0.3, 0])
    duration = segment_duration(q0, q1, max_speed_rad_s=1.0, min_duration_s=0.1)
    np.testing.assert_allclose(duration, 1.875 * 1.5)
    samples = quintic_trajectory(q0, q1, duration, rate_hz=500.0)
    speeds = np.abs(np.diff(np.vstack([q0, samples]), axis=0)) * 500.0
    assert speeds.max() <= 1.0 + 1e-3
    assert speeds.max() > 0.99
    assert segment_duration(q0, q0, 1.0, min_duration_s=0.4) == 0.4


def test_trajectory_rejects_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        quintic_trajectory(np.zeros(6), np.full(6, np.nan), 1.0, 50.0)
    with pytest.raises(ValueError, match="must be > 0"):
        quintic_trajectory(np.zeros(6), np.ones(6), 0.0, 50.0)
    with pytest.raises(ValueError, match="equal length"):
        quintic_trajectory(np.zeros(6), np.ones(5), 1.0, 50.0)
