"""camera_node in its own process replays a bag over real DDS: every frame arrives pixel for pixel with its
stamp, intrinsics and the recorded mount; bad sources end the process with a one-line cause, no crash loop."""

from __future__ import annotations

import numpy as np
import pytest
from geometry_msgs.msg import TransformStamped
from ros_testing import spin_until
from sensor_msgs.msg import CameraInfo, Image

from visuomotor.camera import topics
from visuomotor.camera.bag import BagWriter
from visuomotor.camera.bag_source import write_frames
from visuomotor.camera.extrinsics import transform_from_xyz_quat, xyz_quat_from_transform
from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame
from visuomotor.nodes import qos
from visuomotor.nodes.msgs.image import msgs_to_frame

N_FRAMES = 6
T_BASE_CAMERA = transform_from_xyz_quat([0.5, -0.1, 0.6], [0.9238795, -0.3826834, 0.0, 0.0])


def recorded_frames() -> list[RGBDFrame]:
    rng = np.random.default_rng(7)
    intrinsics = CameraIntrinsics(width=96, height=72, fx=90.0, fy=91.0, cx=47.5, cy=35.5)
    return [
        RGBDFrame(
            color=rng.integers(0, 256, (72, 96, 3), dtype=np.uint8),
            depth=rng.integers(0, 4000, (72, 96), dtype=np.uint16),
            intrinsics=intrinsics,
            stamp_ns=1_763_700_000_123_456_789 + i * 33_333_333,
            T_base_camera=T_BASE_CAMERA,
        )
        for i in range(N_FRAMES)
    ]


def subscribe_camera(node):
    received = {
        topic: []
        for topic in (topics.COLOR_IMAGE, topics.COLOR_INFO, topics.DEPTH_IMAGE, topics.DEPTH_INFO, topics.EXTRINSICS)
    }
    for topic, msg_type in (
        (topics.COLOR_IMAGE, Image),
        (topics.DEPTH_IMAGE, Image),
        (topics.COLOR_INFO, CameraInfo),
        (topics.DEPTH_INFO, CameraInfo),
    ):
        node.create_subscription(msg_type, topic, received[topic].append, qos.IMAGE)
    node.create_subscription(TransformStamped, topics.EXTRINSICS, received[topics.EXTRINSICS].append, qos.LATCHED)
    return received


@pytest.mark.parametrize("depth_encoding", ["16UC1", "32FC1"])
def test_camera_node_publishes_every_frame_of_a_bag(tmp_path, spawn, ros_node, depth_encoding):
    frames = recorded_frames()
    with BagWriter(tmp_path / "bag") as writer:
        write_frames(writer, frames)
    node, executor = ros_node("camera_test")
    received = subscribe_camera(node)
    camera = spawn(
        [
            "-m",
            "visuomotor.nodes",
            "camera_node",
            "--ros-args",
            "-p",
            "source:=bag",
            "-p",
            f"bag_path:={tmp_path / 'bag'}",
            "-p",
            "rate:=10",
            "-p",
            "wait_for_subscribers:=1",
            "-p",
            f"depth_encoding:={depth_encoding}",
        ]
    )
    assert spin_until(executor, lambda: len(received[topics.DEPTH_INFO]) == N_FRAMES, timeout_s=30), camera.output()
    assert spin_until(executor, lambda: not camera.alive(), timeout_s=10), camera.output()
    assert camera.popen.returncode == 0, camera.output()
    assert f"ended after {N_FRAMES} frames" in camera.output()

    for topic in (topics.COLOR_IMAGE, topics.DEPTH_IMAGE, topics.COLOR_INFO):
        assert len(received[topic]) == N_FRAMES, topic
    for sent, color, depth, info, depth_info in zip(
        frames,
        received[topics.COLOR_IMAGE],
        received[topics.DEPTH_IMAGE],
        received[topics.COLOR_INFO],
        received[topics.DEPTH_INFO],
    ):
        got = msgs_to_frame(color, depth, info)
        assert got.stamp_ns == sent.stamp_ns
        assert got.frame_id == "camera_color_optical_frame" == depth.header.frame_id == depth_info.header.frame_id
        assert depth_info == info
        assert got.intrinsics == sent.intrinsics
        np.testing.assert_array_equal(got.color, sent.color)
        assert got.depth_encoding == depth_encoding
        if depth_encoding == "16UC1":
            np.testing.assert_array_equal(got.depth, sent.depth)
        else:
            np.testing.assert_array_equal(got.depth, sent.depth_m())  # NaN where 0, m = mm · 1e-3 (float32)

    (extrinsics,) = received[topics.EXTRINSICS]
    assert (extrinsics.header.frame_id, extrinsics.child_frame_id) == ("base_link", "camera_color_optical_frame")
    xyz, quat = xyz_quat_from_transform(T_BASE_CAMERA)
    t, r = extrinsics.transform.translation, extrinsics.transform.rotation
    np.testing.assert_allclose([t.x, t.y, t.z, r.x, r.y, r.z, r.w], [*xyz, *quat], atol=1e-12)


