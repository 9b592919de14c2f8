"""Optimal bipartite matching (Hungarian algorithm) and the DETR matching cost (seed 004 §25.3, §27.2.6, §29.4).

The seed's "simplified Hungarian" (seed 004 Algorithm 2) repeatedly takes the smallest remaining cost;
that greedy rule is not optimal in general (see docs/seed-errata.md). Here the exact minimum-cost
assignment is solved with ``scipy.optimize.linear_sum_assignment`` (seed 004 eq. 25.11).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from nnfoundation.detection.boxes import box_convert, generalized_box_iou


def hungarian_match(cost: np.ndarray, maximize: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the optimal one-to-one assignment of a rectangular (N, M) cost matrix.

    Minimises Σ cost[rows, cols] (or maximises it with ``maximize=True``) over assignments of
    min(N, M) pairs; rows are returned in increasing order. Surplus rows (or columns) stay unmatched,
    e.g. DETR queries assigned to "no object" (seed 004 §25.3.4) or new tracks (seed 004 §29.4.3).
    """
    matrix = np.asarray(cost, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"cost must be a 2-D (N, M) matrix, got shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("cost contains NaN or infinite entries; replace them with a large finite cost")
    rows, cols = linear_sum_assignment(matrix, maximize=maximize)
    return rows.astype(np.int64), cols.astype(np.int64)


@dataclass(frozen=True)
class DetrMatchingWeights:
    """Weights of the DETR matching cost; defaults are DETR's (class 1, L1 5, GIoU 2).

    Seed 004 eq. 27.22 uses class 1, L1 0, GIoU 5.
    """

    class_weight: float = 1.0
    l1_weight: float = 5.0
    giou_weight: float = 2.0


def detr_matching_cost(
    pred_class_probs: np.ndarray,
    pred_boxes_cxcywh: np.ndarray,
    gt_labels: np.ndarray,
    gt_boxes_cxcywh: np.ndarray,
    weights: DetrMatchingWeights = DetrMatchingWeights(),
) -> np.ndarray:
    """(N, M) cost of matching N predictions to M ground truths (seed 004 eq. 25.12).

    Cost = −w_cls·p̂_i(c_j) + w_L1·‖b_i − b_j‖₁ + w_GIoU·(1 − GIoU(b_i, b_j)), with p̂_i the predicted class
    probabilities (N, K+1) (the last column may be "no object"), boxes normalised cxcywh (N, 4), (M, 4).
    """
    probs = np.asarray(pred_class_probs, dtype=np.float64)
    pred_boxes = np.asarray(pred_boxes_cxcywh, dtype=np.float64)
    labels = np.asarray(gt_labels, dtype=np.int64)
    gt_boxes = np.asarray(gt_boxes_cxcywh, dtype=np.float64).reshape(-1, 4)
    if probs.ndim != 2 or pred_boxes.shape != (probs.shape[0], 4):
        raise ValueError(
            f"pred_class_probs must be (N, K+1) and pred_boxes (N, 4); got {probs.shape} and {pred_boxes.shape}"
        )
    if labels.shape != (gt_boxes.shape[0],):
        raise ValueError(f"gt_labels must have shape ({gt_boxes.shape[0]},) to match gt_boxes, got {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= probs.shape[1]):
        raise ValueError(f"gt_labels must index the {probs.shape[1]} class columns, got {labels.min()}..{labels.max()}")
    class_cost = -probs[:, labels]
    l1_cost = np.abs(pred_boxes[:, None, :] - gt_boxes[None, :, :]).sum(axis=-1)
    giou = generalized_box_iou(box_convert(pred_boxes, "cxcywh", "xyxy"), box_convert(gt_boxes, "cxcywh", "xyxy"))
    return weights.class_weight * class_cost + weights.l1_weight * l1_cost + weights.giou_weight * (1.0 - giou)


def detr_match(
    pred_class_probs: np.ndarray,
    pred_boxes_cxcywh: np.ndarray,
    gt_labels: np.ndarray,
    gt_boxes_cxcywh: np.ndarray,
    weights: DetrMatchingWeights = DetrMatchingWeights(),
) -> tuple[np.ndarray, np.ndarray]:
    """(prediction indices, ground-truth indices) of the optimal DETR assignment (seed 004 eq. 25.11)."""
    return hungarian_match(detr_matching_cost(pred_class_probs, pred_boxes_cxcywh, gt_labels, gt_boxes_cxcywh, weights))
