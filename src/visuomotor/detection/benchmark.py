"""Per-frame detector latency by stage (preprocess / inference / postprocess) on 640×480 sim frames,
beside the seed's figures.

Seed 004 figures, recomputed (seed 004 §26.5.2, §29.5):
    §26.5.2 CPU throughput: YOLO-v8s 10 images/s → 1000 / 10 = 100 ms/frame; DETR 0.5 images/s →
            1000 / 0.5 = 2000 ms/frame.
    §29.5 latency budget: detection (YOLO-v8s) 15 ms of 5 + 15 + 2 + 20 + 10 + 5 = 57 ms per frame
            → 1000 / 57 = 17.5 Hz at most.
"""

from __future__ import annotations

import time

import numpy as np

from visuomotor.detection.detector import Detector
from visuomotor.statistics import latency_summary

SEED_CPU_MS_PER_FRAME = {"yolo": 1000.0 / 10.0, "detr": 1000.0 / 0.5}  # §26.5.2
SEED_DETECTION_BUDGET_MS = 15.0  # §29.5 (YOLO-v8s)
SEED_PIPELINE_MS = 5.0 + 15.0 + 2.0 + 20.0 + 10.0 + 5.0  # §29.5 total = 57 ms


def sim_frames(count: int, seed: int = 0) -> list[np.ndarray]:
    """`count` RGB 640×480 renders of different random sim scenes."""
    from visuomotor.sim.simulator import TabletopSim

    frames = []
    with TabletopSim() as sim:
        for index in range(count):
            sim.reset(seed + index)
            frames.append(sim.render("fixed", with_segmentation=False).color)
    return frames


def time_detector(detector: Detector, frames: list[np.ndarray], repeats: int, warmup: int = 2) -> dict:
    """{"latency_ms": {stage: statistics.latency_summary}, "frames_per_s", "frames", "image_size"} over `repeats`
    detect() calls cycling through frames, after warm-up; stages preprocess, inference, postprocess, total."""
    for index in range(warmup):
        detector.detect(frames[index % len(frames)])
    rows = []
    start = time.perf_counter()
    for index in range(repeats):
        detector.detect(frames[index % len(frames)])
        timing = detector.last_timing
        rows.append((timing.preprocess_ms, timing.inference_ms, timing.postprocess_ms, timing.total_ms))
    wall_s = time.perf_counter() - start
    stages = ("preprocess", "inference", "postprocess", "total")
    return {
        "latency_ms": {stage: latency_summary(row[k] for row in rows) for k, stage in enumerate(stages)},
        "frames_per_s": round(repeats / wall_s, 2),
        "frames": repeats,
        "image_size": detector.image_size,
    }
