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


def test_out_of_limit_targets_are_clamped():
    controller = controller_at_home()
    target = HOME.copy()
    target[2] = 5.0  # elbow limit is ±π
    assert controller.submit(chunk_to(target, 0.0, k=200), 0.0) == ""
    commands = run(controller, 0.0, 3.0, chunk=chunk_to(target, 0.0, k=200))
    assert max(c.joints[2] for c in commands) <= UR5E.upper[2] + 1e-12


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
    assert "before the joint states jumped" in controller.submit(late, 1.01)
    assert controller.submit(chunk_to(reset_pose, 1.02), 1.02) == ""
