"""Seed 004 §29.4 association: the cost C = −IoU + λ·d in 3D and the Hungarian assignment."""

import numpy as np

from visuomotor.tracking.association import INFEASIBLE, assign, association_cost, iou_3d


def test_seed_29_4_3_example():
    cost = np.array([[0.2, 1.0], [0.8, 0.3], [1.5, 0.7]])
    matches, unmatched_dets, unmatched_tracks = assign(cost)
    assert matches == [(0, 0), (1, 1)]  # total 0.5, the minimum over all assignments
    assert unmatched_dets == [2] and unmatched_tracks == []


def test_hungarian_is_optimal_not_greedy():
    # Greedy takes (0, 0) = 0.1 first, leaving (1, 1) = 5 → 5.1; the optimum is (0, 1) + (1, 0) = 2.
    matches, _, _ = assign(np.array([[0.1, 1.0], [1.0, 5.0]]))
    assert matches == [(0, 1), (1, 0)]


def test_infeasible_pairs_are_never_matched():
    matches, dets, tracks = assign(np.array([[INFEASIBLE, 0.3], [INFEASIBLE, INFEASIBLE]]))
    assert matches == [(0, 1)] and dets == [1] and tracks == [0]


def test_iou_3d():
    size = np.array([[0.1, 0.1, 0.1]])
    assert iou_3d(np.zeros((1, 3)), size, np.zeros((1, 3)), size)[0, 0] == 1.0
    half_shift = iou_3d(np.zeros((1, 3)), size, np.array([[0.05, 0.0, 0.0]]), size)[0, 0]
    np.testing.assert_allclose(half_shift, 0.5 / 1.5)  # overlap half a box; union 1.5 boxes
    assert iou_3d(np.zeros((1, 3)), size, np.array([[0.2, 0.0, 0.0]]), size)[0, 0] == 0.0


def test_cost_is_minus_iou_plus_weighted_distance_with_gates():
    dets = np.array([[0.0, 0.0, 0.0], [0.05, 0.0, 0.0], [1.0, 0.0, 0.0]])
    tracks = np.array([[0.0, 0.0, 0.0], [0.05, 0.0, 0.0]])
    size = np.full((3, 3), 0.1)
    cost = association_cost(dets, size, tracks, size[:2], distance_weight=10.0, max_distance=0.2)
    np.testing.assert_allclose(cost[0, 0], -1.0)
    np.testing.assert_allclose(cost[0, 1], -1 / 3 + 10.0 * 0.05)
    assert np.all(cost[2] == INFEASIBLE)  # 1 m away: gated
    classes_differ = np.array([[False, True], [True, True], [True, True]])
    gated = association_cost(
        dets, size, tracks, size[:2], distance_weight=10.0, max_distance=0.2, compatible=classes_differ
    )
    assert gated[0, 0] == INFEASIBLE and gated[0, 1] == cost[0, 1]
