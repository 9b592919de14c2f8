"""Seed 004 ch. 25 "DETR: Detection with Transformers": shapes and bipartite matching."""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation.detection.matching import DetrMatchingWeights, detr_matching_cost, hungarian_match


def test_backbone_and_sequence_shapes() -> None:
    assert (480 // 32, 640 // 32) == (15, 20)  # eq. 25.2, 25.16
    assert 15 * 20 == 300  # eq. 25.3
    assert (100, 80 + 1) == (100, 81)  # eq. 25.22


def test_matching_example() -> None:
    cost = np.array([[0.5, 1.2], [0.8, 0.3], [1.0, 0.6]])  # eq. 25.14
    rows, cols = hungarian_match(cost)
    # 0-based: prediction 0 ↔ GT 0, prediction 1 ↔ GT 1; prediction 2 is "no object".
    # The seed mixes 1-based rows and 0-based columns ("C_21 = 0.3", "(1, 0)") — see docs/seed-errata.md.
    assert list(zip(rows.tolist(), cols.tolist())) == [(0, 0), (1, 1)]
    assert cost[rows, cols].sum() == pytest.approx(0.8)


def test_greedy_simplified_hungarian_is_not_optimal_in_general() -> None:
    """Seed Algorithm 2 takes the smallest remaining entry; on this matrix it costs 101, the optimum is 4."""
    cost = np.array([[1.0, 2.0], [2.0, 100.0]])
    greedy_total = cost[0, 0] + cost[1, 1]
    rows, cols = hungarian_match(cost)
    assert cost[rows, cols].sum() == pytest.approx(4.0)
    assert greedy_total == 101.0


def test_cost_uses_probability_of_the_true_class_and_box_losses() -> None:
    probs = np.array([[0.1, 0.8, 0.1]])
    box = np.array([[0.5, 0.5, 0.2, 0.2]])
    weights = DetrMatchingWeights(class_weight=1.0, l1_weight=0.0, giou_weight=5.0)
    assert detr_matching_cost(probs, box, np.array([1]), box, weights)[0, 0] == pytest.approx(
        -0.8
    )  # eq. 25.12, GIoU loss 0
