"""`visuomotor eval tracking`: localization + tracking on simulated sequences against ground truth.

Per frame: detections from a pluggable source (ground truth from the segmentation, or a trained detector on
the colour image) → Localizer → Tracker. Scored:
- 3D error: each localized object vs the nearest visible ground-truth centre (one-to-one, Hungarian,
  within match_distance_m); the goal statistic uses objects fully in view (mask off the image border and
  not occluded) within max_range_m of the camera.
- MOT metrics (visuomotor.eval.tracking.mot_metrics, 3D positions, match within match_distance_m), twice:
  "visible": ground truth = objects with ≥ min_visible_pixels pixels in the segmentation; "in view" (the
  goal's scope, as for the 3D error): the same objects, but those not fully in view within max_range_m
  are ignored (KITTI's don't-care, TrackEval's distractors: a track on one is neither a hit nor a false
  positive). Hypotheses = confirmed tracks updated at the frame. Sequences are pooled with per-sequence
  ids (= trackeval's combination over sequences).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from visuomotor.eval.tracking.detection_sources import DetectionSource, DetectorDetections, GroundTruthDetections
from visuomotor.eval.tracking.mot_metrics import MotFrame, evaluate, frame_from_positions
from visuomotor.eval.tracking.sim_scenarios import SCENARIOS, ScenarioFrame, run_scenario
from visuomotor.localization import Localizer, LocalizerConfig
from visuomotor.statistics import latency_summary
from visuomotor.tracking import Tracker, TrackerConfig, gated_assignment

DETECTION_MODES = ("gt-masks", "gt-boxes", "yolo")


@dataclass
class TrackingEvalConfig:
    """scenarios, seeds: which sequences; frame_hz, max_frames: camera rate and length of each;
    detections: "gt-masks" (boxes + instance masks from the segmentation), "gt-boxes" (boxes only, as a
    box detector gives) or "yolo" (the YOLO detector on the rendered colour image); weights: its
    checkpoint ("" = the shipped YOLOv8n, run at its training size); detector_runtime, detector_threads:
    what runs it ("torch" | "onnxruntime") on how many CPU threads; match_distance_m: 3D match threshold
    (metrics and error pairing); min_visible_pixels: an object with fewer pixels is neither ground truth
    nor detected; max_range_m: range limit of the goal statistics (3D error, "in view" MOT metrics);
    occlusion_margin_m: a neighbouring pixel nearer than the object's by more than this marks it
    occluded; depth_encoding: "32FC1" (m) or "16UC1" (mm) rendering."""

    scenarios: tuple[str, ...] = SCENARIOS
    seeds: tuple[int, ...] = (0, 1, 2)
    frame_hz: float = 10.0
    max_frames: int = 60
    detections: str = "gt-masks"
    weights: str = ""
    detector_runtime: str = "torch"
    detector_threads: int = 1
    match_distance_m: float = 0.05
    min_visible_pixels: int = 50
    max_range_m: float = 1.0
    occlusion_margin_m: float = 0.005
    depth_encoding: str = "32FC1"
    localizer: LocalizerConfig = field(default_factory=LocalizerConfig)
    tracker: TrackerConfig = field(default_factory=TrackerConfig)


def sim_size_priors() -> dict[str, tuple[float, float, float]]:
    """Full object sizes (m) of every simulator class, the localizer's per-class size prior."""
    from visuomotor.sim.objects import CLASS_NAMES, HALF_EXTENTS_M, object_class

    return {name: tuple(2.0 * np.asarray(HALF_EXTENTS_M[object_class(name).shape])) for name in CLASS_NAMES}


def fully_visible(segmentation: np.ndarray, depth_m: np.ndarray, label: int, margin_m: float) -> bool:
    """True when object `label` touches no image border and no neighbouring pixel (4-neighbourhood) of its
    mask is nearer than the adjacent mask pixel by more than margin_m (nothing in front of it)."""
    rows, cols = np.nonzero(segmentation == label)
    height, width = segmentation.shape
    if rows.size == 0 or rows.min() == 0 or cols.min() == 0 or rows.max() == height - 1 or cols.max() == width - 1:
        return False
    r0, r1, c0, c1 = rows.min() - 1, rows.max() + 2, cols.min() - 1, cols.max() + 2
    mask = segmentation[r0:r1, c0:c1] == label
    depth = np.nan_to_num(depth_m[r0:r1, c0:c1], nan=0.0)
    for axis, shift in ((0, 1), (0, -1), (1, 1), (1, -1)):
        neighbour_in_mask = np.roll(mask, shift, axis=axis)
        neighbour_depth = np.roll(depth, shift, axis=axis)
        border = ~mask & neighbour_in_mask & (depth > 0)
        if np.any(depth[border] < neighbour_depth[border] - margin_m):
            return False
    return True


