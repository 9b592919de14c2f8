"""Constant-velocity Kalman filter: predict and update against hand-computed values."""

import numpy as np

from visuomotor.tracking import kalman


def test_predict_moves_by_velocity_and_grows_covariance():
    x = np.array([[1.0, 2.0, 3.0, 0.5, -1.0, 0.0]])
    P = np.eye(6)[None] * 0.01
    x1, P1 = kalman.predict(x, P, dt=0.1, accel_sigma=2.0)
    np.testing.assert_allclose(x1[0], [1.05, 1.9, 3.0, 0.5, -1.0, 0.0])
    # Position variance: P_pp + dt² P_vv + σ²dt⁴/4 = 0.01 + 0.0001 + 4·0.0001/4
    np.testing.assert_allclose(P1[0, 0, 0], 0.01 + 0.01 * 0.01 + 4 * 1e-4 / 4)
    np.testing.assert_allclose(P1[0, 0, 3], 0.1 * 0.01 + 4 * 1e-3 / 2)  # dt P_vv + σ² dt³/2
    np.testing.assert_allclose(P1[0, 3, 3], 0.01 + 4 * 0.01)
    np.testing.assert_allclose(P1[0], P1[0].T)


def test_update_matches_the_scalar_formula():
    x = np.zeros((1, 6))
    P = np.eye(6)[None] * 4.0
    z = np.array([[1.0, 2.0, -1.0]])
    R = np.eye(3)[None] * 1.0
    x1, P1 = kalman.update(x, P, z, R)
    gain = 4.0 / (4.0 + 1.0)  # K = P/(P + R) per axis
    np.testing.assert_allclose(x1[0, :3], gain * z[0])
    np.testing.assert_allclose(np.diag(P1[0])[:3], (1 - gain) * 4.0)
    np.testing.assert_allclose(x1[0, 3:], 0.0)  # no position-velocity correlation yet


def test_filter_learns_a_constant_velocity():
    velocity = np.array([0.2, -0.1, 0.0])
    x, P = kalman.initial_state(np.zeros(3), np.eye(3) * 1e-6, velocity_sigma=0.5)
    x, P = x[None], P[None]
    for step in range(1, 30):
        x, P = kalman.predict(x, P, 0.05, accel_sigma=0.5)
        x, P = kalman.update(x, P, (velocity * 0.05 * step)[None], np.eye(3)[None] * 1e-6)
    np.testing.assert_allclose(x[0, 3:], velocity, atol=1e-3)
    assert np.all(np.linalg.eigvalsh(P[0]) > 0)
