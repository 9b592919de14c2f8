"""Seed 004 §29.4 association: the cost C = −IoU + λ·d in 3D, its gate, and the gated Hungarian assignment."""

import itertools

import numpy as np
import pytest

from visuomotor.tracking.association import association_cost, association_gate, gated_assignment, iou_3d


def everything_feasible(cost: np.ndarray) -> np.ndarray:
    return np.ones(np.shape(cost), bool)


def test_seed_29_4_3_example():
    cost = np.array([[0.2, 1.0], [0.8, 0.3], [1.5, 0.7]])
    result = gated_assignment(cost, everything_feasible(cost))
    assert result.pairs == [(0, 0), (1, 1)]  # total 0.5, the minimum over all assignments
    assert result.unmatched_rows.tolist() == [2] and result.unmatched_cols.tolist() == []


def test_hungarian_is_optimal_not_greedy():
    # Greedy takes (0, 0) = 0.1 first, leaving (1, 1) = 5 → 5.1; the optimum is (0, 1) + (1, 0) = 2.
    cost = np.array([[0.1, 1.0], [1.0, 5.0]])
    assert gated_assignment(cost, everything_feasible(cost)).pairs == [(0, 1), (1, 0)]


def test_infeasible_pairs_are_never_matched_whatever_their_cost():
    cost = np.array([[-100.0, 0.3], [-100.0, -100.0]])
    feasible = np.array([[False, True], [False, False]])
    result = gated_assignment(cost, feasible)
    assert result.pairs == [(0, 1)] and result.unmatched_rows.tolist() == [1] and result.unmatched_cols.tolist() == [0]


def test_a_feasible_match_is_never_given_up_to_lower_the_cost():
    # (0, 0) alone costs 0.1; (0, 1) + (1, 0) cost 10 but match both rows: the larger assignment wins.
    cost = np.array([[0.1, 5.0], [5.0, 0.0]])
    feasible = np.array([[True, True], [True, False]])
    assert gated_assignment(cost, feasible).pairs == [(0, 1), (1, 0)]


def brute_force(cost: np.ndarray, feasible: np.ndarray) -> tuple[int, float]:
    """(most pairs, least cost among those) over every one-to-one assignment of feasible pairs."""
    n, m = cost.shape
    best = (0, 0.0)
    for size in range(1, min(n, m) + 1):
        for rows in itertools.combinations(range(n), size):
            for cols in itertools.permutations(range(m), size):
                if all(feasible[r, c] for r, c in zip(rows, cols)):
                    total = float(sum(cost[r, c] for r, c in zip(rows, cols)))
                    if size > best[0] or total < best[1]:
                        best = (size, total)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_matches_brute_force_on_random_gated_matrices(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(1, 5, 2)
    cost = rng.normal(0.0, 3.0, (n, m))
    feasible = rng.random((n, m)) < 0.5
    result = gated_assignment(np.where(feasible, cost, np.nan), feasible)
    assert all(feasible[r, c] for r, c in result.pairs)
    size, total = brute_force(cost, feasible)
    assert len(result.pairs) == size
    assert cost[result.rows, result.cols].sum() == pytest.approx(total, abs=1e-9)
    assert sorted([*result.rows, *result.unmatched_rows]) == list(range(n))
    assert sorted([*result.cols, *result.unmatched_cols]) == list(range(m))


@pytest.mark.parametrize("shape", [(0, 3), (2, 0), (0, 0)])
def test_empty_matrices(shape):
    result = gated_assignment(np.zeros(shape), np.ones(shape, bool))
    assert result.pairs == [] and len(result.unmatched_rows) == shape[0] and len(result.unmatched_cols) == shape[1]


def test_nothing_feasible_matches_nothing():
    result = gated_assignment(np.full((2, 3), np.inf), np.zeros((2, 3), bool))
    assert (
        result.pairs == [] and result.unmatched_rows.tolist() == [0, 1] and result.unmatched_cols.tolist() == [0, 1, 2]
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_cost_at_a_feasible_pair_is_refused(bad):
    with pytest.raises(ValueError, match="NaN or infinite at a feasible pair"):
        gated_assignment(np.array([[0.1, bad]]), np.array([[True, True]]))


def test_shapes_must_agree():
    with pytest.raises(ValueError, match="same shape"):
        gated_assignment(np.zeros((2, 2)), np.ones((2, 3), bool))


def test_iou_3d():
    size = np.array([[0.1, 0.1, 0.1]])
    assert iou_3d(np.zeros((1, 3)), size, np.zeros((1, 3)), size)[0, 0] == 1.0
    half_shift = iou_3d(np.zeros((1, 3)), size, np.array([[0.05, 0.0, 0.0]]), size)[0, 0]
    np.testing.assert_allclose(half_shift, 0.5 / 1.5)  # overlap half a box; union 1.5 boxes
    assert iou_3d(np.zeros((1, 3)), size, np.array([[0.2, 0.0, 0.0]]), size)[0, 0] == 0.0


def test_cost_is_minus_iou_plus_weighted_distance():
    dets = np.array([[0.0, 0.0, 0.0], [0.05, 0.0, 0.0]])
    tracks = np.array([[0.0, 0.0, 0.0], [0.05, 0.0, 0.0]])
    size = np.full((2, 3), 0.1)
    cost = association_cost(dets, size, tracks, size, distance_weight=10.0)
    np.testing.assert_allclose(cost[0, 0], -1.0)
    np.testing.assert_allclose(cost[0, 1], -1 / 3 + 10.0 * 0.05)


def test_gate_distance_last_position_and_compatibility():
    dets = np.array([[0.0, 0.0, 0.0], [0.05, 0.0, 0.0], [1.0, 0.0, 0.0]])
    tracks = np.array([[0.0, 0.0, 0.0], [0.05, 0.0, 0.0]])
    feasible = association_gate(dets, tracks, max_distance=0.2)
    assert feasible.tolist() == [[True, True], [True, True], [False, False]]  # 1 m away: gated
    last_measured = np.array([[1.0, 0.05, 0.0], [0.05, 0.0, 0.0]])  # track 0 was last seen next to det 2
    assert association_gate(dets, tracks, max_distance=0.2, track_last_centres=last_measured)[2].tolist() == [
        True,
        False,
    ]
    same_class = np.array([[False, True], [True, True], [True, True]])
    assert association_gate(dets, tracks, max_distance=0.2, compatible=same_class)[0].tolist() == [False, True]
