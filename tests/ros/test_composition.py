"""Composed mode: sim, detector, localizer and tracker in one process; frames handed over in-process."""

from __future__ import annotations

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_testing import spin_until
from visuomotor_ros.msg import Detection2DArray, Object3DArray, TrackArray

from visuomotor.harness.composition import ComposedGraph
from visuomotor.launching.loader import NodeSpec

QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)


def test_composed_graph_runs_perception_without_image_topics():
    context = rclpy.Context()
    rclpy.init(context=context)
    specs = [
        NodeSpec("visuomotor_ros", "sim_node", "sim_node", "", param_values={"camera_rate_hz": 5.0}),
        NodeSpec(
            "visuomotor_ros",
            "detector_node",
            "detector_node",
            "",
            param_values={"weights": "yolov8n.yaml", "image_size": 320, "confidence": 0.0},
        ),
        NodeSpec("visuomotor_ros", "localizer_node", "localizer_node", ""),
        NodeSpec("visuomotor_ros", "tracker_node", "tracker_node", ""),
    ]
    graph = ComposedGraph(specs, context=context)
    sim, detector = graph.nodes[0], graph.nodes[1]
    assert len(sim.frame_sinks) == 2
    probe = rclpy.create_node("composition_probe", context=context)
    probe_executor = SingleThreadedExecutor(context=context)
    probe_executor.add_node(probe)
    got = {"detections": [], "objects": [], "tracks": []}
    probe.create_subscription(Detection2DArray, "/detections", got["detections"].append, QOS)
    probe.create_subscription(Object3DArray, "/objects", got["objects"].append, QOS)
    probe.create_subscription(TrackArray, "/tracks", got["tracks"].append, QOS)
    graph.start()
    try:
        assert spin_until(probe_executor, lambda: all(len(v) >= 2 for v in got.values()), 120)
        assert sim.camera_pubs["/camera/color/image_raw"].get_subscription_count() == 0
        assert detector.frames.received >= 2  # frames arrived in-process, not over DDS
        stamps = {d.header.stamp.sec * 10**9 + d.header.stamp.nanosec for d in got["detections"]}
        assert {o.header.stamp.sec * 10**9 + o.header.stamp.nanosec for o in got["objects"]} <= stamps
        assert not graph.exited()
    finally:
        graph.stop()
        probe_executor.shutdown()
        probe.destroy_node()
        rclpy.shutdown(context=context)
