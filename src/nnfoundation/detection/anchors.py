"""Anchor boxes over a feature-map grid (seed 004 §23.1).

Anchor[i, j, k] = (cx, cy, w, h) with cx = (j + 0.5)·s, cy = (i + 0.5)·s (seed 004 eq. 23.2-23.3) for
feature-map row i, column j and stride s (pixels per cell). The k = |ratios|·|scales| shapes per cell
(seed 004 eq. 23.6) keep the area (base_size·scale)² and set the aspect ratio r = h / w:
w = base_size·scale / sqrt(r), h = base_size·scale·sqrt(r) (the torchvision AnchorGenerator convention).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AnchorConfig:
    """Anchor shapes of one feature level; seed 004 eq. 23.6 defaults (ratios {0.5, 1, 2}, scales 2^{0, 1/3, 2/3})."""

    stride: float = 32.0
    base_size: float = 32.0
    aspect_ratios: tuple[float, ...] = (0.5, 1.0, 2.0)
    scales: tuple[float, ...] = (1.0, 2.0 ** (1.0 / 3.0), 2.0 ** (2.0 / 3.0))

    def __post_init__(self) -> None:
        if self.stride <= 0 or self.base_size <= 0:
            raise ValueError(f"stride and base_size must be > 0, got {self.stride} and {self.base_size}")
        if not self.aspect_ratios or not self.scales or min(self.aspect_ratios) <= 0 or min(self.scales) <= 0:
            raise ValueError("aspect_ratios and scales must be non-empty and all > 0")


def anchor_shapes(config: AnchorConfig) -> np.ndarray:
    """(K, 2) anchor widths and heights in pixels, ratio-major then scale, K = |ratios|·|scales|."""
    ratios = np.asarray(config.aspect_ratios, dtype=np.float64)
    sizes = config.base_size * np.asarray(config.scales, dtype=np.float64)
    widths = (sizes[None, :] / np.sqrt(ratios)[:, None]).ravel()
    heights = (sizes[None, :] * np.sqrt(ratios)[:, None]).ravel()
    return np.stack([widths, heights], axis=-1)


def grid_anchors(feature_height: int, feature_width: int, config: AnchorConfig) -> np.ndarray:
    """All anchors of an H×W feature map as (H·W·K, 4) cxcywh pixels, ordered by row i, column j, shape k."""
    if feature_height <= 0 or feature_width <= 0:
        raise ValueError(f"feature map size must be positive, got {feature_height}x{feature_width}")
    shapes = anchor_shapes(config)
    rows, cols = np.meshgrid(np.arange(feature_height), np.arange(feature_width), indexing="ij")
    centers = np.stack([(cols + 0.5) * config.stride, (rows + 0.5) * config.stride], axis=-1).reshape(-1, 1, 2)
    centers = np.broadcast_to(centers, (centers.shape[0], shapes.shape[0], 2))
    sizes = np.broadcast_to(shapes[None], centers.shape)
    return np.concatenate([centers, sizes], axis=-1).reshape(-1, 4)
