"""Shared fixtures: real photographs shipped with ultralytics, a tiny DETR saved to disk."""

from pathlib import Path

import cv2
import numpy as np
import pytest

PHOTOS = Path(__import__("ultralytics").__file__).parent / "assets"


@pytest.fixture(scope="session")
def real_images() -> list[np.ndarray]:
    """Real RGB photographs at two aspect ratios (810×1080 portrait, 1280×720 landscape) plus 640×480 and
    an odd-sized 333×251 crop."""
    bus = cv2.cvtColor(cv2.imread(str(PHOTOS / "bus.jpg")), cv2.COLOR_BGR2RGB)
    zidane = cv2.cvtColor(cv2.imread(str(PHOTOS / "zidane.jpg")), cv2.COLOR_BGR2RGB)
    return [bus, zidane, cv2.resize(zidane, (640, 480)), np.ascontiguousarray(bus[100:351, 200:533])]


@pytest.fixture(scope="session")
def tiny_detr_dir(tmp_path_factory) -> Path:
    """A small randomly initialised DETR (3 classes) written with save_pretrained."""
    from visuomotor.detection.detr_model import DetrSize, build_detr, save_detr

    directory = tmp_path_factory.mktemp("tiny_detr")
    model, processor = build_detr(
        ["red_cube", "blue_sphere", "green_cylinder"],
        DetrSize(
            d_model=32,
            encoder_layers=1,
            decoder_layers=1,
            attention_heads=2,
            ffn_dim=64,
            num_queries=30,
            image_size=320,
        ),
    )
    save_detr(model, processor, directory)
    return directory


@pytest.fixture(scope="session")
def sim_dataset(tmp_path_factory):
    """(directory, spec, summary) of a 5-scene dataset rendered by the dataset writer."""
    import os

    os.environ.setdefault("MUJOCO_GL", "egl")
    from visuomotor.detection.dataset import DatasetSpec, make_dataset

    spec = DatasetSpec(num_scenes=5, seed=7)
    out = tmp_path_factory.mktemp("dataset")
    return out, spec, make_dataset(spec, out)
