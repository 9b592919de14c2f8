"""YOLO .pt files that run code when loaded unsafely; each payload creates a marker directory.

- pickle_payload: the classic one, an object whose __reduce__ is os.mkdir(marker) (any torch.load with
  weights_only=False runs it).
- yaml_payload: a real model whose yaml `activation` is code (ultralytics eval()s it when it builds a model
  from a checkpoint: fine-tuning, resuming) — the pickle itself is clean.
- model_call_payload: the pickle calls ultralytics' DetectionModel(cfg) with that yaml — only allowed
  classes are named, so the payload is in the constructor's arguments.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import torch

from visuomotor.detection.assets import SHIPPED_YOLO


class _MkdirOnUnpickle:
    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


class _DetectionModelCall:
    def __init__(self, cfg: dict):
        self.cfg = cfg

    def __reduce__(self):
        from ultralytics.nn.tasks import DetectionModel

        return (DetectionModel, (self.cfg,))


def _shipped_checkpoint() -> dict:
    """The shipped checkpoint (a file we wrote and trust), as ultralytics saves it."""
    return torch.load(SHIPPED_YOLO, map_location="cpu", weights_only=False)


def _code_activation(marker: Path) -> str:
    return f"__import__('os').mkdir({str(marker)!r}) or nn.SiLU()"


def pickle_payload(path: Path, marker: Path) -> Path:
    torch.save({"model": _MkdirOnUnpickle(marker), "train_args": {}}, path)
    return path


def yaml_payload(path: Path, marker: Path) -> Path:
    checkpoint = _shipped_checkpoint()
    checkpoint["model"].yaml["activation"] = _code_activation(marker)
    torch.save(checkpoint, path)
    return path


def model_call_payload(path: Path, marker: Path) -> Path:
    checkpoint = _shipped_checkpoint()
    cfg = copy.deepcopy(checkpoint["model"].yaml)
    cfg["activation"] = _code_activation(marker)
    checkpoint["model"] = _DetectionModelCall(cfg)
    torch.save(checkpoint, path)
    return path


PAYLOADS = {"pickle": pickle_payload, "yaml": yaml_payload, "model_call": model_call_payload}
