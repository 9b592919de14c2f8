"""Dense layers, activations, dropout and flatten as modules (seed 004 §3, §8.4.3)."""

from __future__ import annotations

import numpy as np

from nnfoundation import functional as F
from nnfoundation import init
from nnfoundation.nn.module import Module, Parameter, default_rng
from nnfoundation.tensor import Tensor


class Linear(Module):
    """y = x Wᵀ + b, W: (out, in) He-uniform initialised, b zero (seed 004 §3.1, seed 001 §3.3)."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: np.random.Generator | None = None,
        dtype=np.float32,
    ):
        super().__init__()
        self.weight = Parameter(init.kaiming_uniform((out_features, in_features), default_rng(rng), dtype))
        self.bias = Parameter(np.zeros(out_features, dtype=dtype)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class Dropout(Module):
    """Inverted dropout with drop probability p while training (seed 004 §8.4.3)."""

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None):
        super().__init__()
        self.p = p
        self.rng = default_rng(rng)

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training, self.rng)


class Flatten(Module):
    """(N, d1, d2, ...) → (N, d1·d2·...) (seed 000 §11 "Flatten")."""

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(1)
