"""Fixed camera mount: xyz + quaternion ↔ 4×4 (seed 004 §29.2.3, p_base = R p_cam + t)."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.camera.extrinsics import transform_from_xyz_quat, xyz_quat_from_transform


def test_quaternion_about_x_maps_camera_points_into_base():
    # 90° about x: camera y (down) → base z; the seed's example rotation (29.10) in quaternion form.
    T = transform_from_xyz_quat([0.0, 0.3, 0.2], [np.sin(np.pi / 4), 0.0, 0.0, np.cos(np.pi / 4)])
    np.testing.assert_allclose(T[:3, :3], [[1, 0, 0], [0, 0, -1], [0, 1, 0]], atol=1e-15)
    p_cam = np.array([-35 / 600, -20 / 600, 0.5])  # §29.2.2 example, recomputed: (−0.0583, −0.0333, 0.5) m
    p_base = T @ np.r_[p_cam, 1.0]  # = (x, −z + 0.3, y + 0.2); the seed's (29.11) is wrong
    np.testing.assert_allclose(p_base[:3], [-0.058333, 0.3 - 0.5, 0.2 - 0.033333], atol=1e-6)


def test_round_trip_and_normalization():
    T = transform_from_xyz_quat([1, 2, 3], [0, 0, 2, 2])  # not unit: normalized
    xyz, quat = xyz_quat_from_transform(T)
    np.testing.assert_allclose(xyz, [1, 2, 3])
    np.testing.assert_allclose(quat, [0, 0, np.sqrt(0.5), np.sqrt(0.5)])
    np.testing.assert_allclose(transform_from_xyz_quat(xyz, quat), T, atol=1e-12)


@pytest.mark.parametrize(
    "xyz, quat, message",
    [
        ([0, 0], [0, 0, 0, 1], "needs finite xyz"),
        ([0, 0, np.nan], [0, 0, 0, 1], "needs finite xyz"),
        ([0, 0, 0], [0, 0, 0, 0], "zero norm"),
    ],
)
def test_bad_mount_is_refused(xyz, quat, message):
    with pytest.raises(ValueError, match=message):
        transform_from_xyz_quat(xyz, quat)