def test_camera_node_fixed_mount_parameter_is_latched_for_late_subscribers(tmp_path, spawn, ros_node):
    with BagWriter(tmp_path / "bag") as writer:
        write_frames(writer, [*(f for f in recorded_frames()[:1])])
    camera = spawn(
        [
            "-m",
            "visuomotor.nodes",
            "camera_node",
            "--ros-args",
            "-p",
            "source:=bag",
            "-p",
            f"bag_path:={tmp_path / 'bag'}",
            "-p",
            "wait_for_subscribers:=1",
            "-p",
            "extrinsics_xyz:=[0.1, 0.2, 0.3]",
            "-p",
            "extrinsics_quat_xyzw:=[0.0, 0.0, 1.0, 0.0]",
        ]
    )
    node, executor = ros_node("camera_late_test")
    received = subscribe_camera(node)  # after the node started: transient_local must still deliver
    assert spin_until(executor, lambda: received[topics.EXTRINSICS] and received[topics.COLOR_IMAGE], timeout_s=30), (
        camera.output()
    )
    transform = received[topics.EXTRINSICS][0].transform
    assert [transform.translation.x, transform.translation.y, transform.translation.z] == [0.1, 0.2, 0.3]
    assert [transform.rotation.x, transform.rotation.y, transform.rotation.z, transform.rotation.w] == [0, 0, 1, 0]


def test_camera_node_sim_source_publishes_rendered_frames_and_the_camera_mount(spawn, ros_node):
    node, executor = ros_node("camera_sim_test")
    received = subscribe_camera(node)
    camera = spawn(
        [
            "-m",
            "visuomotor.nodes",
            "camera_node",
            "--ros-args",
            "-p",
            "source:=sim",
            "-p",
            "sim_seed:=2",
            "-p",
            "width:=160",
            "-p",
            "height:=120",
            "-p",
            "fps:=10",
        ],
        env={"MUJOCO_GL": "egl"},
    )
    assert spin_until(
        executor, lambda: len(received[topics.DEPTH_INFO]) >= 3 and received[topics.EXTRINSICS], timeout_s=40
    ), camera.output()
    frames = [
        msgs_to_frame(c, d, i)
        for c, d, i in zip(received[topics.COLOR_IMAGE], received[topics.DEPTH_IMAGE], received[topics.COLOR_INFO])
    ]
    assert [f.stamp_ns - frames[0].stamp_ns for f in frames[:3]] == [0, 100_000_000, 200_000_000]  # sim time
    assert frames[0].depth.dtype == np.uint16 and np.count_nonzero(frames[0].depth) > 0.9 * 160 * 120
    assert frames[0].intrinsics.fx == 150.0
    mount = received[topics.EXTRINSICS][0]
    assert mount.header.frame_id == "base_link" and mount.transform.translation.z > 0.3
    assert camera.alive()


@pytest.mark.parametrize(
    "arguments, code, message",
    [
        (["source:=bag", "bag_path:=/nonexistent/run7"], 1, "bag /nonexistent/run7 does not exist"),
        (["source:=webcam"], 2, "source 'webcam': use realsense, sim or bag"),
        (["source:=bag", "bag_path:=x", "rate:=fast"], 2, "rate 'fast'"),
        (["source:=sim", "width:=wide"], 2, "camera_node: bad parameter: "),
        (
            ["source:=realsense", "realsense_bag_path:=/nonexistent/cam.db3"],
            1,
            "RealSense recording /nonexistent/cam.db3 does not exist",
        ),
    ],
)
def test_camera_node_exits_with_the_cause(spawn, arguments, code, message):
    argv = ["-m", "visuomotor.nodes", "camera_node", "--ros-args"]
    for argument in arguments:
        argv += ["-p", argument]
    camera = spawn(argv)
    assert camera.popen.wait(timeout=30) == code, camera.output()
    assert message in camera.output()
    assert "Traceback" not in camera.output()


def test_camera_node_reads_its_section_of_a_parameter_file(tmp_path, spawn):
    """config/*.yaml address the node as /**/camera_node."""
    params = tmp_path / "replay.yaml"
    params.write_text("/**/camera_node:\n  ros__parameters:\n    source: bag\n    bag_path: /nonexistent/from_yaml\n")
    camera = spawn(["-m", "visuomotor.nodes", "camera_node", "--ros-args", "--params-file", str(params)])
    assert camera.popen.wait(timeout=30) == 1, camera.output()
    assert "[camera_node]: camera_node: bag /nonexistent/from_yaml does not exist" in camera.output()
