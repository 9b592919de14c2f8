"""Detection-to-track association: the seed's cost in 3D and the Hungarian algorithm (seed 004 §29.4.2)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

INFEASIBLE = 1e9  # cost of a gated-out pair; never part of an accepted match


def iou_3d(centres_a: np.ndarray, sizes_a: np.ndarray, centres_b: np.ndarray, sizes_b: np.ndarray) -> np.ndarray:
    """IoU of axis-aligned 3D boxes (centre, full size), (N, 3) × (M, 3) → (N, M) in [0, 1]."""
    lo_a, hi_a = centres_a - sizes_a / 2, centres_a + sizes_a / 2
    lo_b, hi_b = centres_b - sizes_b / 2, centres_b + sizes_b / 2
    overlap = np.clip(np.minimum(hi_a[:, None], hi_b[None]) - np.maximum(lo_a[:, None], lo_b[None]), 0.0, None)
    intersection = overlap.prod(axis=-1)
    union = sizes_a.prod(axis=-1)[:, None] + sizes_b.prod(axis=-1)[None] - intersection
    return np.where(union > 0, intersection / np.where(union > 0, union, 1.0), 0.0)


def association_cost(
    det_centres: np.ndarray,
    det_sizes: np.ndarray,
    track_centres: np.ndarray,
    track_sizes: np.ndarray,
    *,
    distance_weight: float,
    max_distance: float,
    compatible: np.ndarray | None = None,
    track_last_centres: np.ndarray | None = None,
) -> np.ndarray:
    """C_ij = −IoU(det_i, track_j) + λ·‖c_i − c_j‖ (seed 004 §29.4.2), in base_link (IoU of 3D boxes,
    distance in metres, λ = distance_weight per metre), track_centres being the predicted centres.

    Gate: a pair is INFEASIBLE when the detection is farther than max_distance from the predicted centre
    and (when given) from track_last_centres (M, 3), the last measured centres (so a sudden stop or
    start, which the constant-velocity prediction misses, keeps its track), or when not `compatible`
    (N, M) bool (e.g. another class). Shapes (N, 3), (M, 3) → (N, M)."""
    distance = np.linalg.norm(det_centres[:, None] - track_centres[None], axis=-1)
    cost = -iou_3d(det_centres, det_sizes, track_centres, track_sizes) + distance_weight * distance
    gated = distance > max_distance
    if track_last_centres is not None:
        gated &= np.linalg.norm(det_centres[:, None] - track_last_centres[None], axis=-1) > max_distance
    if compatible is not None:
        gated |= ~compatible
    return np.where(gated, INFEASIBLE, cost)


def assign(cost: np.ndarray) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Minimum-cost one-to-one assignment (Hungarian algorithm, scipy's linear_sum_assignment) of rows
    (detections) to columns (tracks); pairs at INFEASIBLE cost are dropped.

    Returns (matches [(row, col)], unmatched rows, unmatched columns), each sorted.
    """
    rows, cols = linear_sum_assignment(cost)
    matches = [(int(r), int(c)) for r, c in zip(rows, cols) if cost[r, c] < INFEASIBLE]
    matched_rows = {r for r, _ in matches}
    matched_cols = {c for _, c in matches}
    return (
        sorted(matches),
        [r for r in range(cost.shape[0]) if r not in matched_rows],
        [c for c in range(cost.shape[1]) if c not in matched_cols],
    )
