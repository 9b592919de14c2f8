"""detector_node in its own process with a real (randomly initialised) YOLOv8n: newest-frame processing,
stamps carried through, latched label info, bad frames skipped with a diagnostic."""

from __future__ import annotations

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from ros_testing import spin_until
from sensor_msgs.msg import Image
from visuomotor_ros.msg import Detection2DArray, LabelInfo

from visuomotor.nodes.msgs.image import image_msg

QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)


def test_detects_newest_frames_and_skips_bad_ones(spawn, ros_node):
    detector = spawn(
        [
            "-m",
            "visuomotor.nodes",
            "detector_node",
            "--ros-args",
            "-p",
            "weights:=yolov8n.yaml",
            "-p",
            "confidence:=0.0",
            "-p",
            "image_size:=320",
        ],
        env={"YOLO_OFFLINE": "1"},
    )
    node, executor = ros_node("detector_test")
    detections: list[Detection2DArray] = []
    labels: list[LabelInfo] = []
    diagnostics: list[DiagnosticArray] = []
    node.create_subscription(Detection2DArray, "/detections", detections.append, QOS)
    node.create_subscription(LabelInfo, "/detections/label_info", labels.append, LATCHED)
    node.create_subscription(DiagnosticArray, "/diagnostics", diagnostics.append, QOS)
    image_pub = node.create_publisher(
        Image, "/camera/color/image_raw", QoSProfile(depth=2, reliability=ReliabilityPolicy.RELIABLE)
    )
    assert spin_until(executor, lambda: labels and image_pub.get_subscription_count() > 0, 90), detector.output()
    assert len(labels[0].class_map) == 80  # the COCO classes of yolov8n.yaml

    rng = np.random.default_rng(0)
    sent_stamps = []
    for i in range(30):  # a burst far faster than the model: most frames must be skipped, none queued
        stamp_ns = 1_000_000_000 * (i + 1)
        sent_stamps.append(stamp_ns)
        image_pub.publish(
            image_msg(
                rng.integers(0, 255, (240, 320, 3), dtype=np.uint8), "rgb8", stamp_ns, "camera_color_optical_frame"
            )
        )
        executor.spin_once(timeout_sec=0.005)
    assert spin_until(executor, lambda: detections and detections[-1].header.stamp.sec == 30, 60), detector.output()
    assert len(detections) < 30
    assert {d.header.stamp.sec for d in detections} <= {s // 1_000_000_000 for s in sent_stamps}
    for array in detections:
        for d in array.detections:
            assert d.header == array.header and 0.0 <= d.results[0].score <= 1.0

    bad = image_msg(np.zeros((10, 10), np.uint16), "16UC1", 99_000_000_000, "camera_color_optical_frame")
    image_pub.publish(bad)

    def skipped_reported() -> bool:
        return any("skipped frame" in s.message for a in diagnostics for s in a.status)

    assert spin_until(executor, skipped_reported, 10), detector.output()
    stats = {kv.key: kv.value for a in diagnostics for s in a.status for kv in s.values}
    assert int(stats["frames_skipped"]) > 0 and float(stats["latency_p95_ms"]) > 0
    assert float(stats["input_age_p95_ms"]) >= float(stats["input_age_p50_ms"]) > 0
    assert detector.alive()
