"""Detections wait for the depth frame of their stamp, the newest ready one wins, stale ones expire."""

from __future__ import annotations

import numpy as np

from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame
from visuomotor.localization.detection_queue import DetectionQueue
from visuomotor.localization.stamp_pairing import StampPairer

MS = 1_000_000


def frame(stamp_ns: int) -> RGBDFrame:
    return RGBDFrame(
        color=np.zeros((4, 4, 3), np.uint8),
        depth=np.zeros((4, 4), np.float32),
        intrinsics=CameraIntrinsics(4, 4, 2.0, 2.0, 2.0, 2.0),
        stamp_ns=stamp_ns,
    )


def test_detections_wait_for_their_frame_and_the_newest_ready_one_supersedes_older_ones():
    queue: DetectionQueue[str] = DetectionQueue(StampPairer(), max_wait_ns=100 * MS)
    queue.add_detections(10 * MS, "a", received_ns=0)
    queue.add_detections(20 * MS, "b", received_ns=1 * MS)
    queue.add_detections(30 * MS, "c", received_ns=2 * MS)
    assert queue.poll(3 * MS).ready is None  # no depth yet: all wait
    queue.add_frame(frame(20 * MS))
    poll = queue.poll(4 * MS)
    assert poll.ready[0] == "b" and poll.ready[1].stamp_ns == 20 * MS and poll.superseded == 1  # "a" dropped
    queue.add_frame(frame(30 * MS))
    assert queue.poll(5 * MS).ready[0] == "c"


def test_detections_whose_frame_never_comes_expire_with_the_reason():
    queue: DetectionQueue[str] = DetectionQueue(StampPairer(), max_wait_ns=100 * MS)
    queue.add_detections(10 * MS, "a", received_ns=0)
    assert queue.poll(100 * MS).expired == []
    poll = queue.poll(101 * MS)
    assert [(item, problem.code) for item, problem in poll.expired] == [("a", "no_depth")]
    assert queue.poll(200 * MS).expired == []  # dropped once
