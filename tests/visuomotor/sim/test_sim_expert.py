"""The scripted expert solves pick-and-place step by step through the task wrapper."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.eval.expert import run_expert_episode
from visuomotor.robot.state_layout import ACTION_DIM
from visuomotor.sim.expert import ExpertConfig, PickPlaceExpert, grasp_yaw
from visuomotor.sim.task import PickPlaceTask


@pytest.fixture(scope="module")
def task() -> PickPlaceTask:
    return PickPlaceTask()


@pytest.mark.parametrize("seed", [0, 11, 42])
def test_expert_places_the_red_cube_in_the_bin(task, seed):
    expert = PickPlaceExpert(ExpertConfig(bin_center_m=task.config.scene.bin_center_m))
    outcome = run_expert_episode(task, expert, seed)
    assert outcome.success, outcome
    position, _ = task.sim.object_pose(task.cube_id)
    assert np.linalg.norm(position[:2] - np.asarray(task.config.scene.bin_center_m)) < 0.08
    assert outcome.duration_s < task.config.time_limit_s


def test_expert_acts_one_control_step_at_a_time_and_grasps(task):
    expert = PickPlaceExpert(ExpertConfig(bin_center_m=task.config.scene.bin_center_m))
    observation = task.reset(5)
    start_cube = observation.cube_position_m.copy()
    phases = []
    while expert.phase != "lift":
        action = expert.act(observation)
        assert action.shape == (ACTION_DIM,)
        observation = task.step(action)
        phases.append(expert.phase)
    assert phases[0] == "approach" and "descend" in phases and "close" in phases
    for _ in range(40):  # lifting: the cube rises with the closed gripper
        observation = task.step(expert.act(observation))
    assert observation.cube_position_m[2] > start_cube[2] + 0.05
    assert 0.4 < observation.gripper_state < 0.7  # fingers stopped by the 4 cm cube, not fully closed


def test_grasp_yaw_folds_cube_symmetry():
    for yaw in (-3.0, -0.7, 0.2, 1.9):
        quat = np.array([0.0, 0.0, np.sin(yaw / 2), np.cos(yaw / 2)])
        folded = grasp_yaw(quat)
        assert -np.pi / 4 <= folded <= np.pi / 4
        assert np.isclose(np.cos(4 * folded), np.cos(4 * yaw))
