"""Hungarian matching against brute-force permutation search, and the DETR cost against transformers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from transformers.loss.loss_for_object_detection import HungarianMatcher, center_to_corners_format, generalized_box_iou

from nnfoundation.detection.matching import DetrMatchingWeights, detr_match, detr_matching_cost, hungarian_match


def _brute_force_best(cost: np.ndarray, maximize: bool) -> float:
    rows, cols = cost.shape
    if rows <= cols:
        totals = [cost[np.arange(rows), list(perm)].sum() for perm in itertools.permutations(range(cols), rows)]
    else:
        totals = [cost[list(perm), np.arange(cols)].sum() for perm in itertools.permutations(range(rows), cols)]
    return max(totals) if maximize else min(totals)


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (4, 6), (6, 4), (2, 5), (5, 5), (7, 3)])
@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hungarian_is_optimal_against_brute_force(shape: tuple[int, int], maximize: bool, seed: int) -> None:
    cost = np.random.default_rng(seed).uniform(-1, 3, size=shape)
    rows, cols = hungarian_match(cost, maximize=maximize)
    assert rows.size == cols.size == min(shape)
    assert len(set(rows.tolist())) == rows.size and len(set(cols.tolist())) == cols.size
    assert cost[rows, cols].sum() == pytest.approx(_brute_force_best(cost, maximize), abs=1e-12)


def test_hungarian_rejects_bad_costs() -> None:
    with pytest.raises(ValueError, match="2-D"):
        hungarian_match(np.zeros(3))
    with pytest.raises(ValueError, match="NaN or infinite"):
        hungarian_match(np.array([[0.0, np.inf]]))


@pytest.mark.parametrize("num_queries,num_truths,seed", [(5, 2, 0), (10, 4, 1), (20, 20, 2), (30, 7, 3)])
def test_detr_cost_and_match_equal_transformers_matcher(num_queries: int, num_truths: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(num_queries, 4))
    centers, sizes = rng.uniform(0.2, 0.8, size=(num_queries, 2)), rng.uniform(0.05, 0.4, size=(num_queries, 2))
    pred_boxes = np.concatenate([centers, sizes], axis=1)
    gt_boxes = np.concatenate(
        [rng.uniform(0.2, 0.8, size=(num_truths, 2)), rng.uniform(0.05, 0.4, size=(num_truths, 2))], axis=1
    )
    gt_labels = rng.integers(0, 3, size=num_truths)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    weights = DetrMatchingWeights()
    matcher = HungarianMatcher(
        class_cost=weights.class_weight, bbox_cost=weights.l1_weight, giou_cost=weights.giou_weight
    )
    outputs = {"logits": torch.from_numpy(logits)[None], "pred_boxes": torch.from_numpy(pred_boxes)[None]}
    targets = [{"class_labels": torch.from_numpy(gt_labels), "boxes": torch.from_numpy(gt_boxes)}]
    ((expected_rows, expected_cols),) = matcher(outputs, targets)
    rows, cols = detr_match(probs, pred_boxes, gt_labels, gt_boxes, weights)
    np.testing.assert_array_equal(rows, expected_rows.numpy())
    np.testing.assert_array_equal(cols, expected_cols.numpy())
    # transformers uses −GIoU; the seed's GIoU loss 1 − GIoU only adds the constant w_GIoU
    cost = detr_matching_cost(probs, pred_boxes, gt_labels, gt_boxes, weights)
    out_prob = torch.from_numpy(probs)
    reference = (
        weights.l1_weight * torch.cdist(torch.from_numpy(pred_boxes), torch.from_numpy(gt_boxes), p=1)
        - weights.class_weight * out_prob[:, torch.from_numpy(gt_labels)]
        - weights.giou_weight
        * generalized_box_iou(
            center_to_corners_format(torch.from_numpy(pred_boxes)), center_to_corners_format(torch.from_numpy(gt_boxes))
        )
    ).numpy()
    np.testing.assert_allclose(cost - weights.giou_weight, reference, atol=1e-12)


def test_detr_cost_rejects_out_of_range_labels() -> None:
    with pytest.raises(ValueError, match="gt_labels must index"):
        detr_matching_cost(np.full((2, 3), 1 / 3), np.full((2, 4), 0.5), np.array([3]), np.full((1, 4), 0.5))