def load_yolo(config: TrackingEvalConfig):
    """The YOLO detector of config.weights ("" = the shipped YOLOv8n) on the CPU at its training image
    size, run by config.detector_runtime on config.detector_threads threads."""
    from visuomotor.detection import DetectorConfig, load_detector
    from visuomotor.detection.assets import SHIPPED_YOLO

    return load_detector(
        DetectorConfig(
            backend="yolo",
            weights=config.weights or str(SHIPPED_YOLO),
            runtime=config.detector_runtime,
            threads=config.detector_threads,
        )
    )


def detection_source(mode: str, truth, detector=None) -> DetectionSource:
    """The detection source for one sequence (ground truth needs the scene's instance → class map;
    "yolo" needs the loaded detector)."""
    if mode not in DETECTION_MODES:
        raise ValueError(f"unknown detection source {mode!r}: use one of {', '.join(DETECTION_MODES)}")
    if mode == "yolo":
        if detector is None:
            raise ValueError("detection source 'yolo' needs a loaded detector (load_yolo)")
        return DetectorDetections(detector)
    classes = {o.object_id: (o.class_id, o.class_name) for o in truth.objects}
    return GroundTruthDetections(classes, with_masks=mode == "gt-masks")


@dataclass
class SequenceScore:
    """What one sequence contributes: 3D errors (m) of objects fully in view within range and of all
    matched objects, the MOT frames (ground truth not fully in view within range marked ignored), counts,
    and the detector's wall and CPU ms per frame (trained detectors only)."""

    errors_in_view: list[float] = field(default_factory=list)
    errors_all: list[float] = field(default_factory=list)
    mot_frames: list[MotFrame] = field(default_factory=list)
    frames: int = 0
    refused_frames: int = 0
    detections: int = 0
    localized: int = 0
    detector_wall_ms: list[float] = field(default_factory=list)
    detector_cpu_ms: list[float] = field(default_factory=list)


def score_sequence(
    frames: Iterable[ScenarioFrame], config: TrackingEvalConfig, sequence_id: str, detector=None
) -> SequenceScore:
    """Run localizer + tracker over the frames of one sequence and collect errors and MOT frames
    (ids are prefixed with sequence_id so that sequences can be pooled). detector: the loaded detector
    for config.detections == "yolo"."""
    localizer = Localizer(config.localizer)
    tracker = Tracker(config.tracker)
    score = SequenceScore()
    source = None
    for item in frames:
        score.frames += 1
        frame, truth = item.frame, item.truth
        source = source or detection_source(config.detections, truth, detector)
        detections = source.detect(frame)
        score.detections += len(detections)
        if isinstance(item.T_base_camera, np.ndarray):
            result = localizer.localize(frame, detections, T_base_camera=item.T_base_camera)
            objects = result.objects
        else:
            score.refused_frames += 1
            objects = []
        score.localized += len(objects)
        tracks = tracker.update(objects, frame.stamp_ns).confirmed()
        assert frame.segmentation is not None  # scenario frames are rendered with it
        counts = np.bincount(frame.segmentation.ravel(), minlength=max(o.object_id for o in truth.objects) + 1)
        visible = [o for o in truth.objects if counts[o.object_id] >= config.min_visible_pixels]
        gt_xyz = np.array([o.position_m for o in visible]).reshape(-1, 3)
        in_view = in_view_within_range(frame, visible, config)
        score.mot_frames.append(
            frame_from_positions(
                [(sequence_id, o.object_id) for o in visible],
                gt_xyz,
                [(sequence_id, t.track_id) for t in tracks],
                np.array([t.position for t in tracks]).reshape(-1, 3),
                config.match_distance_m,
                ignored=~in_view,
            )
        )
        _collect_errors(score, objects, gt_xyz, in_view, config)
    if isinstance(source, DetectorDetections):
        score.detector_wall_ms, score.detector_cpu_ms = source.wall_ms, source.cpu_ms
    return score


def in_view_within_range(frame, objects, config: TrackingEvalConfig) -> np.ndarray:
    """(n,) bool: each object fully in view (fully_visible) and within max_range_m of the camera."""
    depth_m = frame.depth_m()
    camera_xyz = frame.T_base_camera[:3, 3] if isinstance(frame.T_base_camera, np.ndarray) else None
    return np.array(
        [
            camera_xyz is not None
            and np.linalg.norm(o.position_m - camera_xyz) <= config.max_range_m
            and fully_visible(frame.segmentation, depth_m, o.object_id, config.occlusion_margin_m)
            for o in objects
        ],
        dtype=bool,
    )


