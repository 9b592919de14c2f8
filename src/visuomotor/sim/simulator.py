"""TabletopSim: the MuJoCo tabletop scene with a UR5e-class arm, a parallel gripper, objects and RGB-D cameras.

sim = TabletopSim()                       # SceneConfig() defaults: fixed + wrist camera, 640×480
sim.reset(seed=7)                         # deterministic layout, arm at home, objects settled
sim.set_targets(q_target, gripper=0.0)    # position actuators: 6 joint targets (rad), gripper 0 open…1 closed
sim.step(10)                              # physics steps of config.timestep_s
frame = sim.render("fixed")               # RGBDFrame: RGB, metric depth, segmentation, T_base_camera
truth = sim.ground_truth()                # objects (ids, classes, poses, sizes), joints, camera poses
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from visuomotor.camera.frame import RGBDFrame
from visuomotor.robot.arm import NUM_JOINTS, UR5E, ArmModel
from visuomotor.robot.joints import JOINT_NAMES
from visuomotor.sim.ground_truth import ObjectState, SceneGroundTruth
from visuomotor.sim.layout import CameraConfig, SceneConfig, SceneLayout, sample_layout
from visuomotor.sim.objects import HALF_EXTENTS_M, object_class
from visuomotor.sim.renderer import CameraRenderer, mujoco
from visuomotor.sim.scene_xml import FINGER_JOINTS, FINGER_MAX_OPENING_M, scene_xml

SETTLE_TIME_S = 0.3  # objects come to rest and the arm reaches its start pose during reset
OPTICAL_FROM_MUJOCO_CAMERA = np.diag([1.0, -1.0, -1.0])  # MuJoCo cameras look along −z with y up
Part = TypeVar("Part")


class TabletopSim:
    """The simulated cell. Call reset(seed) before anything else; the model is rebuilt from the seed's layout."""

    def __init__(self, config: SceneConfig | None = None, arm: ArmModel = UR5E) -> None:
        self.config = config or SceneConfig()
        self.arm = arm
        self._model: mujoco.MjModel | None = None
        self._data: mujoco.MjData | None = None
        self._layout: SceneLayout | None = None
        self._renderer: CameraRenderer | None = None
        self._cameras = {c.name: c for c in self.config.cameras}

    # -- episode ---------------------------------------------------------------------------------------
    def reset(self, seed: int) -> None:
        """Build the scene of `seed` (objects, colours, lights, camera jitter, start pose) and let it settle."""
        self._layout = sample_layout(self.config, seed)
        self._model = mujoco.MjModel.from_xml_string(scene_xml(self.config, self._layout, self.arm))
        self._data = mujoco.MjData(self._model)
        self._arm_qpos = np.array([self.model.joint(n).qposadr[0] for n in JOINT_NAMES])
        self._arm_qvel = np.array([self.model.joint(n).dofadr[0] for n in JOINT_NAMES])
        self._finger_qpos = np.array([self.model.joint(n).qposadr[0] for n in FINGER_JOINTS])
        self._object_body = {o.object_id: self.model.body(f"object_{o.object_id}").id for o in self.layout.objects}
        self._geom_to_object = np.zeros(self.model.ngeom, dtype=np.int32)  # 0 = not an object
        for object_id in self._object_body:
            self._geom_to_object[self.model.geom(f"object_{object_id}").id] = object_id
        self.data.qpos[self._arm_qpos] = self.layout.q_init
        self.data.qpos[self._finger_qpos] = FINGER_MAX_OPENING_M
        self.set_targets(np.asarray(self.layout.q_init), gripper=0.0)
        mujoco.mj_forward(self.model, self.data)
        self.step(int(round(SETTLE_TIME_S / self.model.opt.timestep)))
        if self._renderer is not None:
            self._renderer.bind(self.model)

    @property
    def model(self) -> mujoco.MjModel:
        """The MuJoCo model of the current scene (RuntimeError before the first reset)."""
        return self._require_reset(self._model)

    @property
    def data(self) -> mujoco.MjData:
        """The MuJoCo state of the current scene (RuntimeError before the first reset)."""
        return self._require_reset(self._data)

    @property
    def layout(self) -> SceneLayout:
        """The current scene's layout (RuntimeError before the first reset)."""
        return self._require_reset(self._layout)

    @staticmethod
    def _require_reset(part: Part | None) -> Part:
        if part is None:
            raise RuntimeError("the simulation has no scene yet: call reset(seed) first")
        return part

    @property
    def time_s(self) -> float:
        return float(self.data.time)

    @property
    def stamp_ns(self) -> int:
        return int(round(self.time_s * 1e9))

    # -- actuation -------------------------------------------------------------------------------------
    def set_targets(self, q_target: np.ndarray, gripper: float) -> None:
        """Position-actuator targets: 6 joint angles (rad, clipped to the joint limits) and the gripper
        command in [0, 1] (0 = open, 1 = closed; intermediate values close partway)."""
        q_target = np.asarray(q_target, dtype=float)
        if q_target.shape != (NUM_JOINTS,) or not np.all(np.isfinite(q_target)):
            raise ValueError(f"joint targets must be 6 finite angles in rad, got {q_target!r}")
        if not np.isfinite(gripper):
            raise ValueError(f"gripper command must be a finite number in [0, 1], got {gripper!r}")
        self.data.ctrl[:NUM_JOINTS] = np.clip(q_target, self.arm.lower, self.arm.upper)
        self.data.ctrl[NUM_JOINTS:] = (1.0 - float(np.clip(gripper, 0.0, 1.0))) * FINGER_MAX_OPENING_M

    def step(self, num_steps: int = 1) -> None:
        """Advance the physics by num_steps × timestep_s."""
        mujoco.mj_step(self.model, self.data, nstep=int(num_steps))

    # -- state -----------------------------------------------------------------------------------------
    def joint_positions(self) -> np.ndarray:
        return self.data.qpos[self._arm_qpos].copy()

    def joint_velocities(self) -> np.ndarray:
        return self.data.qvel[self._arm_qvel].copy()

    def gripper_state(self) -> float:
        """Finger closure: 0 = fully open, 1 = fully closed (≈ 0.55 while holding a 4 cm cube)."""
        opening = float(np.mean(self.data.qpos[self._finger_qpos]))
        return float(np.clip(1.0 - opening / FINGER_MAX_OPENING_M, 0.0, 1.0))

    def object_pose(self, object_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(position (3,) m, quaternion (4,) x, y, z, w) of an object in base_link."""
        if object_id not in self._object_body:
            raise KeyError(f"no object with id {object_id}; ids are {sorted(self._object_body)}")
        body = self._object_body[object_id]
        w, x, y, z = self.data.xquat[body]
        return self.data.xpos[body].copy(), np.array([x, y, z, w])

    def object_velocity(self, object_id: int) -> np.ndarray:
        """Linear speed vector (3,) m/s of the object's centre in base_link."""
        velocity = np.zeros(6)
        mujoco.mj_objectVelocity(
            self.model, self.data, mujoco.mjtObj.mjOBJ_BODY, self._object_body[object_id], velocity, 0
        )
        return velocity[3:]

    def camera_pose(self, camera_name: str) -> np.ndarray:
        """T_base_camera (4×4) of the camera's REP-103 optical frame (z forward, x right, y down)."""
        camera = self._camera_config(camera_name)
        cam_id = self.model.camera(camera.name).id
        T = np.eye(4)
        T[:3, :3] = self.data.cam_xmat[cam_id].reshape(3, 3) @ OPTICAL_FROM_MUJOCO_CAMERA
        T[:3, 3] = self.data.cam_xpos[cam_id]
        return T

    def tcp_pose(self) -> np.ndarray:
        """T_base_tcp (4×4) from MuJoCo's tcp site (the point between the fingertips)."""
        site = self.model.site("tcp").id
        T = np.eye(4)
        T[:3, :3] = self.data.site_xmat[site].reshape(3, 3)
        T[:3, 3] = self.data.site_xpos[site]
        return T

    def ground_truth(self) -> SceneGroundTruth:
        objects = []
        for placed in self.layout.objects:
            cls = object_class(placed.class_name)
            position, quat = self.object_pose(placed.object_id)
            objects.append(
                ObjectState(
                    object_id=placed.object_id,
                    class_id=cls.class_id,
                    class_name=cls.name,
                    shape=cls.shape,
                    position_m=position,
                    quat_xyzw=quat,
                    size_m=2.0 * np.asarray(HALF_EXTENTS_M[cls.shape]),
                )
            )
        return SceneGroundTruth(
            stamp_ns=self.stamp_ns,
            objects=tuple(objects),
            joint_positions=self.joint_positions(),
            joint_velocities=self.joint_velocities(),
            gripper_state=self.gripper_state(),
            T_base_tcp=self.tcp_pose(),
            T_base_cameras={name: self.camera_pose(name) for name in self._cameras},
        )

    # -- rendering -------------------------------------------------------------------------------------
    def _camera_config(self, camera_name: str) -> CameraConfig:
        if camera_name not in self._cameras:
            raise ValueError(f"unknown camera {camera_name!r}: the scene has {sorted(self._cameras)}")
        return self._cameras[camera_name]

    def render(self, camera_name: str, with_segmentation: bool = True) -> RGBDFrame:
        """Render one RGB-D frame of `camera_name` at the current sim time.

        depth: distance along the optical axis (z_cam), float32 m ("32FC1") or uint16 mm ("16UC1"), 0 = no
        surface. segmentation: (H, W) int32 object ids (0 = table, bin, robot, background).
        """
        camera = self._camera_config(camera_name)
        if self._renderer is None:
            self._renderer = CameraRenderer(self.model)
        k = camera.intrinsics
        labels = self._geom_to_object if with_segmentation else None
        color, depth_m, segmentation = self._renderer.render(self.data, camera.name, k.width, k.height, labels)
        if camera.depth_encoding == "16UC1":
            depth = np.clip(np.round(depth_m * 1000.0), 0, np.iinfo(np.uint16).max).astype(np.uint16)
        else:
            depth = depth_m
        return RGBDFrame(
            color=color,
            depth=depth,
            intrinsics=k,
            stamp_ns=self.stamp_ns,
            depth_encoding=camera.depth_encoding,
            T_base_camera=self.camera_pose(camera.name),
            segmentation=segmentation,
        )

    def close(self) -> None:
        """Free the rendering context (the sim stays usable; a later render creates a new one)."""
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None

    def __enter__(self) -> TabletopSim:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
