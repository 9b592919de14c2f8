"""policy_node: /joint_states + /tracks -> /policy/action_chunk (trajectory_msgs/JointTrajectory).

Every control period (1/rate_hz) it hands the newest joint state and track list to the ROS-free
visuomotor.policy.controller.PolicyController (target locking, grasp offset, new-episode and staleness rules,
input checks) and publishes its chunk: point 0 is this step's action, points 1.. the actions ahead, one control
period apart, stamped with the time point 0 is due. No chunk (stale, missing or refused input) publishes nothing —
the arm controller's watchdog then holds the arm — and a diagnostic names the cause. std_msgs/Empty on
policy/reset starts a new episode.
"""

from __future__ import annotations

import time

import numpy as np
from rclpy.duration import Duration
from rclpy.time import Time
from sensor_msgs.msg import JointState
from std_msgs.msg import Empty
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint
from visuomotor_ros.msg import Track, TrackArray

from visuomotor.camera.image_codec import stamp_to_ns
from visuomotor.nodes import qos
from visuomotor.nodes.base import VisuomotorNode
from visuomotor.nodes.runner import run_node
from visuomotor.policy.controller import (
    Chunk,
    JointReading,
    PolicyController,
    PolicyControllerConfig,
    TrackedTarget,
    TrackList,
)
from visuomotor.robot.joints import ARM_AND_GRIPPER
from visuomotor.tracking.track import TrackState

STATES = {Track.TENTATIVE: TrackState.TENTATIVE, Track.CONFIRMED: TrackState.CONFIRMED, Track.LOST: TrackState.LOST}


def track_list_from_msg(message: TrackArray) -> TrackList:
    stamp = stamp_to_ns(message.header.stamp)
    return TrackList(
        stamp,
        tuple(
            TrackedTarget(
                track_id=t.id,
                class_name=t.results[0].class_id if t.results else "",
                state=STATES.get(t.state, TrackState.DELETED),
                score=t.results[0].score if t.results else 0.0,
                hits=t.hits,
                position=np.array([t.pose.pose.position.x, t.pose.pose.position.y, t.pose.pose.position.z]),
                measured_ns=stamp - stamp_to_ns(t.time_since_update),
            )
            for t in message.tracks
        ),
    )


def chunk_msg(chunk: Chunk) -> JointTrajectory:
    message = JointTrajectory(joint_names=list(ARM_AND_GRIPPER))
    message.header.stamp = Time(nanoseconds=chunk.due_ns).to_msg()
    for i, action in enumerate(chunk.actions):
        point = JointTrajectoryPoint(positions=[float(v) for v in action])
        point.time_from_start = Duration(nanoseconds=int(round(i * chunk.period_s * 1e9))).to_msg()
        message.points.append(point)
    return message


class PolicyNode(VisuomotorNode):
    PARAMETERS = (PolicyControllerConfig,)

    def __init__(self, **node_kwargs):
        super().__init__("policy_node", **node_kwargs)
        self.controller = PolicyController.load(self.declare_config(PolicyControllerConfig))
        self.joints: JointReading | None = None
        self.tracks: TrackList | None = None
        self.chunk_pub = self.create_publisher(JointTrajectory, "policy/action_chunk", qos.CHUNK)
        self.create_subscription(JointState, "joint_states", self.on_joint_state, qos.DATA)
        self.create_subscription(TrackArray, "tracks", self.on_tracks, qos.DATA)
        self.create_subscription(Empty, "policy/reset", self.on_reset, qos.DATA)
        self.create_timer(self.controller.period_s, self.step)

    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    def on_joint_state(self, message: JointState) -> None:
        names = list(message.name)
        try:
            values = [message.position[names.index(n)] for n in ARM_AND_GRIPPER]
        except (ValueError, IndexError):
            self.diagnostics.refuse(f"joint_states lack some of {list(ARM_AND_GRIPPER)}")
            return
        self.joints = JointReading(stamp_to_ns(message.header.stamp), self.now_ns(), np.asarray(values, dtype=float))

    def on_tracks(self, message: TrackArray) -> None:
        self.tracks = track_list_from_msg(message)

    def on_reset(self, _: Empty) -> None:
        self.controller.reset(self.now_ns(), "reset requested")

    def step(self) -> None:
        started = time.perf_counter()
        result = self.controller.step(self.now_ns(), self.joints, self.tracks)
        for event in self.controller.events:
            self.get_logger().info(event)
        self.controller.events.clear()
        if not isinstance(result, Chunk):
            if result.report:
                self.diagnostics.refuse(f"no action: {result.reason}")
            return
        self.chunk_pub.publish(chunk_msg(result))
        self.diagnostics.record_latency((time.perf_counter() - started) * 1e3)


NODE_CLASS = PolicyNode


def main(args: list[str] | None = None) -> int:
    return run_node(PolicyNode, "policy_node", args)
