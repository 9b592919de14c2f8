"""Configuration of a detector backend."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DetectorConfig:
    """What to load and how to run it (each field's docstring)."""

    backend: str = "yolo"
    """model family: yolo (ultralytics; weights = a .pt checkpoint or a model .yaml such as yolov8n.yaml,
    randomly initialised) or detr (transformers; weights = a directory written by save_pretrained, holding the
    model and its image processor)"""
    weights: str = ""
    "the model to load (see backend); empty = the backend's shipped weights (visuomotor.detection.assets)"
    confidence: float = 0.25
    "minimum detection score kept, in [0, 1]"
    iou: float = 0.7
    "non-maximum suppression IoU threshold, in (0, 1]"
    classes: tuple[str, ...] | None = None
    "keep only detections of these class names (unset: all classes)"
    device: str = "cpu"
    "torch device: cpu, cuda, cuda:0 …"
    half: bool = False
    "float16 inference (CUDA only)"
    image_size: int | None = None
    """network input side, px: YOLO letterbox side (a multiple of 32) / DETR longest image side; unset = the
    size the model was trained at (YOLO checkpoint's train imgsz, else 640; DETR processor's longest_edge)"""
    runtime: str = "torch"
    """what runs the network: torch, or onnxruntime (YOLO on the CPU: the fused network exported to ONNX at
    load, ~30 % faster per frame on a CPU)"""
    threads: int = 0
    """ONNX Runtime's intra-op CPU threads (0 = its default, all cores); torch's thread pool is process-wide,
    set once per process from the largest threads among its nodes (visuomotor.process.configure_process)"""
