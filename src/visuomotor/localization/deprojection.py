"""Pinhole deprojection of pixels with depth into the camera optical frame (seed 004 §29.2.2)."""

from __future__ import annotations

import numpy as np

from visuomotor.camera.frame import CameraIntrinsics


def deproject(u: np.ndarray, v: np.ndarray, depth_m: np.ndarray, intrinsics: CameraIntrinsics) -> np.ndarray:
    """Pixels (u, v) (any shape, pixel units) at depth d (metres, same shape) → (..., 3) points in metres:
    X = (u − cx)·d/fx, Y = (v − cy)·d/fy, Z = d (seed 004 §29.2.2)."""
    depth_m = np.asarray(depth_m, dtype=float)
    x = (np.asarray(u, dtype=float) - intrinsics.cx) * depth_m / intrinsics.fx
    y = (np.asarray(v, dtype=float) - intrinsics.cy) * depth_m / intrinsics.fy
    return np.stack([x, y, depth_m], axis=-1)


def transform_points(T_base_camera: np.ndarray, points_cam: np.ndarray) -> np.ndarray:
    """p_base = R p_cam + t for (..., 3) points (seed 004 §29.2.3), T_base_camera 4×4."""
    T = np.asarray(T_base_camera, dtype=float)
    R_transposed = np.ascontiguousarray(T[:3, :3].T)  # contiguous: matmul uses BLAS, not its slow strided loop
    return np.asarray(points_cam, dtype=float) @ R_transposed + T[:3, 3]
