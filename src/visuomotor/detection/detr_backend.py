"""DETR (transformers) behind the Detector interface.

Pre-processing is the model's own image processor (resize so the longer side is image_size, rescale,
ImageNet-normalise; one image, so no padding). DETR predicts, per query, class logits over C classes +
"no object" and a box (cx, cy, w, h) normalised to the image it saw (seed 004 §24). Since the resized
image is the whole original image, x_orig = x_norm · W and y_orig = y_norm · H exactly, whatever
rounding the resize did. score = max softmax over the C real classes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from visuomotor.detection.config import DetectorConfig
from visuomotor.detection.detector import Detector, DetectorError, check_config
from visuomotor.detection.result import Detection


def load_detr(weights: str):
    """(model, image processor) from a save_pretrained directory."""
    from transformers import AutoImageProcessor, AutoModelForObjectDetection

    directory = Path(weights)
    if not directory.is_dir() or not (directory / "config.json").is_file():
        raise DetectorError(
            f"DETR weights {weights!r} is not a save_pretrained directory with config.json; "
            "train one with `visuomotor train detector --backend detr` or use the shipped weights"
        )
    try:
        processor = AutoImageProcessor.from_pretrained(directory)
        model = AutoModelForObjectDetection.from_pretrained(directory)
    except Exception as error:  # transformers/safetensors raise many types for unreadable files
        cause = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DetectorError(
            f"cannot load DETR from {weights!r} ({type(error).__name__}: {cause}); "
            "the directory is incomplete or corrupt — re-train or re-copy it"
        ) from None
    return model, processor


class DetrDetector(Detector):
    """transformers DETR detector; weights: a directory with the model and its image processor."""

    def __init__(self, config: DetectorConfig):
        check_config(config)
        model, self.processor = load_detr(config.weights)
        id2label = model.config.id2label
        image_size = config.image_size or int(self.processor.size["longest_edge"])
        super().__init__(config, [id2label[i] for i in range(len(id2label))], image_size)
        self.network = model.to(self.device).eval()
        self.network = self.network.half() if config.half else self.network.float()
        self.size = {"shortest_edge": image_size, "longest_edge": image_size}

    def _preprocess(self, rgb: np.ndarray) -> dict[str, torch.Tensor]:
        """(H, W, 3) uint8 → pixel_values (1, 3, h', w') normalised, and pixel_mask (1, h', w')."""
        batch = self.processor(images=rgb, size=self.size, return_tensors="pt")
        return {
            "pixel_values": batch["pixel_values"].to(self.device, self.dtype),
            "pixel_mask": batch["pixel_mask"].to(self.device),
        }

    def _infer(self, inputs: dict[str, torch.Tensor]):
        return self.network(**inputs)

    def _postprocess(self, raw, image_hw: tuple[int, int]) -> list[Detection]:
        probabilities = raw.logits[0].float().softmax(dim=-1)[:, :-1]  # (queries, C): drop "no object"
        scores, class_ids = probabilities.max(dim=1)
        cx, cy, w, h = raw.pred_boxes[0].float().unbind(dim=1)
        height, width = image_hw
        scale = torch.tensor([width, height, width, height], dtype=torch.float32, device=cx.device)
        xyxy = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=1) * scale
        xyxy[:, 0::2] = xyxy[:, 0::2].clamp(0, width)
        xyxy[:, 1::2] = xyxy[:, 1::2].clamp(0, height)
        return self._select(xyxy.cpu(), scores.cpu(), class_ids.cpu())
