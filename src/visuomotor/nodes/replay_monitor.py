"""replay_monitor: records what a live perception graph publishes (/detections, /objects, /tracks) for
`visuomotor eval bag --realtime`, keyed by the header stamp (= the source image stamp), with the
monotonic receive time of each message. Messages are converted to ROS-free records on arrival."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy

from visuomotor.camera.image_codec import stamp_to_ns
from visuomotor.detection.result import Detection
from visuomotor.nodes.detection_msgs import detection_from_msg
from visuomotor.sim.objects import CLASS_NAMES
from visuomotor_ros.msg import Detection2DArray, Object3DArray, Track, TrackArray

RELIABLE_100 = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
SIM_CLASS_IDS = {name: index for index, name in enumerate(CLASS_NAMES)}


@dataclass(frozen=True)
class LiveObject:
    """One published 3D object or track: class, position (3,) m in base_link; track_id for tracks."""

    class_name: str
    position: np.ndarray
    track_id: str = ""


@dataclass
class LiveStamp:
    """What was published for one image stamp, and when it arrived (monotonic s); None: not published."""

    detections: list[Detection] | None = None
    objects: list[LiveObject] | None = None
    tracks: list[LiveObject] | None = None
    received_s: dict[str, float] = field(default_factory=dict)


class ReplayMonitor(Node):
    """Subscribes detections, objects and tracks (relative names: namespace-aware)."""

    def __init__(self, **node_kwargs):
        super().__init__("replay_monitor", **node_kwargs)
        self.stamps: dict[int, LiveStamp] = {}
        self.create_subscription(Detection2DArray, "detections", self.on_detections, RELIABLE_100)
        self.create_subscription(Object3DArray, "objects", self.on_objects, RELIABLE_100)
        self.create_subscription(TrackArray, "tracks", self.on_tracks, RELIABLE_100)

    def _entry(self, stamp, topic: str) -> LiveStamp:
        entry = self.stamps.setdefault(stamp_to_ns(stamp), LiveStamp())
        entry.received_s[topic] = time.monotonic()
        return entry

    def on_detections(self, message: Detection2DArray) -> None:
        self._entry(message.header.stamp, "detections").detections = [
            detection_from_msg(d, SIM_CLASS_IDS) for d in message.detections]

    def on_objects(self, message: Object3DArray) -> None:
        self._entry(message.header.stamp, "objects").objects = [
            LiveObject(o.results[0].class_id if o.results else "", _position(o.pose.pose.position))
            for o in message.objects]

    def on_tracks(self, message: TrackArray) -> None:
        """Keeps the confirmed tracks matched at this stamp (as Tracker.confirmed())."""
        self._entry(message.header.stamp, "tracks").tracks = [
            LiveObject(t.results[0].class_id if t.results else "", _position(t.pose.pose.position), t.id)
            for t in message.tracks if t.state == Track.CONFIRMED
            and t.time_since_update.sec == 0 and t.time_since_update.nanosec == 0]


def _position(point) -> np.ndarray:
    return np.array([point.x, point.y, point.z])
