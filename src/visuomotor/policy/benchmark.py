"""`visuomotor bench policy`: wall-clock latency of one ACT policy query (observation → action chunk, z = 0,
batch 1) on this machine, in state mode (goal ≤ STATE_GOAL_MS) and in one-camera image mode (ResNet18 trunk on a
480×640 frame resized to the model's input size), beside the seed 004 §29.5 budget for action generation."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from visuomotor.policy.act import ACT, ACTConfig
from visuomotor.policy.checkpoint import load_policy
from visuomotor.policy.normalization import NormalizationStats
from visuomotor.policy.runner import PolicyRunner
from visuomotor.statistics import LatencySummary, latency_summary, meets_goal

STATE_GOAL_MS = 5.0
SEED_ACT_BUDGET_MS = 20.0  # seed 004 §29.5 latency table, "Action generation (ACT)"
CAMERA_FRAME = (480, 640)  # D455-like colour frame (seed 004 §29.3.2)


def time_queries(runner: PolicyRunner, observation: dict, iterations: int, warmup: int = 5) -> LatencySummary:
    """Latency of runner.predict_chunk over `iterations` calls after `warmup` (statistics.latency_summary, ms)."""
    for _ in range(warmup):
        runner.predict_chunk(**observation)
    times = []
    for _ in range(iterations):
        tick = time.perf_counter()
        runner.predict_chunk(**observation)
        times.append(1e3 * (time.perf_counter() - tick))
    return latency_summary(times)


def cpu_description() -> str:
    """CPU model (from /proc/cpuinfo on Linux) and logical core count."""
    info = Path("/proc/cpuinfo")
    names = (
        [line.split(":", 1)[1].strip() for line in info.read_text().splitlines() if line.startswith("model name")]
        if info.exists()
        else []
    )
    return f"{names[0] if names else platform.machine()}, {os.cpu_count()} logical cores"


def _neutral_stats(config: ACTConfig) -> NormalizationStats:
    return NormalizationStats(
        np.zeros(config.state_dim), np.ones(config.state_dim), np.zeros(config.action_dim), np.ones(config.action_dim)
    )


def benchmark_policy(checkpoint: str | None, iterations: int, image_size: tuple[int, int]) -> dict:
    """Query latency in state mode (torch and ONNX Runtime) and image mode, in this process's torch threads."""
    torch.manual_seed(0)
    if checkpoint:
        model, stats, _ = load_policy(checkpoint)
        if model.config.camera_names:
            raise ValueError("--checkpoint must be a state-mode policy; image mode is timed on a fresh model")
    else:
        model = ACT(ACTConfig()).eval()
        stats = _neutral_stats(model.config)
    observation = {"qpos": np.zeros(7), "object_position": np.array([0.45, -0.05, 0.02])}
    state = time_queries(PolicyRunner(model, stats), observation, iterations)
    state_onnx = time_queries(PolicyRunner(model, stats, runtime="onnxruntime"), observation, iterations)

    image_config = ACTConfig(
        **{
            **model.config.to_json_dict(),
            "camera_names": ("fixed",),
            "image_height": image_size[0],
            "image_width": image_size[1],
        }
    )
    image_model = ACT(image_config).eval()
    frame = np.random.default_rng(0).integers(0, 256, (*CAMERA_FRAME, 3), dtype=np.uint8)
    image = time_queries(
        PolicyRunner(image_model, stats),
        {**observation, "images": {"fixed": frame}},
        max(10, iterations // 10),
        warmup=2,
    )
    return {
        "machine": cpu_description(),
        "cpu_threads": torch.get_num_threads(),
        "device": "cpu",
        "model": {
            name: getattr(model.config, name)
            for name in (
                "d_model",
                "n_heads",
                "d_feedforward",
                "n_cvae_layers",
                "n_encoder_layers",
                "n_decoder_layers",
                "chunk_size",
                "latent_dim",
            )
        },
        "parameters_state_mode": sum(p.numel() for p in model.parameters()),
        "checkpoint": checkpoint,
        "state_mode": {**state, "goal_ms": STATE_GOAL_MS, "meets_goal": meets_goal(state, STATE_GOAL_MS)},
        "state_mode_onnxruntime": {
            **state_onnx,
            "goal_ms": STATE_GOAL_MS,
            "meets_goal": meets_goal(state_onnx, STATE_GOAL_MS),
        },
        "image_mode": {
            **image,
            "camera_frame": list(CAMERA_FRAME),
            "model_input": list(image_size),
            "seed_budget_ms": SEED_ACT_BUDGET_MS,
            "meets_budget": meets_goal(image, SEED_ACT_BUDGET_MS),
        },
    }
