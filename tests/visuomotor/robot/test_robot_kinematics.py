"""DH forward kinematics against MuJoCo's body poses, Jacobian, and the IK round trip."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.robot.arm import UR5E
from visuomotor.robot.kinematics import (
    forward_kinematics,
    geometric_jacobian,
    link_frames,
    rot_z,
    rotation_error,
    solve_ik,
    tcp_positions,
    top_down_grasp_pose,
)
from visuomotor.sim import HOME_Q, TabletopSim
from visuomotor.sim.renderer import mujoco


@pytest.fixture(scope="module")
def sim() -> TabletopSim:
    sim = TabletopSim()
    sim.reset(0)
    return sim


def test_ur5e_dh_table_matches_universal_robots_reference():
    # UR FAQ 45257 "Parameters for calculations of kinematics and dynamics", UR5e rows.
    assert UR5E.d == (0.1625, 0.0, 0.0, 0.1333, 0.0997, 0.0996)
    assert UR5E.a == (0.0, -0.425, -0.3922, 0.0, 0.0, 0.0)
    np.testing.assert_allclose(UR5E.alpha, [np.pi / 2, 0, 0, np.pi / 2, -np.pi / 2, 0])


def test_zero_pose_is_the_stretched_ur_arm():
    # At q = 0 a UR arm lies along −x: x = a2 + a3, y = −(d4 + d6), z = d1 − d5; tool z = base −y.
    T = link_frames(np.zeros(6))[-1]
    np.testing.assert_allclose(T[:3, 3], [-0.425 - 0.3922, -(0.1333 + 0.0996), 0.1625 - 0.0997], atol=1e-12)
    np.testing.assert_allclose(T[:3, 2], [0, -1, 0], atol=1e-12)


def test_forward_kinematics_matches_mujoco_body_poses_at_random_configurations(sim):
    rng = np.random.default_rng(1)
    model, data = sim.model, mujoco.MjData(sim.model)
    joint_qpos = [
        model.joint(name).qposadr[0]
        for name in ("shoulder_pan", "shoulder_lift", "elbow", "wrist_1", "wrist_2", "wrist_3")
    ]
    for _ in range(20):
        q = rng.uniform(UR5E.lower, UR5E.upper)
        data.qpos[joint_qpos] = q
        mujoco.mj_kinematics(model, data)
        frames = link_frames(q)
        for i in range(6):  # body link{i+1} = DH frame i rotated by its joint angle
            body = model.body(f"link{i + 1}").id
            expected = frames[i] @ rot_z(q[i])
            np.testing.assert_allclose(data.xpos[body], expected[:3, 3], atol=1e-9)
            np.testing.assert_allclose(data.xmat[body].reshape(3, 3), expected[:3, :3], atol=1e-9)
        flange = model.body("flange").id
        np.testing.assert_allclose(data.xpos[flange], frames[6][:3, 3], atol=1e-9)
        np.testing.assert_allclose(data.xmat[flange].reshape(3, 3), frames[6][:3, :3], atol=1e-9)
        tcp = model.site("tcp").id
        T_tcp = forward_kinematics(q)
        np.testing.assert_allclose(data.site_xpos[tcp], T_tcp[:3, 3], atol=1e-9)
        np.testing.assert_allclose(data.site_xmat[tcp].reshape(3, 3), T_tcp[:3, :3], atol=1e-9)


def test_geometric_jacobian_matches_finite_differences():
    q = np.asarray(HOME_Q) + 0.3
    J = geometric_jacobian(q)
    eps = 1e-6
    T0 = forward_kinematics(q)
    for i in range(6):
        dq = np.zeros(6)
        dq[i] = eps
        T1 = forward_kinematics(q + dq)
        np.testing.assert_allclose((T1[:3, 3] - T0[:3, 3]) / eps, J[:3, i], atol=1e-5)
        np.testing.assert_allclose(rotation_error(T1[:3, :3], T0[:3, :3]) / eps, J[3:, i], atol=1e-5)


def test_ik_round_trip_recovers_random_reachable_poses():
    rng = np.random.default_rng(2)
    for _ in range(20):
        q_true = np.asarray(HOME_Q) + rng.uniform(-0.5, 0.5, 6)
        target = forward_kinematics(q_true)
        result = solve_ik(target, np.asarray(HOME_Q))
        assert result.converged, result
        T = forward_kinematics(result.q)
        assert np.linalg.norm(T[:3, 3] - target[:3, 3]) < 1e-4
        assert np.linalg.norm(rotation_error(target[:3, :3], T[:3, :3])) < 1e-3
        assert np.all(result.q >= UR5E.lower) and np.all(result.q <= UR5E.upper)


def test_ik_reaches_top_down_grasps_over_the_workspace():
    for x in (0.32, 0.45, 0.58):
        for y in (-0.28, 0.0, 0.33):
            target = top_down_grasp_pose(np.array([x, y, 0.02]), yaw_rad=0.6)
            result = solve_ik(target, np.asarray(HOME_Q))
            assert result.converged, (x, y, result)
            np.testing.assert_allclose(forward_kinematics(result.q)[:3, 2], [0, 0, -1], atol=2e-3)


def test_ik_reports_unreachable_targets_instead_of_pretending():
    result = solve_ik(top_down_grasp_pose(np.array([2.0, 0.0, 0.1]), 0.0), np.asarray(HOME_Q))
    assert not result.converged
    assert result.position_error_m > 0.5


def test_rotation_error_handles_half_turns():
    R = np.diag([1.0, -1.0, -1.0])  # 180° about x
    np.testing.assert_allclose(np.abs(rotation_error(R, np.eye(3))), [np.pi, 0, 0], atol=1e-9)


@pytest.mark.parametrize("bad", [np.zeros(5), np.array([0, 0, np.nan, 0, 0, 0])])
def test_kinematics_rejects_bad_joint_vectors(bad):
    with pytest.raises(ValueError, match="joint vector"):
        forward_kinematics(bad)


def test_ik_rejects_a_nan_target():
    target = np.eye(4)
    target[0, 3] = np.nan
    with pytest.raises(ValueError, match="finite 4×4"):
        solve_ik(target, np.asarray(HOME_Q))


def test_tcp_positions_equal_forward_kinematics_row_by_row():
    qs = np.random.default_rng(4).uniform(-np.pi, np.pi, (50, 6))
    expected = np.array([forward_kinematics(q)[:3, 3] for q in qs])
    np.testing.assert_allclose(tcp_positions(qs), expected, atol=1e-12)
    with pytest.raises(ValueError, match=r"shape \(n, 6\)"):
        tcp_positions(qs[0])
    with pytest.raises(ValueError, match="NaN"):
        tcp_positions(np.full((2, 6), np.nan))
