"""Intel RealSense (D455 by default) through pyrealsense2: a live device, or a RealSense recording played back.

Depth is aligned to colour with rs.align (depth reprojected into the colour camera: depth pixel →
3D with the depth intrinsics and units → colour frame with the depth→colour extrinsics → colour pixel,
seed 004 §29.2.1–29.2.2), so colour and depth share the colour stream's intrinsics. Depth units come
from the device (metres per raw z16 unit, usually 1 mm): 16UC1 mm = round(raw · units / 1e-3), or
32FC1 m = raw · units; raw 0 stays invalid.

Live camera missing or unplugged mid-stream: one log line with the cause, then retry with exponential
backoff (retry_initial_s doubling up to retry_max_s) until close(); never raises. A recording that is
missing or unplayable raises FrameSourceError naming the file and the cause.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pyrealsense2 as rs

from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame
from visuomotor.camera.source import FrameSource, FrameSourceError

MM = 1e-3  # metres per 16UC1 unit


@dataclass(frozen=True)
class RealSenseConfig:
    serial: str = ""  # live device serial number; "" = the first camera found
    recording: str = ""  # RealSense recording (rs.recorder file) to play instead of a live camera
    width: int = 640  # px, colour and depth (seed 004 §29.3: D455 at 640×480)
    height: int = 480
    fps: int = 30
    depth_encoding: str = "16UC1"  # 16UC1 (mm) or 32FC1 (m)
    frame_timeout_s: float = 1.0  # no frameset for this long = camera gone (live) / end (recording)
    retry_initial_s: float = 0.5
    retry_max_s: float = 8.0


class FramesetStream(Protocol):
    """What the source reads: rs.pipeline's wait_for_frames semantics (RuntimeError on timeout)."""

    def wait(self, timeout_ms: int) -> rs.composite_frame: ...

    def stop(self) -> None: ...


_DISTORTION_MODELS = {
    rs.distortion.none: "plumb_bob",
    rs.distortion.brown_conrady: "plumb_bob",
    rs.distortion.inverse_brown_conrady: "plumb_bob",
    rs.distortion.modified_brown_conrady: "plumb_bob",
    rs.distortion.kannala_brandt4: "equidistant",
}


def intrinsics_from_profile(profile: rs.video_stream_profile) -> CameraIntrinsics:
    """The stream's factory calibration (pixels) as CameraIntrinsics (seed §29.2.1)."""
    intr = profile.get_intrinsics()
    return CameraIntrinsics(
        width=intr.width,
        height=intr.height,
        fx=intr.fx,
        fy=intr.fy,
        cx=intr.ppx,
        cy=intr.ppy,
        distortion_model=_DISTORTION_MODELS.get(intr.model, "plumb_bob"),
        distortion=tuple(float(c) for c in intr.coeffs),
    )


def depth_from_raw(raw: np.ndarray, units_m: float, encoding: str) -> np.ndarray:
    """(H, W) uint16 z16 raw depth → 16UC1 mm (round(raw·units/1 mm), clipped to uint16) or 32FC1 m (0 → NaN)."""
    if encoding == "16UC1":
        if abs(units_m - MM) < 1e-9:
            return raw.copy()
        return np.clip(np.round(raw.astype(np.float64) * (units_m / MM)), 0, np.iinfo(np.uint16).max).astype(np.uint16)
    if encoding == "32FC1":
        metres = raw.astype(np.float32) * np.float32(units_m)
        metres[raw == 0] = np.nan
        return metres
    raise FrameSourceError(f"depth encoding {encoding!r}: use 16UC1 (mm) or 32FC1 (m)")


class FramesetConverter:
    """rs frameset (depth + colour) → RGBDFrame with depth aligned to colour; the same for every stream."""

    def __init__(self, depth_encoding: str = "16UC1"):
        depth_from_raw(np.zeros((1, 1), np.uint16), MM, depth_encoding)  # validate the encoding now
        self.depth_encoding = depth_encoding
        self._align = rs.align(rs.stream.color)

    def __call__(self, frameset: rs.composite_frame) -> RGBDFrame | None:
        """None for an incomplete frameset (a stream's first frames can arrive unmatched)."""
        if not (frameset.get_depth_frame() and frameset.get_color_frame()):
            return None
        aligned = self._align.process(frameset)
        color, depth = aligned.get_color_frame(), aligned.get_depth_frame()
        return RGBDFrame(
            color=np.asanyarray(color.get_data()).copy(),
            depth=depth_from_raw(np.asanyarray(depth.get_data()), depth.get_units(), self.depth_encoding),
            intrinsics=intrinsics_from_profile(color.profile.as_video_stream_profile()),
            stamp_ns=frame_stamp_ns(color),
            depth_encoding=self.depth_encoding,
        )


