"""Train YOLO (ultralytics) from a model yaml on a dataset written by dataset.make_dataset.

ultralytics does the loop (progress bars, per-epoch val metrics in results.csv, last.pt/best.pt
checkpoints, resume from last.pt). We run it offline, from random init (no pretrained weights exist
here) or, with init_weights, from one of our own checkpoints (fine-tuning: same architecture and classes,
new data), and copy the best checkpoint, stripped to inference weights, to OUT/model.pt (YoloDetector).

No weights file runs code (safe_weights.py): init_weights, and on resume every .pt of the run (ultralytics
reads last.pt and strips best.pt with weights_only=False at the end), are scanned before ultralytics opens
them, and ultralytics itself loads with ULTRALYTICS_SAFE_LOAD. A resumed run reads the dataset given now,
never the data path stored inside last.pt.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch

from visuomotor.detection.safe_weights import check_yolo_weights, load_yolo, refusal

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
    names = load_yolo(weights).names
    return [names[i] for i in sorted(names)]


def train_yolo(data_dir: Path, out_dir: Path, config: YoloTrainConfig, resume: bool = False) -> Path:
    """Train (or resume) into out_dir/yolo/; returns out_dir/model.pt (the best epoch by val fitness).

    Raises FileNotFoundError (nothing to resume), DetectorError / UnsafeWeightsError (a weights file that is
    corrupt or would run code)."""
    run_dir = Path(out_dir).resolve() / RUN_NAME
    last = run_dir / "weights" / "last.pt"
    data = str(Path(data_dir).resolve() / "data.yaml")
    if resume:
        if not last.is_file():
            raise FileNotFoundError(f"nothing to resume: {last} does not exist; train without --resume first")
        for checkpoint in sorted(last.parent.glob("*.pt")):
            check_yolo_weights(checkpoint)
        with _refusals_named(last):
            load_yolo(last).train(resume=True, data=data)
    else:
        start = config.init_weights or config.model
        with _refusals_named(start):
            _train_new(start, data, run_dir, config)
    best = run_dir / "weights" / "best.pt"
    model_path = Path(out_dir) / "model.pt"
    shutil.copyfile(best if best.is_file() else last, model_path)
    check_yolo_weights(model_path)  # strip_optimizer unpickles it with weights_only=False
    from ultralytics.utils.torch_utils import strip_optimizer

    strip_optimizer(str(model_path))  # inference weights only: drops optimiser state and the training EMA copy
    return model_path


def _train_new(start: Path | str, data: str, run_dir: Path, config: YoloTrainConfig) -> None:
    device = default_device()
    load_yolo(start).train(
        data=data,
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


@contextmanager
def _refusals_named(weights: Path | str) -> Iterator[None]:
    """ultralytics' restricted loading refusing part of `weights` while it builds the model to train (a yaml
    activation that is code) becomes an UnsafeWeightsError naming the file; other errors pass unchanged."""
    try:
        yield
    except TypeError as error:
        unsafe = refusal(weights, error)
        if unsafe is None:
            raise
        raise unsafe from None
