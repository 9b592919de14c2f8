"""Gradient clipping (seed 004 §8.5.1, §15.7)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from nnfoundation.tensor import Tensor


def clip_grad_norm(params: Iterable[Tensor], max_norm: float, eps: float = 1e-6) -> float:
    """g ← g · min(1, τ / (‖g‖₂ + eps)) over the global norm of all gradients (seed 004 eq. 8.34;
    `eps` guards the division, as in torch). Returns ‖g‖₂ before clipping."""
    grads = [p.grad for p in params if p.grad is not None]
    total = float(np.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads)))
    scale = min(1.0, max_norm / (total + eps))
    if scale < 1.0:
        for g in grads:
            g *= scale
    return total


def clip_grad_value(params: Iterable[Tensor], clip_value: float) -> None:
    """g ← clip(g, -c, c) elementwise."""
    for p in params:
        if p.grad is not None:
            np.clip(p.grad, -clip_value, clip_value, out=p.grad)
