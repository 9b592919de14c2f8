"""Ground-truth detections from an instance segmentation image."""
import dataclasses

import numpy as np
import pytest

from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame
from visuomotor.eval.tracking_detection_sources import GroundTruthDetections, boxes_from_segmentation


def labelled_frame():
    labels = np.zeros((48, 64), np.int32)
    labels[10:20, 5:15] = 3                    # 100 px
    labels[30:33, 40:42] = 7                   # 6 px
    labels[0:4, 60:64] = 9                     # 16 px, unknown to the class map
    return RGBDFrame(color=np.zeros((48, 64, 3), np.uint8), depth=np.ones((48, 64), np.float32),
                     intrinsics=CameraIntrinsics(width=64, height=48), stamp_ns=0, depth_encoding="32FC1",
                     segmentation=labels)


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
        (0, "red_cube", 3, 1.0), (5, "blue_sphere", 7, 1.0)]
    boxes_only = GroundTruthDetections(classes, min_pixels=50, with_masks=False).detect(frame)
    assert [(d.class_name, d.mask_label) for d in boxes_only] == [("red_cube", 0)]
    with pytest.raises(ValueError, match="segmentation"):
        GroundTruthDetections(classes).detect(dataclasses.replace(frame, segmentation=None))
