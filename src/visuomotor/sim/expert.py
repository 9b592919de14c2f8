"""Scripted pick-and-place expert: solves "pick the red cube, place it in the bin" from ground truth.

The phases follow seed 004 §29.3.4 (move to cube, reach, close, lift and move, place): each phase has a
TCP goal (gripper pointing down, finger axis aligned with a cube face), solved by IK (§29.3.5 step 1)
from the previous goal, and a quintic joint-space segment sampled at the control rate. The plan of a phase
is made when the phase starts, from the observation at that moment, so the expert is used one control
step at a time:

    expert = PickPlaceExpert(ExpertConfig(bin_center_m=scene.bin_center_m, control_hz=50))
    obs = task.reset(seed); expert.reset()
    while not task.done():
        obs = task.step(expert.act(obs))
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from visuomotor.control.trajectory import quintic_trajectory, segment_duration
from visuomotor.robot.arm import UR5E, ArmModel
from visuomotor.robot.joints import GRIPPER_CLOSED, GRIPPER_OPEN
from visuomotor.robot.kinematics import solve_ik, top_down_grasp_pose
from visuomotor.sim.layout import SceneConfig
from visuomotor.sim.task import Observation


@dataclass(frozen=True)
class ExpertConfig:
    """Heights are TCP z in base_link (m); the TCP sits between the fingertips, 1 cm above their ends."""

    bin_center_m: tuple[float, float] = SceneConfig.bin_center_m  # the scene's default bin
    control_hz: float = 50.0
    approach_height_m: float = 0.12  # above the cube centre before descending
    grasp_height_offset_m: float = 0.004  # TCP above the cube centre when closing
    carry_height_m: float = 0.22
    release_height_m: float = 0.13
    max_joint_speed_rad_s: float = 1.2
    move_min_s: float = 0.8
    descend_s: float = 0.8
    close_s: float = 0.5
    release_s: float = 0.4


@dataclass(frozen=True)
class Phase:
    name: str
    gripper: float
    moves: bool = True  # False: keep the joint targets while the gripper acts (close_s / release_s)


PHASES = (
    Phase("approach", GRIPPER_OPEN),
    Phase("descend", GRIPPER_OPEN),
    Phase("close", GRIPPER_CLOSED, moves=False),
    Phase("lift", GRIPPER_CLOSED),
    Phase("transport", GRIPPER_CLOSED),
    Phase("lower", GRIPPER_CLOSED),
    Phase("release", GRIPPER_OPEN, moves=False),
    Phase("retreat", GRIPPER_OPEN),
)


def grasp_yaw(quat_xyzw: np.ndarray) -> float:
    """Yaw (rad) of the cube's x axis about base z, folded into [−π/4, π/4] (a cube is 90°-symmetric)."""
    x, y, z, w = quat_xyzw
    cube_x_axis = np.array([1 - 2 * (y * y + z * z), 2 * (x * y + w * z)])
    yaw = float(np.arctan2(cube_x_axis[1], cube_x_axis[0]))
    return (yaw + np.pi / 4) % (np.pi / 2) - np.pi / 4


class PickPlaceExpert:
    """Stateful scripted expert; call reset() at every episode start, then act(observation) each control step."""

    def __init__(self, config: ExpertConfig | None = None, arm: ArmModel = UR5E) -> None:
        self.config = config or ExpertConfig()
        self.arm = arm
        self.reset()

    def reset(self) -> None:
        self._phase_index = -1
        self._queue: deque[np.ndarray] = deque()
        self._q_command: np.ndarray | None = None
        self._yaw = 0.0
        self._grasp_xy = np.zeros(2)
        self._gripper = GRIPPER_OPEN

    @property
    def phase(self) -> str:
        """Name of the current phase ("done" after the last one)."""
        if self._phase_index < 0:
            return "start"
        return PHASES[self._phase_index].name if self._phase_index < len(PHASES) else "done"

    def act(self, observation: Observation) -> np.ndarray:
        """Next action (7,): 6 absolute joint targets (rad) + gripper command (0 open, 1 closed)."""
        if self._q_command is None:
            self._q_command = np.asarray(observation.joint_positions, dtype=float).copy()
        start = self._q_command
        while not self._queue and self._phase_index < len(PHASES):
            self._phase_index += 1
            if self._phase_index < len(PHASES):
                self._plan(PHASES[self._phase_index], observation, start)
        if self._queue:
            self._q_command = self._queue.popleft()
        return np.concatenate([self._q_command, [self._gripper]])

    def _goal_pose(self, name: str, observation: Observation) -> np.ndarray:
        c = self.config
        cube = np.asarray(observation.cube_position_m, dtype=float)
        bin_xy = np.asarray(c.bin_center_m, dtype=float)
        if name == "approach":
            self._yaw = grasp_yaw(np.asarray(observation.cube_quat_xyzw, dtype=float))
            self._grasp_xy = cube[:2]
            return top_down_grasp_pose(np.r_[cube[:2], cube[2] + c.approach_height_m], self._yaw)
        if name == "descend":
            self._grasp_xy = cube[:2]
            return top_down_grasp_pose(np.r_[cube[:2], cube[2] + c.grasp_height_offset_m], self._yaw)
        targets = {
            "lift": np.r_[self._grasp_xy, c.carry_height_m],
            "transport": np.r_[bin_xy, c.carry_height_m],
            "lower": np.r_[bin_xy, c.release_height_m],
            "retreat": np.r_[bin_xy, c.carry_height_m],
        }
        return top_down_grasp_pose(targets[name], self._yaw)

    def _plan(self, phase: Phase, observation: Observation, start: np.ndarray) -> None:
        """Queue the phase's joint targets from `start` (6,) rad, the last command."""
        c = self.config
        self._gripper = phase.gripper
        if not phase.moves:
            hold = c.close_s if phase.name == "close" else c.release_s
            self._queue.extend([start.copy()] * max(1, int(round(hold * c.control_hz))))
            return
        goal = solve_ik(self._goal_pose(phase.name, observation), start, self.arm)
        if not goal.converged:
            raise RuntimeError(
                f"expert: no IK solution for phase {phase.name!r} "
                f"(position error {goal.position_error_m:.4f} m); the target is out of reach"
            )
        min_s = c.descend_s if phase.name in ("descend", "lower") else c.move_min_s
        duration = segment_duration(start, goal.q, c.max_joint_speed_rad_s, min_s)
        self._queue.extend(quintic_trajectory(start, goal.q, duration, c.control_hz))