def _collect_errors(
    score: SequenceScore, objects, gt_xyz: np.ndarray, in_view: np.ndarray, config: TrackingEvalConfig
) -> None:
    if not objects or not gt_xyz.size:
        return
    found = np.array([o.position for o in objects])
    distance = np.linalg.norm(found[:, None] - gt_xyz[None], axis=-1)
    pairs = gated_assignment(distance, distance <= config.match_distance_m)
    for r, c in zip(pairs.rows, pairs.cols):
        score.errors_all.append(float(distance[r, c]))
        if in_view[c]:
            score.errors_in_view.append(float(distance[r, c]))


def _summary(scores: list[SequenceScore]) -> dict:
    frames = [f for s in scores for f in s.mot_frames]
    metrics = evaluate([replace(f, ignored=None) for f in frames])
    scoped = evaluate(frames)
    in_view = np.array([e for s in scores for e in s.errors_in_view])
    every = np.array([e for s in scores for e in s.errors_all])

    def mm(values: np.ndarray, q: float) -> float | None:
        return round(float(np.quantile(values, q)) * 1000, 3) if values.size else None

    detector_wall = [t for s in scores for t in s.detector_wall_ms]
    detector_time = (
        {
            "detector_wall_ms": latency_summary(detector_wall),
            "detector_cpu_ms": latency_summary(t for s in scores for t in s.detector_cpu_ms),
        }
        if detector_wall
        else {}
    )
    return {
        "frames": sum(s.frames for s in scores),
        "refused_frames": sum(s.refused_frames for s in scores),
        "detections": sum(s.detections for s in scores),
        "localized": sum(s.localized for s in scores),
        "error_in_view_median_mm": mm(in_view, 0.5),
        "error_in_view_p95_mm": mm(in_view, 0.95),
        "error_in_view_count": int(in_view.size),
        "error_all_median_mm": mm(every, 0.5),
        "error_all_p95_mm": mm(every, 0.95),
        "error_all_count": int(every.size),
        "mota": round(metrics.mota, 4),
        "motp_mm": round(metrics.motp * 1000, 3),
        "idf1": round(metrics.idf1, 4),
        "id_switches": metrics.id_switches,
        "false_positives": metrics.false_positives,
        "misses": metrics.misses,
        "gt_objects": metrics.num_gt,
        "hota": round(metrics.hota, 4),
        "det_a": round(metrics.det_a, 4),
        "ass_a": round(metrics.ass_a, 4),
        "in_view": {
            "mota": round(scoped.mota, 4),
            "idf1": round(scoped.idf1, 4),
            "hota": round(scoped.hota, 4),
            "id_switches": scoped.id_switches,
            "false_positives": scoped.false_positives,
            "misses": scoped.misses,
            "gt_objects": scoped.num_gt,
        },
        **detector_time,
    }


def evaluate_tracking(config: TrackingEvalConfig, detector=None) -> dict:
    """Run every scenario × seed; per-scenario and overall summaries, goals, wall time. detector: for
    detections "yolo", the loaded detector (None: load_yolo(config))."""
    started = time.perf_counter()
    if config.detections == "yolo" and detector is None:
        detector = load_yolo(config)
    per_scenario = {}
    all_scores = []
    for name in config.scenarios:
        scores = [
            score_sequence(
                run_scenario(
                    name,
                    seed,
                    frame_hz=config.frame_hz,
                    max_frames=config.max_frames,
                    depth_encoding=config.depth_encoding,
                ),
                config,
                f"{name}-{seed}",
                detector,
            )
            for seed in config.seeds
        ]
        per_scenario[name] = _summary(scores)
        all_scores.extend(scores)
    overall = _summary(all_scores)
    goals = {
        "error_in_view_median_le_5mm": overall["error_in_view_median_mm"] is not None
        and overall["error_in_view_median_mm"] <= 5.0,
        "error_in_view_p95_le_15mm": overall["error_in_view_p95_mm"] is not None
        and overall["error_in_view_p95_mm"] <= 15.0,
        "in_view_mota_ge_0.95": overall["in_view"]["mota"] >= 0.95,
        "in_view_idf1_ge_0.95": overall["in_view"]["idf1"] >= 0.95,
    }
    weights = (
        {
            "weights": detector.config.weights,
            "image_size": detector.image_size,
            "runtime": detector.config.runtime,
            "threads": detector.config.threads,
        }
        if detector is not None
        else {}
    )
    return {
        "detections": config.detections,
        **weights,
        "class_gating": config.tracker.class_gating,
        "depth_encoding": config.depth_encoding,
        "seeds": list(config.seeds),
        "frame_hz": config.frame_hz,
        "max_frames": config.max_frames,
        "match_distance_m": config.match_distance_m,
        "overall": overall,
        "scenarios": per_scenario,
        "goals_met": goals,
        "wall_time_s": round(time.perf_counter() - started, 1),
    }
