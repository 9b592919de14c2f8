"""`visuomotor record` in its own process records what a real rclpy publisher sends over DDS; the bag, read
back with rosbags, equals the published messages one for one (latched extrinsics included)."""

from __future__ import annotations

import argparse
import os
import re
import signal
import time

import numpy as np
import pytest
from geometry_msgs.msg import TransformStamped
from message_fill import fill, message_class
from rclpy.duration import Duration
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rclpy.serialization import deserialize_message
from ros_testing import spin_until
from rosbags.rosbag2 import Reader
from sensor_msgs.msg import JointState

from visuomotor.camera import topics
from visuomotor.camera.bag import read_bag
from visuomotor.camera.extrinsics import transform_from_xyz_quat
from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame
from visuomotor.commands.record import COMMANDS
from visuomotor.errors import UserError
from visuomotor.nodes import qos
from visuomotor.nodes.msgs.image import frame_to_msgs
from visuomotor.nodes.msgs.transform import extrinsics_msg

N = 5
(COMMAND,) = COMMANDS
STATE_QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)  # deep enough that a busy machine
# cannot overwrite an unacked sample


def camera_frame(i: int) -> RGBDFrame:
    rng = np.random.default_rng(i)
    return RGBDFrame(
        color=rng.integers(0, 256, (48, 64, 3), dtype=np.uint8),
        depth=rng.integers(0, 5000, (48, 64), dtype=np.uint16),
        intrinsics=CameraIntrinsics(width=64, height=48, fx=60, fy=60, cx=32, cy=24),
        stamp_ns=1_763_700_000_000_000_000 + i * 33_000_000,
    )


def recorder_argv(out, *extra: str) -> list[str]:
    """`visuomotor record --out OUT ...` (the CLI)."""
    return ["-m", "visuomotor.cli", "record", "--out", str(out), *extra]


def recorder_node_argv(out, *parameters: str) -> list[str]:
    """`ros2 run visuomotor_ros recorder_node` equivalent (starts faster than the whole CLI)."""
    argv = ["-m", "visuomotor.nodes", "recorder_node", "--ros-args", "-p", f"out:={out}"]
    for parameter in parameters:
        argv += ["-p", parameter]
    return argv


@pytest.mark.parametrize(
    "storage",
    [
        pytest.param("mcap", marks=pytest.mark.slow),  # through the whole `visuomotor` CLI: ~20 s, mostly its imports
        "sqlite3",
    ],
)
def test_recorded_bag_equals_what_was_published(tmp_path, spawn, ros_node, storage):
    node, executor = ros_node("record_test_publisher")
    mount = extrinsics_msg(
        transform_from_xyz_quat([0.5, 0.0, 0.7], [1.0, 0.0, 0.0, 0.0]), 5, "camera_color_optical_frame"
    )
    latched = node.create_publisher(TransformStamped, topics.EXTRINSICS, qos.LATCHED)
    latched.publish(mount)  # before the recorder exists: transient_local must still bring it into the bag
    publishers = {
        topics.COLOR_IMAGE: node.create_publisher(message_class("sensor_msgs/Image"), topics.COLOR_IMAGE, STATE_QOS),
        topics.COLOR_INFO: node.create_publisher(message_class("sensor_msgs/CameraInfo"), topics.COLOR_INFO, STATE_QOS),
        topics.DEPTH_IMAGE: node.create_publisher(message_class("sensor_msgs/Image"), topics.DEPTH_IMAGE, STATE_QOS),
        topics.DEPTH_INFO: node.create_publisher(message_class("sensor_msgs/CameraInfo"), topics.DEPTH_INFO, STATE_QOS),
        topics.JOINT_STATES: node.create_publisher(JointState, topics.JOINT_STATES, STATE_QOS),
        topics.GROUND_TRUTH: node.create_publisher(
            message_class("visuomotor_ros/msg/Object3DArray"), topics.GROUND_TRUTH, STATE_QOS
        ),
    }
    recorder = spawn(
        recorder_argv(tmp_path / "bag", "--storage", storage)
        if storage == "mcap"
        else recorder_node_argv(tmp_path / "bag", f"storage:={storage}")
    )
    everyone = [*publishers.values(), latched]
    assert spin_until(executor, lambda: all(p.get_subscription_count() > 0 for p in everyone), timeout_s=40), (
        recorder.output()
    )

    sent: dict[str, list] = {topic: [] for topic in publishers}
    sent[topics.EXTRINSICS] = [mount]
    for i in range(N):
        camera = frame_to_msgs(camera_frame(i))
        ground_truth = fill(message_class("visuomotor_ros/msg/Object3DArray")())
        ground_truth.header.stamp.sec = i
        joints = JointState(name=["shoulder_pan", "gripper"], position=[0.1 * i, 0.02], velocity=[0.0, 0.0])
        for topic, message in (
            (topics.COLOR_IMAGE, camera.color),
            (topics.COLOR_INFO, camera.info),
            (topics.DEPTH_IMAGE, camera.depth),
            (topics.DEPTH_INFO, camera.info),
            (topics.JOINT_STATES, joints),
            (topics.GROUND_TRUTH, ground_truth),
        ):
            publishers[topic].publish(message)
            sent[topic].append(message)
        executor.spin_once(timeout_sec=0.02)
    for publisher in everyone:
        assert publisher.wait_for_all_acked(Duration(seconds=10.0)), recorder.output()
    time.sleep(0.2)
    os.killpg(recorder.popen.pid, signal.SIGINT)  # Ctrl-C: the bag is closed properly
    # (the whole CLI imports torch and can take seconds to exit on a loaded machine)
    assert recorder.popen.wait(timeout=60) == 0, recorder.output()
    log = recorder.output()

    assert (tmp_path / "bag" / "metadata.yaml").is_file()
    recorded: dict[str, list] = {}
    for record in read_bag(tmp_path / "bag"):
        recorded.setdefault(record.topic, []).append(record)
    assert sorted(recorded) == sorted(sent)
    for topic, messages in sent.items():
        assert len(recorded[topic]) == len(messages), topic
        for message, record in zip(messages, recorded[topic]):
            assert deserialize_message(record.data, type(message)) == message, topic
    depth = recorded[topics.DEPTH_IMAGE][N - 1].message  # the rosbags-typed view agrees too
    np.testing.assert_array_equal(np.asarray(depth.data).view(np.uint16).reshape(48, 64), camera_frame(N - 1).depth)
    assert recorded[topics.GROUND_TRUTH][2].message.header.stamp.sec == 2
    assert recorded[topics.EXTRINSICS][0].message.transform.rotation.x == 1.0
    with Reader(tmp_path / "bag") as reader:  # offered QoS kept, so `ros2 bag play` re-latches the mount
        durability = {c.topic: c.ext.offered_qos_profiles[0].durability.name for c in reader.connections}
    assert durability[topics.EXTRINSICS] == "TRANSIENT_LOCAL" and durability[topics.COLOR_IMAGE] == "VOLATILE"
    total = 6 * N + 1
    assert (f"messages: {total}" if storage == "mcap" else f"recorded {total} messages") in log


