"""Ground truth of a recorded frame from /sim/ground_truth (3D poses + sizes) and the recorded depth.

A bag carries no segmentation, so the instance image is rebuilt by ray casting: for every pixel centre
(c + ½, r + ½) near an object's projection, the ray x(t) = t·K⁻¹[u, v, 1]ᵀ in the camera optical frame
(t = depth along the optical axis, seed 004 §29.2.1) is intersected with the object's exact shape (cube:
slab test; sphere and cylinder: the quadratic of the unit shape after scaling by the half extents); the
nearest hit over all objects owns the pixel, which counts as visible when the recorded depth agrees with
the hit depth within tolerance_m (anything nearer, e.g. the arm, occludes it). The rebuilt image then goes
through the detection dataset's labelling rule (visuomotor.detection.labels.box_labels: ≥ 50 % of the
silhouette and ≥ 16 pixels visible; tight box of the visible pixels), so the ground-truth boxes of the
replay evaluation are the boxes the detector was trained to predict.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from visuomotor.camera.frame import RGBDFrame
from visuomotor.detection.labels import BoxLabel, box_labels, surface_points
from visuomotor.sim.ground_truth import ObjectState
from visuomotor.sim.objects import CLASS_NAMES, object_class

DEPTH_TOLERANCE_M = 0.005  # recorded vs ray-cast depth of a visible pixel (16UC1 rounds to 0.5 mm)


class GroundTruthError(ValueError):
    """A ground-truth message that cannot be used; the message names the problem."""


def objects_from_message(message) -> list[ObjectState]:
    """rosbags visuomotor_ros/msg/Object3DArray (sim_node's /sim/ground_truth) → ObjectStates."""
    objects = []
    for item in message.objects:
        if not item.results or item.results[0].class_id not in CLASS_NAMES:
            name = item.results[0].class_id if item.results else "(none)"
            raise GroundTruthError(
                f"ground-truth object {item.id!r} has class {name!r}, not a simulator class ({', '.join(CLASS_NAMES)})"
            )
        cls = object_class(item.results[0].class_id)
        p, q, s = item.pose.pose.position, item.pose.pose.orientation, item.size
        objects.append(
            ObjectState(
                object_id=int(item.id),
                class_id=cls.class_id,
                class_name=cls.name,
                shape=cls.shape,
                position_m=np.array([p.x, p.y, p.z]),
                quat_xyzw=np.array([q.x, q.y, q.z, q.w]),
                size_m=np.array([s.x, s.y, s.z]),
            )
        )
    return objects


def _unit_shape_entry(shape: str, o: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Ray parameter t of the first intersection of rays o + t·d (N, 3) with the unit shape (cube
    [−1, 1]³, sphere |x| ≤ 1, cylinder x² + y² ≤ 1 ∧ |z| ≤ 1); +inf where a ray misses or starts inside."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if shape == "sphere":
            a, b, c = np.sum(d * d, 1), np.sum(o * d, 1), np.sum(o * o, 1) - 1.0
            disc = b * b - a * c
            enter, leave = (-b - np.sqrt(disc)) / a, (-b + np.sqrt(disc)) / a
            hit = disc >= 0
        else:
            lo, hi = (-1.0 - o) / d, (1.0 - o) / d  # slabs; ±inf for rays parallel to a face
            slab_enter, slab_leave = np.minimum(lo, hi), np.maximum(lo, hi)
            if shape == "cube":
                enter, leave = slab_enter.max(1), slab_leave.min(1)
            elif shape == "cylinder":
                a = d[:, 0] ** 2 + d[:, 1] ** 2
                b = o[:, 0] * d[:, 0] + o[:, 1] * d[:, 1]
                c = o[:, 0] ** 2 + o[:, 1] ** 2 - 1.0
                disc = b * b - a * c
                side_enter, side_leave = (-b - np.sqrt(disc)) / a, (-b + np.sqrt(disc)) / a
                enter = np.maximum(side_enter, slab_enter[:, 2])
                leave = np.minimum(side_leave, slab_leave[:, 2])
            else:
                raise GroundTruthError(f"no ray-cast model for shape {shape!r}; use cube, cylinder or sphere")
            hit = np.isfinite(enter) & np.isfinite(leave)
        hit &= (enter <= leave) & (enter > 0)
    return np.where(hit, enter, np.inf)


def raycast_segmentation(
    frame: RGBDFrame, objects: list[ObjectState], T_base_camera: np.ndarray, tolerance_m: float = DEPTH_TOLERANCE_M
) -> np.ndarray:
    """(H, W) int32 instance ids of the visible object pixels (0 elsewhere), as the renderer's
    segmentation would be, from ground-truth poses, the camera pose and the recorded depth."""
    height, width = frame.depth.shape
    K = frame.intrinsics.K
    T_camera_base = np.linalg.inv(T_base_camera)
    nearest = np.full((height, width), np.inf)
    owner = np.zeros((height, width), np.int32)
    for obj in objects:
        R_base_object = Rotation.from_quat(obj.quat_xyzw).as_matrix()
        corners = surface_points(obj.shape, obj.size_m) @ R_base_object.T + obj.position_m
        camera_points = corners @ T_camera_base[:3, :3].T + T_camera_base[:3, 3]
        if np.any(camera_points[:, 2] <= 1e-6):
            continue  # (partly) behind the camera: never labelled
        uv = (camera_points @ K.T)[:, :2] / camera_points[:, 2:3]
        c0, r0 = np.maximum(np.floor(uv.min(0)).astype(int) - 1, 0)
        c1, r1 = np.minimum(np.ceil(uv.max(0)).astype(int) + 1, [width, height])
        if c1 <= c0 or r1 <= r0:
            continue
        cols, rows = np.meshgrid(np.arange(c0, c1), np.arange(r0, r1))
        pixels = np.stack([cols.ravel() + 0.5, rows.ravel() + 0.5, np.ones(cols.size)], 1)
        rays_camera = pixels @ np.linalg.inv(K).T  # z = 1: t is the optical depth
        R_object_camera = R_base_object.T @ T_base_camera[:3, :3]
        origin = R_base_object.T @ (T_base_camera[:3, 3] - obj.position_m)
        half = obj.size_m / 2.0
        t = _unit_shape_entry(
            obj.shape, np.broadcast_to(origin / half, rays_camera.shape), rays_camera @ R_object_camera.T / half
        ).reshape(cols.shape)
        window = (slice(r0, r1), slice(c0, c1))
        closer = t < nearest[window]
        nearest[window] = np.where(closer, t, nearest[window])
        owner[window] = np.where(closer, obj.object_id, owner[window])
    depth_m = np.nan_to_num(frame.depth_m(), nan=0.0)
    visible = (owner > 0) & (depth_m > 0) & (np.abs(depth_m - nearest) <= tolerance_m)
    return np.where(visible, owner, 0).astype(np.int32)


def ground_truth_boxes(frame: RGBDFrame, objects: list[ObjectState], T_base_camera: np.ndarray) -> list[BoxLabel]:
    """The labelled (sufficiently visible) objects of a recorded frame with their tight 2D boxes."""
    segmentation = raycast_segmentation(frame, objects, T_base_camera)
    return box_labels(segmentation, objects, T_base_camera, frame.intrinsics.K)
