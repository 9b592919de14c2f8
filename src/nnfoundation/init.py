"""Weight initialisation by variance matching (seed 000 §8, seed 001 §3.3, seed 002 §8).

Glorot/Xavier: Var(W) = 2 / (n_in + n_out) (sigmoid, tanh); He/Kaiming: Var(W) = 2 / n_in (ReLU).
A uniform U(-a, a) has variance a²/3, so the uniform variants use a = sqrt(3 Var). Every function
takes a seeded `numpy.random.Generator` and returns a new array of `shape`.
Fans of a (C_out, C_in, K_h, K_w) kernel are n_in = C_in K_h K_w and n_out = C_out K_h K_w.
"""

from __future__ import annotations

import numpy as np


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(n_in, n_out) of a weight of shape (out, in, *kernel)."""
    if len(shape) < 2:
        raise ValueError(f"fans need a weight with at least 2 dimensions, got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def xavier_normal(shape, rng: np.random.Generator, gain: float = 1.0, dtype=np.float32) -> np.ndarray:
    """N(0, gain² · 2 / (n_in + n_out))."""
    n_in, n_out = fans(tuple(shape))
    return (rng.standard_normal(shape) * gain * np.sqrt(2.0 / (n_in + n_out))).astype(dtype)


def xavier_uniform(shape, rng: np.random.Generator, gain: float = 1.0, dtype=np.float32) -> np.ndarray:
    """U(-a, a), a = gain · sqrt(6 / (n_in + n_out))."""
    n_in, n_out = fans(tuple(shape))
    bound = gain * np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def kaiming_normal(shape, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """N(0, 2 / n_in)."""
    n_in, _ = fans(tuple(shape))
    return (rng.standard_normal(shape) * np.sqrt(2.0 / n_in)).astype(dtype)


def kaiming_uniform(shape, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """U(-a, a), a = sqrt(6 / n_in)."""
    n_in, _ = fans(tuple(shape))
    bound = np.sqrt(6.0 / n_in)
    return rng.uniform(-bound, bound, size=shape).astype(dtype)
