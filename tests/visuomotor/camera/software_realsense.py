"""A RealSense camera made of librealsense's own software_device: known numpy frames in, real rs frames
out (syncer-matched framesets with stream profiles, intrinsics, extrinsics and depth units), so the code a
live camera runs can be driven without hardware."""

from __future__ import annotations

import numpy as np
import pyrealsense2 as rs


def rs_intrinsics(width: int, height: int, fx: float, fy: float, cx: float, cy: float) -> rs.intrinsics:
    intrinsics = rs.intrinsics()
    intrinsics.width, intrinsics.height = width, height
    intrinsics.fx, intrinsics.fy, intrinsics.ppx, intrinsics.ppy = fx, fy, cx, cy
    intrinsics.model, intrinsics.coeffs = rs.distortion.none, [0.0] * 5
    return intrinsics


class SoftwareRealSense:
    """Depth (z16) + colour (rgb8) streams; depth→colour extrinsics = translation `depth_to_color_m`.

    send(color, depth, timestamp_ms) injects one synchronized pair; wait(timeout_ms) behaves like
    rs.pipeline.wait_for_frames: the next frameset, or RuntimeError("Frame didn't arrive ...").
    record_to: also record the streams with rs.recorder into this file (librealsense 2.59 writes .db3)."""

    def __init__(
        self,
        color_intrinsics: rs.intrinsics,
        depth_intrinsics: rs.intrinsics,
        depth_units_m: float = 0.001,
        depth_to_color_m=(0.0, 0.0, 0.0),
        fps: int = 30,
        record_to: str | None = None,
    ):
        self.device = rs.software_device()
        self._depth_sensor = self.device.add_sensor("Depth")
        self._color_sensor = self.device.add_sensor("Color")
        self._depth_profile = self._depth_sensor.add_video_stream(
            self._stream(rs.stream.depth, 0, rs.format.z16, 2, depth_intrinsics, fps)
        ).as_video_stream_profile()
        self._color_profile = self._color_sensor.add_video_stream(
            self._stream(rs.stream.color, 1, rs.format.rgb8, 3, color_intrinsics, fps)
        ).as_video_stream_profile()
        self._depth_sensor.add_read_only_option(rs.option.depth_units, depth_units_m)
        extrinsics = rs.extrinsics()
        extrinsics.rotation = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
        extrinsics.translation = list(depth_to_color_m)
        self._depth_profile.register_extrinsics_to(self._color_profile, extrinsics)
        self.device.create_matcher(rs.matchers.dlr_c)
        self._syncer = rs.syncer(100)
        self._recorder = rs.recorder(record_to, self.device) if record_to else None
        # streaming goes through the recorder's sensors when recording, so it sees every frame
        self._streaming = self._recorder.query_sensors() if self._recorder else [self._depth_sensor, self._color_sensor]
        for sensor, profile in zip(self._streaming, (self._depth_profile, self._color_profile)):
            sensor.open(sensor.get_stream_profiles()[0] if self._recorder else profile)
            sensor.start(self._syncer)
        self._frame_number = 0

    @staticmethod
    def _stream(kind, uid, fmt, bpp, intrinsics, fps) -> rs.video_stream:
        stream = rs.video_stream()
        stream.type, stream.index, stream.uid, stream.fmt, stream.bpp = kind, 0, uid, fmt, bpp
        stream.width, stream.height, stream.fps, stream.intrinsics = (
            intrinsics.width,
            intrinsics.height,
            fps,
            intrinsics,
        )
        return stream

    def send(self, color: np.ndarray, depth: np.ndarray, timestamp_ms: float) -> None:
        self._frame_number += 1
        for sensor, profile, pixels in (
            (self._depth_sensor, self._depth_profile, depth),
            (self._color_sensor, self._color_profile, color),
        ):
            frame = rs.software_video_frame()
            frame.pixels = np.ascontiguousarray(pixels)
            frame.bpp = pixels.itemsize * (pixels.shape[2] if pixels.ndim == 3 else 1)
            frame.stride = frame.bpp * pixels.shape[1]
            frame.timestamp = timestamp_ms
            frame.domain = rs.timestamp_domain.global_time
            frame.frame_number = self._frame_number
            frame.profile = profile
            sensor.on_video_frame(frame)

    def wait(self, timeout_ms: int) -> rs.composite_frame:
        ok, frameset = self._syncer.try_wait_for_frames(timeout_ms)
        if not ok:
            raise RuntimeError(f"Frame didn't arrive within {timeout_ms}")
        return frameset

    def stop(self) -> None:
        """Stop streaming (and finish the recording file)."""
        for sensor in self._streaming:
            sensor.stop()
            sensor.close()
        self._streaming, self._recorder = [], None
