"""What every detector backend returns, ROS-free."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Detection:
    """One 2D detection. xyxy: (4,) float [x1, y1, x2, y2] in pixels of the original image
    (top-left pixel corner is (0, 0)); class_id: the model's integer class; score in [0, 1]."""

    class_id: int
    class_name: str
    score: float
    xyxy: np.ndarray
    mask_label: int = 0  # 0: no mask; else the detection's value in an instance-label image

    @property
    def center(self) -> tuple[float, float]:
        x1, y1, x2, y2 = self.xyxy
        return (x1 + x2) / 2.0, (y1 + y2) / 2.0


def xyxy_from_center_size(center_x: float, center_y: float, size_x: float, size_y: float) -> np.ndarray:
    """A centre/size box (BoundingBox2D, pixels) → (4,) [x1, y1, x2, y2]."""
    return np.array([center_x - size_x / 2, center_y - size_y / 2, center_x + size_x / 2, center_y + size_y / 2])
