"""policy_node: /joint_states + /tracks -> /policy/action_chunk (trajectory_msgs/JointTrajectory).

Every control period (1/rate_hz, the period the policy was trained at) it builds the state
s = [6 joint angles, gripper state, target object position] (seed 004 §29.3.3) from the newest joint
state and the target object's track (below), runs the ACT policy through its action schedule
(temporal ensembling or chunk execution), and publishes the actions ahead: point 0 is this step's
action (ensembled), points 1.. the rest of the latest predicted chunk, one control period apart, stamped
with the time point 0 is due. Stale or missing inputs publish nothing (the arm controller's watchdog then
holds the arm) and reset the schedule; a diagnostic names the stale input. Joint states are stale when
received more than stale_timeout_s ago, the target when its image was captured more than stale_timeout_s
ago — so when perception stops (e.g. the detector died and the tracker only coasts, stamping its
predictions coast_period_s in the past), the policy stops acting instead of following predictions.

Target track: the policy locks onto one track of `target_class` and follows that id while it lives —
another object misread as the target class never takes over. It picks, among the confirmed tracks last
measured since the episode started, the most recently measured (smallest time_since_update), then the
highest detection score, then the most hits; it picks again only when the locked track is deleted and the
gripper holds nothing. A lost locked track (the object hidden, e.g. under the open gripper) still gives
its last position; while the gripper holds the object, its position follows the tool.

A new episode starts on std_msgs/Empty on policy/reset or when a joint jumps RESET_JUMP_RAD further than
its drive could move (the robot was reset or moved by hand): the schedule, the target and the held
object's offset are forgotten, and only tracks measured afterwards count.
"""

from __future__ import annotations

import time

import numpy as np
from rclpy.duration import Duration
from rclpy.node import Node
from rclpy.time import Time
from sensor_msgs.msg import JointState
from std_msgs.msg import Empty
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint
from visuomotor_ros.msg import Track, TrackArray

from visuomotor.camera.image_codec import stamp_to_ns
from visuomotor.nodes import qos
from visuomotor.nodes.diagnostics import StageDiagnostics
from visuomotor.nodes.runner import run_node
from visuomotor.policy.checkpoint import SHIPPED_CHECKPOINT, load_policy
from visuomotor.policy.runner import GRIPPER_THRESHOLD, PolicyRunner
from visuomotor.robot.arm import UR5E
from visuomotor.robot.joints import GRIPPER_JOINT, JOINT_NAMES
from visuomotor.robot.kinematics import forward_kinematics

HOLDING_CLOSURE = (0.3, 0.9)  # gripper closure while it holds a cube (≈ 0.55); 1 = closed on nothing
RESET_JUMP_RAD = 0.2  # a joint moving this much more than its drive can between two joint states


