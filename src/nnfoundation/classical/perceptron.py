"""The perceptron learning algorithm (seed 004 §2.3).

Labels y ∈ {−1, +1}; prediction ŷ = sign(wᵀx + b) with sign(0) = +1 (seed 004 eq. 2.2, 2.9). Starting
from w₀ = 0, b₀ = 0, each example with y_i(wᵀx_i + b) ≤ 0 (eq. 2.10) triggers the update
w ← w + η y_i x_i, b ← b + η y_i (eq. 2.11-2.12). Examples are visited in order, epoch after epoch,
until an epoch makes no mistake. On linearly separable data the number of updates is at most
(R/γ)² (eq. 2.15), R and γ measured on augmented inputs [x, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PerceptronResult:
    """Learned weights (d,), bias, number of updates (mistakes) and whether an epoch ended error-free."""

    weights: np.ndarray
    bias: float
    updates: int
    converged: bool


def perceptron_predict(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    """ŷ = sign(wᵀx + b) ∈ {−1, +1} for inputs (m, d) (seed 004 eq. 2.9, with sign(0) = +1)."""
    return np.where(np.asarray(x, dtype=np.float64) @ weights + bias >= 0, 1, -1)


def train_perceptron(
    x: np.ndarray, y: np.ndarray, learning_rate: float = 1.0, max_epochs: int = 1000
) -> PerceptronResult:
    """Run the perceptron learning algorithm on inputs x (m, d) and labels y (m,) in {−1, +1}."""
    inputs = np.asarray(x, dtype=np.float64)
    labels = np.asarray(y)
    if inputs.ndim != 2 or labels.shape != (inputs.shape[0],):
        raise ValueError(f"x must be (m, d) and y (m,); got {inputs.shape} and {labels.shape}")
    if not np.all(np.isin(labels, (-1, 1))):
        raise ValueError("y must contain only -1 and +1 labels (map {0, 1} labels with y = 2·label − 1)")
    if learning_rate <= 0 or max_epochs < 1:
        raise ValueError(f"learning_rate must be > 0 and max_epochs >= 1, got {learning_rate} and {max_epochs}")
    weights = np.zeros(inputs.shape[1])
    bias = 0.0
    updates = 0
    for _ in range(max_epochs):
        mistakes = 0
        for sample, label in zip(inputs, labels):
            if label * (weights @ sample + bias) <= 0:
                weights = weights + learning_rate * label * sample
                bias += learning_rate * label
                mistakes += 1
        updates += mistakes
        if mistakes == 0:
            return PerceptronResult(weights=weights, bias=bias, updates=updates, converged=True)
    return PerceptronResult(weights=weights, bias=bias, updates=updates, converged=False)
