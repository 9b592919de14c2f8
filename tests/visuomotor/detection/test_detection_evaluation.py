"""nnfoundation's COCO mAP equals pycocotools' COCOeval on the shipped detectors' real outputs."""

import contextlib
import io

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from visuomotor.detection import DetectorConfig, load_detector
from visuomotor.detection.assets import SHIPPED_DETR, SHIPPED_YOLO
from visuomotor.detection.evaluation import EVAL_CONFIDENCE, coco_map, detect_split, evaluate, load_split


def _pycocotools_stats(coco_document: dict, results: list[dict]) -> np.ndarray:
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO()
        truth.dataset = coco_document
        truth.createIndex()
        evaluation = COCOeval(truth, truth.loadRes(results), iouType="bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return evaluation.stats


@pytest.mark.parametrize("backend,weights", [("yolo", SHIPPED_YOLO), ("detr", SHIPPED_DETR)])
def test_nnfoundation_map_equals_pycocotools_on_real_detections(backend, weights, sim_dataset):
    data_dir = sim_dataset[0]
    detector = load_detector(DetectorConfig(backend, str(weights), confidence=EVAL_CONFIDENCE))
    coco = load_split(data_dir, "train")
    results, timings = detect_split(detector, data_dir, coco)
    assert len(timings) == len(coco["images"]) and results
    ours = coco_map(coco, results)
    stats = _pycocotools_stats(coco, results)
    assert ours.map == pytest.approx(stats[0], abs=1e-9)
    assert ours.map50 == pytest.approx(stats[1], abs=1e-9)
    assert ours.map75 == pytest.approx(stats[2], abs=1e-9)
    if backend == "yolo":  # the trained YOLO finds objects: equality is not checked on zeros alone
        assert ours.map50 > 0.1


def test_evaluate_reports_the_split(sim_dataset):
    data_dir = sim_dataset[0]
    detector = load_detector(DetectorConfig("yolo", str(SHIPPED_YOLO), confidence=EVAL_CONFIDENCE))
    report = evaluate(detector, data_dir, "test")
    assert report["images"] == 1 and report["ground_truth_boxes"] >= 3
    assert 0.0 <= report["map50_95"] <= report["map50"] <= 1.0
    assert report["latency_ms"]["total"]["n"] == report["images"] and report["latency_ms"]["total"]["mean_ms"] > 0
    with pytest.raises(ValueError, match="no holdout split"):
        load_split(data_dir, "holdout")
