"""Arm controller: limits, workspace, NaN rejection and watchdog holds (seed 004 §29.3.5 execution loop)."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.control.arm_controller import ActionChunk, ArmController, ArmControllerConfig
from visuomotor.robot.arm import UR5E
from visuomotor.robot.kinematics import forward_kinematics
from visuomotor.sim.layout import HOME_Q

HOME = np.asarray(HOME_Q)
DT = 0.01


def chunk_to(target: np.ndarray, start_s: float, k: int = 16, dt: float = 0.05, gripper: float = 0.0) -> ActionChunk:
    positions = np.tile(np.append(target, gripper), (k, 1))
    return ActionChunk(start_s, dt, positions)


def controller_at_home(now_s: float = 0.0) -> ArmController:
    controller = ArmController(ArmControllerConfig())
    controller.update_joint_state(HOME, now_s)
    return controller


def run(
    controller: ArmController,
    start_s: float,
    seconds: float,
    feed_joint_states: bool = True,
    chunk: ActionChunk | None = None,
):
    """Tick at 100 Hz; joint states echo the last command; `chunk` is re-sent every tick, like a policy."""
    commands = []
    for i in range(int(round(seconds / DT))):
        now = start_s + i * DT
        if feed_joint_states and commands:
            controller.update_joint_state(commands[-1].joints, now)
        if chunk is not None:
            controller.submit(chunk, now)
        commands.append(controller.tick(now))
    return commands


def test_nothing_commanded_before_a_joint_state():
    assert ArmController().tick(0.0) is None


def test_holds_until_a_chunk_arrives():
    command = controller_at_home().tick(0.01)
    assert command.holding and command.reason == "no action chunk yet"
    np.testing.assert_allclose(command.joints, HOME)


def test_tracks_a_chunk_within_velocity_and_acceleration_limits():
    controller = controller_at_home()
    target = HOME + np.array([0.5, -0.3, 0.2, 0.1, 0.0, 0.4])
    assert controller.submit(chunk_to(target, 0.0, k=40), 0.0) == ""
    commands = run(controller, 0.0, 1.9, chunk=chunk_to(target, 0.0, k=40))
    joints = np.array([c.joints for c in commands])
    velocities = np.diff(joints, axis=0) / DT
    config = controller.config
    assert np.abs(velocities).max() <= config.max_velocity_rad_s + 1e-9
    assert np.abs(np.diff(velocities, axis=0) / DT).max() <= config.max_acceleration_rad_s2 + 1e-6
    np.testing.assert_allclose(joints[-1], target, atol=1e-3)
    assert not commands[-1].holding


def test_interpolates_between_chunk_points():
    controller = controller_at_home()
    positions = np.array([np.append(HOME, 0.0), np.append(HOME + 0.01, 1.0)])
    controller.submit(ActionChunk(0.0, 0.1, positions), 0.0)
    command = controller.tick(0.05)
    assert command.gripper == pytest.approx(0.5)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_chunk_is_rejected_and_previous_chunk_kept(bad):
    controller = controller_at_home()
    good = chunk_to(HOME + 0.05, 0.0)
    controller.submit(good, 0.0)
    positions = good.positions.copy()
    positions[3, 2] = bad
    assert "NaN" in controller.submit(ActionChunk(0.0, 0.05, positions), 0.005)
    assert not controller.tick(0.01).holding


def test_targets_just_beyond_the_limits_are_clamped():
    controller = controller_at_home()
    target = HOME.copy()
    target[2] = UR5E.upper[2] + 0.005  # within the tolerance (the elbow limit is ±π)
    assert controller.submit(chunk_to(target, 0.0, k=200), 0.0) == ""
    commands = run(controller, 0.0, 3.0, chunk=chunk_to(target, 0.0, k=200))
    assert max(c.joints[2] for c in commands) <= UR5E.upper[2] + 1e-12


def test_targets_beyond_the_limits_are_rejected_with_the_joint_named():
    """Issue #18: a 20 rad target was clamped to 2π and swung the joint 2.7 rad without a word."""
    controller = controller_at_home()
    target = HOME.copy()
    target[0] = 20.0
    reason = controller.submit(chunk_to(target, 0.0), 0.0)
    assert "action 0: joint shoulder_pan at 20 rad is beyond its limits" in reason
    assert controller.tick(0.01).reason == "no action chunk yet"


def test_an_out_of_limit_joint_state_holds_the_last_command_and_never_commands_beyond_the_limits():
    """Issue #18: a measured 100 rad became the hold pose, published unclipped (3.53 → 100 → 6.28 rad)."""
    controller = controller_at_home()
    chunk = chunk_to(HOME + 0.1, 0.0, k=100)
    commands = run(controller, 0.0, 0.3, chunk=chunk)
    for bad in (100.0, 7.0, np.nan):
        reading = commands[-1].joints.copy()
        reading[0] = bad
        reason = controller.update_joint_state(reading, 0.3)
        assert reason.startswith("joint state refused: joint shoulder_pan")
        held = [controller.tick(0.3 + i * DT) for i in range(5)]
        assert all(c.holding and c.reason == reason for c in held)
        np.testing.assert_array_equal(held[0].joints, commands[-1].joints)
    assert controller.update_joint_state(commands[-1].joints, 0.31) == ""  # good readings resume tracking
    controller.submit(chunk_to(HOME + 0.1, 0.31, k=100), 0.31)
    assert not controller.tick(0.32).holding
    every = np.array([c.joints for c in commands])
    assert np.all(every >= UR5E.lower) and np.all(every <= UR5E.upper)


