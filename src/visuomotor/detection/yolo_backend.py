"""YOLO (ultralytics) behind the Detector interface, with our own letterbox pre/post-processing.

The network sees the image letterboxed onto an S×S canvas (letterbox.py); its head returns, per anchor,
(cx, cy, w, h) in canvas pixels and one sigmoid score per class (seed 004 §23, ultralytics' anchor-free
v8 head). We take score = max over classes, convert to xyxy, undo the letterbox exactly, then threshold,
class-filter and NMS (Detector._select).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from visuomotor.detection.config import DetectorConfig
from visuomotor.detection.detector import Detector, DetectorError, check_config
from visuomotor.detection.letterbox import Letterbox
from visuomotor.detection.result import Detection
from visuomotor.onnx_runtime import OnnxRuntimeNetwork

YOLO_STRIDE = 32  # the coarsest feature-map stride; the canvas side must be a multiple of it
DEFAULT_IMAGE_SIZE = 640  # for a model .yaml, which records no training size


def load_yolo_model(weights: str):
    """ultralytics.YOLO from a .pt checkpoint (must exist) or a model .yaml (file or built-in name)."""
    from ultralytics import YOLO

    suffix = Path(weights).suffix
    if suffix not in (".pt", ".yaml", ".yml"):
        raise DetectorError(f"YOLO weights {weights!r} must be a .pt checkpoint or a model .yaml (e.g. yolov8n.yaml)")
    if suffix == ".pt" and not Path(weights).is_file():
        raise DetectorError(
            f"YOLO weights file {weights!r} does not exist; train one with "
            "`visuomotor train detector --backend yolo` or use the shipped weights"
        )
    try:
        return YOLO(weights, task="detect")
    except Exception as error:  # ultralytics raises many types for unreadable files
        cause = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DetectorError(
            f"cannot load YOLO weights {weights!r} ({type(error).__name__}: {cause}); "
            "the file is corrupt or not an ultralytics checkpoint — re-train or re-copy it"
        ) from None


class YoloDetector(Detector):
    """ultralytics YOLO detector; weights: .pt checkpoint or model .yaml (random init); the fused network
    runs in torch or, with runtime "onnxruntime", in ONNX Runtime."""

    def __init__(self, config: DetectorConfig):
        check_config(config)
        model = load_yolo_model(config.weights)
        trained_size = (getattr(model, "ckpt", None) or {}).get("train_args", {}).get("imgsz", DEFAULT_IMAGE_SIZE)
        image_size = config.image_size or int(trained_size)
        if image_size % YOLO_STRIDE:
            raise DetectorError(
                f"YOLO image_size {image_size} is not a multiple of {YOLO_STRIDE}; "
                f"use e.g. {round(image_size / YOLO_STRIDE) * YOLO_STRIDE or YOLO_STRIDE}"
            )
        names = model.names
        super().__init__(config, [names[i] for i in range(len(names))], image_size)
        self.network = model.model.fuse(verbose=False).to(self.device).eval()  # conv + batch norm folded
        self.network = self.network.half() if config.half else self.network.float()
        if config.runtime == "onnxruntime":
            self.network = OnnxRuntimeNetwork(self.network, torch.zeros(1, 3, image_size, image_size), config.threads)

    def _preprocess(self, rgb: np.ndarray) -> torch.Tensor:
        """(H, W, 3) uint8 → (1, 3, S, S) float in [0, 1] on the device."""
        height, width = rgb.shape[:2]
        canvas = Letterbox(width, height, self.image_size).apply_image(rgb)
        tensor = torch.from_numpy(canvas).to(self.device).permute(2, 0, 1)[None]
        return tensor.to(self.dtype) / 255.0

    def _infer(self, inputs: torch.Tensor) -> torch.Tensor:
        """(1, 3, S, S) → (1, 4 + classes, anchors): (cx, cy, w, h) canvas pixels, then class scores."""
        output = self.network(inputs)
        return output[0] if isinstance(output, (list, tuple)) else output

    def _postprocess(self, raw: torch.Tensor, image_hw: tuple[int, int]) -> list[Detection]:
        prediction = raw[0].float().T  # (anchors, 4 + classes)
        scores, class_ids = prediction[:, 4:].max(dim=1)
        candidates = scores >= self.config.confidence
        cxcywh, scores, class_ids = prediction[candidates, :4], scores[candidates], class_ids[candidates]
        half_wh = cxcywh[:, 2:] / 2
        canvas_xyxy = torch.cat([cxcywh[:, :2] - half_wh, cxcywh[:, :2] + half_wh], dim=1)
        letterbox = Letterbox(image_hw[1], image_hw[0], self.image_size)  # the geometry _preprocess used
        xyxy = torch.from_numpy(letterbox.invert_boxes(canvas_xyxy.cpu().numpy())).float()
        return self._select(xyxy, scores.cpu(), class_ids.cpu())
