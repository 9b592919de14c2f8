"""localizer_node in its own process: a rendered sim frame's depth + ground-truth boxes -> /objects within
millimetres of the true centres; mismatched inputs refused with diagnostics, nothing bogus published."""

from __future__ import annotations

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import TransformStamped
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from ros_testing import spin_until
from sensor_msgs.msg import CameraInfo, Image
from visuomotor_ros.msg import Detection2DArray, Object3DArray

from visuomotor.detection.result import Detection
from visuomotor.nodes.msgs.detection import detections_msg
from visuomotor.nodes.msgs.image import frame_to_msgs, header, image_msg
from visuomotor.nodes.msgs.transform import extrinsics_msg
from visuomotor.sim.simulator import TabletopSim

QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)


@pytest.fixture(scope="module")
def rendered():
    with TabletopSim() as sim:
        sim.reset(3)
        frame = sim.render("fixed")
        truth = sim.ground_truth()
    frame.depth = np.round(frame.depth * 1000).astype(np.uint16) if frame.depth_encoding == "32FC1" else frame.depth
    frame.depth_encoding = "16UC1"
    frame.stamp_ns = 5_000_000_000
    detections, centres = [], {}
    for obj in truth.objects:
        v, u = np.nonzero(frame.segmentation == obj.object_id)
        if u.size < 200 or u.min() == 0 or v.min() == 0 or u.max() == 639 or v.max() == 479:
            continue  # mostly hidden or cut by the border
        detections.append(
            Detection(obj.class_id, obj.class_name, 0.9, np.array([u.min(), v.min(), u.max() + 1, v.max() + 1], float))
        )
        centres[obj.class_name] = obj.position_m
    return frame, detections, centres


def test_objects_match_ground_truth_and_bad_input_is_refused(spawn, ros_node, rendered):
    frame, detections, centres = rendered
    localizer = spawn(["-m", "visuomotor.nodes", "localizer_node"])
    node, executor = ros_node("localizer_test")
    objects: list[Object3DArray] = []
    diagnostics: list[str] = []
    node.create_subscription(Object3DArray, "/objects", objects.append, QOS)
    node.create_subscription(
        DiagnosticArray, "/diagnostics", lambda m: diagnostics.extend(s.message for s in m.status), QOS
    )
    pubs = {
        name: node.create_publisher(kind, topic, qos)
        for name, kind, topic, qos in (
            ("depth", Image, "/camera/aligned_depth_to_color/image_raw", QOS),
            ("depth_info", CameraInfo, "/camera/aligned_depth_to_color/camera_info", QOS),
            ("color_info", CameraInfo, "/camera/color/camera_info", QOS),
            ("extrinsics", TransformStamped, "/camera/extrinsics", LATCHED),
            ("detections", Detection2DArray, "/detections", QOS),
        )
    }
    assert spin_until(executor, lambda: all(p.get_subscription_count() for p in pubs.values()), 30), localizer.output()

    messages = frame_to_msgs(frame)
    pubs["extrinsics"].publish(extrinsics_msg(frame.T_base_camera, frame.stamp_ns, frame.frame_id))

    def stream_once() -> bool:
        """Like a camera: the same frame set again each spin until the node has answered (the first
        samples after discovery may only arrive with the next reliable heartbeat)."""
        pubs["color_info"].publish(messages.info)
        pubs["depth_info"].publish(messages.info)
        pubs["depth"].publish(messages.depth)
        pubs["detections"].publish(detections_msg(detections, messages.color.header))
        return bool(objects)

    assert spin_until(executor, stream_once, 15), localizer.output()
    result = objects[-1]
    assert result.header.frame_id == "base_link" and result.header.stamp == messages.color.header.stamp
    assert len(result.objects) == len(detections) >= 3
    for obj in result.objects:
        p = obj.pose.pose.position
        error = np.linalg.norm(np.array([p.x, p.y, p.z]) - centres[obj.results[0].class_id])
        assert error < 0.01, (obj.results[0].class_id, error)
        assert np.all(np.linalg.eigvalsh(np.array(obj.pose.covariance).reshape(6, 6)[:3, :3]) > 0)

    # depth at a different size than its camera_info / colour: refused, nothing published
    count = len(objects)
    small_stamp = 6_000_000_000
    small = image_msg(np.full((240, 320), 800, np.uint16), "16UC1", small_stamp, frame.frame_id)
    info = messages.info
    info.header = header(small_stamp, frame.frame_id)

    def stream_mismatched() -> bool:
        pubs["color_info"].publish(info)
        pubs["depth_info"].publish(info)
        pubs["depth"].publish(small)
        pubs["detections"].publish(detections_msg(detections, header(small_stamp, frame.frame_id)))
        return any("size_mismatch" in d or "intrinsics_mismatch" in d for d in diagnostics)

    assert spin_until(executor, stream_mismatched, 15), diagnostics
    # detections whose depth never comes: dropped after the bounded wait
    pubs["detections"].publish(detections_msg(detections, header(7_000_000_000, frame.frame_id)))
    assert spin_until(executor, lambda: any("dropped after" in d for d in diagnostics), 10), diagnostics
    assert all(o.header.stamp.sec == 5 for o in objects[count:])
    assert localizer.alive()


def test_a_latched_bad_camera_mount_is_refused_and_the_localizer_stays_up(spawn, ros_node):
    """Issue #18: a zero quaternion on the latched /camera/extrinsics raised in on_extrinsics, so every
    restarted localizer died again within ~1.5 s (a crash loop)."""
    node, executor = ros_node("localizer_bad_mount_test")
    diagnostics: list[str] = []
    node.create_subscription(
        DiagnosticArray, "/diagnostics", lambda m: diagnostics.extend(s.message for s in m.status), QOS
    )
    mount = node.create_publisher(TransformStamped, "/camera/extrinsics", LATCHED)
    bad = TransformStamped()
    bad.header.frame_id, bad.child_frame_id = "base_link", "camera_color_optical_frame"
    bad.transform.translation.z, bad.transform.rotation.w = 1.0, 0.0  # a zero quaternion
    mount.publish(bad)  # latched before the localizer starts, as after a crash
    localizer = spawn(["-m", "visuomotor.nodes", "localizer_node"])
    assert spin_until(executor, lambda: any("bad_extrinsics" in d and "norm 0" in d for d in diagnostics), 30), (
        localizer.output()
    )
    bad.transform.rotation.w, bad.transform.translation.x = 1.0, float("nan")
    mount.publish(bad)
    assert spin_until(executor, lambda: any("bad_extrinsics" in d and "not finite" in d for d in diagnostics), 10)
    spin_until(executor, lambda: False, 1.5)
    assert localizer.alive(), localizer.output()
