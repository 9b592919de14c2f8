"""Drawing detections on an image (debug images, report strips)."""

from __future__ import annotations

import cv2
import numpy as np

from visuomotor.detection.result import Detection

BOX_COLOR = (255, 255, 0)


def draw_detections(rgb: np.ndarray, detections: list[Detection]) -> np.ndarray:
    """A copy of the (H, W, 3) RGB image with each detection's box and 'class score' label."""
    canvas = np.ascontiguousarray(rgb.copy())
    for d in detections:
        x1, y1, x2, y2 = (int(round(v)) for v in d.xyxy)
        cv2.rectangle(canvas, (x1, y1), (x2, y2), BOX_COLOR, 2)
        cv2.putText(
            canvas,
            f"{d.class_name} {d.score:.2f}",
            (x1, max(12, y1 - 4)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.4,
            BOX_COLOR,
            1,
            cv2.LINE_AA,
        )
    return canvas
