"""The detector weights shipped with the package (trained on our simulator; see docs/detection.md)."""
from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "detection"
SHIPPED = {"yolo": ASSETS / "yolov8n_sim.pt", "detr": ASSETS / "detr_sim"}


def shipped_weights(backend: str) -> Path:
    """Path of the shipped weights for `backend` ("yolo": a .pt file, "detr": a save_pretrained dir)."""
    if backend not in SHIPPED:
        raise ValueError(f"no shipped weights for backend {backend!r}; use one of {sorted(SHIPPED)}")
    path = SHIPPED[backend]
    if not path.exists():
        raise FileNotFoundError(f"shipped {backend} weights {path} are missing; train them with "
                                f"`visuomotor train detector --backend {backend}` or pass weights:=<path>")
    return path
