"""Depth image encodings: 16UC1 uint16 millimetres (RealSense's native) ↔ 32FC1 float32 metres.

Invalid pixels: 0 in 16UC1, NaN in 32FC1 (REP 118). Depths beyond 65.535 m do not fit 16UC1 and become 0.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from visuomotor.camera.frame import DEPTH_SCALE_M, RGBDFrame


def depth_from_metres(depth_m: np.ndarray, encoding: str) -> np.ndarray:
    """(H, W) metres (NaN/≤0 invalid) -> 16UC1 mm = round(1000·d) or 32FC1 m."""
    if encoding == "32FC1":
        depth = depth_m.astype(np.float32, copy=True)
        depth[~np.isfinite(depth) | (depth <= 0)] = np.nan
        return depth
    if encoding == "16UC1":
        millimetres = np.round(np.asarray(depth_m, dtype=np.float64) * 1000.0)
        valid = np.isfinite(millimetres) & (millimetres > 0) & (millimetres <= np.iinfo(np.uint16).max)
        return np.where(valid, millimetres, 0).astype(np.uint16)
    raise ValueError(f"unknown depth encoding {encoding!r}: use {' or '.join(DEPTH_SCALE_M)}")


def with_depth_encoding(frame: RGBDFrame, encoding: str) -> RGBDFrame:
    """The same frame with its depth in `encoding` (no copy when it already is)."""
    if frame.depth_encoding == encoding:
        return frame
    return dataclasses.replace(frame, depth=depth_from_metres(frame.depth_m(), encoding), depth_encoding=encoding)
