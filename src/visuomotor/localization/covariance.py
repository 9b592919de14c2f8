"""3×3 position covariance of localized objects, propagated through the pinhole (seed 004 §29.2.2)."""

from __future__ import annotations

import numpy as np

from visuomotor.camera.frame import CameraIntrinsics


def position_covariances(
    centres_cam: np.ndarray,
    depth_var_m2: np.ndarray,
    R_base_camera: np.ndarray,
    intrinsics: CameraIntrinsics,
    *,
    pixel_sigma_px: float,
) -> np.ndarray:
    """Σ_base = R J diag(σ_u², σ_v², σ_d²) Jᵀ Rᵀ for N objects → (N, 3, 3) m².

    J = ∂(X, Y, Z)/∂(u, v, d) = [[d/fx, 0, (u − cx)/fx], [0, d/fy, (v − cy)/fy], [0, 0, 1]] at each
    centre's pixel (u, v) and depth d (seed §29.2.2: X = (u − cx)·d/fx, Y = (v − cy)·d/fy, Z = d);
    σ_u = σ_v = pixel_sigma_px; σ_d² = depth_var_m2 (N,). centres_cam (N, 3) m, camera optical frame.
    """
    d = centres_cam[:, 2]
    x_over_z, y_over_z = centres_cam[:, 0] / d, centres_cam[:, 1] / d  # (u − cx)/fx, (v − cy)/fy
    J = np.zeros((d.size, 3, 3))
    J[:, 0, 0] = d / intrinsics.fx
    J[:, 1, 1] = d / intrinsics.fy
    J[:, 0, 2] = x_over_z
    J[:, 1, 2] = y_over_z
    J[:, 2, 2] = 1.0
    noise = np.zeros((d.size, 3, 3))
    noise[:, 0, 0] = noise[:, 1, 1] = pixel_sigma_px**2
    noise[:, 2, 2] = depth_var_m2
    RJ = R_base_camera @ J  # (N, 3, 3)
    return RJ @ noise @ RJ.transpose(0, 2, 1)
