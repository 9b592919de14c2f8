"""Pacing a stream of frames: at the recorded rate (the stamps' differences), at a fixed rate, or at once.

A camera node publishing a file source (a bag, a RealSense recording) reproduces the recording's timing with
`rate` "recorded", replays as fast as possible with "max", or at a fixed rate in Hz.
"""

from __future__ import annotations

import time


def parse_rate(value: str) -> float | None:
    """'recorded' → 0 (pace by stamps), 'max' → None (no pacing), '15' → 15.0 Hz; ValueError otherwise."""
    if value == "recorded":
        return 0.0
    if value == "max":
        return None
    try:
        hz = float(value)
    except ValueError:
        hz = -1.0
    if not hz > 0:
        raise ValueError(f"rate {value!r}: use 'recorded', 'max' or a positive rate in Hz")
    return hz


class Pacer:
    """wait(stamp) sleeps until the frame is due: rate_hz 0 by the stamps (the first frame at once), > 0 at that
    fixed rate (stamps ignored), None never."""

    def __init__(self, rate_hz: float | None):
        self.rate_hz = rate_hz
        self._first: tuple[float, int] | None = None  # (monotonic s, stamp ns) of the first frame
        self._next = 0.0

    def wait(self, stamp_ns: int) -> None:
        now = time.monotonic()
        if self.rate_hz is None:
            return
        if self.rate_hz == 0.0:
            if self._first is None:
                self._first = (now, stamp_ns)
            due = self._first[0] + (stamp_ns - self._first[1]) * 1e-9
        else:
            due, self._next = self._next, max(self._next, now) + 1.0 / self.rate_hz
        if due > now:
            time.sleep(due - now)
