"""RGBDFrame ↔ sensor_msgs/Image + CameraInfo (rclpy message classes): exact round trips, CDR included,
and refused encodings."""

from __future__ import annotations

import numpy as np
import pytest
from rclpy.serialization import deserialize_message, serialize_message
from sensor_msgs.msg import CameraInfo, Image

from visuomotor.camera.bag import typestore
from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame
from visuomotor.nodes.msgs.image import ImageEncodingError, camera_info_msg, frame_to_msgs, image_msg, msgs_to_frame

INTRINSICS = CameraIntrinsics(
    width=64, height=48, fx=600.5, fy=599.5, cx=31.25, cy=23.75, distortion=(0.01, -0.02, 0.0, 0.001, 0.0)
)


def frame(encoding: str) -> RGBDFrame:
    rng = np.random.default_rng(5)
    depth = rng.integers(0, 65536, (48, 64), dtype=np.uint16)
    if encoding == "32FC1":
        depth = rng.random((48, 64), dtype=np.float32) * 4
        depth[0, :5] = [np.nan, 0.0, np.inf, -np.inf, 1e-30]
    return RGBDFrame(
        color=rng.integers(0, 256, (48, 64, 3), dtype=np.uint8),
        depth=depth,
        intrinsics=INTRINSICS,
        stamp_ns=1_763_700_000_999_999_999,
        depth_encoding=encoding,
    )


@pytest.mark.parametrize("encoding", ["16UC1", "32FC1"])
def test_frame_round_trips_through_messages_and_cdr(encoding):
    sent = frame(encoding)
    messages = frame_to_msgs(sent)
    assert (messages.color.header.stamp.sec, messages.color.header.stamp.nanosec) == (1_763_700_000, 999_999_999)
    assert messages.depth.encoding == encoding and messages.color.encoding == "rgb8"
    assert list(messages.info.k) == [600.5, 0, 31.25, 0, 599.5, 23.75, 0, 0, 1]
    assert list(messages.info.p) == [600.5, 0, 31.25, 0, 0, 599.5, 23.75, 0, 0, 0, 1, 0]
    assert messages.info.distortion_model == "plumb_bob" and list(messages.info.d) == list(INTRINSICS.distortion)
    over_the_wire = [
        deserialize_message(serialize_message(m), type(m)) for m in (messages.color, messages.depth, messages.info)
    ]
    got = msgs_to_frame(*over_the_wire)
    np.testing.assert_array_equal(got.color, sent.color)
    np.testing.assert_array_equal(got.depth, sent.depth)
    assert got.depth.dtype == sent.depth.dtype
    assert (got.stamp_ns, got.intrinsics, got.frame_id, got.depth_encoding) == (
        sent.stamp_ns,
        sent.intrinsics,
        sent.frame_id,
        encoding,
    )


def test_rclpy_and_rosbags_serialize_camera_messages_identically():
    """The bag replay decodes what rclpy encodes and back (bytes may differ only in CDR padding, which
    Fast CDR leaves uninitialised)."""
    messages = frame_to_msgs(frame("16UC1"))
    store = typestore()
    for message, msgtype in ((messages.depth, "sensor_msgs/msg/Image"), (messages.info, "sensor_msgs/msg/CameraInfo")):
        via_rosbags = store.serialize_cdr(store.deserialize_cdr(serialize_message(message), msgtype), msgtype)
        assert deserialize_message(bytes(via_rosbags), type(message)) == message


def test_unknown_encodings_are_refused():
    with pytest.raises(ImageEncodingError, match="unsupported image encoding 'bgr8': use one of rgb8, 16UC1, 32FC1"):
        image_msg(np.zeros((2, 2, 3), np.uint8), "bgr8", 0, "camera_color_optical_frame")
    messages = frame_to_msgs(frame("16UC1"))
    messages.depth.encoding = "mono16"
    with pytest.raises(ImageEncodingError, match="depth image encoding 'mono16': use 16UC1"):
        msgs_to_frame(messages.color, messages.depth, messages.info)
    messages = frame_to_msgs(frame("16UC1"))
    messages.color.encoding = "bgr8"
    with pytest.raises(ImageEncodingError, match="colour image encoding 'bgr8'"):
        msgs_to_frame(messages.color, messages.depth, messages.info)


def test_unaligned_depth_is_refused():
    messages = frame_to_msgs(frame("16UC1"))
    small = image_msg(np.zeros((24, 32), np.uint16), "16UC1", 0, "camera_color_optical_frame")
    with pytest.raises(ImageEncodingError, match="sizes differ"):
        msgs_to_frame(messages.color, small, messages.info)


def test_camera_info_of_default_d455():
    info = camera_info_msg(CameraIntrinsics(), 5, "camera_color_optical_frame")
    assert isinstance(info, CameraInfo) and (info.width, info.height) == (640, 480)
    assert list(info.k) == [600, 0, 320, 0, 600, 240, 0, 0, 1]
    assert isinstance(image_msg(np.zeros((1, 1), np.float32), "32FC1", 0, "f"), Image)
