"""Shared synthetic scene for the localization tests (ray-cast exactly, no simulator)."""

from types import SimpleNamespace

import numpy as np
import pytest

from visuomotor.camera.frame import CameraIntrinsics
from visuomotor.detection.result import Detection
from visuomotor.eval.tracking.detection_sources import boxes_from_segmentation
from visuomotor.sim.analytic_scene import SceneObject, look_at, render

SIZES = {"box": (0.05, 0.05, 0.05), "cylinder": (0.04, 0.04, 0.06), "sphere": (0.05, 0.05, 0.05)}


@pytest.fixture(scope="session")
def tabletop():
    """A cube, a cylinder and a sphere on a table, seen by a camera 0.6 m above and 0.6 m in front.

    Fields: objects, sizes, T (4×4 camera pose), frame32 (32FC1 metres), frame16 (16UC1 millimetres),
    detections(frame, with_masks) → tight ground-truth boxes (class_id = label, class_name = shape).
    """
    objects = [
        SceneObject(1, "box", (0.45, 0.0, 0.025), SIZES["box"], 0.4),
        SceneObject(2, "cylinder", (0.50, 0.12, 0.03), SIZES["cylinder"]),
        SceneObject(3, "sphere", (0.40, -0.12, 0.025), SIZES["sphere"]),
    ]
    T = look_at(np.array([1.05, 0.05, 0.62]), np.array([0.42, 0.05, 0.0]))
    intrinsics = CameraIntrinsics()

    def detections(frame, with_masks):
        boxes = boxes_from_segmentation(frame.segmentation)
        return [
            Detection(o.label, o.shape, 0.9, boxes[o.label], mask_label=o.label if with_masks else 0) for o in objects
        ]

    return SimpleNamespace(
        objects=objects,
        sizes=SIZES,
        T=T,
        detections=detections,
        frame32=render(objects, T, intrinsics, stamp_ns=1_000, depth_encoding="32FC1"),
        frame16=render(objects, T, intrinsics, stamp_ns=1_000, depth_encoding="16UC1"),
    )
