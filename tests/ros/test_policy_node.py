"""policy_node in its own process with a real (randomly initialised, small) ACT checkpoint: publishes
chunks from joint states + the target track, stops at once when an input goes stale, acts on the
freshest measured track and forgets the old scene on a reset."""

from __future__ import annotations

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_testing import spin_until
from sensor_msgs.msg import JointState
from std_msgs.msg import Empty
from trajectory_msgs.msg import JointTrajectory
from visuomotor_ros.msg import ObjectHypothesis, Track, TrackArray

from visuomotor.nodes.msgs.image import header
from visuomotor.nodes.msgs.objects import pose_with_covariance
from visuomotor.policy.act import ACT, ACTConfig
from visuomotor.policy.checkpoint import load_policy, save_policy
from visuomotor.policy.normalization import NormalizationStats
from visuomotor.policy.runner import PolicyRunner
from visuomotor.robot.joints import JOINT_NAMES
from visuomotor.sim.layout import HOME_Q

QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)


@pytest.fixture
def checkpoint(tmp_path):
    config = ACTConfig(
        chunk_size=8,
        d_model=32,
        n_heads=2,
        d_feedforward=64,
        n_cvae_layers=1,
        n_encoder_layers=1,
        n_decoder_layers=2,
        latent_dim=8,
    )
    rng = np.random.default_rng(0)
    stats = NormalizationStats.from_data(rng.normal(size=(50, 10)), rng.normal(size=(50, 7)))
    return save_policy(tmp_path / "act", ACT(config), stats)


def test_chunks_follow_inputs_and_stop_when_stale(spawn, ros_node, checkpoint):
    policy = spawn(
        [
            "-m",
            "visuomotor.nodes",
            "policy_node",
            "--ros-args",
            "-p",
            f"checkpoint:={checkpoint}",
            "-p",
            "rate_hz:=20.0",
            "-p",
            "stale_timeout_s:=0.3",
        ]
    )
    node, executor = ros_node("policy_test")
    chunks: list[JointTrajectory] = []
    node.create_subscription(JointTrajectory, "/policy/action_chunk", chunks.append, QOS)
    joints_pub = node.create_publisher(JointState, "/joint_states", QOS)
    tracks_pub = node.create_publisher(TrackArray, "/tracks", QOS)
    diagnostics: list[str] = []
    node.create_subscription(
        DiagnosticArray, "/diagnostics", lambda m: diagnostics.extend(s.message for s in m.status), QOS
    )
    feeding = {"tracks": True, "joints": [*HOME_Q, 0.0]}

    def feed():
        joints_pub.publish(JointState(name=[*JOINT_NAMES, "gripper"], position=feeding["joints"]))
        if feeding["tracks"]:
            stamp = node.get_clock().now().nanoseconds
            track = Track(
                header=header(stamp, "base_link"),
                id="obj-1",
                state=Track.CONFIRMED,
                hits=5,
                results=[ObjectHypothesis(class_id="red_cube", score=0.9)],
                pose=pose_with_covariance(np.array([0.45, -0.1, 0.02]), None, np.eye(3) * 1e-6),
            )
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
    spin_until(executor, lambda: False, 1.5)  # stale after 0.3 s; chunks in flight arrive meanwhile
    count = len(chunks)
    spin_until(executor, lambda: False, 1.0)
    assert len(chunks) == count, "published while the target track was stale"
    assert policy.alive()

    # NaN joint states (issue #18: forward kinematics raised in the timer and killed the node): refused, alive
    feeding["tracks"], feeding["joints"] = True, [np.nan, *HOME_Q[1:], 0.0]
    assert spin_until(
        executor, lambda: any("joint_states refused: joint shoulder_pan is nan" in d for d in diagnostics), 10
    )
    count = len(chunks)
    spin_until(executor, lambda: False, 0.5)
    assert len(chunks) == count and policy.alive()
    feeding["joints"] = [*HOME_Q, 0.0]  # good readings again: acting again
    assert spin_until(executor, lambda: len(chunks) > count + 3, 10), policy.output()


def test_missing_checkpoint_is_a_one_line_error(spawn, tmp_path):
    policy = spawn(["-m", "visuomotor.nodes", "policy_node", "--ros-args", "-p", f"checkpoint:={tmp_path / 'none'}"])
    assert policy.popen.wait(timeout=60) == 2
    assert "policy_node:" in policy.output() and "missing" in policy.output()


