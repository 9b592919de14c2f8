"""Scores of a replay against the recorded ground truth, frame by frame (used by `eval bag`).

- detection: COCO mAP@0.5 and mAP@[.5:.95] (nnfoundation, seed 004 §23.4.1–23.4.2) of the detections
  against the ground-truth boxes over the simulator classes, each frame one image; a detection whose
  class is not a simulator class counts in detections_outside_classes and is not scored;
- 3D error: each localized object vs the ground-truth centre of the same class, one-to-one by
  gated Hungarian assignment on distance (tracking.association.gated_assignment), pairs within
  match_distance_m; median, p95, mean (mm), per class;
- MOT: CLEAR MOT, IDF1, HOTA (visuomotor.eval.tracking.mot_metrics, 3D positions, match within
  match_distance_m, as `eval tracking` scores) with ground truth = the labelled objects, hypotheses =
  the confirmed tracks matched at the frame.
"""

from __future__ import annotations

import numpy as np

from nnfoundation.detection.box_sets import Detections, GroundTruth
from nnfoundation.detection.coco_ap import coco_average_precision
from visuomotor.detection.labels import BoxLabel
from visuomotor.detection.result import Detection
from visuomotor.eval.tracking.mot_metrics import MotFrame, evaluate, frame_from_positions
from visuomotor.sim.ground_truth import ObjectState
from visuomotor.sim.objects import CLASS_NAMES
from visuomotor.tracking.association import gated_assignment

MAX_DETECTIONS = 100  # per image and class (COCO maxDets)


def matched_errors(objects, truths: list[ObjectState], max_distance_m: float) -> tuple[np.ndarray, list[str]]:
    """Distances (m) of localized objects (.position (3,), .class_name) to ground-truth centres of the same
    class, and those classes: one-to-one Hungarian assignment on distance (other classes and pairs beyond
    max_distance_m forbidden)."""
    if not objects or not truths:
        return np.zeros(0), []
    found = np.array([o.position for o in objects])
    true = np.array([t.position_m for t in truths])
    distance = np.linalg.norm(found[:, None] - true[None], axis=-1)
    same_class = np.array([[o.class_name == t.class_name for t in truths] for o in objects])
    pairs = gated_assignment(distance, same_class & (distance <= max_distance_m))
    return distance[pairs.rows, pairs.cols], [truths[c].class_name for c in pairs.cols]


def _mm(values: np.ndarray, q: float) -> float | None:
    return round(float(np.quantile(values, q)) * 1000, 3) if values.size else None


def _xywh(boxes_xyxy) -> np.ndarray:
    boxes = np.asarray(list(boxes_xyxy), dtype=float).reshape(-1, 4)
    return np.column_stack([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]])


class ReplayScorer:
    """Accumulates one frame at a time; summary() gives the detection, localization and tracking groups."""

    def __init__(self, match_distance_m: float):
        self.match_distance_m = match_distance_m
        self._truths: list[GroundTruth] = []
        self._detections: list[Detections] = []
        self._mot_frames: list[MotFrame] = []
        self._errors: list[np.ndarray] = []
        self._error_classes: list[str] = []
        self._outside_classes = self._localized = self._ground_truth_objects = 0

    def add_frame(
        self,
        labels: list[BoxLabel],
        objects: list[ObjectState],
        detections: list[Detection],
        localized: list,
        tracks: list,
    ) -> None:
        """labels: the frame's labelled objects (2D boxes); objects: all ground-truth objects; localized:
        objects with .position and .class_name; tracks: confirmed tracks matched at the frame, with
        .track_id and .position."""
        index = len(self._truths)
        self._truths.append(
            GroundTruth(index, _xywh(b.xyxy for b in labels), np.array([b.class_id for b in labels], dtype=np.int64))
        )
        scored = [d for d in detections if d.class_name in CLASS_NAMES]
        self._outside_classes += len(detections) - len(scored)
        self._detections.append(
            Detections(
                index,
                _xywh(d.xyxy for d in scored),
                np.array([d.score for d in scored]),
                np.array([CLASS_NAMES.index(d.class_name) for d in scored], np.int64),
            )
        )
        labelled = {b.object_id for b in labels}
        visible = [o for o in objects if o.object_id in labelled]
        errors, classes = matched_errors(localized, visible, self.match_distance_m)
        self._errors.append(errors)
        self._error_classes.extend(classes)
        self._localized += len(localized)
        self._ground_truth_objects += len(visible)
        self._mot_frames.append(
            frame_from_positions(
                [o.object_id for o in visible],
                np.array([o.position_m for o in visible]).reshape(-1, 3),
                [t.track_id for t in tracks],
                np.array([t.position for t in tracks]).reshape(-1, 3),
                self.match_distance_m,
            )
        )

    @property
    def errors_m(self) -> np.ndarray:
        """Every matched 3D error so far (m)."""
        return np.concatenate(self._errors) if self._errors else np.zeros(0)

    def summary(self) -> dict:
        return {"detection": self._detection(), "localization": self._localization(), "tracking": self._tracking()}

    def _detection(self) -> dict:
        ap = coco_average_precision(
            self._truths, self._detections, list(range(len(CLASS_NAMES))), max_detections=MAX_DETECTIONS
        )
        has_truth = any(t.labels.size for t in self._truths)
        return {
            "map50": round(ap.map50, 4) if has_truth else None,
            "map50_95": round(ap.map, 4) if has_truth else None,
            "ground_truth_boxes": int(sum(t.labels.size for t in self._truths)),
            "detections": int(sum(d.labels.size for d in self._detections)) + self._outside_classes,
            "detections_outside_classes": self._outside_classes,
        }

    def _localization(self) -> dict:
        errors, classes = self.errors_m, np.array(self._error_classes)
        names = sorted(set(self._error_classes))
        return {
            "localized": self._localized,
            "ground_truth_objects": self._ground_truth_objects,
            "matched": int(errors.size),
            "error_median_mm": _mm(errors, 0.5),
            "error_p95_mm": _mm(errors, 0.95),
            "error_mean_mm": round(float(errors.mean()) * 1000, 3) if errors.size else None,
            "error_median_mm_by_class": {name: _mm(errors[classes == name], 0.5) for name in names},
            "error_p95_mm_by_class": {name: _mm(errors[classes == name], 0.95) for name in names},
            "match_distance_m": self.match_distance_m,
        }

    def _tracking(self) -> dict:
        m = evaluate(self._mot_frames)

        def r(value: float, digits: int = 4) -> float | None:
            return None if np.isnan(value) else round(float(value), digits)

        return {
            "mota": r(m.mota),
            "motp_mm": r(m.motp * 1000, 3),
            "idf1": r(m.idf1),
            "hota": r(m.hota),
            "det_a": r(m.det_a),
            "ass_a": r(m.ass_a),
            "id_switches": m.id_switches,
            "false_positives": m.false_positives,
            "misses": m.misses,
            "gt_objects": m.num_gt,
            "hypotheses": m.num_hyp,
        }
