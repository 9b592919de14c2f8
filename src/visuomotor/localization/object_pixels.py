"""Which depth pixels belong to each detected object: valid pixels inside the (optionally shrunken) box or
the instance mask, then foreground selection so the table or wall behind the object is not averaged in.

Batched over the N detections of a frame: each detection reads a fixed grid of M = G×G pixels, so a
frame costs a few vectorised array operations whatever the number of detections.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from visuomotor.camera.frame import DEPTH_SCALE_M


@dataclass
class ObjectPixels:
    """Sampled pixels of N detections: u, v (N, M) column and row indices; depth_m (N, M) metres, NaN
    where invalid (0, NaN, out of range, outside the mask)."""

    u: np.ndarray
    v: np.ndarray
    depth_m: np.ndarray


def clip_boxes(xyxy: np.ndarray, width: int, height: int, box_shrink: float | np.ndarray) -> np.ndarray:
    """(N, 4) boxes shrunk by box_shrink (a scalar or (N,) per box) of their width/height (half per side),
    clipped to the image."""
    half_wh = 0.5 * np.reshape(box_shrink, (-1, 1)) * (xyxy[:, 2:] - xyxy[:, :2])  # (N, 2)
    shrunk = xyxy + np.concatenate([half_wh, -half_wh], axis=1)
    return np.minimum(np.maximum(shrunk, 0.0), [width, height, width, height])


def sample_object_pixels(
    depth: np.ndarray,
    depth_encoding: str,
    boxes: np.ndarray,
    *,
    samples_per_axis: int,
    min_depth_m: float,
    max_depth_m: float,
    label_image: np.ndarray | None = None,
    mask_labels: np.ndarray | None = None,
) -> ObjectPixels:
    """Read a G×G grid (G = samples_per_axis) of pixel centres spread evenly over each (N, 4) box (pixels,
    corner convention, already clipped to the image with positive area).

    With label_image and mask_labels (N,) (0: no mask), only pixels labelled mask_labels[i] count for
    detection i. Depth is scaled by the encoding (16UC1 mm, 32FC1 m); valid: finite, in
    [min_depth_m, max_depth_m]. Only the N·G² sampled pixels are read and converted, never the whole image.
    """
    height, width = depth.shape
    count, grid = boxes.shape[0], samples_per_axis
    steps = (np.arange(grid) + 0.5) / grid  # (G,)
    corner, extent = boxes[:, None, :2], (boxes[:, 2:] - boxes[:, :2])[:, None, :]  # (N, 1, 2)
    col_row = np.floor(corner + extent * steps[:, None]).astype(np.intp)  # (N, G, 2)
    np.minimum(np.maximum(col_row, 0, out=col_row), [width - 1, height - 1], out=col_row)
    cols, rows = col_row[..., 0], col_row[..., 1]  # (N, G) each
    flat_index = ((rows * width)[:, :, None] + cols[:, None, :]).reshape(count, -1)  # (N, G²): sample r·G + c
    depth_m = depth.take(flat_index).astype(np.float64) * DEPTH_SCALE_M[depth_encoding]  # take: flat indices
    invalid = ~((depth_m >= min_depth_m) & (depth_m <= max_depth_m))  # NaN compares False
    if label_image is not None and mask_labels is not None:
        masked = mask_labels != 0
        if masked.any():
            outside = label_image.take(flat_index) != mask_labels.reshape(count, 1)
            invalid |= outside & masked.reshape(count, 1)
    depth_m[invalid] = np.nan
    u = np.broadcast_to(cols[:, None, :], (count, grid, grid)).astype(np.float64).reshape(count, -1)  # sample r·G + c
    v = np.broadcast_to(rows[:, :, None], (count, grid, grid)).astype(np.float64).reshape(count, -1)
    return ObjectPixels(u=u, v=v, depth_m=depth_m)


def select_foreground(
    depth_m: np.ndarray,
    *,
    samples_per_axis: int,
    gap_m: float,
    mode_fraction: float,
    min_coverage: float,
    depth_extent_m: np.ndarray,
    max_clusters: int = 8,
) -> np.ndarray:
    """(N, M) boolean mask of each detection's object pixels among its G×G samples (M = G², row-major
    over the box, as sample_object_pixels reads them).

    Each row's valid depths are split into clusters wherever sorted depths jump by more than gap_m.
    A cluster is significant with at least mode_fraction of the row's largest cluster's samples, and
    covers the box when the grid rows it touches times the grid columns it touches are at least
    min_coverage of the box (a detector's box is tight around the object's visible pixels, so the object
    spans it, while an occluder in front — the gripper — or flying pixels at an edge span only part).
    The nearest significant covering cluster is the object (no such cluster: the nearest significant
    one); kept are the depths in [start, start + depth_extent_m[i] + gap_m], start being that cluster's
    nearest depth and depth_extent_m (N,) how deep the object reaches behind it (its diagonal), which
    drops the table or wall behind. NaN is never kept. Clusters beyond the max_clusters nearest are
    merged into the last (all far background).
    """
    count, samples = depth_m.shape
    order = np.argsort(depth_m, axis=1)  # NaN (invalid) last
    flat_order = order + samples * np.arange(count).reshape(count, 1)
    sorted_depth = depth_m.ravel()[flat_order]
    sorted_labels = np.zeros((count, samples), dtype=np.intp)
    np.cumsum(sorted_depth[:, 1:] - sorted_depth[:, :-1] > gap_m, axis=1, out=sorted_labels[:, 1:])  # NaN: False
    np.minimum(sorted_labels, max_clusters - 1, out=sorted_labels)
    # Invalid samples go to an extra cluster (index max_clusters) that is counted, then dropped.
    slots = max_clusters + 1
    key = np.where(np.isfinite(sorted_depth), sorted_labels, max_clusters) + slots * np.arange(count).reshape(
        count, 1
    )  # (row, cluster) → flat
    sizes = np.bincount(key.ravel(), minlength=count * slots).reshape(count, slots)[:, :max_clusters]
    # Grid rows, then grid columns, touched by each (row, cluster): one bincount over both.
    sample, cells = np.arange(samples), count * slots * samples_per_axis
    first_cell = key * samples_per_axis
    touches = np.concatenate(
        [first_cell + (sample // samples_per_axis)[order], first_cell + (sample % samples_per_axis)[order] + cells]
    )
    touched = (
        np.bincount(touches.ravel(), minlength=2 * cells).reshape(2, count, slots, samples_per_axis)[
            :, :, :max_clusters
        ]
        > 0
    ).sum(axis=3)  # (2, N, clusters)
    coverage = touched[0] * touched[1] / float(samples)
    significant = sizes >= mode_fraction * sizes.max(axis=1, keepdims=True)
    significant &= sizes > 0
    covering = significant & (coverage >= min_coverage)
    chosen = np.where(covering.any(axis=1), np.argmax(covering, axis=1), np.argmax(significant, axis=1))
    first_index = np.argmax(sorted_labels == chosen[:, None], axis=1)
    start = sorted_depth[np.arange(count), first_index].reshape(count, 1)
    high = start + (depth_extent_m + gap_m).reshape(count, 1)
    return (depth_m >= start) & (depth_m <= high)  # NaN compares False
