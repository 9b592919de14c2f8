"""nnfoundation side of `visuomotor bench nn`: three float32 workloads and a timer (NumPy only).

The torch twins live in `visuomotor.commands.bench_nn`, so this module never imports torch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import nnfoundation as nf
import nnfoundation.functional as F
import nnfoundation.nn as nn
import nnfoundation.optim as optim


@dataclass(frozen=True)
class BenchConfig:
    mlp_sizes: tuple[int, int, int] = (784, 256, 10)  # in, hidden, classes
    mlp_batch: int = 64
    conv_input: tuple[int, int, int, int] = (32, 3, 32, 32)  # N, C, H, W
    conv_out_channels: int = 16
    conv_kernel: int = 3
    transformer_batch: int = 8
    transformer_length: int = 64
    d_model: int = 128
    heads: int = 4
    dim_feedforward: int = 512
    repeats: int = 30
    warmup: int = 3
    seed: int = 0


def paired_milliseconds(
    first: Callable[[], object], second: Callable[[], object], repeats: int, warmup: int
) -> tuple[float, float]:
    """Fastest wall time per call, in ms, of two functions timed alternately (first, second, first, ...)
    after `warmup` untimed calls of each. Alternating exposes both to the same drifting machine load,
    and the minimum (as `timeit` recommends) discards the time other processes added on a shared CPU."""
    for _ in range(warmup):
        first()
        second()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for fn, bucket in zip((first, second), samples):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return float(np.min(samples[0]) * 1e3), float(np.min(samples[1]) * 1e3)


def inputs(config: BenchConfig) -> dict[str, np.ndarray]:
    """The shared random float32 inputs both frameworks run on."""
    rng = np.random.default_rng(config.seed)
    d_in, _, classes = config.mlp_sizes
    return {
        "mlp_x": rng.standard_normal((config.mlp_batch, d_in)).astype(np.float32),
        "mlp_y": rng.integers(0, classes, config.mlp_batch),
        "conv_x": rng.standard_normal(config.conv_input).astype(np.float32),
        "tokens": rng.standard_normal((config.transformer_batch, config.transformer_length, config.d_model)).astype(
            np.float32
        ),
    }


def mlp_train_step(config: BenchConfig, data: dict[str, np.ndarray]) -> Callable[[], float]:
    """Linear-ReLU-Linear, cross-entropy, backward, SGD step."""
    rng = np.random.default_rng(config.seed)
    d_in, hidden, classes = config.mlp_sizes
    model = nn.Sequential(nn.Linear(d_in, hidden, rng=rng), nn.ReLU(), nn.Linear(hidden, classes, rng=rng))
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    x = nf.Tensor(data["mlp_x"])

    def step() -> float:
        optimizer.zero_grad()
        loss = F.cross_entropy_with_logits(model(x), data["mlp_y"])
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def conv_forward_backward(config: BenchConfig, data: dict[str, np.ndarray]) -> Callable[[], None]:
    """Conv2d (padding 1) forward, then backward of the output sum to input and weights."""
    conv = nn.Conv2d(
        config.conv_input[1],
        config.conv_out_channels,
        config.conv_kernel,
        padding=config.conv_kernel // 2,
        rng=np.random.default_rng(config.seed),
    )

    def run() -> None:
        x = nf.Tensor(data["conv_x"], requires_grad=True)
        conv.zero_grad()
        conv(x).sum().backward()

    return run


def transformer_block_forward(config: BenchConfig, data: dict[str, np.ndarray]) -> Callable[[], object]:
    """One post-norm encoder block, inference (no graph)."""
    block = nn.TransformerEncoderLayer(
        config.d_model, config.heads, config.dim_feedforward, dropout=0.0, rng=np.random.default_rng(config.seed)
    )
    block.eval()
    x = nf.Tensor(data["tokens"])

    def run():
        with nf.no_grad():
            return block(x)

    return run
