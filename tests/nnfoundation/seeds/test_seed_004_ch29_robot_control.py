"""Seed 004 ch. 29 "Vision-Based Robot Control": back-projection, camera-to-robot transform, tracking
assignment, latency budget."""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation.detection.boxes import box_convert
from nnfoundation.detection.matching import hungarian_match


def test_pixel_to_camera_back_projection() -> None:
    center = box_convert(np.array([200.0, 150.0, 300.0, 250.0]), "xyxy", "cxcywh")[:2]
    np.testing.assert_allclose(center, [250, 200])
    fx = fy = 600.0
    cx, cy, depth = 320.0, 240.0, 0.5
    point = np.array([(center[0] - cx) * depth / fx, (center[1] - cy) * depth / fy, depth])  # eq. 29.3-29.5
    np.testing.assert_allclose(point, [-35 / 600, -20 / 600, 0.5])
    np.testing.assert_allclose(point, [-0.058, -0.033, 0.5], atol=5e-4)  # eq. 29.6-29.8


def test_camera_to_robot_transform() -> None:
    transform = np.array([[1, 0, 0, 0], [0, 0, -1, 0.3], [0, 1, 0, 0.2], [0, 0, 0, 1]], dtype=float)  # eq. 29.10
    rotation, translation = transform[:3, :3], transform[:3, 3]
    assert np.allclose(rotation @ rotation.T, np.eye(3)) and np.linalg.det(rotation) == pytest.approx(1.0)
    p_cam = np.array([-0.058, -0.033, 0.5])
    p_robot = rotation @ p_cam + translation  # eq. 29.9
    # seed eq. 29.11 prints [-0.058, 0.333, 0.7]; R p = [x, −z, y] = [-0.058, -0.5, -0.033]
    np.testing.assert_allclose(p_robot, [-0.058, -0.2, 0.167], atol=1e-12)
    np.testing.assert_allclose((transform @ np.append(p_cam, 1.0))[:3], p_robot)


def test_tracking_assignment_example() -> None:
    cost = np.array([[0.2, 1.0], [0.8, 0.3], [1.5, 0.7]])  # §29.4.3
    rows, cols = hungarian_match(cost)
    assert list(zip(rows.tolist(), cols.tolist())) == [(0, 0), (1, 1)]  # det 2 starts a new track
    assert cost[rows, cols].sum() == pytest.approx(0.5)


def test_latency_budget() -> None:
    stages_ms = {"capture": 5, "detection": 15, "localization": 2, "act": 20, "ik": 10, "send": 5}  # §29.5
    total = sum(stages_ms.values())
    assert total == 57
    assert 1000 / total == pytest.approx(17.5, abs=0.05)  # "~17 Hz"
