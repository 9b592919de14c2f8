"""The demo's observer and episode driver (one rclpy node in the `visuomotor demo` process).

Starts each episode (/sim/reset with the seed; once /sim/episode announces it, /tracker/reset and
/policy/reset), ends it on /sim/success or a timeout, and measures from message stamps:
glass-to-detections/objects/tracks/command latency (receipt time − image stamp; for the command, the
first action chunk after each /tracks), tracked vs ground-truth position error (same stamp, same class,
nearest), joint trajectories and each node's last /diagnostics values.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.node import Node
from sensor_msgs.msg import JointState
from std_msgs.msg import Bool, Empty, UInt32
from trajectory_msgs.msg import JointTrajectory
from visuomotor_ros.msg import Detection2DArray, Object3DArray, Track, TrackArray

from visuomotor.camera.image_codec import stamp_to_ns
from visuomotor.eval.demo.records import EpisodeRecord
from visuomotor.nodes import qos


class DemoMonitor(Node):
    def __init__(self, **node_kwargs):
        super().__init__("demo_monitor", **node_kwargs)
        self.lock = threading.Lock()
        self.record: EpisodeRecord | None = None
        self.episode_seed: int | None = None
        self.success = threading.Event()
        self.success_armed = False
        self.started_ns = 0
        self.pending_tracks: list[int] = []  # stamps of /tracks not yet followed by a chunk
        self.chunks_seen = 0
        self.truth: OrderedDict[int, Object3DArray] = OrderedDict()
        self.reset_sim = self.create_publisher(UInt32, "/sim/reset", qos.DATA)
        self.reset_tracker = self.create_publisher(Empty, "/tracker/reset", qos.DATA)
        self.reset_policy = self.create_publisher(Empty, "/policy/reset", qos.DATA)
        self.create_subscription(UInt32, "/sim/episode", self.on_episode, qos.LATCHED)
        self.create_subscription(Bool, "/sim/success", self.on_success, qos.DATA)
        self.create_subscription(Detection2DArray, "/detections", lambda m: self.glass_to("detections", m), qos.DATA)
        self.create_subscription(Object3DArray, "/objects", lambda m: self.glass_to("objects", m), qos.DATA)
        self.create_subscription(TrackArray, "/tracks", self.on_tracks, qos.DATA)
        self.create_subscription(JointTrajectory, "/policy/action_chunk", self.on_chunk, qos.CHUNK)
        self.create_subscription(Object3DArray, "/sim/ground_truth", self.on_truth, qos.DATA)
        self.create_subscription(JointState, "/joint_states", self.on_joint_state, qos.DATA)
        self.create_subscription(DiagnosticArray, "/diagnostics", self.on_diagnostics, qos.DATA)

    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    # -- episode driver (called from the demo's main thread) ----------------------------------------------
    def run_episode(self, seed: int, timeout_s: float, start_timeout_s: float = 30.0) -> EpisodeRecord:
        record = EpisodeRecord(seed=seed)
        with self.lock:
            self.record, self.episode_seed = None, None
        self.success.clear()
        deadline = time.monotonic() + start_timeout_s
        while self.reset_sim.get_subscription_count() == 0:  # a request sent before discovery would be lost
            if time.monotonic() > deadline:
                raise TimeoutError(f"no sim_node subscribes to /sim/reset after {start_timeout_s:.0f} s")
            time.sleep(0.05)
        self.success_armed = False  # a True still in flight from the old scene ...
        self.reset_sim.publish(UInt32(data=seed))  # once: every request restarts the episode
        while self.episode_seed != seed:
            if time.monotonic() > deadline:
                raise TimeoutError(f"sim_node did not start episode {seed} within {start_timeout_s:.0f} s")
            time.sleep(0.01)
        self.reset_tracker.publish(Empty())  # after the new scene runs: no track or chunk of the old one survives
        self.reset_policy.publish(Empty())
        with self.lock:
            self.started_ns, self.pending_tracks, self.record = self.now_ns(), [], record
        self.success.wait(timeout_s)
        with self.lock:
            record.success = self.success.is_set()
            record.duration_s = (self.now_ns() - self.started_ns) * 1e-9
            self.record = None
        return record

    # -- observations (executor thread) ---------------------------------------------------------------------
    def on_episode(self, message: UInt32) -> None:
        self.episode_seed = message.data

    def on_success(self, message: Bool) -> None:
        """... is not this episode's: success counts once a False was seen since the reset request (the
        new scene starts with the cube on the table; messages of one topic arrive in order)."""
        if not message.data:
            self.success_armed = True
        elif self.success_armed and self.record is not None:
            self.success.set()

    def glass_to(self, stage: str, message) -> None:
        with self.lock:
            if self.record is not None:
                self.record.latency_ms[stage].append((self.now_ns() - stamp_to_ns(message.header.stamp)) * 1e-6)

    def on_tracks(self, message: TrackArray) -> None:
        self.glass_to("tracks", message)
        stamp = stamp_to_ns(message.header.stamp)
        with self.lock:
            if self.record is None:
                return
            self.pending_tracks.append(stamp)
            truth = self.truth.get(stamp)
            if truth is not None:
                self.record.position_errors_m.extend(position_errors(message, truth))

    def pipeline_flowing(self) -> bool:
        """Action chunks have arrived: every stage from the camera to the policy works."""
        return self.chunks_seen > 0

    def on_chunk(self, message: JointTrajectory) -> None:
        now = self.now_ns()
        with self.lock:
            self.chunks_seen += 1
            if self.record is not None:
                self.record.latency_ms["command"].extend((now - s) * 1e-6 for s in self.pending_tracks)
            self.pending_tracks = []

    def on_truth(self, message: Object3DArray) -> None:
        with self.lock:
            self.truth[stamp_to_ns(message.header.stamp)] = message
            while len(self.truth) > 60:
                self.truth.popitem(last=False)

    def on_joint_state(self, message: JointState) -> None:
        with self.lock:
            if self.record is not None:
                self.record.joint_trajectory.append(((self.now_ns() - self.started_ns) * 1e-9, list(message.position)))

    def on_diagnostics(self, message: DiagnosticArray) -> None:
        with self.lock:
            if self.record is None:
                return
            if message.status:  # StageDiagnostics: the node's status first, then one status per refusal
                status = message.status[0]
                self.record.node_status[status.name] = {kv.key: kv.value for kv in status.values}


def position_errors(tracks: TrackArray, truth: Object3DArray) -> list[float]:
    """For each confirmed, updated track: distance (m) to the nearest ground-truth object of its class."""
    errors = []
    for track in tracks.tracks:
        if (
            track.state != Track.CONFIRMED
            or not track.results
            or track.time_since_update.sec
            or track.time_since_update.nanosec
        ):
            continue
        p = track.pose.pose.position
        same_class = [
            o.pose.pose.position
            for o in truth.objects
            if o.results and o.results[0].class_id == track.results[0].class_id
        ]
        if same_class:
            errors.append(min(float(np.linalg.norm([p.x - q.x, p.y - q.y, p.z - q.z])) for q in same_class))
    return errors
