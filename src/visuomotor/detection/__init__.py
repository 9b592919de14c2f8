"""2D object detection: one Detector interface, YOLO (ultralytics) and DETR (transformers) backends.

detector = load_detector(DetectorConfig(backend="yolo", weights="model.pt"))
detections = detector.detect(rgb)            # list[Detection], xyxy in original-image pixels
detector.last_timing                         # FrameTiming: preprocess / inference / postprocess ms
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visuomotor.detection.config import DetectorConfig
from visuomotor.detection.result import Detection

if TYPE_CHECKING:
    from visuomotor.detection.detector import Detector

BACKENDS = ("yolo", "detr")
_TORCH_NAMES = ("Detector", "DetectorError", "FrameTiming")  # from detector.py, which imports torch


def __getattr__(name: str):
    """Detector, DetectorError, FrameTiming load torch on first use, so importing the package (e.g. for
    the shipped-weights paths, or to build the CLI) stays fast."""
    if name in _TORCH_NAMES:
        from visuomotor.detection import detector

        return getattr(detector, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_detector(config: DetectorConfig) -> Detector:
    """Build the backend named by config.backend (weights "": that backend's shipped weights)."""
    if not config.weights:
        from dataclasses import replace

        from visuomotor.detection.assets import SHIPPED_DETR, SHIPPED_YOLO

        shipped = {"yolo": SHIPPED_YOLO, "detr": SHIPPED_DETR}.get(config.backend)
        config = replace(config, weights=str(shipped)) if shipped is not None else config
    if config.backend == "yolo":
        from visuomotor.detection.yolo_backend import YoloDetector

        return YoloDetector(config)
    if config.backend == "detr":
        from visuomotor.detection.detr_backend import DetrDetector

        return DetrDetector(config)
    from visuomotor.detection.detector import DetectorError

    raise DetectorError(f"unknown detector backend {config.backend!r}; use one of {BACKENDS}")


__all__ = ["BACKENDS", "Detection", "Detector", "DetectorConfig", "DetectorError", "FrameTiming", "load_detector"]
