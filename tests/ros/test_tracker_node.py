"""tracker_node in its own process: stable ids for moving objects, coasting to LOST when input stops,
forgetting the scene on tracker/reset, refusing a NaN object without dying or publishing NaN."""

from __future__ import annotations

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_testing import spin_until
from std_msgs.msg import Empty
from visualization_msgs.msg import MarkerArray
from visuomotor_ros.msg import Object3DArray, Track, TrackArray

from visuomotor.nodes.msgs.image import header
from visuomotor.nodes.msgs.objects import object3d_msg

QOS = QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE)


def objects_at(stamp_ns: int, t: float) -> Object3DArray:
    cube = np.array([0.4 + 0.05 * t, 0.0, 0.02])  # moving at 5 cm/s
    ball = np.array([0.5, 0.2, 0.022])
    cov = np.eye(3) * 1e-6
    return Object3DArray(
        header=header(stamp_ns, "base_link"),
        objects=[
            object3d_msg(stamp_ns, "0", "red_cube", 0.9, cube, None, cov, np.full(3, 0.04)),
            object3d_msg(stamp_ns, "1", "blue_sphere", 0.9, ball, None, cov, np.full(3, 0.044)),
        ],
    )


def test_ids_are_stable_and_tracks_coast_when_input_stops(spawn, ros_node):
    tracker = spawn(["-m", "visuomotor.nodes", "tracker_node"])
    node, executor = ros_node("tracker_test")
    tracks: list[TrackArray] = []
    markers: list[MarkerArray] = []
    node.create_subscription(TrackArray, "/tracks", tracks.append, QOS)
    node.create_subscription(MarkerArray, "/tracks/markers", markers.append, QOS)
    objects_pub = node.create_publisher(Object3DArray, "/objects", QOS)
    assert spin_until(executor, lambda: objects_pub.get_subscription_count() > 0, 30), tracker.output()

    start_ns = node.get_clock().now().nanoseconds
    for frame in range(30):
        t = frame / 30
        objects_pub.publish(objects_at(start_ns + int(t * 1e9), t))
        spin_until(executor, lambda: False, 1 / 30)
    assert spin_until(executor, lambda: len(tracks) >= 30, 10), tracker.output()
    ids_by_class = {}
    for array in tracks[:30]:
        for track in array.tracks:
            ids_by_class.setdefault(track.results[0].class_id, set()).add(track.id)
    assert ids_by_class == {
        "red_cube": {next(iter(ids_by_class["red_cube"]))},
        "blue_sphere": {next(iter(ids_by_class["blue_sphere"]))},
    }
    cube = next(t for t in tracks[29].tracks if t.results[0].class_id == "red_cube")
    assert cube.state == Track.CONFIRMED and cube.hits == 30
    assert abs(cube.velocity.twist.linear.x - 0.05) < 0.02
    assert cube.age.sec == 0 and cube.age.nanosec > 900_000_000
    assert markers and len(markers[-1].markers) == 1 + 2 * 2

    # input stops (detector died): tracks coast and turn LOST, their position keeps the prediction
    assert spin_until(executor, lambda: all(t.state == Track.LOST for t in tracks[-1].tracks), 5), tracker.output()
    lost_cube = next(t for t in tracks[-1].tracks if t.results[0].class_id == "red_cube")
    assert lost_cube.time_since_update.sec > 0 or lost_cube.time_since_update.nanosec > 0
    assert lost_cube.id == cube.id and tracker.alive()


def test_reset_forgets_the_scene_refuses_frames_captured_before_it_and_nan_objects(spawn, ros_node):
    tracker = spawn(["-m", "visuomotor.nodes", "tracker_node"])
    node, executor = ros_node("tracker_reset_test")
    tracks: list[TrackArray] = []
    diagnostics: list[str] = []
    node.create_subscription(TrackArray, "/tracks", tracks.append, QOS)
    node.create_subscription(
        DiagnosticArray, "/diagnostics", lambda m: diagnostics.extend(s.message for s in m.status), QOS
    )
    objects_pub = node.create_publisher(Object3DArray, "/objects", QOS)
    reset_pub = node.create_publisher(Empty, "/tracker/reset", QOS)
    assert spin_until(
        executor, lambda: objects_pub.get_subscription_count() > 0 and reset_pub.get_subscription_count() > 0, 30
    ), tracker.output()
    before_ns = node.get_clock().now().nanoseconds
    objects_pub.publish(objects_at(before_ns, 0.0))
    assert spin_until(executor, lambda: len(tracks) == 1, 10), tracker.output()
    old_ids = {t.id for t in tracks[0].tracks}

    reset_pub.publish(Empty())
    assert spin_until(executor, lambda: len(tracks) == 2, 10), tracker.output()
    assert tracks[1].tracks == []  # the reset is announced at once
    objects_pub.publish(objects_at(before_ns + 1_000_000, 0.001))  # in flight from the old scene
    after_ns = node.get_clock().now().nanoseconds
    objects_pub.publish(objects_at(after_ns, 0.0))
    assert spin_until(executor, lambda: len(tracks) == 3, 10), tracker.output()
    spin_until(executor, lambda: False, 0.3)
    assert len(tracks) == 3, "a frame captured before the reset was tracked"
    new = tracks[2].tracks
    assert {t.state for t in new} == {Track.CONFIRMED} and not {t.id for t in new} & old_ids
    assert tracker.alive()

    # a NaN object (issue #18: the tracker died in linear_sum_assignment, after publishing tracks at NaN)
    stamp = after_ns + 100_000_000
    frame = objects_at(stamp, 0.1)
    frame.objects[0].pose.pose.position.x = float("nan")
    objects_pub.publish(frame)
    assert spin_until(executor, lambda: len(tracks) == 4, 10), tracker.output()
    positions = [[t.pose.pose.position.x, t.pose.pose.position.y, t.pose.pose.position.z] for t in tracks[3].tracks]
    assert np.all(np.isfinite(positions))
    assert spin_until(executor, lambda: any("bad_object" in d for d in diagnostics), 5)
    objects_pub.publish(objects_at(stamp + 100_000_000, 0.2))
    assert spin_until(executor, lambda: len(tracks) == 5, 10) and tracker.alive()
