"""sim_node in its own process: camera topics, joint states and ground truth over DDS; it executes commands."""

from __future__ import annotations

import numpy as np
from geometry_msgs.msg import TransformStamped
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from ros_testing import spin_until
from sensor_msgs.msg import CameraInfo, Image, JointState
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint
from visuomotor_ros.msg import Object3DArray

from visuomotor.robot.joints import JOINT_NAMES

QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)


def test_publishes_camera_state_truth_and_follows_commands(spawn, ros_node):
    sim = spawn(["-m", "visuomotor.nodes", "sim_node", "--ros-args", "-p", "camera_rate_hz:=5.0"])
    node, executor = ros_node("sim_node_test")
    got: dict[str, list] = {name: [] for name in ("color", "depth", "info", "joints", "truth", "extrinsics")}
    for topic, kind, key, qos in (
        ("/camera/color/image_raw", Image, "color", QOS),
        ("/camera/aligned_depth_to_color/image_raw", Image, "depth", QOS),
        ("/camera/color/camera_info", CameraInfo, "info", QOS),
        ("/joint_states", JointState, "joints", QOS),
        ("/sim/ground_truth", Object3DArray, "truth", QOS),
        ("/camera/extrinsics", TransformStamped, "extrinsics", LATCHED),
    ):
        node.create_subscription(kind, topic, got[key].append, qos)
    assert spin_until(executor, lambda: all(got.values()), 60), sim.output()

    color, depth, info = got["color"][-1], got["depth"][-1], got["info"][-1]
    assert (color.encoding, color.width, color.height) == ("rgb8", 640, 480)
    assert depth.encoding == "16UC1" and color.header.frame_id == "camera_color_optical_frame"
    assert list(info.k) == [600.0, 0.0, 320.0, 0.0, 600.0, 240.0, 0.0, 0.0, 1.0]
    assert got["extrinsics"][-1].header.frame_id == "base_link"
    assert got["joints"][-1].name == [*JOINT_NAMES, "gripper"]
    classes = [o.results[0].class_id for o in got["truth"][-1].objects]
    assert "red_cube" in classes and got["truth"][-1].header.frame_id == "base_link"

    start = np.array(got["joints"][-1].position[:6])
    trajectory_pub = node.create_publisher(JointTrajectory, "/arm_controller/joint_trajectory", QOS)

    def command(offset: float) -> JointTrajectory:
        target = start + np.array([offset, 0.0, 0.0, 0.0, 0.0, 0.0])
        return JointTrajectory(joint_names=list(JOINT_NAMES), points=[JointTrajectoryPoint(positions=target.tolist())])

    # right after a reset, a command computed for another pose (0.5 rad away) is not executed
    spin_until(executor, lambda: trajectory_pub.publish(command(0.5)) is not None, 1.0)
    assert abs(got["joints"][-1].position[0] - start[0]) < 0.01, "executed a command meant for the old pose"

    def moved() -> bool:
        trajectory_pub.publish(command(0.15))
        return abs(got["joints"][-1].position[0] - (start[0] + 0.15)) < 0.02

    assert spin_until(executor, moved, 20), sim.output()
    assert sim.alive()