class PolicyNode(Node):
    def __init__(self, **node_kwargs):
        super().__init__("policy_node", **node_kwargs)
        declare = self.declare_parameter
        declare("checkpoint", "")
        declare("rate_hz", 50.0)
        declare("temporal_ensembling", True)
        declare("ensemble_m", 0.01)
        declare("target_class", "red_cube")
        declare("stale_timeout_s", 0.5)
        declare("device", "cpu")
        declare("threads", 1)
        declare("backend", "torch")  # "torch", "nnfoundation" (torch-free) or "onnxruntime" (both: state mode)
        p = lambda name: self.get_parameter(name).value  # noqa: E731
        model, stats, _ = load_policy(p("checkpoint") or SHIPPED_CHECKPOINT, device=p("device"))
        if model.config.camera_names:
            raise ValueError(
                "policy_node runs state-mode ACT checkpoints (tracked object positions); this one "
                f"needs images from {list(model.config.camera_names)}"
            )
        self.runner = PolicyRunner(
            model, stats, temporal_ensembling=p("temporal_ensembling"), ensemble_m=p("ensemble_m"), backend=p("backend")
        )
        self.period_s, self.stale_ns = 1.0 / p("rate_hz"), int(p("stale_timeout_s") * 1e9)
        self.target_class = p("target_class")
        self.joint_state: tuple[int, np.ndarray] | None = None  # (receipt time ns, [q (6), gripper])
        self.joint_state_stamp_ns = 0
        self.target: tuple[int, np.ndarray, bool] | None = None  # (image stamp ns, position (3,), confirmed)
        self.grasp_offset: np.ndarray | None = None  # object − tool centre while held
        self.episode_start_ns = 0  # tracks measured earlier are ignored
        self.target_id: str | None = None  # the locked target track
        self.latest_chunk: np.ndarray | None = None
        self.steps_into_chunk = 0
        self.active = False
        self.chunk_pub = self.create_publisher(JointTrajectory, "policy/action_chunk", qos.CHUNK)
        self.create_subscription(JointState, "joint_states", self.on_joint_state, qos.DATA)
        self.create_subscription(TrackArray, "tracks", self.on_tracks, qos.DATA)
        self.create_subscription(Empty, "policy/reset", lambda _: self.start_episode("reset requested"), qos.DATA)
        self.diagnostics = StageDiagnostics(self)
        self.create_timer(self.period_s, self.step)
        self.create_timer(1.0, self.diagnostics.publish)

    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    def on_joint_state(self, message: JointState) -> None:
        names = list(message.name)
        try:
            values = [message.position[names.index(n)] for n in (*JOINT_NAMES, GRIPPER_JOINT)]
        except (ValueError, IndexError):
            self.diagnostics.refuse(f"joint_states lack some of {[*JOINT_NAMES, GRIPPER_JOINT]}")
            return
        values, stamp = np.asarray(values, dtype=float), stamp_to_ns(message.header.stamp)
        if self.joint_state is not None:
            allowed = RESET_JUMP_RAD + UR5E.max_speed_rad_s * max(0, stamp - self.joint_state_stamp_ns) * 1e-9
            if np.max(np.abs(values[:6] - self.joint_state[1][:6])) > allowed:
                self.start_episode("joint states jumped (robot reset or moved by hand)")
        self.joint_state, self.joint_state_stamp_ns = (self.now_ns(), values), stamp

    def on_tracks(self, message: TrackArray) -> None:
        stamp = stamp_to_ns(message.header.stamp)
        candidates = [
            t
            for t in message.tracks
            if t.state in (Track.CONFIRMED, Track.LOST)
            and t.results
            and t.results[0].class_id == self.target_class
            and stamp - stamp_to_ns(t.time_since_update) >= self.episode_start_ns
        ]
        locked = next((t for t in candidates if t.id == self.target_id), None)
        if locked is None:
            confirmed = [t for t in candidates if t.state == Track.CONFIRMED]
            if not confirmed or self.holding():
                return
            locked = min(confirmed, key=lambda t: (stamp_to_ns(t.time_since_update), -t.results[0].score, -t.hits))
            self.target_id = locked.id
        p = locked.pose.pose.position
        self.target = (stamp, np.array([p.x, p.y, p.z]), locked.state == Track.CONFIRMED)

    def holding(self) -> bool:
        """The gripper is closed but not fully: closure in HOLDING_CLOSURE, an object between the fingers."""
        return self.joint_state is not None and HOLDING_CLOSURE[0] <= self.joint_state[1][6] <= HOLDING_CLOSURE[1]

    def start_episode(self, why: str) -> None:
        """Forget the schedule, the target and the held object's offset; only later measurements count."""
        self.grasp_offset, self.target, self.target_id, self.episode_start_ns = None, None, None, self.now_ns()
        self.reset(why)

    def reset(self, why: str) -> None:
        if self.active:
            self.get_logger().info(f"policy schedule reset: {why}")
        self.runner.reset()
        self.latest_chunk, self.active = None, False

    def object_position(self, now: int) -> np.ndarray | None:
        """The target object's position. While the gripper holds it, it moves with the tool: tool-centre
        point (forward kinematics) + the object's offset from it, measured when the grasp closed (the
        object still at rest; a track of a moving object lags behind it). Otherwise the locked track's
        position while fresh (confirmed, or lost: last seen). None when unknown."""
        tcp = forward_kinematics(self.joint_state[1][:6])[:3, 3]
        fresh = self.target is not None and now - self.target[0] <= self.stale_ns
        if not self.holding():
            self.grasp_offset = None
            return self.target[1] if fresh else None
        if self.grasp_offset is None and fresh:
            self.grasp_offset = self.target[1] - tcp
        return tcp + self.grasp_offset if self.grasp_offset is not None else None

    def step(self) -> None:
        now = self.now_ns()
        if self.joint_state is None or now - self.joint_state[0] > self.stale_ns:
            stale = ["joint_states"]
        else:
            target = self.object_position(now)
            stale = [] if target is not None else [f"{self.target_class} track"]
        if stale:
            if self.active:
                self.diagnostics.refuse(f"no action: {', '.join(stale)} stale or missing")
            self.reset(f"{', '.join(stale)} stale")
            return
        started = time.perf_counter()
        qpos = self.joint_state[1]
        try:
            if self.runner.schedule.wants_query():
                self.latest_chunk, self.steps_into_chunk = self.runner.predict_chunk(qpos, target), 0
                self.runner.schedule.add_chunk(self.latest_chunk)
            action = self.runner.schedule.next_action()
        except ValueError as error:  # non-finite input: refuse, never act on it
            self.diagnostics.refuse(f"no action: {error}")
            self.reset(str(error))
            return
        self.active = True
        action[-1] = float(action[-1] >= GRIPPER_THRESHOLD)
        ahead = self.latest_chunk[self.steps_into_chunk + 1 :]
        self.steps_into_chunk += 1
        self.chunk_pub.publish(self.chunk_msg(np.vstack([action, ahead]), now))
        self.diagnostics.record_latency((time.perf_counter() - started) * 1e3)

    def chunk_msg(self, actions: np.ndarray, due_ns: int) -> JointTrajectory:
        message = JointTrajectory(joint_names=[*JOINT_NAMES, GRIPPER_JOINT])
        message.header.stamp = Time(nanoseconds=due_ns).to_msg()
        for i, action in enumerate(actions):
            point = JointTrajectoryPoint(positions=[float(v) for v in action])
            point.time_from_start = Duration(nanoseconds=int(round(i * self.period_s * 1e9))).to_msg()
            message.points.append(point)
        return message


NODE_CLASS = PolicyNode


def main(args: list[str] | None = None) -> int:
    return run_node(PolicyNode, "policy_node", args)
