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


def select_foreground(depth_m: np.ndarray, *, bin_m: float, mode_fraction: float, depth_extent_m: np.ndarray,
                      max_bins: int = 256) -> np.ndarray:
    """(N, M) boolean mask of each row's nearest significant depth cluster ("nearest mode").

    Histogram each row's depths in bins of bin_m from its nearest depth; the first bin holding at least
    mode_fraction of the row's fullest bin starts the object; keep depths in
    [start − bin_m, start + bin_m + depth_extent_m[i]], depth_extent_m (N,) being how deep the object can
    reach behind its nearest visible point (its diagonal). Isolated nearer pixels (flying pixels at edges)
    fall below mode_fraction; the background beyond the object's extent is dropped. NaN is never kept.
    Depths beyond max_bins bins from the nearest share the last bin.
    """
    count, samples = depth_m.shape
    valid = np.isfinite(depth_m)
    nearest = np.nanmin(np.where(valid.any(axis=1, keepdims=True), depth_m, 0.0), axis=1, keepdims=True)
    bins = np.clip(np.nan_to_num((depth_m - nearest) / bin_m, nan=max_bins - 1), 0, max_bins - 1).astype(np.intp)
    flat = (bins + max_bins * np.arange(count).reshape(count, 1))[valid]
    counts = np.bincount(flat, minlength=count * max_bins).reshape(count, max_bins)
    first = np.argmax(counts >= mode_fraction * counts.max(axis=1, keepdims=True), axis=1)
    start = nearest[:, 0] + first * bin_m
    low = (start - bin_m).reshape(count, 1)
    high = (start + bin_m + depth_extent_m).reshape(count, 1)
    return valid & (depth_m >= low) & (depth_m <= high)