def frame_stamp_ns(frame: rs.frame) -> int:
    """Capture time in ns since the epoch: the frame's timestamp (ms, a double: rounded to whole µs)
    when it is on the host/global clock, else (device hardware clock) the arrival time on the host."""
    if frame.get_frame_timestamp_domain() in (rs.timestamp_domain.global_time, rs.timestamp_domain.system_time):
        return round(frame.get_timestamp() * 1e3) * 1000
    return time.time_ns()


class _Pipeline:
    """rs.pipeline streaming depth z16 + colour rgb8 from a live device or a recording."""

    def __init__(self, config: RealSenseConfig, device_config: rs.config):
        self._pipeline = rs.pipeline()
        self.playback = None
        if config.recording:
            # resolve first, so playback is non-real-time before the first frame is read: every recorded
            # frame, correctly paired (real-time playback drops frames a busy consumer misses)
            resolved = device_config.resolve(rs.pipeline_wrapper(self._pipeline))
            self.playback = resolved.get_device().as_playback()
            self.playback.set_real_time(False)
        else:
            device_config.enable_stream(rs.stream.depth, config.width, config.height, rs.format.z16, config.fps)
            device_config.enable_stream(rs.stream.color, config.width, config.height, rs.format.rgb8, config.fps)
        self._pipeline.start(device_config)

    def wait(self, timeout_ms: int) -> rs.composite_frame:
        return self._pipeline.wait_for_frames(timeout_ms)

    def stop(self) -> None:
        self._pipeline.stop()


def open_live_camera(config: RealSenseConfig) -> _Pipeline:
    """Start the camera `config.serial` (or the first one); RuntimeError with the cause when absent."""
    serials = [device.get_info(rs.camera_info.serial_number) for device in rs.context().query_devices()]
    if not serials:
        raise RuntimeError("no RealSense camera connected")
    if config.serial and config.serial not in serials:
        raise RuntimeError(f"camera {config.serial} not connected (connected: {', '.join(serials)})")
    device_config = rs.config()
    device_config.enable_device(config.serial or serials[0])
    return _Pipeline(config, device_config)


class RealSenseSource(FrameSource):
    """Frames from a live RealSense (retrying forever) or a RealSense recording (ending with it).

    open_stream opens the live camera (default: open_live_camera); log receives one-line reports."""

    def __init__(
        self,
        config: RealSenseConfig = RealSenseConfig(),
        open_stream: Callable[[RealSenseConfig], FramesetStream] = open_live_camera,
        log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
    ):
        self.config = config
        self._open_stream = open_stream
        self._log = log
        self._convert = FramesetConverter(config.depth_encoding)
        self._closed = threading.Event()

    def frames(self) -> Iterator[RGBDFrame]:
        return self._recording() if self.config.recording else self._live()

    def close(self) -> None:
        self._closed.set()

    def _recording(self) -> Iterator[RGBDFrame]:
        path = Path(self.config.recording)
        if not path.is_file():
            raise FrameSourceError(f"RealSense recording {path} does not exist: pass an rs.recorder file")
        device_config = rs.config()
        try:
            device_config.enable_device_from_file(str(path), repeat_playback=False)
            stream = _Pipeline(self.config, device_config)
        except RuntimeError as error:
            raise FrameSourceError(f"RealSense recording {path} cannot be played: {error}") from None
        try:
            while not self._closed.is_set():
                try:
                    frameset = stream.wait(round(self.config.frame_timeout_s * 1000))
                except RuntimeError as error:
                    playback = stream.playback
                    if playback is not None and playback.current_status() == rs.playback_status.stopped:
                        return
                    raise FrameSourceError(f"RealSense recording {path}: {error}") from None
                frame = self._convert(frameset)
                if frame is not None:
                    yield frame
        finally:
            stream.stop()

    def _live(self) -> Iterator[RGBDFrame]:
        camera = f"RealSense {self.config.serial or '(first camera)'}"
        delay = self.config.retry_initial_s
        while not self._closed.is_set():
            try:
                stream = self._open_stream(self.config)
            except RuntimeError as error:
                self._log(f"{camera}: {error}; retrying in {delay:g} s")
            else:
                try:
                    while not self._closed.is_set():
                        frame = self._convert(stream.wait(round(self.config.frame_timeout_s * 1000)))
                        if frame is not None:
                            delay = self.config.retry_initial_s
                            yield frame
                except RuntimeError as error:
                    self._log(f"{camera}: stream stopped (unplugged?): {error}; reopening in {delay:g} s")
                finally:
                    _stop_quietly(stream)
            self._closed.wait(delay)
            delay = min(2 * delay, self.config.retry_max_s)


def _stop_quietly(stream: FramesetStream) -> None:
    try:
        stream.stop()
    except RuntimeError:
        pass  # a device that vanished cannot be stopped; it is released with the pipeline object
