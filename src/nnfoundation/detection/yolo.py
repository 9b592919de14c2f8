"""YOLO grid decoding, target assignment and the seed's YOLO loss (seed 004 §24.3-24.4, §27.1).

Shapes: a head predicts, for each of S_h×S_w cells and B anchors, p = [t_x, t_y, t_w, t_h, o, c_1..c_K]
(seed 004 eq. 24.2), i.e. a raw array (S_h, S_w, B, 5 + K). Anchors (B, 2) are widths/heights in pixels,
``cell_size`` is the stride in pixels (416 / 13 = 32 in seed 004 §24.3.1).

Decoding and loss are written with ``nnfoundation.Tensor`` operations, so the loss is differentiable
with respect to the raw head outputs (NumPy arrays are accepted and wrapped as constant tensors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnfoundation import Tensor, stack


def _as_tensor(value) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value, dtype=np.float64))


@dataclass(frozen=True)
class YoloPredictions:
    """Decoded head output: boxes (S_h, S_w, B, 4) cxcywh pixels, objectness (S_h, S_w, B),
    class_probs (S_h, S_w, B, K)."""

    boxes_cxcywh: Tensor
    objectness: Tensor
    class_probs: Tensor


def decode_yolo_grid(raw, anchors_wh: np.ndarray, cell_size: float) -> YoloPredictions:
    """Decode raw head outputs (seed 004 eq. 24.11-24.15).

    b_x = (σ(t_x) + j)·s, b_y = (σ(t_y) + i)·s, b_w = p_w·exp(t_w), b_h = p_h·exp(t_h), for cell row i,
    column j, stride s and anchor size (p_w, p_h) in pixels; objectness and class scores are σ of their logits.
    """
    raw = _as_tensor(raw)
    anchors = np.asarray(anchors_wh, dtype=np.float64)
    if raw.ndim != 4 or raw.shape[-1] < 5:
        raise ValueError(f"raw must have shape (S_h, S_w, B, 5 + K), got {raw.shape}")
    if anchors.shape != (raw.shape[2], 2):
        raise ValueError(
            f"anchors_wh must have shape ({raw.shape[2]}, 2) for B = {raw.shape[2]} boxes per cell, got {anchors.shape}"
        )
    if cell_size <= 0:
        raise ValueError(f"cell_size must be > 0 pixels, got {cell_size}")
    rows, cols = np.meshgrid(
        np.arange(raw.shape[0], dtype=np.float64), np.arange(raw.shape[1], dtype=np.float64), indexing="ij"
    )
    center_x = (raw[..., 0].sigmoid() + cols[..., None]) * cell_size
    center_y = (raw[..., 1].sigmoid() + rows[..., None]) * cell_size
    width = raw[..., 2].exp() * anchors[:, 0]
    height = raw[..., 3].exp() * anchors[:, 1]
    return YoloPredictions(
        boxes_cxcywh=stack([center_x, center_y, width, height], axis=-1),
        objectness=raw[..., 4].sigmoid(),
        class_probs=raw[..., 5:].sigmoid(),
    )


@dataclass(frozen=True)
class YoloTargets:
    """Per-box targets: object_mask (S_h, S_w, B) bool (1^obj), wh (S_h, S_w, B, 2) pixels,
    class_onehot (S_h, S_w, B, K)."""

    object_mask: np.ndarray
    wh: np.ndarray
    class_onehot: np.ndarray


def assign_yolo_targets(
    gt_boxes_cxcywh: np.ndarray,
    gt_labels: np.ndarray,
    anchors_wh: np.ndarray,
    grid_shape: tuple[int, int],
    cell_size: float,
    num_classes: int,
) -> YoloTargets:
    """Mark the box responsible for each ground truth (seed 004 §24.3: the cell containing its centre).

    Within that cell the anchor whose shape best overlaps the ground truth (IoU of centred boxes) is
    responsible, as in YOLOv3; if two ground truths pick the same cell and anchor, the later one wins.
    """
    boxes = np.asarray(gt_boxes_cxcywh, dtype=np.float64).reshape(-1, 4)
    labels = np.asarray(gt_labels, dtype=np.int64).reshape(-1)
    anchors = np.asarray(anchors_wh, dtype=np.float64)
    if labels.size != boxes.shape[0]:
        raise ValueError(
            f"gt_labels has {labels.size} entries but there are {boxes.shape[0]} boxes; pass one label per box"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"gt_labels must be in [0, {num_classes}), got {labels.min()}..{labels.max()}")
    rows, cols = grid_shape
    mask = np.zeros((rows, cols, anchors.shape[0]), dtype=bool)
    wh = np.zeros((rows, cols, anchors.shape[0], 2))
    onehot = np.zeros((rows, cols, anchors.shape[0], num_classes))
    for (center_x, center_y, width, height), label in zip(boxes, labels):
        col = int(np.clip(np.floor(center_x / cell_size), 0, cols - 1))
        row = int(np.clip(np.floor(center_y / cell_size), 0, rows - 1))
        intersection = np.minimum(anchors[:, 0], width) * np.minimum(anchors[:, 1], height)
        shape_iou = intersection / (anchors[:, 0] * anchors[:, 1] + width * height - intersection)
        anchor = int(np.argmax(shape_iou))
        mask[row, col, anchor] = True
        wh[row, col, anchor] = (width, height)
        onehot[row, col, anchor] = 0.0
        onehot[row, col, anchor, label] = 1.0
    return YoloTargets(object_mask=mask, wh=wh, class_onehot=onehot)


@dataclass(frozen=True)
class YoloLossWeights:
    """λ_box, λ_obj, λ_cls (seed 004 eq. 24.16, values of eq. 27.13) and λ_noobj (seed 004 §24.4.3)."""

    box: float = 5.0
    objectness: float = 1.0
    classification: float = 1.0
    no_object: float = 0.5


@dataclass(frozen=True)
class YoloLossTerms:
    """Scalar tensors L_box, L_obj, L_cls and the weighted total (call ``total.backward()`` to train)."""

    box: Tensor
    objectness: Tensor
    classification: Tensor
    total: Tensor


def yolo_loss(
    pred_wh, pred_objectness, pred_class_probs, targets: YoloTargets, weights: YoloLossWeights = YoloLossWeights()
) -> YoloLossTerms:
    """The seed's YOLO loss L = λ_box L_box + λ_obj L_obj + λ_cls L_cls (seed 004 eq. 24.16-24.19).

    L_box = (1/N_obj) Σ 1^obj [(√b_w − √w*)² + (√b_h − √h*)²]           (eq. 24.17, sizes in pixels)
    L_obj = (1/N_bg) Σ [1^obj (o − 1)² + λ_noobj 1^noobj o²]              (eq. 24.18)
    L_cls = (1/N_obj) Σ 1^obj Σ_k (c_k − c_k*)²                           (eq. 24.19)

    N_obj = max(1, #responsible boxes), N_bg = max(1, #background boxes). As in the seed, the box term
    regresses only the sizes (YOLOv1 also regresses the centre offsets). pred_wh (..., 2) pixels,
    pred_objectness (...) and pred_class_probs (..., K) are probabilities in [0, 1] (tensors or arrays).
    """
    wh, objectness, class_probs = _as_tensor(pred_wh), _as_tensor(pred_objectness), _as_tensor(pred_class_probs)
    mask = np.asarray(targets.object_mask, dtype=bool)
    if (
        wh.shape != targets.wh.shape
        or objectness.shape != mask.shape
        or class_probs.shape != targets.class_onehot.shape
    ):
        raise ValueError(
            "prediction shapes must match the targets: "
            f"wh {wh.shape} vs {targets.wh.shape}, objectness {objectness.shape} vs {mask.shape}, "
            f"classes {class_probs.shape} vs {targets.class_onehot.shape}"
        )
    if np.any(wh.data[mask] <= 0):
        raise ValueError("predicted widths/heights of responsible boxes must be > 0 pixels (decode them with exp)")
    num_objects = max(1, int(mask.sum()))
    num_background = max(1, int((~mask).sum()))
    box = ((wh[mask].sqrt() - np.sqrt(targets.wh[mask])) ** 2).sum() / num_objects
    obj = (((objectness[mask] - 1.0) ** 2).sum() + weights.no_object * (objectness[~mask] ** 2).sum()) / num_background
    cls = ((class_probs[mask] - targets.class_onehot[mask]) ** 2).sum() / num_objects
    total = box * weights.box + obj * weights.objectness + cls * weights.classification
    return YoloLossTerms(box=box, objectness=obj, classification=cls, total=total)
