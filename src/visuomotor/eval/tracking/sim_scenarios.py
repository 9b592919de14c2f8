"""Simulated tracking sequences with ground truth: static scenes, an object moved (picked and placed),
occlusions (the arm sweeping over the objects) and a moving wrist camera.

Each scenario runs the simulator at its control rate (50 Hz), records joint states at 250 Hz and renders
one camera at `frame_hz`; it yields ScenarioFrames in time order. For the wrist camera the pose used for
localization is computed like the robot would: forward kinematics of the joint-state history
interpolated at the image stamp (visuomotor.localization.camera_pose), not taken from the simulator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from visuomotor.camera.frame import RGBDFrame
from visuomotor.localization.camera_pose import JointStateHistory, WristCameraPose
from visuomotor.localization.diagnostics import Diagnostic
from visuomotor.sim.ground_truth import SceneGroundTruth

SCENARIOS = ("static", "moved", "occlusion", "wrist")
JOINT_STATE_EVERY_STEPS = 2  # 250 Hz joint states at the 500 Hz physics rate
SWEEP_TCP_X_M, SWEEP_TCP_Z_M = 0.50, 0.10
SWEEP_Y_RANGE_M, SWEEP_PERIOD_S = (-0.32, 0.16), 4.0


@dataclass
class ScenarioFrame:
    """One rendered frame (with its segmentation), the simulator's ground truth at its stamp, and the camera
    pose to localize with (a Diagnostic when the joint-state history cannot give one)."""

    frame: RGBDFrame
    truth: SceneGroundTruth
    T_base_camera: np.ndarray | Diagnostic | None


def run_scenario(
    name: str, seed: int, *, frame_hz: float = 10.0, max_frames: int = 60, depth_encoding: str = "32FC1"
) -> Iterator[ScenarioFrame]:
    """The frames of scenario `name` (one of SCENARIOS) on the scene of `seed`; depth rendered as
    depth_encoding ("32FC1" float metres, or "16UC1" uint16 millimetres as a RealSense publishes)."""
    from visuomotor.robot.kinematics import link_frames
    from visuomotor.robot.wrist_mount import wrist_camera_in_flange
    from visuomotor.sim import CameraConfig, SceneConfig
    from visuomotor.sim.expert import ExpertConfig, PickPlaceExpert
    from visuomotor.sim.task import PickPlaceTask, TaskConfig

    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}: use one of {', '.join(SCENARIOS)}")
    cameras = (
        CameraConfig(name="fixed", mount="fixed", depth_encoding=depth_encoding),
        CameraConfig(name="wrist", mount="wrist", depth_encoding=depth_encoding),
    )
    task = PickPlaceTask(TaskConfig(scene=SceneConfig(cameras=cameras), time_limit_s=60.0))
    observation = task.reset(seed)
    sim = task.sim
    camera = "wrist" if name == "wrist" else "fixed"
    control_period_steps = task.config.physics_steps_per_control
    render_every = max(1, int(round(task.config.control_hz / frame_hz)))
    history = JointStateHistory(max_samples=1000, max_gap_ns=20_000_000)
    wrist_pose = WristCameraPose(lambda q: link_frames(q)[-1], wrist_camera_in_flange(), history)
    act = _policy(name, task, observation, ExpertConfig, PickPlaceExpert)
    history.add(sim.stamp_ns, sim.joint_positions())
    pending: list[tuple[RGBDFrame, SceneGroundTruth]] = []
    emitted = 0
    control_step = 0
    try:
        while emitted < max_frames:
            if control_step % render_every == 0:
                pending.append((sim.render(camera), sim.ground_truth()))
            action = act(observation)
            sim.set_targets(action[:6], gripper=action[6])
            for _ in range(control_period_steps // JOINT_STATE_EVERY_STEPS):
                sim.step(JOINT_STATE_EVERY_STEPS)
                history.add(sim.stamp_ns, sim.joint_positions())
            observation = task.observe()
            control_step += 1
            # A frame is localized once joint states after its stamp exist (as a node would wait for them).
            while pending and emitted < max_frames:
                frame, truth = pending.pop(0)
                pose = wrist_pose.at(frame.stamp_ns) if camera == "wrist" else frame.T_base_camera
                yield ScenarioFrame(frame, truth, pose)
                emitted += 1
    finally:
        sim.close()


def _policy(name: str, task, observation, ExpertConfig, PickPlaceExpert) -> Callable[[object], np.ndarray]:
    """Action source (7,) = 6 joint targets + gripper for each control step of the scenario."""
    if name == "static":
        hold = np.r_[observation.joint_positions, 0.0]
        return lambda _obs: hold
    if name in ("moved", "wrist"):
        expert = PickPlaceExpert(
            ExpertConfig(bin_center_m=task.config.scene.bin_center_m, control_hz=task.config.control_hz)
        )
        return expert.act
    return _sweep_policy(task)


def _sweep_policy(task) -> Callable[[object], np.ndarray]:
    """The gripper sweeps sideways 10 cm above the table, over and in front of the objects (occluding them
    from the fixed camera), y(t) = centre + amplitude·sin(2πt/period); joint targets by IK each step."""
    from visuomotor.robot.kinematics import solve_ik, top_down_grasp_pose

    state = {"q": task.sim.joint_positions()}
    centre, amplitude = np.mean(SWEEP_Y_RANGE_M), 0.5 * np.ptp(SWEEP_Y_RANGE_M)

    def act(observation) -> np.ndarray:
        y = centre + amplitude * np.sin(2 * np.pi * observation.time_s / SWEEP_PERIOD_S)
        target = top_down_grasp_pose(np.array([SWEEP_TCP_X_M, y, SWEEP_TCP_Z_M]), 0.0)
        state["q"] = solve_ik(target, state["q"]).q
        return np.r_[state["q"], 0.0]

    return act
