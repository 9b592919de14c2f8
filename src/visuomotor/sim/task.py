"""PickPlaceTask: "pick the red cube, place it in the bin" (seed 004 §29.3) as a step-by-step environment.

    task = PickPlaceTask()                     # TaskConfig(): 50 Hz control, 12 s limit, no camera frames
    obs = task.reset(seed=3)
    while not task.done():
        action = policy(obs.state_vector())    # (7,): 6 absolute joint targets (rad) + gripper (0 open, 1 closed)
        obs = task.step(action)                # holds the targets for one control period (physics_steps_per_control)
    task.success()

State vector (seed §29.3.3, eq. 29.14): s = [6 joint angles (rad), gripper state (0 open … 1 closed),
red-cube position (3, m, base_link)], STATE_DIM = 10. Action (eq. 29.15): a ∈ R^7, ACTION_DIM = 7, with
absolute joint targets (the seed writes Δθ; absolute targets are what the position actuators track).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from visuomotor.camera.frame import RGBDFrame
from visuomotor.robot.arm import NUM_JOINTS
from visuomotor.robot.state_layout import ACTION_DIM
from visuomotor.sim.layout import SceneConfig
from visuomotor.sim.objects import TASK_OBJECT_CLASS
from visuomotor.sim.scene_xml import FINGER_JOINTS
from visuomotor.sim.simulator import TabletopSim

REST_SPEED_M_S = 0.05  # the cube "rests" below this speed


@dataclass(frozen=True)
class TaskConfig:
    """control_hz: action rate (each action is held for round(1 / (control_hz · timestep)) physics steps);
    time_limit_s: episode length; camera_names: cameras rendered into every observation (each costs a
    render); render_segmentation: fill RGBDFrame.segmentation in those frames."""

    scene: SceneConfig = field(default_factory=SceneConfig)
    control_hz: float = 50.0
    time_limit_s: float = 12.0
    camera_names: tuple[str, ...] = ()
    render_segmentation: bool = False

    def __post_init__(self) -> None:
        steps = 1.0 / (self.control_hz * self.scene.timestep_s) if self.control_hz > 0 else 0.0
        if not (steps >= 1 and abs(steps - round(steps)) < 1e-6):
            raise ValueError(
                f"control_hz={self.control_hz} must divide the physics rate "
                f"{1 / self.scene.timestep_s:g} Hz into a whole number of steps (e.g. 50)"
            )
        if self.time_limit_s <= 0:
            raise ValueError(f"time_limit_s must be > 0, got {self.time_limit_s}")
        known = {c.name for c in self.scene.cameras}
        for name in self.camera_names:
            if name not in known:
                raise ValueError(f"camera_names: unknown camera {name!r}; the scene has {sorted(known)}")

    @property
    def physics_steps_per_control(self) -> int:
        return int(round(1.0 / (self.control_hz * self.scene.timestep_s)))


@dataclass(frozen=True)
class Observation:
    """What the policy sees after reset/step. Ground-truth extras (cube orientation) are for the scripted
    expert; a learned policy should use state_vector() and frames."""

    time_s: float
    joint_positions: np.ndarray  # (6,) rad
    gripper_state: float  # 0 open … 1 closed (finger closure, not the command)
    cube_position_m: np.ndarray  # (3,) base_link
    cube_quat_xyzw: np.ndarray  # (4,) base_link
    frames: dict[str, RGBDFrame]

    def state_vector(self) -> np.ndarray:
        """s = [q (6), gripper (1), cube position (3)], float32 (10,) (seed 004 §29.3.3, eq. 29.14)."""
        return np.concatenate([self.joint_positions, [self.gripper_state], self.cube_position_m]).astype(np.float32)


class PickPlaceTask:
    """Episode wrapper around TabletopSim for demos and closed-loop policy evaluation."""

    def __init__(self, config: TaskConfig | None = None) -> None:
        self.config = config or TaskConfig()
        self.sim = TabletopSim(self.config.scene)
        self._start_time_s = 0.0
        self._cube_id = 0

    def reset(self, seed: int) -> Observation:
        self.sim.reset(seed)
        self._start_time_s = self.sim.time_s
        self._cube_id = next(o.object_id for o in self.sim.layout.objects if o.class_name == TASK_OBJECT_CLASS)
        self._cube_geom = self.sim.model.geom(f"object_{self._cube_id}").id
        self._pad_geoms = {self.sim.model.geom(f"{name}_pad").id for name in FINGER_JOINTS}
        return self.observe()

    @property
    def elapsed_s(self) -> float:
        return self.sim.time_s - self._start_time_s

    @property
    def cube_id(self) -> int:
        """Instance id of the red cube (its value in segmentation images)."""
        return self._cube_id

    def step(self, action: np.ndarray) -> Observation:
        """Apply a = [6 joint targets (rad), gripper (0 open … 1 closed)] for one control period."""
        action = np.asarray(action, dtype=float)
        if action.shape != (ACTION_DIM,):
            raise ValueError(f"action must have shape ({ACTION_DIM},) = 6 joint targets + gripper, got {action.shape}")
        if not np.all(np.isfinite(action)):
            raise ValueError(f"action contains NaN/inf: {action}; pass finite joint targets (rad) and gripper")
        if self.elapsed_s >= self.config.time_limit_s - 1e-9:
            raise RuntimeError(f"episode reached its {self.config.time_limit_s} s time limit: call reset(seed)")
        self.sim.set_targets(action[:NUM_JOINTS], gripper=action[NUM_JOINTS])
        self.sim.step(self.config.physics_steps_per_control)
        return self.observe()

    def observe(self) -> Observation:
        position, quat = self.sim.object_pose(self._cube_id)
        frames = {name: self.sim.render(name, self.config.render_segmentation) for name in self.config.camera_names}
        return Observation(
            time_s=self.elapsed_s,
            joint_positions=self.sim.joint_positions(),
            gripper_state=self.sim.gripper_state(),
            cube_position_m=position,
            cube_quat_xyzw=quat,
            frames=frames,
        )

    def _cube_touches_gripper(self) -> bool:
        data = self.sim.data
        for contact in data.contact[: data.ncon]:
            pair = {int(contact.geom1), int(contact.geom2)}
            if self._cube_geom in pair and pair & self._pad_geoms:
                return True
        return False

    def success(self) -> bool:
        """The red cube rests inside the bin: centre within the bin's inner walls and below the rim, speed
        < REST_SPEED_M_S, and the fingers no longer touch it."""
        scene = self.config.scene
        position, _ = self.sim.object_pose(self._cube_id)
        offset = np.abs(position[:2] - np.asarray(scene.bin_center_m))
        inside = bool(np.all(offset < scene.bin_half_width_m) and position[2] < scene.bin_wall_height_m)
        resting = float(np.linalg.norm(self.sim.object_velocity(self._cube_id))) < REST_SPEED_M_S
        return inside and resting and not self._cube_touches_gripper()

    def done(self) -> bool:
        """Success, or the time limit reached."""
        return self.success() or self.elapsed_s >= self.config.time_limit_s - 1e-9
