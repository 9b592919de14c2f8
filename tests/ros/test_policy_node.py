"""policy_node in its own process with a real (randomly initialised, small) ACT checkpoint: publishes
chunks from joint states + the target track, and stops at once when an input goes stale."""
from __future__ import annotations

import numpy as np
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import JointState
from trajectory_msgs.msg import JointTrajectory

from ros_testing import spin_until
from visuomotor.nodes.image_msgs import header
from visuomotor.nodes.object_msgs import pose_with_covariance
from visuomotor.policy.act import ACT, ACTConfig
from visuomotor.policy.checkpoint import save_policy
from visuomotor.policy.normalization import NormalizationStats
from visuomotor.sim.layout import HOME_Q
from visuomotor.sim.scene_xml import JOINT_NAMES
from visuomotor_ros.msg import ObjectHypothesis, Track, TrackArray

QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)


@pytest.fixture
def checkpoint(tmp_path):
    config = ACTConfig(chunk_size=8, d_model=32, n_heads=2, d_feedforward=64, n_cvae_layers=1,
                       n_encoder_layers=1, n_decoder_layers=2, latent_dim=8)
    rng = np.random.default_rng(0)
    stats = NormalizationStats.from_data(rng.normal(size=(50, 10)), rng.normal(size=(50, 7)))
    return save_policy(tmp_path / "act", ACT(config), stats)


def test_chunks_follow_inputs_and_stop_when_stale(spawn, ros_node, checkpoint):
    policy = spawn(["-m", "visuomotor.nodes.policy_node", "--ros-args", "-p", f"checkpoint:={checkpoint}",
                    "-p", "rate_hz:=20.0", "-p", "stale_timeout_s:=0.3"])
    node, executor = ros_node("policy_test")
    chunks: list[JointTrajectory] = []
    node.create_subscription(JointTrajectory, "/policy/action_chunk", chunks.append, QOS)
    joints_pub = node.create_publisher(JointState, "/joint_states", QOS)
    tracks_pub = node.create_publisher(TrackArray, "/tracks", QOS)
    feeding = {"tracks": True}

    def feed():
        joints_pub.publish(JointState(name=[*JOINT_NAMES, "gripper"], position=[*HOME_Q, 0.0]))
        if feeding["tracks"]:
            stamp = node.get_clock().now().nanoseconds
            track = Track(header=header(stamp, "base_link"), id="obj-1", state=Track.CONFIRMED, hits=5,
                          results=[ObjectHypothesis(class_id="red_cube", score=0.9)],
                          pose=pose_with_covariance(np.array([0.45, -0.1, 0.02]), None, np.eye(3) * 1e-6))
            tracks_pub.publish(TrackArray(header=header(stamp, "base_link"), tracks=[track]))

    node.create_timer(0.02, feed)
    assert spin_until(executor, lambda: len(chunks) >= 5, 60), policy.output()
    chunk = chunks[-1]
    assert chunk.joint_names == [*JOINT_NAMES, "gripper"]
    assert len(chunk.points) == 8  # this step's action + 7 ahead
    steps = [p.time_from_start.sec + p.time_from_start.nanosec * 1e-9 for p in chunk.points]
    np.testing.assert_allclose(np.diff(steps), 0.05, atol=1e-6)
    assert all(np.all(np.isfinite(p.positions)) and len(p.positions) == 7 for p in chunk.points)
    assert chunk.points[0].positions[6] in (0.0, 1.0)  # binary gripper command

    feeding["tracks"] = False
    spin_until(executor, lambda: False, 1.5)   # stale after 0.3 s; chunks in flight arrive meanwhile
    count = len(chunks)
    spin_until(executor, lambda: False, 1.0)
    assert len(chunks) == count, "published while the target track was stale"
    assert policy.alive()


def test_missing_checkpoint_is_a_one_line_error(spawn, tmp_path):
    policy = spawn(["-m", "visuomotor.nodes.policy_node", "--ros-args", "-p", f"checkpoint:={tmp_path / 'none'}"])
    assert policy.popen.wait(timeout=60) == 2
    assert "policy_node:" in policy.output() and "missing" in policy.output()
