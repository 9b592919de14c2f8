"""The plausibility rules for measured joint positions (robot.joint_checks)."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.robot.arm import UR5E
from visuomotor.robot.joint_checks import JUMP_TOLERANCE_RAD, jumped, limit_violation
from visuomotor.sim.layout import HOME_Q

HOME = np.asarray(HOME_Q)


def test_a_pose_within_the_limits_passes():
    assert limit_violation(HOME) == ""
    assert limit_violation(UR5E.upper + 0.005) == ""  # encoder noise at a limit


@pytest.mark.parametrize(
    "joint, value, expected",
    [(2, 3.2, "joint elbow at 3.2 rad is beyond its limits"), (0, np.nan, "joint shoulder_pan is nan")],
)
def test_a_pose_beyond_the_limits_or_not_finite_names_the_joint(joint, value, expected):
    q = HOME.copy()
    q[joint] = value
    assert expected in limit_violation(q)


def test_a_wrong_number_of_joints_is_named():
    assert "6 values" in limit_violation(np.zeros(5))


def test_a_jump_is_further_than_the_tolerance_plus_the_drives_speed_times_the_gap():
    step = np.array([JUMP_TOLERANCE_RAD + UR5E.max_speed_rad_s * 0.02 - 1e-6, 0, 0, 0, 0, 0])
    assert not jumped(HOME, HOME + step, 0.02)
    assert jumped(HOME, HOME + step + 2e-6, 0.02)
    assert jumped(HOME, HOME + np.full(6, 0.21), -1.0)  # out-of-order stamps allow no motion
