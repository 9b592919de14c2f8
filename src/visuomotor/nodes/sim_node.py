"""sim_node: the MuJoCo tabletop cell as a ROS 2 robot + RGB-D camera.

Steps the physics in real time (or ρ× faster, then publishing /clock), renders the camera at
camera_rate_hz (late frames are dropped, never queued) and publishes the realsense-ros camera topics,
/camera/extrinsics, /joint_states (6 arm joints + gripper, at the control rate) and /sim/ground_truth;
executes /arm_controller/joint_trajectory (first point = the position target) and
/gripper_controller/commands ([closure]). std_msgs/UInt32 on /sim/reset starts a new episode with that
seed, announced (latched) on /sim/episode once the new scene runs; std_msgs/Bool on /sim/success says
whether the red cube rests in the bin. A reset teleports the arm: commands computed for the old pose
(in flight, or from a controller that has not seen the new joint states yet) would yank it back or
re-close the gripper, so after a reset arm and gripper commands are ignored until a trajectory starts
within JUMP_TOLERANCE_RAD of the new pose (the arm controller restarts from the measured pose when
the joint states jump by more than that, so it sends such a trajectory as soon as it sees the reset).

Composed mode (visuomotor.harness.composition): frames are also handed as RGBDFrames to `frame_sinks`
(the detector and localizer in the same process) and the image topics are then published only when some
other process subscribes to them, so no frame is serialised between perception stages.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from geometry_msgs.msg import TransformStamped
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import CameraInfo, Image, JointState
from std_msgs.msg import Bool, Float64MultiArray, UInt32
from trajectory_msgs.msg import JointTrajectory
from visuomotor_ros.msg import Object3DArray

from visuomotor.camera import topics
from visuomotor.camera.depth_units import with_depth_encoding
from visuomotor.nodes import qos
from visuomotor.nodes.base import VisuomotorNode
from visuomotor.nodes.msgs.image import frame_to_msgs, header
from visuomotor.nodes.msgs.objects import ground_truth_msg
from visuomotor.nodes.msgs.transform import extrinsics_msg
from visuomotor.nodes.roles import BackgroundWork, FrameProducer, FrameSink
from visuomotor.nodes.runner import run_node
from visuomotor.robot.joint_checks import JUMP_TOLERANCE_RAD
from visuomotor.robot.joints import GRIPPER_JOINT, JOINT_NAMES
from visuomotor.sim.layout import SceneConfig
from visuomotor.sim.realtime import RealTimePacer
from visuomotor.sim.task import PickPlaceTask, TaskConfig


@dataclass(frozen=True)
class SimNodeOptions:
    seed: int = 0
    "scene seed of the first episode (objects, lights, start pose); later episodes come from sim/reset"
    real_time_factor: float = 1.0
    "simulated seconds per wall-clock second; ≠ 1 publishes /clock (nodes then need use_sim_time)"
    camera_mount: str = "fixed"
    "camera to render: fixed (the cell's mount) or wrist (on the gripper)"
    camera_rate_hz: float = 30.0
    "camera frames per simulated second (a frame rendered late is dropped, never queued)"
    control_rate_hz: float = 50.0
    "rate of the joint states and of executing arm/gripper commands, per simulated second"
    depth_encoding: str = "16UC1"
    "published depth: 16UC1 (uint16 mm, as a RealSense) or 32FC1 (float32 m)"

    def __post_init__(self) -> None:
        if self.camera_mount not in ("fixed", "wrist"):
            raise ValueError(f"camera_mount {self.camera_mount!r}: use fixed or wrist")
        if self.depth_encoding not in ("16UC1", "32FC1"):
            raise ValueError(f"depth_encoding {self.depth_encoding!r}: use 16UC1 (mm) or 32FC1 (m)")
        if not (self.real_time_factor > 0 and self.camera_rate_hz > 0 and self.control_rate_hz > 0):
            raise ValueError("real_time_factor, camera_rate_hz and control_rate_hz must be positive")


class SimNode(VisuomotorNode, BackgroundWork, FrameProducer):
    PARAMETERS = (SimNodeOptions,)

    def __init__(self, **node_kwargs):
        super().__init__("sim_node", **node_kwargs)
        options: SimNodeOptions = self.declare_config(SimNodeOptions)
        self.camera, self.depth_encoding = options.camera_mount, options.depth_encoding
        self.task = PickPlaceTask(TaskConfig(scene=SceneConfig(), control_hz=options.control_rate_hz))
        self.tick_s = 1.0 / options.control_rate_hz
        self.pacer = RealTimePacer(self.tick_s, 1.0 / options.camera_rate_hz, options.real_time_factor)
        self.publish_clock = options.real_time_factor != 1.0
        self.lock = threading.Lock()
        self.pending_seed: int | None = options.seed
        self.targets: tuple[np.ndarray, float] | None = None
        self.reset_pose: np.ndarray | None = None  # commands wait for a trajectory starting here
        self.camera_pubs = {
            topic: self.create_publisher(kind, topic, qos.IMAGE)
            for topic, kind in (
                (topics.COLOR_IMAGE, Image),
                (topics.COLOR_INFO, CameraInfo),
                (topics.DEPTH_IMAGE, Image),
                (topics.DEPTH_INFO, CameraInfo),
            )
        }
        self.extrinsics_pub = self.create_publisher(TransformStamped, topics.EXTRINSICS, qos.LATCHED)
        self.joint_pub = self.create_publisher(JointState, topics.JOINT_STATES, qos.DATA)
        self.truth_pub = self.create_publisher(Object3DArray, topics.GROUND_TRUTH, qos.DATA)
        self.success_pub = self.create_publisher(Bool, "/sim/success", qos.DATA)
        self.episode_pub = self.create_publisher(UInt32, "/sim/episode", qos.LATCHED)
        self.clock_pub = self.create_publisher(Clock, "/clock", 10)
        self.create_subscription(JointTrajectory, "/arm_controller/joint_trajectory", self.on_trajectory, qos.DATA)
        self.create_subscription(Float64MultiArray, "/gripper_controller/commands", self.on_gripper, qos.DATA)
        self.create_subscription(UInt32, "/sim/reset", lambda m: self.request_reset(m.data), qos.DATA)
        self.gripper_command = 0.0
        self.wall_offset_ns = 0
        self.frame_sinks: list[FrameSink] = []
        self._stop = threading.Event()
        self._loop = threading.Thread(target=self.run_loop, args=(self._stop,), name="sim_loop", daemon=True)

    def start(self) -> None:
        """Start stepping the simulation (its own thread)."""
        self._loop.start()

    def stop(self) -> None:
        self._stop.set()
        if self._loop.is_alive():
            self._loop.join(timeout=5.0)

    def publish_diagnostics(self) -> None:
        self.diagnostics.set_counter("frames_dropped", self.pacer.frames_dropped)
        self.diagnostics.publish()

    # -- inputs (executor thread) ----------------------------------------------------------------------
    def on_trajectory(self, msg: JointTrajectory) -> None:
        if not msg.points:
            return
        try:
            q = np.array([msg.points[0].positions[list(msg.joint_names).index(n)] for n in JOINT_NAMES])
        except (ValueError, IndexError):
            self.diagnostics.refuse(f"joint_trajectory must name the joints {list(JOINT_NAMES)}")
            return
        if np.all(np.isfinite(q)):
            with self.lock:
                if self.reset_pose is not None:
                    if np.max(np.abs(q - self.reset_pose)) > JUMP_TOLERANCE_RAD:
                        return  # computed for the pose before the reset
                    self.reset_pose = None
                self.targets = (q, self.gripper_command)

    def on_gripper(self, msg: Float64MultiArray) -> None:
        if len(msg.data) == 1 and np.isfinite(msg.data[0]):
            with self.lock:
                if self.reset_pose is not None:
                    return
                self.gripper_command = float(np.clip(msg.data[0], 0.0, 1.0))
                if self.targets is not None:
                    self.targets = (self.targets[0], self.gripper_command)

    def request_reset(self, seed: int) -> None:
        with self.lock:
            self.pending_seed = int(seed)

    # -- the simulation loop (its own thread) --------------------------------------------------------------
    def stamp_ns(self) -> int:
        return self.wall_offset_ns + self.task.sim.stamp_ns

    def run_loop(self, stop: threading.Event) -> None:
        try:
            self._step_until(stop)
        except Exception as error:
            self.get_logger().error(f"simulation stopped: {type(error).__name__}: {error}")
            self.context.try_shutdown()
        finally:
            self.task.sim.close()  # the EGL context belongs to this thread

    def _step_until(self, stop: threading.Event) -> None:
        wall_start, sim_start = time.monotonic(), 0.0
        while not stop.is_set():
            with self.lock:
                seed, self.pending_seed = self.pending_seed, None
                targets = self.targets
            if seed is not None:
                observation = self.task.reset(seed)
                self.pacer.reset()
                wall_start, sim_start = time.monotonic(), self.task.sim.time_s
                # real time: stamps are wall-clock times; faster than real time: sim time, with /clock
                self.wall_offset_ns = (
                    0 if self.publish_clock else self.get_clock().now().nanoseconds - self.task.sim.stamp_ns
                )
                with self.lock:
                    self.targets = targets = (observation.joint_positions.copy(), 0.0)
                    self.gripper_command = 0.0
                    self.reset_pose = observation.joint_positions.copy()
                self.episode_pub.publish(UInt32(data=seed))
                self.get_logger().info(f"episode reset with seed {seed}")
            episode_time_s = self.task.sim.time_s - sim_start
            for _ in range(self.pacer.ticks_due(episode_time_s, time.monotonic() - wall_start)):
                self.task.sim.set_targets(*targets)
                self.task.sim.step(self.task.config.physics_steps_per_control)
                self.publish_state()
            if self.pacer.frame_due(self.task.sim.time_s - sim_start):
                self.publish_frame()
            stop.wait(0.001)

    def publish_state(self) -> None:
        sim, stamp = self.task.sim, self.stamp_ns()
        names = [*JOINT_NAMES, GRIPPER_JOINT]
        self.joint_pub.publish(
            JointState(
                header=header(stamp, ""),
                name=names,
                position=[*sim.joint_positions().tolist(), sim.gripper_state()],
                velocity=[*sim.joint_velocities().tolist(), 0.0],
            )
        )
        if self.publish_clock:
            clock = Clock()
            clock.clock = header(stamp, "").stamp
            self.clock_pub.publish(clock)

    def publish_frame(self) -> None:
        sim = self.task.sim
        frame = with_depth_encoding(sim.render(self.camera, with_segmentation=False), self.depth_encoding)
        frame.stamp_ns = self.stamp_ns()
        for sink in self.frame_sinks:
            sink(frame)
        stamp = header(frame.stamp_ns, frame.frame_id).stamp
        self.extrinsics_pub.publish(extrinsics_msg(frame.T_base_camera, frame.stamp_ns, frame.frame_id))
        if not self.frame_sinks or any(p.get_subscription_count() for p in self.camera_pubs.values()):
            messages = frame_to_msgs(frame)
            self.camera_pubs[topics.COLOR_IMAGE].publish(messages.color)
            self.camera_pubs[topics.COLOR_INFO].publish(messages.info)
            self.camera_pubs[topics.DEPTH_IMAGE].publish(messages.depth)
            self.camera_pubs[topics.DEPTH_INFO].publish(messages.info)
        self.diagnostics.count("frames_published")
        if not self.publish_clock:  # real time: lag behind the wall clock + rendering + publishing
            age_ns = self.get_clock().now().nanoseconds - frame.stamp_ns
            self.diagnostics.record_latency(age_ns * 1e-6, "frame_age")
        truth_msg = ground_truth_msg(sim.ground_truth())
        truth_msg.header.stamp = stamp
        for obj in truth_msg.objects:
            obj.header.stamp = stamp
        self.truth_pub.publish(truth_msg)
        self.success_pub.publish(Bool(data=bool(self.task.success())))


NODE_CLASS = SimNode


def main(args: list[str] | None = None) -> int:
    return run_node(SimNode, "sim_node", args)
