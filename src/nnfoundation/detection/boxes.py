"""Bounding-box formats, areas, IoU and GIoU (seed 004 §23.2).

Formats (all float arrays of shape (..., 4), pixel or normalised units):
- ``xyxy``: (x1, y1, x2, y2), top-left and bottom-right corners (seed 004 §23.2.1, "corner format");
- ``xywh``: (x1, y1, w, h), top-left corner and size (the COCO annotation format);
- ``cxcywh``: (cx, cy, w, h), centre and size (seed 004 §23.2.1, "center format").
"""

from __future__ import annotations

import numpy as np

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")


def _as_boxes(boxes: np.ndarray, name: str = "boxes") -> np.ndarray:
    array = np.asarray(boxes, dtype=np.float64)
    if array.ndim < 1 or array.shape[-1] != 4:
        raise ValueError(f"{name} must have shape (..., 4), got {array.shape}; pass one box per row")
    return array


def _to_xyxy(boxes: np.ndarray, fmt: str) -> np.ndarray:
    a, b, c, d = np.moveaxis(boxes, -1, 0)
    if fmt == "xyxy":
        return boxes
    if fmt == "xywh":
        return np.stack([a, b, a + c, b + d], axis=-1)
    # cxcywh, seed 004 eq. 23.7-23.8: x1 = cx - w/2, y1 = cy - h/2, x2 = cx + w/2, y2 = cy + h/2
    return np.stack([a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d], axis=-1)


def _from_xyxy(boxes: np.ndarray, fmt: str) -> np.ndarray:
    x1, y1, x2, y2 = np.moveaxis(boxes, -1, 0)
    if fmt == "xyxy":
        return boxes
    if fmt == "xywh":
        return np.stack([x1, y1, x2 - x1, y2 - y1], axis=-1)
    return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], axis=-1)


def box_convert(boxes: np.ndarray, in_fmt: str, out_fmt: str) -> np.ndarray:
    """Convert boxes (..., 4) between ``xyxy``, ``xywh`` and ``cxcywh`` (seed 004 §23.2.2)."""
    for fmt in (in_fmt, out_fmt):
        if fmt not in BOX_FORMATS:
            raise ValueError(f"unknown box format {fmt!r}; use one of {BOX_FORMATS}")
    array = _as_boxes(boxes)
    if in_fmt == out_fmt:
        return array.copy()
    return _from_xyxy(_to_xyxy(array, in_fmt), out_fmt)


def box_area(boxes_xyxy: np.ndarray) -> np.ndarray:
    """Area (x2 - x1)(y2 - y1) of xyxy boxes (..., 4) -> (...)."""
    boxes = _as_boxes(boxes_xyxy)
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def _intersection_and_union(boxes1: np.ndarray, boxes2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    area1 = box_area(boxes1)
    area2 = box_area(boxes2)
    top_left = np.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    bottom_right = np.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    # seed 004 eq. 23.10: Area_cap = max(0, min(x2) - max(x1)) * max(0, min(y2) - max(y1))
    size = np.clip(bottom_right - top_left, 0.0, None)
    intersection = size[..., 0] * size[..., 1]
    # seed 004 eq. 23.11: Area_cup = Area_1 + Area_2 - Area_cap
    union = area1[:, None] + area2[None, :] - intersection
    return intersection, union


def _pairwise_inputs(boxes1: np.ndarray, boxes2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first = _as_boxes(boxes1, "boxes1")
    second = _as_boxes(boxes2, "boxes2")
    if first.ndim != 2 or second.ndim != 2:
        raise ValueError(f"pairwise IoU takes (N, 4) and (M, 4) arrays, got {first.shape} and {second.shape}")
    return first, second


def box_iou(boxes1_xyxy: np.ndarray, boxes2_xyxy: np.ndarray) -> np.ndarray:
    """Pairwise IoU = |B1 ∩ B2| / |B1 ∪ B2| (seed 004 eq. 23.9) of (N, 4) and (M, 4) xyxy boxes -> (N, M)."""
    boxes1, boxes2 = _pairwise_inputs(boxes1_xyxy, boxes2_xyxy)
    intersection, union = _intersection_and_union(boxes1, boxes2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return intersection / union


def generalized_box_iou(boxes1_xyxy: np.ndarray, boxes2_xyxy: np.ndarray) -> np.ndarray:
    """Pairwise GIoU = IoU - |C \\ (B1 ∪ B2)| / |C|, C the smallest enclosing box (Rezatofighi et al. 2019).

    Used by the DETR box loss L_box = L1 + GIoU loss (seed 004 §25.3.2, §27.2.6). Inputs (N, 4) and
    (M, 4) xyxy boxes; returns (N, M) values in [-1, 1].
    """
    boxes1, boxes2 = _pairwise_inputs(boxes1_xyxy, boxes2_xyxy)
    for name, boxes in (("boxes1", boxes1), ("boxes2", boxes2)):
        if np.any(boxes[:, 2:] < boxes[:, :2]):
            raise ValueError(f"{name} has a box with x2 < x1 or y2 < y1; pass valid xyxy boxes")
    intersection, union = _intersection_and_union(boxes1, boxes2)
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = intersection / union
        enclosing_size = np.clip(
            np.maximum(boxes1[:, None, 2:], boxes2[None, :, 2:]) - np.minimum(boxes1[:, None, :2], boxes2[None, :, :2]),
            0.0,
            None,
        )
        enclosing_area = enclosing_size[..., 0] * enclosing_size[..., 1]
        return iou - (enclosing_area - union) / enclosing_area
