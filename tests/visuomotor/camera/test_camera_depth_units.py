"""16UC1 mm ↔ 32FC1 m depth conversion with invalid pixels (0 ↔ NaN)."""

from __future__ import annotations

import numpy as np

from visuomotor.camera.depth_units import depth_from_metres, with_depth_encoding
from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame


def test_millimetres_to_metres_and_back():
    mm = np.array([[0, 1, 500, 65535]], np.uint16)
    frame = RGBDFrame(color=np.zeros((1, 4, 3), np.uint8), depth=mm, intrinsics=CameraIntrinsics(), stamp_ns=5)
    metres = with_depth_encoding(frame, "32FC1")
    np.testing.assert_array_equal(metres.depth, np.array([[np.nan, 0.001, 0.5, 65.535]], np.float32))
    assert metres.depth_encoding == "32FC1" and metres.stamp_ns == 5
    np.testing.assert_array_equal(with_depth_encoding(metres, "16UC1").depth, mm)
    assert with_depth_encoding(frame, "16UC1") is frame


def test_out_of_range_and_invalid_metres_become_zero_millimetres():
    depth = np.array([[np.nan, -1.0, 0.0, np.inf, 65.6, 0.0004, 0.0006]], np.float32)
    np.testing.assert_array_equal(depth_from_metres(depth, "16UC1"), [[0, 0, 0, 0, 0, 0, 1]])