def test_sigterm_and_duration_close_the_bag(tmp_path, spawn):
    recorder = spawn(recorder_node_argv(tmp_path / "a", "topics:=['/joint_states']"))
    deadline = time.monotonic() + 30
    while "recording /joint_states into" not in recorder.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(recorder.popen.pid, signal.SIGTERM)  # as a process manager stops it
    assert recorder.popen.wait(timeout=15) == 0, recorder.output()
    assert (tmp_path / "a" / "metadata.yaml").is_file() and list(read_bag(tmp_path / "a")) == []
    timed = spawn(recorder_node_argv(tmp_path / "b", "duration_s:=0.5"))
    assert timed.popen.wait(timeout=30) == 0, timed.output()
    assert timed.output().splitlines()[-1] == "recorded 0 messages: {}"
    assert (tmp_path / "b" / "metadata.yaml").is_file()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--out", "{exists}"], "exists already; choose a new bag directory (bags are never overwritten)"),
        (["--out", "{new}", "--duration", "-1"], "--duration -1.0 is negative"),
        (["--out", "{new}", "--split", "0"], "--split 0.0 must be > 0 seconds"),
        (["--out", "{new}", "--topics", "joint_states"], "--topics joint_states: topic names are absolute"),
    ],
)
def test_bad_record_arguments_are_one_line_errors(tmp_path, argv, message):
    (tmp_path / "exists").mkdir()
    parser = argparse.ArgumentParser()
    COMMAND.add_arguments(parser)
    args = parser.parse_args([a.format(exists=tmp_path / "exists", new=tmp_path / "new") for a in argv])
    with pytest.raises(UserError, match=re.escape(message)):
        COMMAND.run(args)
    assert not (tmp_path / "new").exists()


RATE_HZ = 50.0
SPLIT_S = 0.5


@pytest.mark.parametrize("storage", ["mcap", "sqlite3"])
def test_sigkilled_recording_opens_in_standard_readers_up_to_the_last_split(tmp_path, spawn, ros_node, storage):
    """A recorder killed mid-recording (SIGKILL: no shutdown code runs) leaves a bag that rosbags' Reader and
    AnyReader and our read_bag open; it holds the first n published messages, in order, and loses at most
    split_s + the 0.2 s flush tick (+ delivery) worth of the end (issue 18, defect 9)."""
    from rosbags.highlevel import AnyReader

    node, executor = ros_node("killed_recording_publisher")
    publisher = node.create_publisher(JointState, topics.JOINT_STATES, STATE_QOS)
    recorder = spawn(
        recorder_node_argv(tmp_path / "bag", "topics:=['/joint_states']", f"storage:={storage}", f"split_s:={SPLIT_S}")
    )
    assert spin_until(executor, lambda: publisher.get_subscription_count() > 0, timeout_s=40), recorder.output()
    published, started = 0, time.monotonic()
    while published < int(3.0 * RATE_HZ):  # 3 s at 50 Hz
        publisher.publish(JointState(name=["shoulder_pan"], position=[float(published)]))
        published += 1
        executor.spin_once(timeout_sec=max(0.0, started + published / RATE_HZ - time.monotonic()))
    recorder.kill()

    with Reader(tmp_path / "bag") as reader:
        positions = [deserialize_message(bytes(data), JointState).position[0] for _, _, data in reader.messages()]
        assert reader.message_count == len(positions)
    assert positions == [float(i) for i in range(len(positions))], "not the published prefix, in order"
    lost = published - len(positions)
    assert lost <= (SPLIT_S + 0.2 + 0.5) * RATE_HZ, f"{lost} of {published} messages lost"
    with AnyReader([tmp_path / "bag"]) as reader:
        assert sum(1 for _ in reader.messages()) == len(positions)
    assert [r.message.position[0] for r in read_bag(tmp_path / "bag")] == positions
