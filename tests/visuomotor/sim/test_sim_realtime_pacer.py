from __future__ import annotations

import pytest

from visuomotor.sim.realtime import RealTimePacer


def test_ticks_catch_up_with_scaled_wall_time():
    pacer = RealTimePacer(tick_s=0.01, camera_period_s=1 / 30)
    assert pacer.ticks_due(sim_time_s=0.0, wall_elapsed_s=0.055) == 5
    assert pacer.ticks_due(sim_time_s=0.05, wall_elapsed_s=0.055) == 0
    fast = RealTimePacer(tick_s=0.01, camera_period_s=1 / 30, real_time_factor=2.0)
    assert fast.ticks_due(sim_time_s=0.0, wall_elapsed_s=0.05) == 10
    assert pacer.ticks_due(sim_time_s=0.0, wall_elapsed_s=100.0) == 100  # never more than 1 s at once


def test_frames_due_at_camera_rate_and_late_frames_dropped():
    pacer = RealTimePacer(tick_s=0.01, camera_period_s=0.1)
    due = [t / 100 for t in range(0, 50) if pacer.frame_due(t / 100)]
    assert due == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    assert pacer.frames_dropped == 0
    assert pacer.frame_due(0.75)  # rendering stalled from 0.5 to 0.75
    assert pacer.frames_dropped == 2  # 0.5 and 0.6 were skipped, 0.7's slot is this one
    assert not pacer.frame_due(0.79) and pacer.frame_due(0.8)


def test_bad_config():
    with pytest.raises(ValueError):
        RealTimePacer(tick_s=0.0, camera_period_s=0.1)
