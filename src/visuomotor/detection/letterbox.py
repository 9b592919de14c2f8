"""Letterboxing: resize an image to fit a square canvas keeping its aspect ratio, pad the rest, and map
boxes back to the original image exactly.

Forward (seed 004 §26: YOLO input preparation), for an H×W image and an S×S canvas:
    r = min(S / W, S / H),  w' = round(W·r),  h' = round(H·r)
    left = (S − w') // 2,   top = (S − h') // 2
    x' = x · (w' / W) + left,   y' = y · (h' / H) + top
The per-axis scales w'/W and h'/H (not r) are what the resampled image content actually uses, so the
inverse x = (x' − left) · W / w' is exact for the content, pixel-corner coordinates ((0, 0) is the
top-left corner of the top-left pixel).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

PAD_VALUE = 114  # grey, as ultralytics pads


@dataclass(frozen=True)
class Letterbox:
    """The forward/inverse geometry of letterboxing one H×W image onto an S×S canvas."""

    width: int
    height: int
    canvas: int

    @property
    def resized_size(self) -> tuple[int, int]:
        """(w', h'): the size the image content is resampled to, pixels."""
        ratio = min(self.canvas / self.width, self.canvas / self.height)
        return (
            max(1, min(self.canvas, round(self.width * ratio))),
            max(1, min(self.canvas, round(self.height * ratio))),
        )

    @property
    def offset(self) -> tuple[int, int]:
        """(left, top) padding, pixels."""
        resized_w, resized_h = self.resized_size
        return (self.canvas - resized_w) // 2, (self.canvas - resized_h) // 2

    @property
    def scale(self) -> tuple[float, float]:
        """(sx, sy) = (w'/W, h'/H): canvas pixels per original pixel along x and y."""
        resized_w, resized_h = self.resized_size
        return resized_w / self.width, resized_h / self.height

    def apply_image(self, image: np.ndarray) -> np.ndarray:
        """(H, W, C) uint8 → (S, S, C) uint8, content resized (bilinear) and centred on grey padding."""
        resized_w, resized_h = self.resized_size
        left, top = self.offset
        canvas = np.full((self.canvas, self.canvas, image.shape[2]), PAD_VALUE, dtype=image.dtype)
        if (resized_w, resized_h) == (self.width, self.height):
            resized = image
        else:
            resized = cv2.resize(image, (resized_w, resized_h), interpolation=cv2.INTER_LINEAR)
        canvas[top : top + resized_h, left : left + resized_w] = resized.reshape(resized_h, resized_w, -1)
        return canvas

    def apply_boxes(self, xyxy: np.ndarray) -> np.ndarray:
        """(N, 4) boxes in original pixels → canvas pixels."""
        sx, sy = self.scale
        left, top = self.offset
        return np.asarray(xyxy, dtype=np.float64) * [sx, sy, sx, sy] + [left, top, left, top]

    def invert_boxes(self, xyxy: np.ndarray) -> np.ndarray:
        """(N, 4) boxes in canvas pixels → original pixels, clipped to the original image."""
        sx, sy = self.scale
        left, top = self.offset
        boxes = (np.asarray(xyxy, dtype=np.float64) - [left, top, left, top]) / [sx, sy, sx, sy]
        boxes[:, 0::2] = boxes[:, 0::2].clip(0.0, self.width)
        boxes[:, 1::2] = boxes[:, 1::2].clip(0.0, self.height)
        return boxes
