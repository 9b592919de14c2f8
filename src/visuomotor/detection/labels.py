"""Ground-truth 2D boxes from a rendered frame's instance segmentation, with the visibility rule.

An object is labelled iff at least MIN_VISIBLE_FRACTION of its full silhouette is visible:
    visible_fraction = (# pixels with its instance id) / (area of its unoccluded, unclipped silhouette)
The full silhouette is computed from ground truth, independent of the render: the object's surface
(cube corners; cylinder rim circles; sphere surface points) is posed in base_link, moved into the camera
optical frame with T_base_camera⁻¹ and projected with the pinhole model u = fx·x/z + cx, v = fy·y/z + cy
(seed 004 §29.2.1); for these convex shapes the silhouette is the convex hull of the projected points.
One rule covers both occlusion (by other objects, the arm, the bin) and cuts by the image border.
The label box is the tight box of the visible pixels, pixel-corner coordinates: [x_min, y_min, x_max+1, y_max+1].
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial.transform import Rotation

MIN_VISIBLE_FRACTION = 0.5
MIN_VISIBLE_PIXELS = 16  # fewer pixels carry no usable appearance, whatever the fraction
CIRCLE_POINTS = 72


@dataclass(frozen=True)
class BoxLabel:
    """One labelled object: class, tight box xyxy (pixels, pixel corners), instance id, visible fraction."""

    class_id: int
    class_name: str
    xyxy: tuple[float, float, float, float]
    object_id: int
    visible_fraction: float


def surface_points(shape: str, size_m: np.ndarray) -> np.ndarray:
    """(N, 3) points in the object frame whose convex hull bounds the shape (size: full extents, m)."""
    half = np.asarray(size_m, dtype=np.float64) / 2.0
    if shape == "cube":
        return np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)]) * half
    angles = np.linspace(0.0, 2.0 * np.pi, CIRCLE_POINTS, endpoint=False)
    if shape == "cylinder":
        rim = np.stack([np.cos(angles) * half[0], np.sin(angles) * half[1]], axis=1)
        return np.concatenate([np.column_stack([rim, np.full(len(rim), z)]) for z in (-half[2], half[2])])
    if shape == "sphere":
        polar = np.linspace(0.0, np.pi, CIRCLE_POINTS // 2)
        grid = np.stack(
            [
                np.outer(np.sin(polar), np.cos(angles)),
                np.outer(np.sin(polar), np.sin(angles)),
                np.outer(np.cos(polar), np.ones_like(angles)),
            ],
            axis=-1,
        ).reshape(-1, 3)
        return grid * half
    raise ValueError(f"no silhouette model for shape {shape!r}; use cube, cylinder or sphere")


def silhouette_area(points_base: np.ndarray, T_base_camera: np.ndarray, K: np.ndarray) -> float:
    """Area (pixels²) of the convex hull of base_link points (N, 3) projected by camera K; 0 if any point is
    behind the camera."""
    T_camera_base = np.linalg.inv(T_base_camera)
    points_camera = points_base @ T_camera_base[:3, :3].T + T_camera_base[:3, 3]
    if (points_camera[:, 2] <= 1e-6).any():
        return 0.0
    uv = (points_camera @ K.T)[:, :2] / points_camera[:, 2:3]
    return float(cv2.contourArea(cv2.convexHull(uv.astype(np.float32))))


def box_labels(segmentation: np.ndarray, objects, T_base_camera: np.ndarray, K: np.ndarray) -> list[BoxLabel]:
    """Labels of the sufficiently visible objects.

    segmentation: (H, W) int instance ids (0 = not an object). objects: ground-truth states with
    object_id, class_id, class_name, shape, position_m (3,), quat_xyzw (4,), size_m (3,) in base_link.
    """
    ids, counts = np.unique(segmentation, return_counts=True)
    visible_pixels = dict(zip(ids.tolist(), counts.tolist()))
    labels = []
    for obj in objects:
        pixels = visible_pixels.get(obj.object_id, 0)
        if pixels < MIN_VISIBLE_PIXELS:
            continue
        rotation = Rotation.from_quat(obj.quat_xyzw).as_matrix()
        points = surface_points(obj.shape, obj.size_m) @ rotation.T + np.asarray(obj.position_m)
        full_area = silhouette_area(points, T_base_camera, K)
        fraction = min(1.0, pixels / full_area) if full_area > 0 else 0.0
        if fraction < MIN_VISIBLE_FRACTION:
            continue
        ys, xs = np.nonzero(segmentation == obj.object_id)
        labels.append(
            BoxLabel(
                obj.class_id,
                obj.class_name,
                (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)),
                obj.object_id,
                fraction,
            )
        )
    return labels
