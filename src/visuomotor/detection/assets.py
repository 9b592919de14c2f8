"""The detector weights shipped with the package (trained on the sim dataset; model card in docs/detection.md)."""

from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "detection"
SHIPPED_YOLO = ASSETS / "yolov8n_sim.pt"  # ultralytics checkpoint
SHIPPED_DETR = ASSETS / "detr_sim"  # save_pretrained directory (float16)


def backend_of(weights: str | Path) -> str:
    """ "detr" for a save_pretrained directory, else "yolo" (.pt checkpoint or model .yaml)."""
    return "detr" if Path(weights).is_dir() else "yolo"
