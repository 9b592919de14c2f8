"""2D object detection: one Detector interface, YOLO (ultralytics) and DETR (transformers) backends.

    detector = load_detector(DetectorConfig(backend="yolo", weights="model.pt"))
    detections = detector.detect(rgb)            # list[Detection], xyxy in original-image pixels
    detector.last_timing                         # FrameTiming: preprocess / inference / postprocess ms
"""
from __future__ import annotations

from visuomotor.detection.config import DetectorConfig
from visuomotor.detection.detector import Detector, DetectorError, FrameTiming
from visuomotor.detection.result import Detection

BACKENDS = ("yolo", "detr")


def load_detector(config: DetectorConfig) -> Detector:
    """Build the backend named by config.backend."""
    if config.backend == "yolo":
        from visuomotor.detection.yolo_backend import YoloDetector
        return YoloDetector(config)
    if config.backend == "detr":
        from visuomotor.detection.detr_backend import DetrDetector
        return DetrDetector(config)
    raise DetectorError(f"unknown detector backend {config.backend!r}; use one of {BACKENDS}")


__all__ = ["BACKENDS", "Detection", "Detector", "DetectorConfig", "DetectorError", "FrameTiming", "load_detector"]