def test_no_command_before_a_joint_state_within_the_limits():
    controller = ArmController()
    assert "beyond its limits" in controller.update_joint_state(np.full(6, 100.0), 0.0)
    assert controller.tick(0.01) is None


def test_a_chunk_longer_than_max_chunk_points_is_rejected():
    controller = controller_at_home()
    reason = controller.submit(chunk_to(HOME, 0.0, k=201), 0.0)
    assert "201 points, more than max_chunk_points 200" in reason


def test_target_outside_workspace_is_rejected():
    controller = ArmController(ArmControllerConfig(workspace_max_m=(0.9, 0.9, 0.05)))
    controller.update_joint_state(HOME, 0.0)
    assert forward_kinematics(HOME)[2, 3] > 0.05
    assert "outside the workspace" in controller.submit(chunk_to(HOME, 0.0), 0.0)
    assert controller.tick(0.01).holding


def test_stale_joint_states_hold_within_100_ms():
    controller = controller_at_home()
    commands = run(controller, 0.0, 0.5, feed_joint_states=False, chunk=chunk_to(HOME + 0.3, 0.0, k=100))
    first_hold = next(i for i, c in enumerate(commands) if c.holding) * DT
    assert first_hold <= 0.1 + DT
    assert commands[-1].reason == "joint states stale"
    held = np.array([c.joints for c in commands if c.holding])
    np.testing.assert_array_equal(held, np.repeat(held[:1], len(held), axis=0))


def test_vanished_policy_holds_within_100_ms_of_its_last_chunk():
    controller = controller_at_home()
    chunk = chunk_to(HOME + 0.1, 0.0, k=16, dt=0.05)  # reaches 0.75 s ahead
    controller.submit(chunk, 0.0)
    commands = run(controller, 0.0, 0.5)
    first_hold = next(i for i, c in enumerate(commands) if c.holding) * DT
    assert 0.1 < first_hold <= 0.1 + DT < chunk.end_s
    assert commands[-1].reason == "action chunks stale (policy silent)"


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match="workspace_min_m"):
        ArmControllerConfig(workspace_min_m=(1, 0, 0), workspace_max_m=(0, 1, 1))


def test_braking_speed_stops_exactly_in_discrete_steps():
    from visuomotor.control.arm_controller import braking_speed

    a, dt = 15.0, 0.01
    for n in (1, 5, 40):
        distance = a * dt * dt * n * (n + 1) / 2
        assert braking_speed(np.array(distance), a, dt) == pytest.approx(n * a * dt)


def test_joint_state_jump_resynchronises_instead_of_dragging_the_arm_back():
    controller = controller_at_home()
    run(controller, 0.0, 0.2, chunk=chunk_to(HOME + 0.05, 0.0, k=100))
    reset_pose = HOME + np.array([0.5, 0.0, 0.0, 0.0, 0.0, 0.0])
    controller.update_joint_state(reset_pose, 0.21)
    command = controller.tick(0.22)
    assert controller.resyncs == 1 and command.holding and command.reason == "no action chunk yet"
    np.testing.assert_allclose(command.joints, reset_pose)


def test_resynchronising_holds_the_measured_gripper_not_the_last_command():
    controller = controller_at_home()
    run(controller, 0.0, 0.2, chunk=chunk_to(HOME, 0.0, k=100, gripper=1.0))  # gripper commanded closed
    assert controller.tick(0.2).gripper == 1.0
    controller.update_joint_state(HOME + np.array([0.5, 0, 0, 0, 0, 0]), 0.21, gripper=0.02)  # reset, fingers open
    assert controller.tick(0.22).gripper == pytest.approx(0.02)


def test_a_chunk_planned_before_the_resync_is_discarded():
    controller = controller_at_home()
    reset_pose = HOME + np.array([0.5, 0, 0, 0, 0, 0])
    controller.update_joint_state(reset_pose, 1.00)
    late = chunk_to(HOME + 0.1, 0.98)  # planned from the pre-reset state, arriving now
    assert "planned before the controller restarted" in controller.submit(late, 1.01)
    assert controller.submit(chunk_to(reset_pose, 1.02), 1.02) == ""


def test_the_jump_rule_allows_what_the_drives_move_in_the_time_between_readings():
    """One rule with the policy (robot.joint_checks.jumped): 0.2 rad + v_max·Δt. Before, the controller
    restarted on any 0.2 rad step between consecutive readings, however far apart in time."""
    controller = controller_at_home()
    step = HOME + np.array([0.25, 0, 0, 0, 0, 0])
    controller.update_joint_state(HOME, 0.05)
    controller.update_joint_state(step, 0.10)  # 0.25 rad in 50 ms: allowed 0.2 + π·0.05 = 0.357 rad
    assert controller.resyncs == 0
    controller.update_joint_state(step + np.array([0.25, 0, 0, 0, 0, 0]), 0.11)  # allowed 0.2 + π·0.01
    assert controller.resyncs == 1


def test_joint_states_resuming_after_going_stale_restart_from_the_measured_pose():
    controller = controller_at_home()
    run(controller, 0.0, 0.2, chunk=chunk_to(HOME + 0.05, 0.0, k=100))
    moved = HOME + np.array([0.0, 0.3, 0.0, 0.0, 0.0, 0.0])  # moved by hand while no reading came
    controller.update_joint_state(moved, 2.0)
    command = controller.tick(2.01)
    assert controller.resyncs == 1 and command.reason == "no action chunk yet"
    np.testing.assert_allclose(command.joints, moved)
