"""Deterministic replay of a recorded bag through detection → localization → tracking, scored against
the recorded ground truth (`visuomotor eval bag <bag>`).

Frame by frame in stamp order, as fast as the stages run (no pacing, no threads, no dropped frames), so
the same bag with the same options gives the same numbers. Per frame:
- detections: the detector on the colour image (`model`), or the ground-truth boxes (`ground-truth`,
  score 1, boxes only as a box detector gives) to score localization and tracking alone;
- localization with the recorded /camera/extrinsics valid at the stamp (fixed mount), sim size priors;
- tracking (Hungarian 3D tracker, seed 004 §29.4).
Scored per frame by bag_replay_scoring.ReplayScorer (mAP, 3D error, MOT metrics) against the
ground-truth boxes of bag_ground_truth; latency per stage (detect preprocess / inference / postprocess,
localize, track): visuomotor.statistics.latency_summary of the wall-clock ms (n, mean, min, p50, p95, p99, max).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from visuomotor.detection import DetectorConfig
from visuomotor.detection.result import Detection
from visuomotor.eval.bag.ground_truth import ground_truth_boxes
from visuomotor.eval.bag.replay_frames import ReadStatus, replay_frames
from visuomotor.eval.bag.replay_scoring import ReplayScorer
from visuomotor.localization import Localizer, LocalizerConfig
from visuomotor.statistics import latency_summary
from visuomotor.tracking import Tracker, TrackerConfig

DETECTION_SOURCES = ("model", "ground-truth")
DETECT_STAGES = ("detect_preprocess", "detect_inference", "detect_postprocess")


@dataclass
class BagReplayConfig:
    """detections: "model" (detector = its DetectorConfig) or "ground-truth"; max_frames: stop after
    this many frames (0: all); match_distance_m: 3D pairing threshold of the error and MOT metrics;
    seed: torch seed set before the detector is built (a model .yaml is randomly initialised)."""

    detections: str = "model"
    detector: DetectorConfig | None = None
    max_frames: int = 0
    match_distance_m: float = 0.05
    seed: int = 0
    localizer: LocalizerConfig = field(default_factory=LocalizerConfig)
    tracker: TrackerConfig = field(default_factory=TrackerConfig)


@dataclass
class FrameRecord:
    """Per-frame counts and stage times (ms) of the replay, for the plots."""

    stamp_ns: int
    ground_truth: int
    detections: int
    localized: int
    tracks: int
    stage_ms: dict[str, float]


@dataclass
class ReplayOutcome:
    """The summary (JSON-ready), every frame's record, and every matched 3D error (m)."""

    summary: dict
    frames: list[FrameRecord]
    errors_m: np.ndarray


def _detector_of(config: BagReplayConfig):
    if config.detections not in DETECTION_SOURCES:
        raise ValueError(f"detections {config.detections!r}: use one of {', '.join(DETECTION_SOURCES)}")
    if config.detections == "ground-truth":
        return None
    if config.detector is None:
        raise ValueError("detections 'model' needs a DetectorConfig (weights and backend)")
    import torch

    from visuomotor.detection import load_detector

    torch.manual_seed(config.seed)
    return load_detector(config.detector)


def replay_bag(path: str | Path, config: BagReplayConfig) -> ReplayOutcome:
    """Run the pipeline over every frame of the bag and score it (see the module docstring)."""
    started = time.perf_counter()
    detector = _detector_of(config)
    localizer, tracker = Localizer(config.localizer), Tracker(config.tracker)
    status = ReadStatus()
    scorer, records = ReplayScorer(config.match_distance_m), []
    diagnostics = 0
    for replay in replay_frames(path, status, config.max_frames):
        frame = replay.frame
        labels = ground_truth_boxes(frame, replay.objects, replay.T_base_camera)
        stage_ms: dict[str, float] = {}
        if detector is None:
            detections = [Detection(b.class_id, b.class_name, 1.0, np.array(b.xyxy)) for b in labels]
        else:
            detections = detector.detect(frame.color)
            timing = detector.last_timing
            stage_ms.update(zip(DETECT_STAGES, (timing.preprocess_ms, timing.inference_ms, timing.postprocess_ms)))
        t0 = time.perf_counter()
        result = localizer.localize(frame, detections, T_base_camera=replay.T_base_camera)
        t1 = time.perf_counter()
        tracks = tracker.update(result.objects, frame.stamp_ns).confirmed()
        t2 = time.perf_counter()
        stage_ms.update(localize=(t1 - t0) * 1e3, track=(t2 - t1) * 1e3)
        diagnostics += len(result.diagnostics)
        scorer.add_frame(labels, replay.objects, detections, result.objects, tracks)
        records.append(
            FrameRecord(frame.stamp_ns, len(labels), len(detections), len(result.objects), len(tracks), stage_ms)
        )
    wall_s = time.perf_counter() - started
    summary = {
        "bag": str(path),
        "frames": status.frames,
        "truncated": status.truncated,
        "warning": status.warning,
        "incomplete_stamps": status.incomplete_stamps,
        "out_of_order_frames": status.out_of_order_frames,
        "frames_without_extrinsics": status.frames_without_extrinsics,
        "detections_source": config.detections,
        "detector": None
        if detector is None or config.detector is None
        else {
            "backend": config.detector.backend,
            "weights": str(config.detector.weights),
            "confidence": config.detector.confidence,
            "iou": config.detector.iou,
            "image_size": detector.image_size,
            "device": config.detector.device,
            "runtime": config.detector.runtime,
            "threads": config.detector.threads,
        },
        **scorer.summary(),
        "latency_ms": {
            stage: latency_summary([r.stage_ms[stage] for r in records])
            for stage in (*(DETECT_STAGES if detector is not None else ()), "localize", "track")
        },
        "wall_time_s": round(wall_s, 2),
        "frames_per_s": round(status.frames / wall_s, 2),
    }
    summary["localization"]["diagnostics"] = diagnostics
    return ReplayOutcome(summary, records, scorer.errors_m)
