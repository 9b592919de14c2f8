"""The demo's bag recorder: `visuomotor record` as a child process in its own session, stopped with SIGINT so the
bag is closed cleanly (SIGKILL only if it does not stop within 30 s)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

RECORDED_TOPICS = [
    "/camera/color/image_raw",
    "/camera/color/camera_info",
    "/camera/aligned_depth_to_color/image_raw",
    "/camera/aligned_depth_to_color/camera_info",
    "/camera/extrinsics",
    "/joint_states",
    "/sim/ground_truth",
    "/detections",
    "/tracks",
    "/policy/action_chunk",
    "/arm_controller/joint_trajectory",
]


def start_recorder(bag: Path) -> subprocess.Popen:
    """`visuomotor record --out BAG` of RECORDED_TOPICS, in a new process session."""
    return subprocess.Popen(
        [sys.executable, "-m", "visuomotor.cli", "record", "--out", str(bag), "--topics", *RECORDED_TOPICS, "--json"],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_recorder(recorder: subprocess.Popen) -> None:
    """SIGINT (the recorder closes the bag), SIGKILL after 30 s."""
    os.killpg(recorder.pid, signal.SIGINT)
    try:
        recorder.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(recorder.pid, signal.SIGKILL)
