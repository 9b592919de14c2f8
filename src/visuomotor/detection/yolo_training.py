"""Train YOLO (ultralytics) from a model yaml on a dataset written by dataset.make_dataset.

ultralytics does the loop (progress bars, per-epoch val metrics in results.csv, last.pt/best.pt
checkpoints, resume from last.pt). We run it offline, from random init (no pretrained weights exist
here) or, with init_weights, from one of our own checkpoints (fine-tuning: same architecture and classes,
new data), and copy the best checkpoint, stripped to inference weights, to OUT/model.pt (YoloDetector).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import torch

RUN_NAME = "yolo"


@dataclass(frozen=True)
class YoloTrainConfig:
    """model: ultralytics model yaml; image_size: train/val letterbox side (multiple of 32); batch: images
    per step; workers: data-loader processes (0 = in the main process); cache: keep decoded, resized
    training images in RAM (saves the JPEG decode every epoch); patience: epochs without improvement
    before stopping early; init_weights: a YOLO .pt checkpoint to start from instead of model's random
    init (its classes must be the dataset's, checked by checkpoint_class_names)."""

    model: str = "yolov8n.yaml"
    epochs: int = 30
    image_size: int = 320
    batch: int = 16
    seed: int = 0
    workers: int = 0
    cache: bool = True
    patience: int = 100
    init_weights: Path | None = None


def default_device() -> str:
    """The first CUDA GPU when present, else the CPU."""
    return "0" if torch.cuda.is_available() else "cpu"


def checkpoint_class_names(weights: Path) -> list[str]:
    """The class names of a YOLO .pt checkpoint, in class-id order."""
    from ultralytics import YOLO

    names = YOLO(str(weights)).names
    return [names[i] for i in sorted(names)]


def train_yolo(data_dir: Path, out_dir: Path, config: YoloTrainConfig, resume: bool = False) -> Path:
    """Train (or resume) into out_dir/yolo/; returns out_dir/model.pt (the best epoch by val fitness)."""
    from ultralytics import YOLO
    from ultralytics.utils.torch_utils import strip_optimizer

    run_dir = Path(out_dir).resolve() / RUN_NAME
    last = run_dir / "weights" / "last.pt"
    if resume:
        if not last.is_file():
            raise FileNotFoundError(f"nothing to resume: {last} does not exist; train without --resume first")
        YOLO(str(last)).train(resume=True)
    else:
        device = default_device()
        YOLO(str(config.init_weights) if config.init_weights else config.model).train(
            data=str(Path(data_dir).resolve() / "data.yaml"),
            epochs=config.epochs,
            imgsz=config.image_size,
            batch=config.batch,
            seed=config.seed,
            deterministic=True,
            workers=config.workers,
            device=device,
            cache="ram" if config.cache else False,
            amp=device != "cpu",
            plots=False,
            project=str(run_dir.parent),
            name=RUN_NAME,
            exist_ok=True,
            patience=config.patience,
            val=True,
            verbose=False,
        )
    best = run_dir / "weights" / "best.pt"
    model_path = Path(out_dir) / "model.pt"
    shutil.copyfile(best if best.is_file() else last, model_path)
    strip_optimizer(str(model_path))  # inference weights only: drops optimiser state and the training EMA copy
    return model_path
