"""The RealSense path without hardware: librealsense's software_device produces real framesets (and real
rs.recorder files) from known numpy frames; the code a live camera runs must return them pixel for pixel,
aligned and in the right units, and must survive a missing or vanishing camera."""

from __future__ import annotations

import threading

import numpy as np
import pyrealsense2 as rs
import pytest
from software_realsense import SoftwareRealSense, rs_intrinsics

from visuomotor.camera.frame import CameraIntrinsics
from visuomotor.camera.realsense import FramesetConverter, RealSenseConfig, RealSenseSource
from visuomotor.camera.source import FrameSourceError

W, H = 80, 60
T0_MS = 1_763_700_000_000.0  # global-time stamps, ms since the epoch
COLOR = rs_intrinsics(W, H, 60.0, 61.0, 40.0, 30.0)


BLOCK = 10


def scene(index: int) -> tuple[np.ndarray, np.ndarray]:
    """Colour noise with the frame index in pixel (0, 0); depth in 10×10 px blocks of 300..3299 mm, some
    blocks 0 = invalid (rs.align splats each depth pixel over the colour pixels its corners project to,
    keeping the nearest, so a 1 px seam between blocks may take the neighbour's value)."""
    rng = np.random.default_rng(index)
    color = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    color[0, 0] = index
    blocks = rng.integers(300, 3300, (H // BLOCK, W // BLOCK), dtype=np.uint16)
    blocks[rng.random(blocks.shape) < 0.15] = 0
    return color, np.kron(blocks, np.ones((BLOCK, BLOCK), np.uint16))


def assert_aligned_depth_equals(actual: np.ndarray, sent: np.ndarray) -> None:
    """Every aligned depth is the sent one at that pixel (or, on a 1 px block seam, a 3×3 neighbour's);
    rs.align leaves a few 1 px holes (0) at some depths (e.g. 60 of 4800 px at 2.048 m, none at 1 m),
    so at most 5 % of valid pixels may be 0."""
    padded = np.pad(sent, 1, mode="edge")
    neighbours = np.stack([padded[dy : dy + H, dx : dx + W] for dy in range(3) for dx in range(3)])
    interior = np.all(neighbours == sent, axis=0)
    filled = actual != 0
    np.testing.assert_array_equal(actual[interior & filled], sent[interior & filled])
    assert np.all(np.any(neighbours == actual, axis=0)[filled])
    assert np.count_nonzero(~filled & (sent != 0)) < 0.05 * np.count_nonzero(sent)


def next_frame(camera: SoftwareRealSense, convert: FramesetConverter):
    """Framesets until one holds both streams (the matcher can release a first colour frame alone)."""
    for _ in range(3):
        frame = convert(camera.wait(1000))
        if frame is not None:
            return frame
    raise AssertionError("no complete frameset")


def test_identical_streams_come_out_pixel_for_pixel():
    camera = SoftwareRealSense(COLOR, COLOR)
    convert = FramesetConverter("16UC1")
    try:
        for index in range(3):
            color, depth = scene(index)
            camera.send(color, depth, T0_MS + 33.0 * index)
            if index == 0:
                continue  # the matcher holds the very first pair back; compare the ones that follow
            frame = next_frame(camera, convert)
            assert frame.stamp_ns == 1_763_700_000_000_000_000 + 33_000_000 * int(frame.color[0, 0, 0])
            sent_color, sent_depth = scene(int(frame.color[0, 0, 0]))
            np.testing.assert_array_equal(frame.color, sent_color)
            assert_aligned_depth_equals(frame.depth, sent_depth)
            assert frame.depth.dtype == np.uint16 and frame.depth_encoding == "16UC1"
            assert frame.intrinsics == CameraIntrinsics(width=W, height=H, fx=60.0, fy=61.0, cx=40.0, cy=30.0)
            assert frame.frame_id == "camera_color_optical_frame"
    finally:
        camera.stop()


@pytest.mark.parametrize(
    "encoding, expected_inside", [("16UC1", 1000), ("32FC1", np.float32(10000 * np.float32(1e-4)))]
)
def test_depth_is_reprojected_into_the_colour_camera_in_metric_units(encoding, expected_inside):
    """Depth camera 5 cm left of colour (depth→colour t = +0.05 m x), fx = 60 px, a 1 m patch:
    u_colour = u_depth + fx·t_x/Z = u_depth + 3 px (seed 004 §29.2.2). Depth units 100 µm: raw 10000 = 1 m."""
    camera = SoftwareRealSense(COLOR, COLOR, depth_units_m=1e-4, depth_to_color_m=(0.05, 0.0, 0.0))
    convert = FramesetConverter(encoding)
    depth = np.zeros((H, W), np.uint16)
    depth[20:30, 30:40] = 10000
    color, _ = scene(0)
    try:
        for index in range(2):
            camera.send(color, depth, T0_MS + 33.0 * index)
        frame = next_frame(camera, convert)
    finally:
        camera.stop()
    inside = np.zeros((H, W), bool)
    inside[20:30, 33:43] = True
    assert np.all(frame.depth[inside] == expected_inside)
    outside = frame.depth[~inside]
    assert np.all(outside == 0) if encoding == "16UC1" else np.all(np.isnan(outside))
    np.testing.assert_array_equal(frame.color, color)


class FeedingStream:
    """A software camera that produces one pair per wait() until it runs dry (then it 'unplugs')."""

    def __init__(self, first_index: int, count: int):
        self.camera = SoftwareRealSense(COLOR, COLOR)
        self.pending = list(range(first_index, first_index + count))

    def wait(self, timeout_ms: int):
        if self.pending:
            index = self.pending.pop(0)
            self.camera.send(*scene(index), T0_MS + 33.0 * index)
        return self.camera.wait(timeout_ms)

    def stop(self) -> None:
        self.camera.stop()


def test_live_source_reports_and_retries_missing_and_unplugged_camera():
    attempts, log = [], []

    def open_stream(config: RealSenseConfig):
        attempts.append(config.serial)
        if len(attempts) == 1:
            raise RuntimeError("no RealSense camera connected")
        return FeedingStream(first_index=10 * len(attempts), count=4)

    config = RealSenseConfig(serial="123456789012", frame_timeout_s=0.2, retry_initial_s=0.01, retry_max_s=0.04)
    source = RealSenseSource(config, open_stream=open_stream, log=log.append)
    received = []
    for frame in source.frames():
        received.append(int(frame.color[0, 0, 0]))
        sent_color, sent_depth = scene(received[-1])
        np.testing.assert_array_equal(frame.color, sent_color)
        assert_aligned_depth_equals(frame.depth, sent_depth)
        if len(attempts) == 3 and received[-1] == 33:
            source.close()
    assert attempts == ["123456789012"] * 3
    assert set(received) >= {21, 22, 23, 31, 32, 33} and received == sorted(received)
    assert log[0] == "RealSense 123456789012: no RealSense camera connected; retrying in 0.01 s"
    assert log[1].startswith("RealSense 123456789012: stream stopped (unplugged?): Frame didn't arrive within 200")
    assert log[1].endswith("reopening in 0.01 s")  # the delay resets once frames flowed
    assert len(log) == 2


def test_live_source_without_any_camera_keeps_retrying_with_backoff():
    if len(rs.context().query_devices()) > 0:
        pytest.skip("a RealSense camera is connected")
    log = []
    source = RealSenseSource(RealSenseConfig(retry_initial_s=0.01, retry_max_s=0.04), log=log.append)

    def consume():
        for _ in source.frames():
            pass

    worker = threading.Thread(target=consume)
    worker.start()
    while len(log) < 4 and worker.is_alive():
        worker.join(0.01)
    source.close()
    worker.join(5)
    assert not worker.is_alive()
    assert log[:4] == [
        f"RealSense (first camera): no RealSense camera connected; retrying in {d} s"
        for d in ("0.01", "0.02", "0.04", "0.04")
    ]


def test_recording_plays_back_through_the_pipeline(tmp_path):
    path = tmp_path / "d455.db3"
    camera = SoftwareRealSense(COLOR, COLOR, record_to=str(path))
    for index in range(6):
        camera.send(*scene(index), T0_MS + 33.0 * index)
        camera.wait(1000)
    camera.stop()
    del camera
    frames = list(RealSenseSource(RealSenseConfig(recording=str(path), frame_timeout_s=0.5)).frames())
    indices = [int(frame.color[0, 0, 0]) for frame in frames]
    assert indices == [0, 1, 2, 3, 4, 5]  # non-real-time playback: every recorded frame
    for index, frame in zip(indices, frames):
        sent_color, sent_depth = scene(index)
        np.testing.assert_array_equal(frame.color, sent_color)
        assert_aligned_depth_equals(frame.depth, sent_depth)
        assert frame.stamp_ns == 1_763_700_000_000_000_000 + 33_000_000 * index  # whole µs
        assert frame.intrinsics.fx == 60.0 and frame.intrinsics.cy == 30.0


def test_missing_or_corrupt_recording_is_a_one_line_error(tmp_path):
    with pytest.raises(FrameSourceError, match=r"RealSense recording .*nope.db3 does not exist"):
        next(RealSenseSource(RealSenseConfig(recording=str(tmp_path / "nope.db3"))).frames())
    corrupt = tmp_path / "corrupt.db3"
    corrupt.write_bytes(b"not a recording" * 100)
    with pytest.raises(FrameSourceError, match=r"RealSense recording .*corrupt.db3 cannot be played: ") as error:
        next(RealSenseSource(RealSenseConfig(recording=str(corrupt))).frames())
    assert "\n" not in str(error.value)


def test_unknown_depth_encoding_is_refused():
    with pytest.raises(FrameSourceError, match="depth encoding 'mono8': use 16UC1"):
        FramesetConverter("mono8")
