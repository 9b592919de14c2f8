"""Deterministic replay of a recorded bag through detection → localization → tracking, scored against
the recorded ground truth (`visuomotor eval bag <bag>`).

Frame by frame in stamp order, as fast as the stages run (no pacing, no threads, no dropped frames), so
the same bag with the same options gives the same numbers. Per frame:
- detections: the detector on the colour image (`model`), or the ground-truth boxes (`ground-truth`,
  score 1, boxes only as a box detector gives) to score localization and tracking alone;
- localization with the recorded /camera/extrinsics valid at the stamp (fixed mount), sim size priors;
- tracking (Hungarian 3D tracker, seed 004 §29.4).
Scores:
- detection: COCO mAP@0.5 and mAP@[.5:.95] (nnfoundation, seed 004 §23.4.1–23.4.2) of the detections
  against the ground-truth boxes (bag_ground_truth: ray-cast visibility + the dataset's labelling rule)
  over the simulator classes; a detection whose class is not a simulator class counts in
  detections_outside_classes and is not scored;
- 3D error: each localized object vs the ground-truth centre of the same class, one-to-one by
  Hungarian assignment on distance, pairs within match_distance_m; median, p95, mean (mm);
- MOT: CLEAR MOT, IDF1, HOTA (visuomotor.eval.mot_metrics, 3D positions, match within match_distance_m)
  with ground truth = the labelled objects, hypotheses = confirmed tracks matched at the frame (as
  `eval tracking` scores them);
- latency per stage (detect preprocess / inference / postprocess, localize, track): p50, p95, mean ms.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from nnfoundation.detection.box_sets import Detections, GroundTruth
from nnfoundation.detection.coco_ap import coco_average_precision
from visuomotor.detection import DetectorConfig
from visuomotor.detection.result import Detection
from visuomotor.eval.bag_ground_truth import ground_truth_boxes
from visuomotor.eval.bag_replay_frames import ReadStatus, replay_frames
from visuomotor.eval.mot_metrics import MotFrame, evaluate, frame_from_positions
from visuomotor.localization import Localizer, LocalizerConfig
from visuomotor.sim.objects import CLASS_NAMES
from visuomotor.tracking import Tracker, TrackerConfig

DETECTION_SOURCES = ("model", "ground-truth")
DETECT_STAGES = ("detect_preprocess", "detect_inference", "detect_postprocess")
MAX_DETECTIONS = 100  # per image and class (COCO maxDets)


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


def matched_errors(objects, truths, max_distance_m: float) -> tuple[np.ndarray, list[str]]:
    """Distances (m) of localized objects to ground-truth centres of the same class, and those classes:
    one-to-one Hungarian assignment on distance (other classes and pairs beyond max_distance_m forbidden)."""
    if not objects or not truths:
        return np.zeros(0), []
    found = np.array([o.position for o in objects])
    true = np.array([t.position_m for t in truths])
    distance = np.linalg.norm(found[:, None] - true[None], axis=-1)
    same_class = np.array([[o.class_name == t.class_name for t in truths] for o in objects])
    allowed = same_class & (distance <= max_distance_m)
    rows, cols = linear_sum_assignment(np.where(allowed, distance, 1e6))
    keep = allowed[rows, cols]
    return distance[rows[keep], cols[keep]], [truths[c].class_name for c in cols[keep]]


def _quantiles_ms(values: list[float]) -> dict[str, float]:
    array = np.asarray(values, float)
    return {"p50": round(float(np.quantile(array, 0.5)), 3), "p95": round(float(np.quantile(array, 0.95)), 3),
            "mean": round(float(array.mean()), 3)}


def _mm(values: np.ndarray, q: float) -> float | None:
    return round(float(np.quantile(values, q)) * 1000, 3) if values.size else None


def replay_bag(path: str | Path, config: BagReplayConfig) -> ReplayOutcome:
    """Run the pipeline over every frame of the bag and score it (see the module docstring)."""
    started = time.perf_counter()
    detector = _detector_of(config)
    localizer, tracker = Localizer(config.localizer), Tracker(config.tracker)
    status = ReadStatus()
    truths_2d, detections_2d, mot_frames, records = [], [], [], []
    errors: list[np.ndarray] = []
    error_classes: list[str] = []
    outside_classes = diagnostics = 0
    for index, replay in enumerate(replay_frames(path, status, config.max_frames)):
        frame = replay.frame
        labels = ground_truth_boxes(frame, replay.objects, replay.T_base_camera)
        stage_ms: dict[str, float] = {}
        if detector is None:
            detections = [Detection(l.class_id, l.class_name, 1.0, np.array(l.xyxy)) for l in labels]
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

        truths_2d.append(GroundTruth(index, np.array([[x1, y1, x2 - x1, y2 - y1] for x1, y1, x2, y2 in
                                                      (l.xyxy for l in labels)]).reshape(-1, 4),
                                     np.array([l.class_id for l in labels], dtype=np.int64)))
        scored = [d for d in detections if d.class_name in CLASS_NAMES]
        outside_classes += len(detections) - len(scored)
        detections_2d.append(Detections(
            index, np.array([[d.xyxy[0], d.xyxy[1], d.xyxy[2] - d.xyxy[0], d.xyxy[3] - d.xyxy[1]]
                             for d in scored]).reshape(-1, 4),
            np.array([d.score for d in scored]), np.array([CLASS_NAMES.index(d.class_name) for d in scored],
                                                          dtype=np.int64)))
        labelled = {l.object_id for l in labels}
        visible = [o for o in replay.objects if o.object_id in labelled]
        frame_errors, frame_classes = matched_errors(result.objects, visible, config.match_distance_m)
        errors.append(frame_errors)
        error_classes.extend(frame_classes)
        mot_frames.append(frame_from_positions(
            [o.object_id for o in visible], np.array([o.position_m for o in visible]).reshape(-1, 3),
            [t.track_id for t in tracks], np.array([t.position for t in tracks]).reshape(-1, 3),
            config.match_distance_m))
        records.append(FrameRecord(frame.stamp_ns, len(visible), len(detections), len(result.objects), len(tracks),
                                   stage_ms))
    wall_s = time.perf_counter() - started
    errors_m = np.concatenate(errors)
    summary = {
        "bag": str(path), "frames": status.frames, "truncated": status.truncated, "warning": status.warning,
        "incomplete_stamps": status.incomplete_stamps, "out_of_order_frames": status.out_of_order_frames,
        "frames_without_extrinsics": status.frames_without_extrinsics,
        "detections_source": config.detections,
        "detector": None if detector is None else {
            "backend": config.detector.backend, "weights": str(config.detector.weights),
            "confidence": config.detector.confidence, "iou": config.detector.iou,
            "image_size": detector.image_size, "device": config.detector.device},
        "detection": _detection_summary(truths_2d, detections_2d, outside_classes),
        "localization": {
            "localized": sum(r.localized for r in records), "diagnostics": diagnostics,
            "ground_truth_objects": sum(r.ground_truth for r in records), "matched": int(errors_m.size),
            "error_median_mm": _mm(errors_m, 0.5), "error_p95_mm": _mm(errors_m, 0.95),
            "error_mean_mm": round(float(errors_m.mean()) * 1000, 3) if errors_m.size else None,
            "error_median_mm_by_class": {name: _mm(errors_m[np.array(error_classes) == name], 0.5)
                                         for name in sorted(set(error_classes))},
            "error_p95_mm_by_class": {name: _mm(errors_m[np.array(error_classes) == name], 0.95)
                                      for name in sorted(set(error_classes))},
            "match_distance_m": config.match_distance_m},
        "tracking": _tracking_summary(mot_frames),
        "latency_ms": {stage: _quantiles_ms([r.stage_ms[stage] for r in records])
                       for stage in (*(DETECT_STAGES if detector is not None else ()), "localize", "track")},
        "wall_time_s": round(wall_s, 2), "frames_per_s": round(status.frames / wall_s, 2),
    }
    return ReplayOutcome(summary, records, errors_m)


def _detection_summary(truths: list[GroundTruth], detections: list[Detections], outside_classes: int) -> dict:
    ap = coco_average_precision(truths, detections, list(range(len(CLASS_NAMES))), max_detections=MAX_DETECTIONS)
    has_truth = any(t.labels.size for t in truths)
    return {"map50": round(ap.map50, 4) if has_truth else None, "map50_95": round(ap.map, 4) if has_truth else None,
            "ground_truth_boxes": int(sum(t.labels.size for t in truths)),
            "detections": int(sum(d.labels.size for d in detections)) + outside_classes,
            "detections_outside_classes": outside_classes}


def _tracking_summary(frames: list[MotFrame]) -> dict:
    m = evaluate(frames)

    def r(value: float, digits: int = 4) -> float | None:
        return None if np.isnan(value) else round(float(value), digits)

    return {"mota": r(m.mota), "motp_mm": r(m.motp * 1000, 3), "idf1": r(m.idf1), "hota": r(m.hota),
            "det_a": r(m.det_a), "ass_a": r(m.ass_a), "id_switches": m.id_switches,
            "false_positives": m.false_positives, "misses": m.misses, "gt_objects": m.num_gt,
            "hypotheses": m.num_hyp}
