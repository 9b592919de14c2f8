"""Affine map and inverted dropout (seed 004 §3.1, §8.4.3)."""

from __future__ import annotations

import numpy as np

from nnfoundation.tensor import Tensor


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b; x: (..., in), W: (out, in), b: (out,) → y: (..., out) (seed 004 §3.1).

    Leading axes are folded into one so forward and weight gradient are single 2-D GEMMs.
    """
    if x.ndim > 2:
        lead = x.shape[:-1]
        return linear(x.reshape(-1, x.shape[-1]), weight, bias).reshape(*lead, weight.shape[0])
    y = x @ weight.T
    return y if bias is None else y + bias


def dropout(x: Tensor, p: float, training: bool, rng: np.random.Generator) -> Tensor:
    """Inverted dropout: ã = m ⊙ a / q, m ~ Bernoulli(q), q = 1 - p (seed 004 eqs. 8.27–8.29).

    Identity when not training or p == 0, so inference needs no rescaling.
    """
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability p={p} must be in [0, 1)")
    if not training or p == 0.0:
        return x
    keep = 1.0 - p
    mask = (rng.random(x.shape) < keep).astype(x.dtype) / keep
    return x * mask
