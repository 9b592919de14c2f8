"""Seed 004 §29.2 worked examples, recomputed (the seed's §29.2.3 result is wrong), and unit handling."""

import numpy as np
import pytest

from visuomotor.camera.frame import CameraIntrinsics
from visuomotor.localization.deprojection import deproject, transform_points

SEED_K = CameraIntrinsics(fx=600.0, fy=600.0, cx=320.0, cy=240.0)


def test_seed_29_2_2_deprojection_of_box_centre():
    u, v = (200 + 300) / 2, (150 + 250) / 2  # bbox [200, 150, 300, 250] → (250, 200)
    point = deproject(np.array(u), np.array(v), np.array(0.5), SEED_K)
    # X = (250 − 320)·0.5/600 = −35/600, Y = (200 − 240)·0.5/600 = −20/600, Z = 0.5
    np.testing.assert_allclose(point, [-35 / 600, -20 / 600, 0.5], atol=1e-12)
    np.testing.assert_allclose(point, [-0.0583, -0.0333, 0.5], atol=5e-5)


def test_seed_29_2_3_camera_to_robot_transform_recomputed():
    T = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, -1.0, 0.3], [0.0, 1.0, 0.0, 0.2], [0.0, 0.0, 0.0, 1.0]])
    p_cam = np.array([-35 / 600, -20 / 600, 0.5])
    p_robot = transform_points(T, p_cam)
    # R p = [X, −Z, Y] = [−0.0583, −0.5, −0.0333]; + t = [0, 0.3, 0.2] → [−0.0583, −0.2, 0.1667]
    # (the seed's [−0.058, 0.333, 0.7] adds Y and Z to the wrong rows).
    np.testing.assert_allclose(p_robot, [-35 / 600, -0.2, 0.2 - 20 / 600], atol=1e-12)
    assert not np.allclose(p_robot, [-0.058, 0.333, 0.7], atol=1e-2)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
def test_deprojection_broadcasts_and_inverts_projection(shape):
    rng = np.random.default_rng(0)
    u, v, d = rng.uniform(0, 640, shape), rng.uniform(0, 480, shape), rng.uniform(0.2, 3.0, shape)
    points = deproject(u, v, d, SEED_K)
    assert points.shape == (*shape, 3)
    np.testing.assert_allclose(SEED_K.fx * points[..., 0] / points[..., 2] + SEED_K.cx, u)
    np.testing.assert_allclose(SEED_K.fy * points[..., 1] / points[..., 2] + SEED_K.cy, v)
