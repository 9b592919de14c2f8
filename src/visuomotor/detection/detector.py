"""The Detector interface every backend implements, its input checks, timing, and the shared
score-threshold → class-filter → NMS post-processing."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
import torch
import torchvision

from visuomotor.detection.config import DetectorConfig
from visuomotor.detection.result import Detection

MIN_IMAGE_SIDE = 8  # pixels; smaller images carry no detectable object
ENCODINGS = ("rgb8", "bgr8")
RUNTIMES = ("torch", "onnxruntime")


class DetectorError(ValueError):
    """Bad weights, configuration or input image; the message names the cause and the fix."""


@dataclass
class FrameTiming:
    """Wall-clock milliseconds of one detect() call, by stage."""

    preprocess_ms: float = 0.0
    inference_ms: float = 0.0
    postprocess_ms: float = 0.0

    @property
    def total_ms(self) -> float:
        return self.preprocess_ms + self.inference_ms + self.postprocess_ms


class Detector(ABC):
    """detect(rgb (H, W, 3) uint8) → detections with xyxy in original-image pixels."""

    def __init__(self, config: DetectorConfig, class_names: list[str], image_size: int):
        """config.image_size may be None; image_size is the resolved one (pixels)."""
        self.config = config
        self.image_size = image_size
        self.class_names = list(class_names)
        self.device = torch.device(config.device)
        self.dtype = torch.float16 if config.half else torch.float32
        self.last_timing = FrameTiming()
        unknown = sorted(set(config.classes or ()) - set(self.class_names))
        if unknown:
            raise DetectorError(f"class filter names {unknown} unknown to the model; choose from {self.class_names}")
        self._keep_ids = None if config.classes is None else [self.class_names.index(name) for name in config.classes]

    def detect(self, image: np.ndarray, encoding: str = "rgb8") -> list[Detection]:
        """Detect objects in one image; records the stage split in self.last_timing."""
        rgb = as_rgb(image, encoding)
        start = time.perf_counter()
        inputs = self._preprocess(rgb)
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        preprocessed = time.perf_counter()
        with torch.inference_mode():
            raw = self._infer(inputs)
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        inferred = time.perf_counter()
        detections = self._postprocess(raw, rgb.shape[:2])
        done = time.perf_counter()
        self.last_timing = FrameTiming(
            (preprocessed - start) * 1e3, (inferred - preprocessed) * 1e3, (done - inferred) * 1e3
        )
        return detections

    @abstractmethod
    def _preprocess(self, rgb: np.ndarray):
        """Checked (H, W, 3) uint8 RGB → the model's input."""

    @abstractmethod
    def _infer(self, inputs):
        """Model forward pass."""

    @abstractmethod
    def _postprocess(self, raw, image_hw: tuple[int, int]) -> list[Detection]:
        """Model output → detections in original-image pixels."""

    def _select(self, xyxy: torch.Tensor, scores: torch.Tensor, class_ids: torch.Tensor) -> list[Detection]:
        """Confidence threshold, class filter, then per-class NMS (seed 004 §22: greedy NMS at IoU ≥ iou).

        xyxy (N, 4) original-image pixels, scores (N,), class_ids (N,) int; returns detections by score.
        """
        keep = scores >= self.config.confidence
        if self._keep_ids is not None:
            keep &= torch.isin(class_ids, torch.tensor(self._keep_ids, device=class_ids.device))
        xyxy, scores, class_ids = xyxy[keep].float(), scores[keep].float(), class_ids[keep]
        kept = torchvision.ops.batched_nms(xyxy, scores, class_ids, self.config.iou)
        return [
            Detection(class_id=int(c), class_name=self.class_names[int(c)], score=float(s), xyxy=box.astype(np.float64))
            for box, s, c in zip(xyxy[kept].cpu().numpy(), scores[kept].cpu().numpy(), class_ids[kept].cpu().numpy())
        ]


def check_config(config: DetectorConfig) -> None:
    """Raise DetectorError on an unusable configuration (called before loading any weights)."""
    if not 0.0 <= config.confidence <= 1.0:
        raise DetectorError(f"confidence {config.confidence} is outside [0, 1]; use e.g. 0.25")
    if not 0.0 < config.iou <= 1.0:
        raise DetectorError(f"iou {config.iou} is outside (0, 1]; use e.g. 0.7")
    if config.image_size is not None and config.image_size < 32:
        raise DetectorError(f"image_size {config.image_size} is too small; use e.g. 640")
    try:
        device = torch.device(config.device)
    except RuntimeError as error:
        raise DetectorError(
            f"device {config.device!r} is not a torch device ({error}); use 'cpu' or 'cuda:0'"
        ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise DetectorError(f"device {config.device!r} requested but no CUDA GPU is available; use device='cpu'")
    if config.half and device.type != "cuda":
        raise DetectorError("half precision needs a CUDA device; set half=False on the CPU")
    if config.runtime not in RUNTIMES:
        raise DetectorError(f"detector runtime {config.runtime!r} is unknown; use one of {RUNTIMES}")
    if config.runtime == "onnxruntime" and (config.backend != "yolo" or device.type != "cpu"):
        raise DetectorError(
            f"runtime 'onnxruntime' runs YOLO on the CPU only (got backend {config.backend!r}, "
            f"device {config.device!r}); use runtime 'torch'"
        )
    if config.threads < 0:
        raise DetectorError(f"threads {config.threads} is negative; use 0 (the runtime's default) or a core count")


def as_rgb(image: np.ndarray, encoding: str = "rgb8") -> np.ndarray:
    """Check an input image and return it as contiguous (H, W, 3) uint8 RGB.

    encoding: "rgb8" or "bgr8" (OpenCV order, flipped here); anything else is refused with the fix.
    """
    if encoding not in ENCODINGS:
        raise DetectorError(
            f"image encoding {encoding!r} is not supported; convert to 'rgb8' "
            f"(e.g. cv2.cvtColor) or pass one of {ENCODINGS}"
        )
    if not isinstance(image, np.ndarray):
        raise DetectorError(f"image must be a numpy array, got {type(image).__name__}; use np.asarray(image)")
    if image.size == 0:
        raise DetectorError(f"image is empty (shape {image.shape}); pass an (H, W, 3) uint8 RGB frame")
    if image.ndim != 3 or image.shape[2] != 3:
        channels = 1 if image.ndim == 2 else image.shape[-1]
        fix = (
            "drop the alpha channel: image[..., :3]"
            if image.ndim == 3 and channels == 4
            else "convert grey to RGB: np.repeat(image[..., None], 3, axis=2)"
            if image.ndim == 2
            else "pass an (H, W, 3) RGB image"
        )
        raise DetectorError(f"image has shape {image.shape} ({channels} channels), expected (H, W, 3); {fix}")
    if image.dtype != np.uint8:
        raise DetectorError(
            f"image dtype is {image.dtype}, expected uint8; scale to 8-bit first "
            "(e.g. (image / 257).astype(np.uint8) for 16-bit)"
        )
    if min(image.shape[:2]) < MIN_IMAGE_SIDE:
        raise DetectorError(
            f"image of {image.shape[1]}×{image.shape[0]} px is too small; each side must be ≥ {MIN_IMAGE_SIDE} px"
        )
    if encoding == "bgr8":
        image = image[..., ::-1]
    return np.ascontiguousarray(image)
