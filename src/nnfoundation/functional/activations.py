"""Activation functions and softmax (seed 004 §3.3, §4.4, §11.1)."""

from __future__ import annotations

import numpy as np

from nnfoundation.ops import where
from nnfoundation.tensor import Tensor


def relu(x: Tensor) -> Tensor:
    """ReLU(x) = max(0, x) (seed 004 §3.3)."""
    return x.relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, αx otherwise (seed 004 §3.3)."""
    return where(x.data > 0, x, x * negative_slope)


def sigmoid(x: Tensor) -> Tensor:
    """σ(x) = 1 / (1 + e^-x) (seed 000 §1, seed 004 §3.3)."""
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """p_i = e^(z_i - max z) / Σ_j e^(z_j - max z) (seed 004 eqs. 11.1–11.3).

    Vector-Jacobian product: dL/dz = p ⊙ (g - Σ_j g_j p_j).
    """
    shifted = x.data - np.max(x.data, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    p = exps / exps.sum(axis=axis, keepdims=True)
    return Tensor.from_op(p, (x,), lambda g: (p * (g - (g * p).sum(axis=axis, keepdims=True)),))


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """log p_i = z'_i - logsumexp(z') with z' = z - max z (seed 004 eq. 11.4).

    Vector-Jacobian product: dL/dz = g - softmax(z) Σ_j g_j.
    """
    shifted = x.data - np.max(x.data, axis=axis, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return Tensor.from_op(out, (x,), lambda g: (g - np.exp(out) * g.sum(axis=axis, keepdims=True),))
