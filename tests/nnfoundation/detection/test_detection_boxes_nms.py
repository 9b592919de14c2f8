"""Box conversion, IoU, GIoU and NMS against torchvision.ops on seeded random boxes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision.ops as tv

from nnfoundation.detection.boxes import box_convert, box_iou, generalized_box_iou
from nnfoundation.detection.nms import batched_nms, nms


def _random_boxes(rng: np.random.Generator, count: int, spread: float = 100.0) -> np.ndarray:
    corners = rng.uniform(0, spread, size=(count, 2))
    sizes = rng.uniform(1, spread / 3, size=(count, 2))
    return np.concatenate([corners, corners + sizes], axis=1)


@pytest.mark.parametrize("count", [1, 7, 64, 300])
@pytest.mark.parametrize(
    "in_fmt,out_fmt",
    [
        ("xyxy", "xywh"),
        ("xyxy", "cxcywh"),
        ("xywh", "cxcywh"),
        ("cxcywh", "xyxy"),
        ("xywh", "xyxy"),
        ("cxcywh", "xywh"),
    ],
)
def test_box_convert_matches_torchvision(count: int, in_fmt: str, out_fmt: str) -> None:
    boxes = np.random.default_rng(count).uniform(0, 50, size=(count, 4))
    expected = tv.box_convert(torch.from_numpy(boxes), in_fmt, out_fmt).numpy()
    np.testing.assert_allclose(box_convert(boxes, in_fmt, out_fmt), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("sizes", [(1, 1), (5, 9), (40, 33), (250, 120)])
def test_iou_and_giou_match_torchvision(sizes: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(sizes))
    first, second = _random_boxes(rng, sizes[0]), _random_boxes(rng, sizes[1])
    iou = box_iou(first, second)
    giou = generalized_box_iou(first, second)
    assert iou.shape == giou.shape == sizes
    np.testing.assert_allclose(iou, tv.box_iou(torch.from_numpy(first), torch.from_numpy(second)).numpy(), atol=1e-12)
    np.testing.assert_allclose(
        giou, tv.generalized_box_iou(torch.from_numpy(first), torch.from_numpy(second)).numpy(), atol=1e-12
    )
    assert np.all(giou <= iou + 1e-12) and np.all(giou >= -1)


@pytest.mark.parametrize("count", [1, 10, 100, 1000])
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.7])
def test_nms_indices_equal_torchvision(count: int, threshold: float) -> None:
    rng = np.random.default_rng(count)
    boxes = _random_boxes(rng, count, spread=60.0)
    scores = np.round(rng.random(count), 2)  # two decimals: many tied scores
    expected = tv.nms(torch.from_numpy(boxes), torch.from_numpy(scores), threshold).numpy()
    kept = nms(boxes, scores, threshold)
    assert kept.dtype == np.int64
    np.testing.assert_array_equal(kept, expected)


@pytest.mark.parametrize("count,num_classes", [(1, 1), (20, 3), (200, 5), (2000, 10)])
def test_batched_nms_indices_equal_torchvision(count: int, num_classes: int) -> None:
    rng = np.random.default_rng(count + num_classes)
    boxes = _random_boxes(rng, count, spread=80.0)
    scores = rng.random(count)
    classes = rng.integers(0, num_classes, size=count)
    expected = tv.batched_nms(torch.from_numpy(boxes), torch.from_numpy(scores), torch.from_numpy(classes), 0.5).numpy()
    np.testing.assert_array_equal(batched_nms(boxes, scores, classes, 0.5), expected)


def test_nms_of_nothing_is_empty_and_bad_shapes_raise() -> None:
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.5).size == 0
    with pytest.raises(ValueError, match="scores must have shape"):
        nms(np.zeros((2, 4)), np.zeros(3), 0.5)
    with pytest.raises(ValueError, match="unknown box format"):
        box_convert(np.zeros((1, 4)), "xyxy", "yolo")
    with pytest.raises(ValueError, match="x2 < x1"):
        generalized_box_iou(np.array([[5.0, 0, 0, 5]]), np.array([[0.0, 0, 1, 1]]))
