"""Constant-velocity Kalman filter in 3D, batched over tracks.

State x = [x, y, z, vx, vy, vz] (m, m/s) in base_link; covariance P (6×6). Measurement z = position
(3,) m with covariance R (3×3) m², H = [I₃ 0]. Process noise: white acceleration of standard deviation
σ_a per axis, discretised over dt: Q = σ_a² [[dt⁴/4, dt³/2], [dt³/2, dt²]] ⊗ I₃.
"""

from __future__ import annotations

import numpy as np


def initial_state(
    position: np.ndarray, position_cov: np.ndarray, velocity_sigma: float
) -> tuple[np.ndarray, np.ndarray]:
    """x = [position, 0], P = blockdiag(position_cov, velocity_sigma² I₃) for one track."""
    x = np.concatenate([np.asarray(position, dtype=float), np.zeros(3)])
    P = np.zeros((6, 6))
    P[:3, :3] = position_cov
    P[3:, 3:] = np.eye(3) * velocity_sigma**2
    return x, P


def predict(x: np.ndarray, P: np.ndarray, dt: float, accel_sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """x (N, 6), P (N, 6, 6) → x' = F x, P' = F P Fᵀ + Q with F = [[I, dt I], [0, I]] (dt ≥ 0 s)."""
    F = np.eye(6)
    F[:3, 3:] = np.eye(3) * dt
    Q = np.zeros((6, 6))
    Q[:3, :3] = np.eye(3) * (accel_sigma**2 * dt**4 / 4)
    Q[:3, 3:] = Q[3:, :3] = np.eye(3) * (accel_sigma**2 * dt**3 / 2)
    Q[3:, 3:] = np.eye(3) * (accel_sigma**2 * dt**2)
    return x @ F.T, F @ P @ F.T + Q


def update(x: np.ndarray, P: np.ndarray, z: np.ndarray, R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Measurement update of N tracks: x (N, 6), P (N, 6, 6), z (N, 3) m, R (N, 3, 3) m².

    S = H P Hᵀ + R, K = P Hᵀ S⁻¹, x' = x + K (z − H x), P' = (I − K H) P (symmetrised).
    """
    S = P[:, :3, :3] + R
    K = np.linalg.solve(S, P[:, :3, :]).transpose(0, 2, 1)  # P Hᵀ S⁻¹ (S, P symmetric)
    innovation = z - x[:, :3]
    x_new = x + np.einsum("nij,nj->ni", K, innovation)
    P_new = P - K @ P[:, :3, :]
    return x_new, 0.5 * (P_new + P_new.transpose(0, 2, 1))
