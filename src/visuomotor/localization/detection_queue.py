"""Detection arrays waiting for the depth frame of their stamp (ROS-free; localizer_node feeds it).

Detections arrive after the detector's latency, the depth frame of their image usually before them — but not
always (another transport, another thread). Each poll takes the NEWEST waiting array whose depth frame has
arrived (with that frame) and drops the older waiting ones as superseded: the tracker needs time order, and they
are stale anyway. An array that waited longer than max_wait_ns is dropped with the reason its frame is missing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from visuomotor.camera.frame import RGBDFrame
from visuomotor.localization.diagnostics import Diagnostic
from visuomotor.localization.stamp_pairing import StampPairer

T = TypeVar("T")
TOO_LATE = Diagnostic("depth_too_late", "depth frame arrived too late")


@dataclass
class QueuePoll(Generic[T]):
    """ready: the detections to localize now and their frame; superseded: older arrays dropped for them;
    expired: arrays that waited too long, each with why its frame is missing."""

    ready: tuple[T, RGBDFrame] | None = None
    superseded: int = 0
    expired: list[tuple[T, Diagnostic]] = field(default_factory=list)


class DetectionQueue(Generic[T]):
    def __init__(self, pairer: StampPairer, max_wait_ns: int, max_waiting: int = 10):
        self.pairer = pairer
        self.max_wait_ns = max_wait_ns
        self._waiting: deque[tuple[int, int, T]] = deque(maxlen=max_waiting)  # (received, stamp, item), newest first

    def add_frame(self, frame: RGBDFrame) -> None:
        self.pairer.add(frame)

    def add_detections(self, stamp_ns: int, detections: T, received_ns: int) -> None:
        self._waiting.appendleft((received_ns, stamp_ns, detections))

    def poll(self, now_ns: int) -> QueuePoll[T]:
        result: QueuePoll[T] = QueuePoll()
        for index, (_, stamp, item) in enumerate(self._waiting):  # newest first
            frame = self.pairer.pair(stamp)
            if isinstance(frame, RGBDFrame):
                result.ready, result.superseded = (item, frame), len(self._waiting) - index - 1
                self._waiting = deque(list(self._waiting)[:index], maxlen=self._waiting.maxlen)
                break
        waiting: deque[tuple[int, int, T]] = deque(maxlen=self._waiting.maxlen)
        for received, stamp, item in self._waiting:
            if now_ns - received <= self.max_wait_ns:
                waiting.append((received, stamp, item))
                continue
            frame = self.pairer.pair(stamp)
            result.expired.append((item, frame if isinstance(frame, Diagnostic) else TOO_LATE))
        self._waiting = waiting
        return result
