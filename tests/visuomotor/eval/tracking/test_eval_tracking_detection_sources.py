"""Detection sources of the tracking evaluation: ground truth from an instance segmentation image, and the
shipped YOLO detector on rendered frames."""

import dataclasses

import numpy as np
import pytest

from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame

# Imported at collection, before any test renders: importing torchvision (→ triton) after MuJoCo has made an
# EGL context in the process segfaults (triton's and Mesa's bundled LLVM clash).
from visuomotor.detection.yolo_backend import YoloDetector
from visuomotor.eval.tracking.detection_sources import (
    DetectorDetections,
    GroundTruthDetections,
    boxes_from_segmentation,
)
from visuomotor.eval.tracking.sim_evaluation import (
    TrackingEvalConfig,
    detection_source,
    evaluate_tracking,
    load_yolo,
    sim_size_priors,
)
from visuomotor.eval.tracking.sim_scenarios import run_scenario
from visuomotor.localization import LocalizerConfig


def labelled_frame():
    labels = np.zeros((48, 64), np.int32)
    labels[10:20, 5:15] = 3  # 100 px
    labels[30:33, 40:42] = 7  # 6 px
    labels[0:4, 60:64] = 9  # 16 px, unknown to the class map
    return RGBDFrame(
        color=np.zeros((48, 64, 3), np.uint8),
        depth=np.ones((48, 64), np.float32),
        intrinsics=CameraIntrinsics(width=64, height=48),
        stamp_ns=0,
        depth_encoding="32FC1",
        segmentation=labels,
    )


def test_boxes_are_tight_in_corner_convention_and_small_masks_dropped():
    boxes = boxes_from_segmentation(labelled_frame().segmentation, min_pixels=10)
    assert set(boxes) == {3, 9}
    np.testing.assert_array_equal(boxes[3], [5, 10, 15, 20])
    assert boxes_from_segmentation(np.zeros((4, 4), np.int32)) == {}


def test_ground_truth_detections_with_and_without_masks():
    classes = {3: (0, "red_cube"), 7: (5, "blue_sphere")}
    frame = labelled_frame()
    with_masks = GroundTruthDetections(classes, min_pixels=5).detect(frame)
    assert [(d.class_id, d.class_name, d.mask_label, d.score) for d in with_masks] == [
        (0, "red_cube", 3, 1.0),
        (5, "blue_sphere", 7, 1.0),
    ]
    boxes_only = GroundTruthDetections(classes, min_pixels=50, with_masks=False).detect(frame)
    assert [(d.class_name, d.mask_label) for d in boxes_only] == [("red_cube", 0)]
    with pytest.raises(ValueError, match="segmentation"):
        GroundTruthDetections(classes).detect(dataclasses.replace(frame, segmentation=None))


@pytest.fixture(scope="module")
def shipped_yolo():
    return load_yolo(TrackingEvalConfig(detections="yolo"))


def iou(a, b):
    inter = np.prod(np.clip(np.minimum(a[2:], b[2:]) - np.maximum(a[:2], b[:2]), 0, None))
    return inter / (np.prod(a[2:] - a[:2]) + np.prod(b[2:] - b[:2]) - inter)


def test_shipped_yolo_detects_the_objects_of_a_rendered_frame(shipped_yolo):
    item = next(iter(run_scenario("static", 0, max_frames=1)))
    source = DetectorDetections(shipped_yolo)
    detections = source.detect(item.frame)
    classes = {o.object_id: o.class_name for o in item.truth.objects}
    truth_boxes = boxes_from_segmentation(item.frame.segmentation, min_pixels=50)
    assert len(detections) == len(truth_boxes) > 0
    for label, box in truth_boxes.items():
        best = max(detections, key=lambda d: iou(d.xyxy, box))
        assert iou(best.xyxy, box) > 0.7 and best.class_name == classes[label] and best.mask_label == 0
    assert len(source.wall_ms) == len(source.cpu_ms) == 1 and source.wall_ms[0] > 0


def test_tracking_evaluation_with_the_shipped_yolo(shipped_yolo):
    assert isinstance(shipped_yolo, YoloDetector) and shipped_yolo.image_size == 320  # its training size
    config = TrackingEvalConfig(
        scenarios=("static",),
        seeds=(0,),
        max_frames=3,
        detections="yolo",
        localizer=LocalizerConfig(size_priors_m=sim_size_priors()),
    )
    result = evaluate_tracking(config, shipped_yolo)
    overall = result["overall"]
    assert (
        result["image_size"] == 320
        and result["weights"].endswith("yolov8n_sim.pt")
        and (result["runtime"], result["threads"]) == ("torch", 1)
    )
    assert overall["mota"] == 1.0 and overall["idf1"] == 1.0 and overall["error_in_view_median_mm"] < 5.0
    assert overall["detector_wall_ms"]["p50_ms"] > 0 and overall["detector_cpu_ms"]["p50_ms"] > 0
    with pytest.raises(ValueError, match="needs a loaded detector"):
        detection_source("yolo", None)
