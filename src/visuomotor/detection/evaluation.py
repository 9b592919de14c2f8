"""Detector accuracy on a dataset split: COCO mAP@0.5 and mAP@0.5:0.95 with nnfoundation's COCO AP
(seed 004 §23.4.1–23.4.2: 101-point interpolated AP, averaged over IoU 0.50:0.05:0.95 and classes)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from nnfoundation.detection.box_sets import Detections, GroundTruth
from nnfoundation.detection.coco_ap import CocoAveragePrecision, coco_average_precision
from visuomotor.detection.detector import Detector, FrameTiming
from visuomotor.statistics import latency_summary

EVAL_CONFIDENCE = 0.001  # COCO evaluation scores the whole precision-recall curve: keep low-score boxes
MAX_DETECTIONS = 100


def load_split(data_dir: Path, split: str) -> dict:
    """The COCO document of one split of a dataset made by `visuomotor dataset make`."""
    path = Path(data_dir) / "annotations" / f"{split}.json"
    if not path.is_file():
        raise ValueError(f"no {split} split at {path}; make the dataset with `visuomotor dataset make`")
    return json.loads(path.read_text())


def detect_split(detector: Detector, data_dir: Path, coco: dict, progress=None) -> tuple[list[dict], list[FrameTiming]]:
    """Run the detector on every image of a COCO document; returns COCO result dicts
    ({image_id, category_id, bbox [x, y, w, h] px, score}) and each frame's timing."""
    results, timings = [], []
    for image in (progress or iter)(coco["images"]):
        bgr = cv2.imread(str(Path(data_dir) / image["file_name"]))
        if bgr is None:
            raise ValueError(f"cannot read {image['file_name']} in {data_dir}; the dataset is incomplete")
        for detection in detector.detect(bgr, encoding="bgr8"):
            x1, y1, x2, y2 = (float(v) for v in detection.xyxy)
            results.append(
                {
                    "image_id": image["id"],
                    "category_id": detection.class_id,
                    "bbox": [x1, y1, x2 - x1, y2 - y1],
                    "score": detection.score,
                }
            )
        timings.append(detector.last_timing)
    return results, timings


def coco_map(coco: dict, results: list[dict]) -> CocoAveragePrecision:
    """nnfoundation COCO AP of COCO result dicts against a COCO ground-truth document."""
    truths = []
    for image in coco["images"]:
        annotations = [a for a in coco["annotations"] if a["image_id"] == image["id"]]
        truths.append(
            GroundTruth(
                image["id"],
                np.array([a["bbox"] for a in annotations]).reshape(-1, 4),
                np.array([a["category_id"] for a in annotations], dtype=np.int64),
            )
        )
    by_image: dict[int, list[dict]] = {}
    for result in results:
        by_image.setdefault(result["image_id"], []).append(result)
    detections = [
        Detections(
            image_id,
            np.array([r["bbox"] for r in rows]),
            np.array([r["score"] for r in rows]),
            np.array([r["category_id"] for r in rows], dtype=np.int64),
        )
        for image_id, rows in by_image.items()
    ]
    return coco_average_precision(
        truths, detections, [c["id"] for c in coco["categories"]], max_detections=MAX_DETECTIONS
    )


def evaluate(detector: Detector, data_dir: Path, split: str = "test", progress=None) -> dict:
    """mAP@0.5, mAP@0.5:0.95, per-class AP and the stage timings (statistics.latency_summary, ms) of `detector`
    on one split."""
    coco = load_split(data_dir, split)
    results, timings = detect_split(detector, data_dir, coco, progress)
    average_precision = coco_map(coco, results)
    names = {c["id"]: c["name"] for c in coco["categories"]}
    return {
        "split": split,
        "images": len(coco["images"]),
        "ground_truth_boxes": len(coco["annotations"]),
        "map50": average_precision.map50,
        "map50_95": average_precision.map,
        "ap50_95_per_class": {names[k]: round(v, 4) for k, v in average_precision.per_class().items()},
        "latency_ms": {
            stage: latency_summary(getattr(t, f"{stage}_ms") for t in timings)
            for stage in ("preprocess", "inference", "postprocess", "total")
        },
    }
