"""The one interface every RGB-D source implements (RealSense, rosbag replay, simulation), ROS-free."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator

from visuomotor.camera.frame import RGBDFrame


class FrameSourceError(RuntimeError):
    """A source that cannot deliver frames (missing or corrupt file, bad configuration); the message
    names the source and the cause in one line. Live sources never raise this for a missing or
    unplugged camera: they report it and retry."""


class FrameSource(ABC):
    """Yields aligned RGBDFrames in capture order; each frame's stamp_ns is its capture time.

    A file source ends when the file does; a live source runs until close(). The consumer decides
    pacing (e.g. replay at recorded rate from the stamps). Use as a context manager or call close().
    """

    @abstractmethod
    def frames(self) -> Iterator[RGBDFrame]:
        """Iterate frames; raises FrameSourceError naming the cause when the source cannot go on."""

    def read(self) -> RGBDFrame | None:
        """The next frame, or None once the source has ended."""
        if not hasattr(self, "_iterator"):
            self._iterator = self.frames()
        return next(self._iterator, None)

    @abstractmethod
    def close(self) -> None:
        """Release the device or file; makes a running frames() return. Idempotent."""

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
