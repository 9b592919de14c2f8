"""Detection-to-track association: the seed's cost in 3D, its gate, and the one gated Hungarian assignment
(seed 004 §29.4.2) that the tracker, the MOT metrics (CLEAR MOT, as motmetrics) and the 3D error pairing of
the evaluations share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnfoundation.detection.matching import hungarian_match


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
) -> np.ndarray:
    """C_ij = −IoU(det_i, track_j) + λ·‖c_i − c_j‖ (seed 004 §29.4.2), in base_link (IoU of 3D boxes,
    distance in metres, λ = distance_weight per metre), track_centres being the predicted centres.
    Shapes (N, 3), (M, 3) → (N, M)."""
    distance = np.linalg.norm(det_centres[:, None] - track_centres[None], axis=-1)
    return -iou_3d(det_centres, det_sizes, track_centres, track_sizes) + distance_weight * distance


def association_gate(
    det_centres: np.ndarray,
    track_centres: np.ndarray,
    *,
    max_distance: float,
    compatible: np.ndarray | None = None,
    track_last_centres: np.ndarray | None = None,
) -> np.ndarray:
    """(N, M) bool, True where detection i may continue track j: within max_distance (m) of the predicted
    centre (M, 3) or, when given, of track_last_centres (M, 3), the last measured centres (so a sudden stop
    or start, which the constant-velocity prediction misses, keeps its track); and `compatible` (N, M) bool
    where given (e.g. the same class)."""
    feasible = np.linalg.norm(det_centres[:, None] - track_centres[None], axis=-1) <= max_distance
    if track_last_centres is not None:
        feasible |= np.linalg.norm(det_centres[:, None] - track_last_centres[None], axis=-1) <= max_distance
    if compatible is not None:
        feasible &= compatible
    return feasible


@dataclass(frozen=True)
class Assignment:
    """A one-to-one assignment of rows to columns: matched pairs (rows[k], cols[k]) with rows increasing,
    and the rows and columns left unmatched (increasing); all int64 index arrays."""

    rows: np.ndarray
    cols: np.ndarray
    unmatched_rows: np.ndarray
    unmatched_cols: np.ndarray

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return [(int(r), int(c)) for r, c in zip(self.rows, self.cols)]


def gated_assignment(cost: np.ndarray, feasible: np.ndarray) -> Assignment:
    """Minimum-cost one-to-one assignment (Hungarian algorithm, seed 004 §29.4.2) of rows to columns of an
        (N, M) cost matrix over the pairs where `feasible` (N, M) bool is True; an infeasible pair is never
        matched.

        Among all assignments using only feasible pairs it returns one with the most pairs, and among those the
        least total cost (what the tracker, motmetrics' CLEAR MOT and the 3D error pairing want: a feasible match
        is never given up to lower the cost). Solved, like motmetrics, by the exact Hungarian solver
    (nnfoundation.detection.matching.hungarian_match, scipy's linear_sum_assignment) with each
        infeasible pair at the cost S = 2·min(N, M)·(max |C_feasible| + 1) + 1: one infeasible pair costs more
        than any difference between two sets of feasible pairs, so no solution uses one it could avoid; the
        infeasible pairs it must use are dropped.

        Costs outside the gate are never read (NaN or ±inf are fine there); a NaN or infinite cost at a
        feasible pair raises ValueError (gate such pairs out explicitly)."""
    cost = np.asarray(cost, dtype=np.float64)
    feasible = np.asarray(feasible, dtype=bool)
    if cost.ndim != 2 or feasible.shape != cost.shape:
        raise ValueError(f"cost must be (N, M) and feasible the same shape, got {cost.shape} and {feasible.shape}")
    allowed = cost[feasible]
    if not np.all(np.isfinite(allowed)):
        raise ValueError("cost is NaN or infinite at a feasible pair; gate such pairs out in `feasible`")
    rows = cols = np.zeros(0, np.int64)
    if allowed.size:
        infeasible_cost = 2 * min(cost.shape) * (np.abs(allowed).max() + 1) + 1
        rows, cols = hungarian_match(np.where(feasible, cost, infeasible_cost))
        keep = feasible[rows, cols]
        rows, cols = rows[keep], cols[keep]
    return Assignment(
        rows,
        cols,
        np.setdiff1d(np.arange(cost.shape[0]), rows).astype(np.int64),
        np.setdiff1d(np.arange(cost.shape[1]), cols).astype(np.int64),
    )
