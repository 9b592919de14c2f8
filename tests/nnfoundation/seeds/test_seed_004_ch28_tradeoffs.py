"""Seed 004 §28.4.1 efficiency = mAP / latency(ms) × 100, recomputed from the seed's own §27.5.1 fps table."""

from __future__ import annotations

import pytest

FPS_AND_MAP = {"YOLO-v8s": (60, 44.9), "YOLO-v8m": (30, 50.2), "DETR": (20, 45.0), "Swin-T DETR": (15, 49.7)}  # §27.5.1


def efficiency(model: str) -> float:
    fps, map_value = FPS_AND_MAP[model]
    return map_value / (1000.0 / fps) * 100  # eq. 28.1


def test_efficiency_from_the_benchmark_table() -> None:
    # the seed's table prints 0.75, 1.67, 0.27, 0.90 and calls YOLO-v8m the most efficient
    assert efficiency("YOLO-v8s") == pytest.approx(269.4)
    assert efficiency("YOLO-v8m") == pytest.approx(150.6)
    assert efficiency("DETR") == pytest.approx(90.0)
    assert efficiency("Swin-T DETR") == pytest.approx(74.55)
    assert max(FPS_AND_MAP, key=efficiency) == "YOLO-v8s"
