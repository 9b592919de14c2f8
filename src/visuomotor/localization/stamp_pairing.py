"""Pair detections with the depth frame of the same stamp (ROS-free; the node feeds it).

Detections arrive after the detector's latency; by then newer depth frames exist. Localizing with the
newest depth instead of the one the detector saw puts moving objects (or a moving wrist camera) in the
wrong place, so frames are buffered and looked up by stamp.
"""

from __future__ import annotations

from collections import deque

from visuomotor.camera.frame import RGBDFrame
from visuomotor.localization.diagnostics import Diagnostic


class StampPairer:
    """Bounded buffer of depth frames, newest first.

    max_frames: frames kept (the oldest is dropped); at 30 Hz, 10 frames cover 330 ms of detector latency.
    tolerance_ns: the largest |stamp difference| accepted as "the same stamp" (2 ms: the detector
    copies the image header, so pairs normally match exactly).
    """

    def __init__(self, max_frames: int = 10, tolerance_ns: int = 2_000_000):
        self.tolerance_ns = tolerance_ns
        self._frames: deque[RGBDFrame] = deque(maxlen=max_frames)

    def add(self, frame: RGBDFrame) -> None:
        self._frames.appendleft(frame)

    def pair(self, detections_stamp_ns: int) -> RGBDFrame | Diagnostic:
        """The buffered frame whose stamp is closest to detections_stamp_ns within tolerance (searched newest
        first, stopping once frames get older than the window), or a diagnostic."""
        best: RGBDFrame | None = None
        for frame in self._frames:
            gap = abs(frame.stamp_ns - detections_stamp_ns)
            if gap <= self.tolerance_ns and (best is None or gap < abs(best.stamp_ns - detections_stamp_ns)):
                best = frame
            if frame.stamp_ns < detections_stamp_ns - self.tolerance_ns:
                break
        if best is not None:
            return best
        if not self._frames:
            return Diagnostic("no_depth", "no depth frame buffered yet: check the aligned depth topic")
        newest, oldest = self._frames[0].stamp_ns, self._frames[-1].stamp_ns
        return Diagnostic(
            "no_depth_at_stamp",
            f"no depth frame within {self.tolerance_ns} ns of detections at "
            f"{detections_stamp_ns} ns (buffer holds {oldest}..{newest} ns): "
            "the detector must copy the image header stamp; enlarge max_frames "
            "if its latency exceeds the buffer",
        )
