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


def clip_boxes(xyxy: np.ndarray, width: int, height: int, box_shrink: float) -> np.ndarray:
    """(N, 4) boxes shrunk by box_shrink of their width/height (half per side), clipped to the image."""
    half_w = 0.5 * box_shrink * (xyxy[:, 2] - xyxy[:, 0])
    half_h = 0.5 * box_shrink * (xyxy[:, 3] - xyxy[:, 1])
    shrunk = xyxy + np.stack([half_w, half_h, -half_w, -half_h], axis=1)
    return np.clip(shrunk, 0.0, [width, height, width, height])


def sample_object_pixels(depth: np.ndarray, depth_encoding: str, boxes: np.ndarray, *, samples_per_axis: int,
                         min_depth_m: float, max_depth_m: float, label_image: np.ndarray | None = None,
                         mask_labels: np.ndarray | None = None) -> ObjectPixels:
    """Read a G×G grid (G = samples_per_axis) of pixel centres spread evenly over each (N, 4) box (pixels,
    corner convention, already clipped to the image with positive area).

    With label_image and mask_labels (N,) (0: no mask), only pixels labelled mask_labels[i] count for
    detection i. Depth is scaled by the encoding (16UC1 mm, 32FC1 m); valid: finite, in
    [min_depth_m, max_depth_m].
    """
    height, width = depth.shape
    steps = (np.arange(samples_per_axis) + 0.5) / samples_per_axis                     # (G,)
    cols = np.floor(boxes[:, 0:1] + (boxes[:, 2:3] - boxes[:, 0:1]) * steps).astype(np.intp)   # (N, G)
    rows = np.floor(boxes[:, 1:2] + (boxes[:, 3:4] - boxes[:, 1:2]) * steps).astype(np.intp)
    np.clip(cols, 0, width - 1, out=cols)
    np.clip(rows, 0, height - 1, out=rows)
    count = boxes.shape[0]
    grid_rows = np.broadcast_to(rows[:, :, None], (count, samples_per_axis, samples_per_axis)).reshape(count, -1)
    grid_cols = np.broadcast_to(cols[:, None, :], (count, samples_per_axis, samples_per_axis)).reshape(count, -1)
    depth_m = depth[grid_rows, grid_cols].astype(np.float64) * DEPTH_SCALE_M[depth_encoding]
    invalid = ~((depth_m >= min_depth_m) & (depth_m <= max_depth_m))                  # NaN compares False
    if label_image is not None and mask_labels is not None:
        masked = mask_labels != 0
        if masked.any():
            outside = label_image[grid_rows, grid_cols] != mask_labels.reshape(count, 1)
            invalid |= outside & masked.reshape(count, 1)
    depth_m[invalid] = np.nan
    return ObjectPixels(u=grid_cols.astype(np.float64), v=grid_rows.astype(np.float64), depth_m=depth_m)


def select_foreground(depth_m: np.ndarray, *, samples_per_axis: int, gap_m: float, mode_fraction: float,
                      min_coverage: float, depth_extent_m: np.ndarray, max_clusters: int = 8) -> np.ndarray:
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
    valid = np.isfinite(depth_m)
    order = np.argsort(np.where(valid, depth_m, np.inf), axis=1)                  # invalid samples last
    sorted_depth = np.take_along_axis(depth_m, order, axis=1)
    sorted_labels = np.zeros((count, samples), dtype=np.intp)
    np.cumsum(np.diff(sorted_depth, axis=1) > gap_m, axis=1, out=sorted_labels[:, 1:])   # NaN gaps: False
    np.minimum(sorted_labels, max_clusters - 1, out=sorted_labels)
    labels = np.empty_like(sorted_labels)
    np.put_along_axis(labels, order, sorted_labels, axis=1)
    key = (labels + max_clusters * np.arange(count).reshape(count, 1))[valid]      # (row, cluster) → flat
    sizes = np.bincount(key, minlength=count * max_clusters).reshape(count, max_clusters)
    grid_row, grid_col = np.divmod(np.arange(samples), samples_per_axis)
    touched = []
    for grid_line in (grid_row, grid_col):
        cells = key * samples_per_axis + np.broadcast_to(grid_line, (count, samples))[valid]
        hits = np.bincount(cells, minlength=count * max_clusters * samples_per_axis) > 0
        touched.append(hits.reshape(count, max_clusters, samples_per_axis).sum(axis=2))
    coverage = touched[0] * touched[1] / float(samples)
    significant = sizes >= mode_fraction * sizes.max(axis=1, keepdims=True)
    significant &= sizes > 0
    covering = significant & (coverage >= min_coverage)
    chosen = np.where(covering.any(axis=1), np.argmax(covering, axis=1), np.argmax(significant, axis=1))
    first_index = np.argmax(sorted_labels == chosen[:, None], axis=1)
    start = sorted_depth[np.arange(count), first_index].reshape(count, 1)
    high = start + (depth_extent_m + gap_m).reshape(count, 1)
    return valid & (depth_m >= start) & (depth_m <= high)
