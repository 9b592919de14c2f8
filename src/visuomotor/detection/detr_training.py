"""Train a small DETR from scratch on a dataset written by dataset.make_dataset.

Loss (seed 004 §24): Hungarian matching of queries to ground truth, then class cross-entropy + L1 box +
GIoU, as transformers' DetrForObjectDetection computes it when given labels. Inputs and targets go
through the model's own image processor (resize so the longer side is image_size, normalise; boxes to
normalised cx, cy, w, h). Without pretrained weights the backbone needs real batch statistics, so the
frozen batch norms DETR puts in its backbone are trained as ordinary BatchNorm2d; their state-dict keys
are the same, so the saved model loads back (frozen, with the learned statistics) as a plain DETR.

Run directory OUT: detr/checkpoint.pt (model, optimiser, epoch, metrics; resume from it),
metrics.jsonl (one line per epoch: train loss, val mAP), model/ (best epoch by val mAP@0.5:0.95, the
later one on ties; float16 save_pretrained directory loadable by DetrDetector).
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

import cv2
import numpy as np
import torch
from tqdm import tqdm

from visuomotor.detection.config import DetectorConfig
from visuomotor.detection.detr_model import DetrSize, build_detr, save_detr
from visuomotor.detection.evaluation import EVAL_CONFIDENCE, evaluate, load_split


@dataclass(frozen=True)
class DetrTrainConfig:
    """epochs; image_size: longest side fed to DETR, px; batch: images per step; lr: AdamW learning rate;
    weight_decay; clip_norm: gradient-norm clip (DETR uses 0.1); seed: init and shuffling."""

    epochs: int = 30
    image_size: int = 640
    batch: int = 4
    lr: float = 2e-4
    weight_decay: float = 1e-4
    clip_norm: float = 0.1
    seed: int = 0


def trainable_batch_norm(module: torch.nn.Module) -> None:
    """Replace DETR's frozen batch norms with trainable BatchNorm2d carrying the same values (in place)."""
    for name, child in module.named_children():
        if type(child).__name__ == "DetrFrozenBatchNorm2d":
            norm = torch.nn.BatchNorm2d(cast(torch.Tensor, child.weight).numel())
            with torch.no_grad():
                for key in ("weight", "bias", "running_mean", "running_var"):
                    getattr(norm, key).copy_(getattr(child, key))
            setattr(module, name, norm)
        else:
            trainable_batch_norm(child)


def frozen_copy(model: torch.nn.Module) -> torch.nn.Module:
    """A copy of the model with its batch norms frozen again (DETR's own layout, for save_pretrained)."""
    from transformers.models.detr.modeling_detr import replace_batch_norm

    exported = copy.deepcopy(model).eval()
    replace_batch_norm(exported)
    return exported


def _read_bgr(path: Path) -> np.ndarray:
    bgr = cv2.imread(str(path))
    if bgr is None:
        raise ValueError(f"cannot read {path}; the dataset is incomplete")
    return bgr


def _batches(coco: dict, data_dir: Path, batch: int, rng: np.random.Generator):
    """Shuffled batches of (RGB images, processor annotations) from a COCO document."""
    by_image: dict[int, list[dict]] = {}
    for annotation in coco["annotations"]:
        by_image.setdefault(annotation["image_id"], []).append(annotation)
    images = coco["images"]
    order = rng.permutation(len(images))
    for start in range(0, len(order), batch):
        selected = [images[i] for i in order[start : start + batch]]
        rgb = [cv2.cvtColor(_read_bgr(data_dir / image["file_name"]), cv2.COLOR_BGR2RGB) for image in selected]
        targets = [{"image_id": image["id"], "annotations": by_image.get(image["id"], [])} for image in selected]
        yield rgb, targets


def train_detr(
    data_dir: Path, out_dir: Path, class_names: list[str], config: DetrTrainConfig, resume: bool = False
) -> Path:
    """Train (or resume) a DETR; returns the directory of the best model (out_dir/model)."""
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    checkpoint_path = out_dir / "detr" / "checkpoint.pt"
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(config.seed)
    model, processor = build_detr(class_names, DetrSize(image_size=config.image_size))
    trainable_batch_norm(model)
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    start_epoch, best_map, history = 0, -1.0, []
    if resume:
        if not checkpoint_path.is_file():
            raise FileNotFoundError(
                f"nothing to resume: {checkpoint_path} does not exist; train without --resume first"
            )
        state = torch.load(checkpoint_path, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_epoch, best_map, history = state["epoch"], state["best_map"], state["history"]
        config = DetrTrainConfig(**{**state["config"], "epochs": config.epochs})
    train = load_split(data_dir, "train")
    size = {"shortest_edge": config.image_size, "longest_edge": config.image_size}
    checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    for epoch in range(start_epoch, config.epochs):
        model.train()
        rng = np.random.default_rng(config.seed * 1000 + epoch)
        losses = []
        bar = tqdm(
            _batches(train, data_dir, config.batch, rng),
            total=-(-len(train["images"]) // config.batch),
            desc=f"epoch {epoch + 1}/{config.epochs}",
            unit="batch",
        )
        for rgb, targets in bar:
            inputs = processor(images=rgb, annotations=targets, size=size, return_tensors="pt")
            labels = [{k: v.to(device) for k, v in label.items()} for label in inputs["labels"]]
            output = model(
                pixel_values=inputs["pixel_values"].to(device),
                pixel_mask=inputs["pixel_mask"].to(device),
                labels=labels,
            )
            optimizer.zero_grad(set_to_none=True)
            output.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm)
            optimizer.step()
            losses.append(output.loss.item())
            bar.set_postfix(loss=f"{np.mean(losses[-20:]):.3f}")
        epoch_dir = out_dir / "detr" / "last"
        save_detr(frozen_copy(model), processor, epoch_dir)
        from visuomotor.detection.detr_backend import DetrDetector

        detector = DetrDetector(
            DetectorConfig(
                "detr", str(epoch_dir), confidence=EVAL_CONFIDENCE, image_size=config.image_size, device=str(device)
            )
        )
        metrics = evaluate(detector, data_dir, "val")
        record = {
            "epoch": epoch + 1,
            "train_loss": float(np.mean(losses)),
            "val_map50": metrics["map50"],
            "val_map50_95": metrics["map50_95"],
        }
        history.append(record)
        print(json.dumps(record), flush=True)
        with open(out_dir / "metrics.jsonl", "a") as log:
            log.write(json.dumps(record) + "\n")
        if metrics["map50_95"] >= best_map:  # on ties the later, longer-trained epoch wins
            best_map = metrics["map50_95"]
            save_detr(frozen_copy(model).half(), processor, out_dir / "model")
        torch.save(
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "epoch": epoch + 1,
                "best_map": best_map,
                "history": history,
                "config": asdict(config),
            },
            checkpoint_path,
        )
    return out_dir / "model"
