"""PickPlaceTask: observation/state layout, control period, success, time limit, bad actions; CLI commands."""

from __future__ import annotations

import json

import numpy as np
import pytest

from visuomotor.cli import main
from visuomotor.robot.joints import GRIPPER_CLOSED
from visuomotor.robot.state_layout import ACTION_DIM, STATE_DIM
from visuomotor.sim import SceneConfig
from visuomotor.sim.task import PickPlaceTask, TaskConfig


@pytest.fixture(scope="module")
def task() -> PickPlaceTask:
    return PickPlaceTask(TaskConfig(time_limit_s=0.2, camera_names=("fixed",), render_segmentation=True))


def test_observation_state_vector_and_frames(task):
    observation = task.reset(2)
    state = observation.state_vector()
    assert state.shape == (STATE_DIM,) and state.dtype == np.float32
    np.testing.assert_allclose(state[:6], observation.joint_positions, atol=1e-6)
    assert state[6] == pytest.approx(observation.gripper_state) and state[6] < 0.05  # starts open
    np.testing.assert_allclose(state[7:], task.sim.ground_truth().object(task.cube_id).position_m, atol=1e-6)
    frame = observation.frames["fixed"]
    assert frame.segmentation is not None and task.cube_id in frame.segmentation
    assert observation.time_s == 0.0 and not task.success() and not task.done()


def test_step_holds_an_action_for_one_control_period_until_the_time_limit(task):
    observation = task.reset(2)
    action = np.r_[observation.joint_positions, GRIPPER_CLOSED]
    steps = 0
    while not task.done():
        observation = task.step(action)
        steps += 1
    assert steps == 10  # 0.2 s at 50 Hz; each step = 10 physics steps of 2 ms
    assert observation.time_s == pytest.approx(0.2)
    assert observation.gripper_state > 0.5
    with pytest.raises(RuntimeError, match="time limit"):
        task.step(action)


@pytest.mark.parametrize(
    "action, message",
    [
        (np.zeros(6), r"shape \(7,\)"),
        (np.r_[np.zeros(6), np.nan], "NaN"),
    ],
)
def test_bad_actions_are_rejected(task, action, message):
    task.reset(2)
    with pytest.raises(ValueError, match=message):
        task.step(action)
    assert ACTION_DIM == 7


def test_bad_task_config_is_rejected():
    with pytest.raises(ValueError, match="control_hz"):
        TaskConfig(control_hz=33.0)
    with pytest.raises(ValueError, match="unknown camera 'top'"):
        TaskConfig(camera_names=("top",))
    with pytest.raises(ValueError, match="500 Hz"):
        TaskConfig(scene=SceneConfig(timestep_s=0.004))


def test_eval_expert_command_prints_one_json_object(capsys):
    assert main(["eval", "expert", "--episodes", "2", "--seed-start", "7", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["episodes"] == 2 and result["successes"] == 2 and result["failed_seeds"] == []
    assert result["success_rate"] == 1.0 and result["success_wilson_95"] == [0.342, 1.0]  # Wilson 95 % of 2/2


def test_bench_sim_command_reports_rates_and_reset_latency(capsys):
    assert main(["bench", "sim", "--frames", "2", "--physics-seconds", "0.1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["reset_ms"]["n"] == 10 and 0 < result["reset_ms"]["min_ms"] <= result["reset_ms"]["max_ms"]
    assert result["physics_steps_per_s"] > 0 and all(v > 0 for k, v in result.items() if k.startswith("render_hz_"))


def test_eval_expert_command_rejects_bad_arguments(capsys):
    assert main(["eval", "expert", "--episodes", "0"]) == 2
    assert "--episodes" in capsys.readouterr().err
