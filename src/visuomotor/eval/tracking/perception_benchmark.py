"""`visuomotor bench perception`: localization and tracking cost per frame on this CPU.

Localization: 20 detections on an exactly ray-cast 640×480 RGB-D frame, depth as 16UC1 millimetres (as
the RealSense publishes; keys without a suffix) and as 32FC1 metres (keys ending in _32FC1), box-only and
with instance masks. Tracking: 50 confirmed tracks updated with 50 detections per frame. Each time is the
mean per call over a batch, after a warm-up, summarised over the repeats (statistics.latency_summary: n =
repeats, p50 = the median batch, min_ms = the least disturbed one), both wall-clock (wall_ms) and CPU time of
this process (cpu_ms): on a shared machine the wall time includes waiting for a core; the CPU time is what
the work itself costs.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import time
from collections.abc import Callable

import numpy as np

from visuomotor.camera.frame import CameraIntrinsics
from visuomotor.detection.result import Detection
from visuomotor.eval.tracking.detection_sources import boxes_from_segmentation
from visuomotor.localization import LocalizedObject, Localizer, LocalizerConfig
from visuomotor.sim.analytic_scene import SceneObject, look_at, render
from visuomotor.statistics import LatencySummary, latency_summary
from visuomotor.tracking import Tracker, TrackerConfig

CUBE_M = (0.04, 0.04, 0.04)


def _time_ms(function: Callable[[], object], batch: int, repeats: int) -> dict[str, LatencySummary]:
    """{"wall_ms", "cpu_ms"}: latency summaries of the per-call time of `repeats` batches of `batch` calls,
    after one warm-up call."""
    function()
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeats):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(batch):
            function()
        wall.append((time.perf_counter() - wall_start) / batch * 1e3)
        cpu.append((time.process_time() - cpu_start) / batch * 1e3)
    return {"wall_ms": latency_summary(wall), "cpu_ms": latency_summary(cpu)}


def localization_scene(num_objects: int = 20):
    """A 640×480 16UC1 frame of num_objects cubes on a table (a 5-wide grid) and their box detections."""
    objects = [
        SceneObject(i + 1, "box", (0.35 + 0.06 * (i % 5), -0.2 + 0.09 * (i // 5), 0.02), CUBE_M, 0.3 * i)
        for i in range(num_objects)
    ]
    frame = render(
        objects,
        look_at(np.array([0.95, 0.0, 0.65]), np.array([0.45, 0.0, 0.0])),
        CameraIntrinsics(),
        depth_encoding="16UC1",
    )
    assert frame.segmentation is not None  # the analytic renderer always labels its pixels
    boxes = boxes_from_segmentation(frame.segmentation)
    if len(boxes) != num_objects:
        raise RuntimeError(f"benchmark scene shows {len(boxes)} of {num_objects} objects")
    return frame, boxes


def tracking_inputs(num_objects: int, frames: int, rng: np.random.Generator) -> list[list[LocalizedObject]]:
    """frames × num_objects LocalizedObjects: objects on a grid 8 cm apart, moving 1 cm/frame, ±2 mm noise."""
    grid = np.array([[0.2 + 0.08 * (i % 10), -0.2 + 0.08 * (i // 10), 0.02] for i in range(num_objects)])
    detection = Detection(0, "cube", 0.9, np.array([0.0, 0.0, 10.0, 10.0]))
    out = []
    for k in range(frames):
        positions = grid + [0.01 * k, 0.0, 0.0] + rng.normal(0, 0.002, grid.shape)
        stamp = (k + 1) * 33_000_000
        out.append(
            [
                LocalizedObject(p, np.eye(3) * 4e-6, np.array(CUBE_M), 0, "cube", 0.9, detection, stamp)
                for p in positions
            ]
        )
    return out


def benchmark_perception(repeats: int = 15, batch: int = 20) -> dict:
    frame, boxes = localization_scene()
    frame_32fc1 = dataclasses.replace(
        frame, depth=frame.depth.astype(np.float32) * np.float32(1e-3), depth_encoding="32FC1"
    )
    localizer = Localizer(LocalizerConfig(size_priors_m={"cube": CUBE_M}))
    box_only = [Detection(0, "cube", 0.9, b) for b in boxes.values()]
    masked = [Detection(0, "cube", 0.9, b, mask_label=label) for label, b in boxes.items()]
    assert (
        len(localizer.localize(frame, box_only).objects)
        == len(localizer.localize(frame_32fc1, box_only).objects)
        == len(box_only)
    )

    frames = tracking_inputs(50, 10 + repeats * batch + 1, np.random.default_rng(0))
    tracker = Tracker(TrackerConfig(n_init=1))
    for objects in frames[:10]:
        tracker.update(objects, objects[0].stamp_ns)
    stream = iter(frames[10:])

    def track_one() -> None:
        objects = next(stream)
        tracker.update(objects, objects[0].stamp_ns)

    tracking_ms = _time_ms(track_one, batch, repeats)
    tracks = len(tracker.tracks)
    return {
        "localization_20_boxes": _time_ms(lambda: localizer.localize(frame, box_only), batch, repeats),
        "localization_20_masks": _time_ms(lambda: localizer.localize(frame, masked), batch, repeats),
        "localization_20_boxes_32FC1": _time_ms(lambda: localizer.localize(frame_32fc1, box_only), batch, repeats),
        "localization_20_masks_32FC1": _time_ms(lambda: localizer.localize(frame_32fc1, masked), batch, repeats),
        "tracking_50x50": tracking_ms,
        "tracks_alive": tracks,
        "goal_ms": 1.0,
        "image": "640x480, depth 16UC1 (and 32FC1: keys ending in _32FC1)",
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
    }