def red_cube_track(
    stamp_ns: int, track_id: str, position, hits: int, since_update_s: float, state: int = Track.CONFIRMED
) -> Track:
    track = Track(
        header=header(stamp_ns, "base_link"),
        id=track_id,
        state=state,
        hits=hits,
        results=[ObjectHypothesis(class_id="red_cube", score=0.9)],
        pose=pose_with_covariance(np.asarray(position, float), None, np.eye(3) * 1e-6),
    )
    track.time_since_update.sec, track.time_since_update.nanosec = int(since_update_s), int(since_update_s % 1 * 1e9)
    return track


def test_locks_onto_the_freshest_track_and_forgets_the_old_scene_on_reset(spawn, ros_node, checkpoint):
    """Chunks are compared with the same checkpoint run here: with temporal ensembling the policy is
    queried every step, so points 1.. of every chunk are that step's prediction for (joints, target)."""
    policy = spawn(
        [
            "-m",
            "visuomotor.nodes",
            "policy_node",
            "--ros-args",
            "-p",
            f"checkpoint:={checkpoint}",
            "-p",
            "rate_hz:=20.0",
        ]
    )
    model, stats, _ = load_policy(checkpoint)
    runner = PolicyRunner(model, stats)
    qpos = np.array([*HOME_Q, 0.0])
    old_cube, new_cube = np.array([0.43, 0.31, 0.03]), np.array([0.40, -0.17, 0.02])
    expected = {name: runner.predict_chunk(qpos, p)[1:] for name, p in (("old", old_cube), ("new", new_cube))}

    node, executor = ros_node("policy_choice_test")
    chunks: list[JointTrajectory] = []
    node.create_subscription(JointTrajectory, "/policy/action_chunk", chunks.append, QOS)
    joints_pub = node.create_publisher(JointState, "/joint_states", QOS)
    tracks_pub = node.create_publisher(TrackArray, "/tracks", QOS)
    reset_pub = node.create_publisher(Empty, "/policy/reset", QOS)
    scene = {"tracks": lambda stamp: []}

    def feed():
        stamp = node.get_clock().now().nanoseconds
        joints_pub.publish(JointState(header=header(stamp, ""), name=[*JOINT_NAMES, "gripper"], position=list(qpos)))
        tracks_pub.publish(TrackArray(header=header(stamp, "base_link"), tracks=scene["tracks"](stamp)))

    def target_of(chunk: JointTrajectory) -> str | None:
        ahead = np.array([p.positions for p in chunk.points[1:]])
        return next((name for name, e in expected.items() if np.allclose(ahead, e, atol=1e-4)), None)

    node.create_timer(0.02, feed)
    # a coasting track seen often (old cube, 1.5 s without a measurement) and a fresh one (new cube)
    scene["tracks"] = lambda stamp: [
        red_cube_track(stamp, "obj-1", old_cube, 90, 1.5),
        red_cube_track(stamp, "obj-2", new_cube, 4, 0.0),
    ]
    assert spin_until(executor, lambda: len(chunks) >= 5, 60), policy.output()
    assert target_of(chunks[-1]) == "new", "acted on the coasting track"

    # old-scene tracks only (measured before the reset): after the reset, nothing is published
    scene["tracks"] = lambda stamp: [red_cube_track(stamp, "obj-1", old_cube, 90, 0.0)]
    spin_until(executor, lambda: False, 0.5)
    reset_at = node.get_clock().now().nanoseconds
    scene["tracks"] = lambda stamp: [red_cube_track(stamp, "obj-1", old_cube, 90, (stamp - reset_at) * 1e-9 + 0.05)]
    reset_pub.publish(Empty())
    spin_until(executor, lambda: False, 0.5)
    count = len(chunks)
    spin_until(executor, lambda: False, 0.5)
    assert len(chunks) == count, "acted on a track measured before the reset"

    # the new scene's cube is locked on; hidden (LOST) it still gives the target, and an object misread as
    # the target class never takes over
    scene["tracks"] = lambda stamp: [red_cube_track(stamp, "obj-3", new_cube, 3, 0.0)]
    assert spin_until(executor, lambda: len(chunks) > count + 3, 10), policy.output()
    measured_at = node.get_clock().now().nanoseconds
    scene["tracks"] = lambda stamp: [
        red_cube_track(stamp, "obj-3", new_cube, 3, (stamp - measured_at) * 1e-9, Track.LOST),
        red_cube_track(stamp, "obj-4", old_cube, 50, 0.0),
    ]
    count = len(chunks)
    assert spin_until(executor, lambda: len(chunks) > count + 5, 10), policy.output()
    assert target_of(chunks[-1]) == "new" and policy.alive()
