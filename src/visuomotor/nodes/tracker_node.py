"""tracker_node: /objects -> /tracks (visuomotor_ros/TrackArray, stable string ids) + /tracks/markers.
std_msgs/Empty on tracker/reset forgets every track (the scene was replaced, e.g. a new sim episode);
frames captured before the reset are then refused, and an empty /tracks says so at once.

Hungarian 3D tracking in base_link (visuomotor.tracking, seed 004 §29.4). When /objects stop arriving
(e.g. the detector died), the tracks coast on their constant-velocity prediction every coast_period_s,
turning LOST and finally being deleted after max_age missed updates — never frozen, never invented.
An object the tracker cannot use (non-finite position, covariance, size or score; visuomotor.tracking.tracker.
object_problem) is refused with a diagnostic and the frame's other objects are tracked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from builtin_interfaces.msg import Duration
from geometry_msgs.msg import TwistWithCovariance
from std_msgs.msg import Empty
from visualization_msgs.msg import Marker, MarkerArray
from visuomotor_ros.msg import Object3DArray, ObjectHypothesis, Track, TrackArray

from visuomotor.camera.image_codec import stamp_to_ns
from visuomotor.localization.localizer import LocalizedObject
from visuomotor.nodes import qos
from visuomotor.nodes.base import VisuomotorNode
from visuomotor.nodes.msgs.detection import detection_from_msg
from visuomotor.nodes.msgs.image import header
from visuomotor.nodes.msgs.objects import pose_with_covariance
from visuomotor.nodes.runner import run_node
from visuomotor.tracking.track import TrackedObject, TrackState
from visuomotor.tracking.tracker import Tracker, TrackerConfig

STATES = {TrackState.TENTATIVE: Track.TENTATIVE, TrackState.CONFIRMED: Track.CONFIRMED, TrackState.LOST: Track.LOST}


def localized_from_msg(message) -> LocalizedObject:
    """visuomotor_ros/Object3D -> the tracker's input record."""
    p = message.pose.pose.position
    best = message.results[0] if message.results else ObjectHypothesis(class_id="", score=0.0)
    return LocalizedObject(
        position=np.array([p.x, p.y, p.z]),
        covariance=np.array(message.pose.covariance).reshape(6, 6)[:3, :3],
        size=np.array([message.size.x, message.size.y, message.size.z]),
        class_id=-1,
        class_name=best.class_id,
        score=best.score,
        detection=detection_from_msg(message.source, {}),
        stamp_ns=stamp_to_ns(message.header.stamp),
    )


@dataclass(frozen=True)
class TrackerNodeOptions:
    publish_markers: bool = True
    "publish tracks/markers (visualization_msgs/MarkerArray: a box and the id per track) for RViz"
    coast_period_s: float = 0.5
    """when no /objects arrived for this long, advance the tracks by prediction alone to now − coast_period_s
    (they turn LOST, then are deleted), s"""

    def __post_init__(self) -> None:
        if not self.coast_period_s > 0:
            raise ValueError(f"coast_period_s {self.coast_period_s} must be > 0")


