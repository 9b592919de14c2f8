"""YOLO grid decoding, target assignment and the seed's YOLO loss (seed 004 §24.3-24.4, §27.1).

Shapes: a head predicts, for each of S_h×S_w cells and B anchors, p = [t_x, t_y, t_w, t_h, o, c_1..c_K]
(seed 004 eq. 24.2), i.e. a raw array (S_h, S_w, B, 5 + K). Anchors (B, 2) are widths/heights in pixels,
``cell_size`` is the stride in pixels (416 / 13 = 32 in seed 004 §24.3.1).

The loss is NumPy forward only: it is written before the autodiff ``nnfoundation.Tensor`` exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^{-x}), evaluated without overflow."""
    x = np.asarray(x, dtype=np.float64)
    exp_neg_abs = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + exp_neg_abs), exp_neg_abs / (1.0 + exp_neg_abs))


@dataclass(frozen=True)
class YoloPredictions:
    """Decoded head output: boxes (S_h, S_w, B, 4) cxcywh pixels, objectness (S_h, S_w, B), class_probs (S_h, S_w, B, K)."""

    boxes_cxcywh: np.ndarray
    objectness: np.ndarray
    class_probs: np.ndarray


def decode_yolo_grid(raw: np.ndarray, anchors_wh: np.ndarray, cell_size: float) -> YoloPredictions:
    """Decode raw head outputs (seed 004 eq. 24.11-24.15).

    b_x = (σ(t_x) + j)·s, b_y = (σ(t_y) + i)·s, b_w = p_w·exp(t_w), b_h = p_h·exp(t_h), for cell row i,
    column j, stride s and anchor size (p_w, p_h) in pixels; objectness and class scores are σ of their logits.
    """
    raw = np.asarray(raw, dtype=np.float64)
    anchors = np.asarray(anchors_wh, dtype=np.float64)
    if raw.ndim != 4 or raw.shape[-1] < 5:
        raise ValueError(f"raw must have shape (S_h, S_w, B, 5 + K), got {raw.shape}")
    if anchors.shape != (raw.shape[2], 2):
        raise ValueError(f"anchors_wh must have shape ({raw.shape[2]}, 2) for B = {raw.shape[2]} boxes per cell, got {anchors.shape}")
    if cell_size <= 0:
        raise ValueError(f"cell_size must be > 0 pixels, got {cell_size}")
    rows, cols = np.meshgrid(np.arange(raw.shape[0]), np.arange(raw.shape[1]), indexing="ij")
    center_x = (sigmoid(raw[..., 0]) + cols[..., None]) * cell_size
    center_y = (sigmoid(raw[..., 1]) + rows[..., None]) * cell_size
    width = anchors[:, 0] * np.exp(raw[..., 2])
    height = anchors[:, 1] * np.exp(raw[..., 3])
    return YoloPredictions(
        boxes_cxcywh=np.stack([center_x, center_y, width, height], axis=-1),
        objectness=sigmoid(raw[..., 4]),
        class_probs=sigmoid(raw[..., 5:]),
    )


@dataclass(frozen=True)
class YoloTargets:
    """Per-box targets: object_mask (S_h, S_w, B) bool (1^obj), wh (S_h, S_w, B, 2) pixels, class_onehot (S_h, S_w, B, K)."""

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
        raise ValueError(f"gt_labels has {labels.size} entries but there are {boxes.shape[0]} boxes; pass one label per box")
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
    box: float
    objectness: float
    classification: float
    total: float


def yolo_loss(
    pred_wh: np.ndarray,
    pred_objectness: np.ndarray,
    pred_class_probs: np.ndarray,
    targets: YoloTargets,
    weights: YoloLossWeights = YoloLossWeights(),
) -> YoloLossTerms:
    """The seed's YOLO loss L = λ_box L_box + λ_obj L_obj + λ_cls L_cls (seed 004 eq. 24.16-24.19).

    L_box = (1/N_obj) Σ 1^obj [(√b_w − √w*)² + (√b_h − √h*)²]           (eq. 24.17, sizes in pixels)
    L_obj = (1/N_bg) Σ [1^obj (o − 1)² + λ_noobj 1^noobj o²]              (eq. 24.18)
    L_cls = (1/N_obj) Σ 1^obj Σ_k (c_k − c_k*)²                           (eq. 24.19)

    N_obj = max(1, #responsible boxes), N_bg = max(1, #background boxes). As in the seed, the box term
    regresses only the sizes (YOLOv1 also regresses the centre offsets). pred_wh (..., 2) pixels,
    pred_objectness (...) and pred_class_probs (..., K) are probabilities in [0, 1].
    """
    wh = np.asarray(pred_wh, dtype=np.float64)
    objectness = np.asarray(pred_objectness, dtype=np.float64)
    class_probs = np.asarray(pred_class_probs, dtype=np.float64)
    mask = np.asarray(targets.object_mask, dtype=bool)
    if wh.shape != targets.wh.shape or objectness.shape != mask.shape or class_probs.shape != targets.class_onehot.shape:
        raise ValueError(
            "prediction shapes must match the targets: "
            f"wh {wh.shape} vs {targets.wh.shape}, objectness {objectness.shape} vs {mask.shape}, "
            f"classes {class_probs.shape} vs {targets.class_onehot.shape}"
        )
    if np.any(wh[mask] < 0):
        raise ValueError("predicted widths/heights must be >= 0 pixels (decode them with exp)")
    num_objects = max(1, int(mask.sum()))
    num_background = max(1, int((~mask).sum()))
    box = float(np.sum((np.sqrt(wh[mask]) - np.sqrt(targets.wh[mask])) ** 2)) / num_objects
    obj = float(np.sum((objectness[mask] - 1.0) ** 2) + weights.no_object * np.sum(objectness[~mask] ** 2)) / num_background
    cls = float(np.sum((class_probs[mask] - targets.class_onehot[mask]) ** 2)) / num_objects
    total = weights.box * box + weights.objectness * obj + weights.classification * cls
    return YoloLossTerms(box=box, objectness=obj, classification=cls, total=total)
