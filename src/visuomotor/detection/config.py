"""Configuration of a detector backend."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DetectorConfig:
    """What to load and how to run it.

    backend: "yolo" (ultralytics; weights = a .pt checkpoint or a model .yaml such as "yolov8n.yaml",
    randomly initialised) or "detr" (transformers; weights = a directory written by save_pretrained,
    holding the model and its image processor). confidence: minimum score in [0, 1]. iou: NMS IoU
    threshold in (0, 1]. classes: keep only these class names (None keeps all). device: "cpu", "cuda",
    "cuda:0"... half: float16 inference (CUDA only). image_size: YOLO letterbox side / DETR longest
    image side, pixels (YOLO: a multiple of 32); None = the size the model was trained at (YOLO
    checkpoint's train imgsz, else 640; DETR processor's longest_edge). runtime: what runs the network
    — "torch", or "onnxruntime" (YOLO on the CPU: the fused network exported to ONNX at load, ~30 %
    faster per frame on a CPU); threads: ONNX Runtime's intra-op CPU threads (0 = its default, all cores); torch's
    thread pool is process-wide, set once per process (visuomotor.process.configure_process).
    """

    backend: str
    weights: str
    confidence: float = 0.25
    iou: float = 0.7
    classes: tuple[str, ...] | None = None
    device: str = "cpu"
    half: bool = False
    image_size: int | None = None
    runtime: str = "torch"
    threads: int = 0