def duration(nanoseconds: int) -> Duration:
    return Duration(sec=nanoseconds // 1_000_000_000, nanosec=nanoseconds % 1_000_000_000)


class TrackerNode(VisuomotorNode):
    PARAMETERS = (TrackerConfig, TrackerNodeOptions)

    def __init__(self, **node_kwargs):
        super().__init__("tracker_node", **node_kwargs)
        self.tracker = Tracker(self.declare_config(TrackerConfig))
        options: TrackerNodeOptions = self.declare_config(TrackerNodeOptions)
        self.coast_ns = int(options.coast_period_s * 1e9)
        self.markers = options.publish_markers
        self.tracks_pub = self.create_publisher(TrackArray, "tracks", qos.DATA)
        self.markers_pub = self.create_publisher(MarkerArray, "tracks/markers", qos.DATA) if self.markers else None
        self.create_subscription(Object3DArray, "objects", self.on_objects, qos.DATA)
        self.create_subscription(Empty, "tracker/reset", self.on_reset, qos.DATA)
        self.create_timer(self.coast_ns * 1e-9, self.coast)
        self.created_ns: dict[str, int] = {}
        self.updated_ns: dict[str, int] = {}
        self.last_input_ns: int | None = None  # node clock when /objects last arrived
        self.last_stamp_ns: int | None = None  # stamp of the last tracker update

    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    def on_objects(self, message: Object3DArray) -> None:
        self.last_input_ns = self.now_ns()
        self.update([localized_from_msg(o) for o in message.objects], stamp_to_ns(message.header.stamp))

    def on_reset(self, _: Empty) -> None:
        now = self.now_ns()
        self.tracker.reset(now)
        self.created_ns.clear()
        self.updated_ns.clear()
        self.last_stamp_ns = now
        self.tracks_pub.publish(TrackArray(header=header(now, "base_link"), tracks=[]))
        self.get_logger().info("tracks reset")

    def coast(self) -> None:
        """No /objects for coast_period_s: advance the tracks by prediction alone, to the time
        now − coast_period_s. A frame still in flight is newer than that (unless it is older than the
        coast period, i.e. stale), so coasting never makes the tracker refuse a real frame."""
        if self.last_input_ns is None or self.last_stamp_ns is None:
            return
        now = self.now_ns()
        if now - self.last_input_ns >= self.coast_ns and now - self.coast_ns > self.last_stamp_ns:
            self.update([], now - self.coast_ns)
            self.diagnostics.count("coasting_updates")

    def update(self, objects: list[LocalizedObject], stamp_ns: int) -> None:
        output = self.tracker.update(objects, stamp_ns)
        for problem in output.diagnostics:
            self.diagnostics.refuse(str(problem))
        if any(p.code == "stale_stamp" for p in output.diagnostics):
            return
        self.last_stamp_ns = stamp_ns
        live = {t.track_id for t in output.tracks}
        for track_id in list(self.created_ns):
            if track_id not in live:
                del self.created_ns[track_id], self.updated_ns[track_id]
        for track in output.tracks:
            self.created_ns.setdefault(track.track_id, stamp_ns)
            if track.updated:
                self.updated_ns[track.track_id] = stamp_ns
        self.tracks_pub.publish(
            TrackArray(
                header=header(stamp_ns, "base_link"), tracks=[self.track_msg(t, stamp_ns) for t in output.tracks]
            )
        )
        if self.markers_pub is not None:
            self.markers_pub.publish(markers_msg(output.tracks, stamp_ns))

    def track_msg(self, track: TrackedObject, stamp_ns: int) -> Track:
        message = Track(
            header=header(stamp_ns, "base_link"),
            id=track.track_id,
            state=STATES[track.state],
            results=[ObjectHypothesis(class_id=track.class_name, score=float(track.score))],
            pose=pose_with_covariance(track.position, None, track.covariance),
            hits=track.hits,
            age=duration(stamp_ns - self.created_ns[track.track_id]),
            time_since_update=duration(stamp_ns - self.updated_ns.get(track.track_id, stamp_ns)),
        )
        velocity = TwistWithCovariance()
        velocity.twist.linear.x, velocity.twist.linear.y, velocity.twist.linear.z = (float(v) for v in track.velocity)
        message.velocity = velocity
        message.size.x, message.size.y, message.size.z = (float(v) for v in track.size)
        return message


def markers_msg(tracks: list[TrackedObject], stamp_ns: int) -> MarkerArray:
    """RViz: a box per track (green confirmed, yellow tentative, grey lost) and its id as text."""
    colors = {
        TrackState.CONFIRMED: (0.1, 0.9, 0.1),
        TrackState.TENTATIVE: (0.9, 0.9, 0.1),
        TrackState.LOST: (0.5, 0.5, 0.5),
    }
    markers = [Marker(header=header(stamp_ns, "base_link"), action=Marker.DELETEALL)]
    for index, track in enumerate(tracks):
        for kind, marker_id in ((Marker.CUBE, 2 * index), (Marker.TEXT_VIEW_FACING, 2 * index + 1)):
            marker = Marker(
                header=header(stamp_ns, "base_link"),
                ns="tracks",
                id=marker_id,
                type=kind,
                action=Marker.ADD,
                text=f"{track.track_id} {track.class_name}",
            )
            marker.pose.position.x, marker.pose.position.y, marker.pose.position.z = (float(v) for v in track.position)
            marker.pose.orientation.w = 1.0
            size = np.maximum(track.size, 0.01) if kind == Marker.CUBE else np.full(3, 0.03)
            marker.scale.x, marker.scale.y, marker.scale.z = (float(v) for v in size)
            if kind == Marker.TEXT_VIEW_FACING:
                marker.pose.position.z += float(track.size[2]) / 2 + 0.03
            marker.color.r, marker.color.g, marker.color.b = colors[track.state]
            marker.color.a = 0.6 if kind == Marker.CUBE else 1.0
            markers.append(marker)
    return MarkerArray(markers=markers)


NODE_CLASS = TrackerNode


def main(args: list[str] | None = None) -> int:
    return run_node(TrackerNode, "tracker_node", args)
