"""The sim source renders the MuJoCo cell of a seed as RGBDFrames: metric depth, mount, sim-time stamps."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.camera.source import FrameSourceError
from visuomotor.sim.camera_source import SimSource, SimSourceConfig


def test_sim_frames_are_metric_stamped_and_deterministic():
    config = SimSourceConfig(seed=3, width=160, height=120, fps=25, num_frames=3)
    frames = list(SimSource(config).frames())
    assert len(frames) == 3
    first = frames[0]
    assert first.color.shape == (120, 160, 3) and first.depth.shape == (120, 160)
    assert first.depth.dtype == np.uint16 and first.depth_encoding == "16UC1"
    assert (first.intrinsics.fx, first.intrinsics.fy, first.intrinsics.cx, first.intrinsics.cy) == (150, 150, 80, 60)
    steps = [b.stamp_ns - a.stamp_ns for a, b in zip(frames, frames[1:])]
    assert steps == [40_000_000, 40_000_000]  # 1/25 s of sim time apart
    valid = first.depth_m()[np.isfinite(first.depth_m())]
    assert valid.size > 0.9 * first.depth.size and 0.3 < np.median(valid) < 1.5  # the table, 0.3–1.5 m away
    assert first.T_base_camera.shape == (4, 4) and first.T_base_camera[2, 3] > 0.3  # camera above the table
    again = next(SimSource(config).frames())
    np.testing.assert_array_equal(again.color, first.color)
    np.testing.assert_array_equal(again.depth, first.depth)


def test_bad_sim_configuration_is_refused():
    with pytest.raises(FrameSourceError, match="sim camera 'top': use fixed or wrist"):
        SimSource(SimSourceConfig(camera="top"))
    with pytest.raises(FrameSourceError, match="sim fps 0"):
        SimSource(SimSourceConfig(fps=0))
