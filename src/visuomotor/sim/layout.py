"""Scene configuration and the per-seed randomised layout (objects, colours, lighting, camera jitter).

base_link is the world frame: the robot base sits at the origin on the table top (z = 0 m), x points away
from the robot over the table, z up. `sample_layout(config, seed)` is a pure function of its inputs, which
makes `TabletopSim.reset(seed)` deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from visuomotor.camera.frame import DEPTH_SCALE_M, CameraIntrinsics
from visuomotor.robot.arm import NUM_JOINTS
from visuomotor.robot.kinematics import forward_kinematics
from visuomotor.sim.objects import CLASS_NAMES, COLORS, HALF_EXTENTS_M, TASK_OBJECT_CLASS, object_class

CAMERA_MOUNTS = ("fixed", "wrist")
# Gripper pointing down with the TCP at (0.45, 0, 0.25) m: an elbow-up UR pose above the workspace.
HOME_Q = (2.841, -1.705, 1.869, -1.735, -1.571, -1.871)
MIN_START_TCP_HEIGHT_M = 0.10  # jittered start poses keep the gripper this far above the table


@dataclass(frozen=True)
class CameraConfig:
    """An RGB-D camera: `mount` "fixed" (in the world, looking from `eye_m` at `target_m`) or "wrist"
    (on the gripper, looking along the tool axis). depth_encoding "32FC1" (float m) or "16UC1" (uint16 mm).
    Fixed-camera eye and target are jittered uniformly by ±pose_jitter_m per axis on every reset."""

    name: str = "fixed"
    mount: str = "fixed"
    intrinsics: CameraIntrinsics = field(default_factory=CameraIntrinsics)
    depth_encoding: str = "32FC1"
    eye_m: tuple[float, float, float] = (1.05, 0.05, 0.62)
    target_m: tuple[float, float, float] = (0.42, 0.05, 0.0)
    pose_jitter_m: float = 0.02

    def __post_init__(self) -> None:
        if self.mount not in CAMERA_MOUNTS:
            raise ValueError(f"camera {self.name!r}: unknown mount {self.mount!r}; use one of {CAMERA_MOUNTS}")
        if self.depth_encoding not in DEPTH_SCALE_M:
            raise ValueError(f"camera {self.name!r}: depth_encoding {self.depth_encoding!r}; use 32FC1 or 16UC1")
        k = self.intrinsics
        if k.width <= 0 or k.height <= 0 or k.width > 4096 or k.height > 4096:
            raise ValueError(f"camera {self.name!r}: image size {k.width}×{k.height} px must be within 1…4096")
        if not (k.fx > 0 and k.fy > 0 and np.isfinite(k.fx) and np.isfinite(k.fy)):
            raise ValueError(f"camera {self.name!r}: focal lengths fx={k.fx}, fy={k.fy} px must be finite and > 0")
        if not (0 <= k.cx <= k.width and 0 <= k.cy <= k.height):
            raise ValueError(f"camera {self.name!r}: principal point ({k.cx}, {k.cy}) px lies outside the image")
        if any(abs(c) > 1e-12 for c in k.distortion):
            raise ValueError(f"camera {self.name!r}: the simulator renders undistorted images; set distortion to zeros")


def default_cameras() -> tuple[CameraConfig, ...]:
    """A front/above fixed camera "fixed" and a wrist camera "wrist", both D455-like 640×480 (seed §29.3)."""
    return (CameraConfig(name="fixed", mount="fixed"), CameraConfig(name="wrist", mount="wrist"))


@dataclass(frozen=True)
class SceneConfig:
    """What reset(seed) may produce: the task object plus `num_distractors` objects of other classes, placed
    with random yaw in the rectangle [x_range] × [y_range] (m, base_link) at least `min_separation_m`
    apart; the bin (inner half-width `bin_half_width_m`, wall height `bin_wall_height_m`) stays fixed."""

    num_distractors: int = 4
    x_range_m: tuple[float, float] = (0.32, 0.58)
    y_range_m: tuple[float, float] = (-0.28, 0.12)
    min_separation_m: float = 0.09
    bin_center_m: tuple[float, float] = (0.42, 0.33)
    bin_half_width_m: float = 0.08
    bin_wall_height_m: float = 0.07
    color_jitter: float = 0.08  # ± per RGB channel
    light_jitter: float = 0.25  # ± relative intensity
    joint_jitter_rad: float = 0.05  # ± around HOME_Q (redrawn if the TCP would start < 10 cm above the table)
    timestep_s: float = 0.002  # ≥ 500 Hz physics
    cameras: tuple[CameraConfig, ...] = field(default_factory=default_cameras)

    def __post_init__(self) -> None:
        if not 0 <= self.num_distractors <= len(CLASS_NAMES) - 1:
            raise ValueError(f"num_distractors={self.num_distractors}: use 0…{len(CLASS_NAMES) - 1}")
        if not 0 < self.timestep_s <= 0.002:
            raise ValueError(f"timestep_s={self.timestep_s}: physics must run at ≥ 500 Hz (timestep ≤ 0.002 s)")
        names = [c.name for c in self.cameras]
        if len(set(names)) != len(names):
            raise ValueError(f"camera names must be unique, got {names}")


@dataclass(frozen=True)
class PlacedObject:
    """One object instance: id (≥ 1; 0 = background in segmentation), class, colour (RGBA), pose on the table."""

    object_id: int
    class_name: str
    rgba: tuple[float, float, float, float]
    position_m: tuple[float, float, float]
    yaw_rad: float


@dataclass(frozen=True)
class SceneLayout:
    """Everything random about one episode, drawn from the seed."""

    seed: int
    objects: tuple[PlacedObject, ...]
    light_intensity: float
    light_direction: tuple[float, float, float]
    table_rgba: tuple[float, float, float, float]
    camera_eyes_m: dict[str, tuple[float, float, float]]
    camera_targets_m: dict[str, tuple[float, float, float]]
    q_init: tuple[float, ...]


Vec3 = tuple[float, float, float]


def _vec3(values: np.ndarray) -> Vec3:
    x, y, z = (float(v) for v in values)
    return (x, y, z)


def _jittered_rgba(rng: np.random.Generator, rgb: tuple[float, float, float], jitter: float) -> tuple:
    values = np.clip(np.asarray(rgb) + rng.uniform(-jitter, jitter, 3), 0.0, 1.0)
    return (*(round(float(v), 4) for v in values), 1.0)


def _place_apart(rng: np.random.Generator, count: int, config: SceneConfig) -> list[np.ndarray]:
    """`count` xy positions in the object rectangle, pairwise ≥ min_separation_m apart (random sequential
    placement, restarted from scratch when it jams)."""
    for _ in range(200):
        positions: list[np.ndarray] = []
        for _ in range(500):
            if len(positions) == count:
                return positions
            xy = np.array([rng.uniform(*config.x_range_m), rng.uniform(*config.y_range_m)])
            if all(np.linalg.norm(xy - p) >= config.min_separation_m for p in positions):
                positions.append(xy)
        if len(positions) == count:
            return positions
    raise ValueError(
        f"could not place {count} objects {config.min_separation_m} m apart: enlarge "
        "x_range_m/y_range_m, lower min_separation_m or use fewer distractors"
    )


def _start_pose(rng: np.random.Generator, config: SceneConfig) -> np.ndarray:
    """HOME_Q + uniform jitter, redrawn while the TCP would start below MIN_START_TCP_HEIGHT_M."""
    for _ in range(1000):
        q = np.asarray(HOME_Q) + rng.uniform(-1, 1, NUM_JOINTS) * config.joint_jitter_rad
        if forward_kinematics(q)[2, 3] >= MIN_START_TCP_HEIGHT_M:
            return q
    raise ValueError(f"joint_jitter_rad={config.joint_jitter_rad} keeps putting the gripper into the table; lower it")


def sample_layout(config: SceneConfig, seed: int) -> SceneLayout:
    """Draw the layout of episode `seed`: object classes, colours, poses; lighting; camera jitter; start pose."""
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    distractors = [n for n in CLASS_NAMES if n != TASK_OBJECT_CLASS]
    chosen = [distractors[i] for i in rng.choice(len(distractors), config.num_distractors, replace=False)]
    class_names = [TASK_OBJECT_CLASS, *chosen]
    positions = _place_apart(rng, len(class_names), config)
    objects = []
    for index, (name, xy) in enumerate(zip(class_names, positions)):
        cls = object_class(name)
        z = HALF_EXTENTS_M[cls.shape][2]
        objects.append(
            PlacedObject(
                object_id=index + 1,
                class_name=name,
                rgba=_jittered_rgba(rng, COLORS[cls.color], config.color_jitter),
                position_m=(float(xy[0]), float(xy[1]), z),
                yaw_rad=float(rng.uniform(-np.pi, np.pi)),
            )
        )
    direction = np.array([rng.uniform(-0.4, 0.4), rng.uniform(-0.4, 0.4), -1.0])
    eyes: dict[str, Vec3] = {}
    targets: dict[str, Vec3] = {}
    for cam in config.cameras:
        if cam.mount == "fixed":
            eyes[cam.name] = _vec3(np.asarray(cam.eye_m) + rng.uniform(-1, 1, 3) * cam.pose_jitter_m)
            targets[cam.name] = _vec3(np.asarray(cam.target_m) + rng.uniform(-1, 1, 3) * cam.pose_jitter_m)
    q_init = _start_pose(rng, config)
    return SceneLayout(
        seed=int(seed),
        objects=tuple(objects),
        light_intensity=float(1.0 + rng.uniform(-1, 1) * config.light_jitter),
        light_direction=_vec3(direction / np.linalg.norm(direction)),
        table_rgba=_jittered_rgba(rng, (0.55, 0.45, 0.35), config.color_jitter),
        camera_eyes_m=eyes,
        camera_targets_m=targets,
        q_init=tuple(float(v) for v in q_init),
    )
