"""Bag replay source: frames recorded with write_frames come back equal (pixels, stamps, intrinsics, mount),
incomplete stamps are skipped, and bad bags end with a one-line cause."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.camera import topics
from visuomotor.camera.bag import BagWriter, typestore
from visuomotor.camera.bag_source import BagSource, BagSourceConfig, write_frames
from visuomotor.camera.extrinsics import transform_from_xyz_quat
from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame
from visuomotor.camera.source import FrameSourceError

INTRINSICS = CameraIntrinsics(width=32, height=24, fx=30.0, fy=31.0, cx=15.5, cy=11.5, distortion=(0.1, 0, 0, 0, 0))


def frames(n: int = 4, encoding: str = "16UC1") -> list[RGBDFrame]:
    rng = np.random.default_rng(11)
    mount = transform_from_xyz_quat([0.4, 0.0, 0.5], [0.7071068, -0.7071068, 0.0, 0.0])
    out = []
    for i in range(n):
        depth = rng.integers(0, 3000, (24, 32), dtype=np.uint16)
        out.append(
            RGBDFrame(
                color=rng.integers(0, 256, (24, 32, 3), dtype=np.uint8),
                depth=depth if encoding == "16UC1" else depth.astype(np.float32) / 1000,
                depth_encoding=encoding,
                intrinsics=INTRINSICS,
                stamp_ns=2_000_000_000 + i * 50_000_000,
                T_base_camera=mount,
            )
        )
    return out


@pytest.mark.parametrize("storage", ["mcap", "sqlite3"])
def test_recorded_frames_replay_exactly(tmp_path, storage):
    sent = frames()
    with BagWriter(tmp_path / "bag", storage) as writer:
        assert write_frames(writer, sent) == 4
    with BagSource(BagSourceConfig(path=str(tmp_path / "bag"))) as source:
        got = list(source.frames())
    assert len(got) == 4 and source.unpaired == 0
    for a, b in zip(sent, got):
        np.testing.assert_array_equal(b.color, a.color)
        np.testing.assert_array_equal(b.depth, a.depth)
        assert (b.stamp_ns, b.intrinsics, b.frame_id, b.depth_encoding) == (
            a.stamp_ns,
            a.intrinsics,
            a.frame_id,
            "16UC1",
        )
        np.testing.assert_allclose(b.T_base_camera, a.T_base_camera, atol=1e-12)


def test_depth_is_converted_to_the_requested_encoding(tmp_path):
    sent = frames(2, encoding="32FC1")
    with BagWriter(tmp_path / "bag") as writer:
        write_frames(writer, sent)
    source = BagSource(BagSourceConfig(path=str(tmp_path / "bag"), depth_encoding="16UC1"))
    for a, b in zip(sent, source.frames()):
        np.testing.assert_array_equal(b.depth, np.round(a.depth * 1000).astype(np.uint16))


def test_a_stamp_missing_its_depth_is_skipped(tmp_path):
    sent = frames(3)
    with BagWriter(tmp_path / "bag") as writer:
        write_frames(writer, sent[:1])
        types = typestore().types  # frame 1: colour only (its depth and info dropped); frame 2 complete
        header = types["std_msgs/msg/Header"](
            stamp=types["builtin_interfaces/msg/Time"](sec=2, nanosec=50_000_000), frame_id="camera_color_optical_frame"
        )
        writer.write(
            topics.COLOR_IMAGE,
            types["sensor_msgs/msg/Image"](
                header=header, height=24, width=32, encoding="rgb8", is_bigendian=0, step=96, data=sent[1].color.ravel()
            ),
            sent[1].stamp_ns,
        )
        write_frames(writer, sent[2:])
    source = BagSource(BagSourceConfig(path=str(tmp_path / "bag")))
    assert [f.stamp_ns for f in source.frames()] == [sent[0].stamp_ns, sent[2].stamp_ns]
    assert source.unpaired == 1


def test_bags_without_frames_or_files_are_one_line_errors(tmp_path):
    with BagWriter(tmp_path / "other") as writer:
        writer.add_topic("/joint_states", "sensor_msgs/msg/JointState")
    with pytest.raises(
        FrameSourceError, match=r"bag .*other has no complete camera frame: needs /camera/color/image_raw"
    ):
        list(BagSource(BagSourceConfig(path=str(tmp_path / "other"))).frames())
    with pytest.raises(FrameSourceError, match=r"bag .*nothing does not exist"):
        list(BagSource(BagSourceConfig(path=str(tmp_path / "nothing"))).frames())
    with pytest.raises(FrameSourceError, match="bag source needs a path"):
        BagSource(BagSourceConfig())
    with BagWriter(tmp_path / "cut") as writer:
        write_frames(writer, frames(4))
    (tmp_path / "cut" / "metadata.yaml").unlink()  # as after SIGKILL: no metadata, file cut short
    mcap = tmp_path / "cut" / "cut_0.mcap"
    mcap.write_bytes(mcap.read_bytes()[: mcap.stat().st_size // 2])
    with pytest.raises(FrameSourceError, match=r"bag .*cut_0.mcap is truncated \(not closed: recorder killed\?\)"):
        list(BagSource(BagSourceConfig(path=str(tmp_path / "cut"))).frames())


def test_read_returns_frames_then_none(tmp_path):
    with BagWriter(tmp_path / "bag") as writer:
        write_frames(writer, frames(2))
    source = BagSource(BagSourceConfig(path=str(tmp_path / "bag")))
    assert source.read().stamp_ns == 2_000_000_000
    assert source.read().stamp_ns == 2_050_000_000
    assert source.read() is None
