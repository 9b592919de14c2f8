"""Analytic RGB-D scenes for tests and benchmarks: upright boxes, cylinders and spheres on a table plane,
ray-cast exactly (no simulator needed), with the ground-truth instance segmentation and centres.

Camera convention as camera_info (ROS, OpenCV): pixel (col, row) looks along the ray
((col − cx)/fx, (row − cy)/fy, 1) in the camera optical frame; its depth is the Z of the first hit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame

SHAPES = ("box", "cylinder", "sphere")


@dataclass(frozen=True)
class SceneObject:
    """An upright object: shape in SHAPES, centre (3,) m in base_link, size (3,) m full extents
    (box: x, y, z before yaw; cylinder: diameter, diameter, height; sphere: diameter ×3), yaw rad."""

    label: int
    shape: str
    centre: tuple[float, float, float]
    size: tuple[float, float, float]
    yaw: float = 0.0


def look_at(eye: np.ndarray, target: np.ndarray) -> np.ndarray:
    """4×4 T_base_camera of an optical frame (z forward, x right, y down) at `eye` looking at `target`,
    with base_link z up (the image's up is as close to +z as possible)."""
    forward = np.asarray(target, float) - np.asarray(eye, float)
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    if np.linalg.norm(right) < 1e-9:
        right = np.array([0.0, -1.0, 0.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    T = np.eye(4)
    T[:3, :3] = np.column_stack([right, down, forward])
    T[:3, 3] = eye
    return T


def render(
    objects: list[SceneObject],
    T_base_camera: np.ndarray,
    intrinsics: CameraIntrinsics,
    *,
    table_z: float = 0.0,
    stamp_ns: int = 0,
    depth_encoding: str = "32FC1",
    far_m: float = 10.0,
) -> RGBDFrame:
    """Ray-cast the objects and the table plane z = table_z; pixels that hit nothing within far_m get depth 0.
    Returns an RGBDFrame with segmentation (0 = background/table, else SceneObject.label)."""
    cols, rows = np.meshgrid(np.arange(intrinsics.width, dtype=float), np.arange(intrinsics.height, dtype=float))
    rays_cam = np.stack(
        [(cols - intrinsics.cx) / intrinsics.fx, (rows - intrinsics.cy) / intrinsics.fy, np.ones_like(cols)], axis=-1
    )
    R, origin = T_base_camera[:3, :3], T_base_camera[:3, 3]
    rays = rays_cam @ R.T  # base-frame direction; hit at origin + t·ray has Z_cam = t
    best_t = np.full(cols.shape, np.inf)
    labels = np.zeros(cols.shape, dtype=np.int32)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_table = (table_z - origin[2]) / rays[..., 2]
    best_t = np.where(t_table > 0, t_table, np.inf)
    for obj in objects:
        t = _intersect(obj, origin, rays)
        closer = t < best_t
        best_t = np.where(closer, t, best_t)
        labels[closer] = obj.label
    valid = np.isfinite(best_t) & (best_t <= far_m)
    depth_m = np.where(valid, best_t, 0.0).astype(np.float32)
    labels[~valid] = 0
    depth: np.ndarray = np.round(depth_m * 1000.0).astype(np.uint16) if depth_encoding == "16UC1" else depth_m
    color = np.zeros((intrinsics.height, intrinsics.width, 3), dtype=np.uint8)
    color[..., 1] = 120
    color[labels > 0] = (200, 40, 40)
    return RGBDFrame(
        color=color,
        depth=depth,
        intrinsics=intrinsics,
        stamp_ns=stamp_ns,
        depth_encoding=depth_encoding,
        T_base_camera=T_base_camera.copy(),
        segmentation=labels,
    )


def _intersect(obj: SceneObject, origin: np.ndarray, rays: np.ndarray) -> np.ndarray:
    """Ray parameter t of the first hit (inf where none) for rays (H, W, 3) from origin (3,)."""
    centre = np.asarray(obj.centre, float)
    cos, sin = np.cos(obj.yaw), np.sin(obj.yaw)
    to_local = np.array([[cos, sin, 0.0], [-sin, cos, 0.0], [0.0, 0.0, 1.0]])  # base → object axes
    o = to_local @ (origin - centre)
    d = rays @ to_local.T
    half = 0.5 * np.asarray(obj.size, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if obj.shape == "sphere":
            r = half[0]
            b = d @ o
            a = np.einsum("...i,...i", d, d)
            disc = b * b - a * (o @ o - r * r)
            t = (-b - np.sqrt(disc)) / a
            return np.where((disc >= 0) & (t > 0), t, np.inf)
        if obj.shape == "box":
            return _slab_hit(o, d, half)
        if obj.shape == "cylinder":
            r, hz = half[0], half[2]
            a = d[..., 0] ** 2 + d[..., 1] ** 2
            b = o[0] * d[..., 0] + o[1] * d[..., 1]
            disc = b * b - a * (o[0] ** 2 + o[1] ** 2 - r * r)
            t_side = (-b - np.sqrt(disc)) / a
            z_side = o[2] + t_side * d[..., 2]
            side = np.where((disc >= 0) & (t_side > 0) & (np.abs(z_side) <= hz), t_side, np.inf)
            t_cap = (np.where(o[2] > 0, hz, -hz) - o[2]) / d[..., 2]
            x_cap, y_cap = o[0] + t_cap * d[..., 0], o[1] + t_cap * d[..., 1]
            cap = np.where((t_cap > 0) & (x_cap**2 + y_cap**2 <= r * r), t_cap, np.inf)
            return np.minimum(side, cap)
    raise ValueError(f"unknown shape {obj.shape!r}: use one of {SHAPES}")


def _slab_hit(o: np.ndarray, d: np.ndarray, half: np.ndarray) -> np.ndarray:
    t1, t2 = (-half - o) / d, (half - o) / d
    t_near = np.nanmax(np.minimum(t1, t2), axis=-1)
    t_far = np.nanmin(np.maximum(t1, t2), axis=-1)
    return np.where((t_near <= t_far) & (t_near > 0), t_near, np.inf)
