"""Batch, layer, group and instance normalisation (seed 004 §7.4, §8.4.4, §14.2–14.4)."""

from __future__ import annotations

import numpy as np

from nnfoundation.tensor import Tensor, no_grad


def standardize(x: Tensor, axes: tuple[int, ...], eps: float) -> Tensor:
    """ẑ = (z - μ) / sqrt(σ² + ε), μ and biased σ² over `axes` (seed 004 eqs. 7.11–7.13)."""
    centered = x - x.mean(axis=axes, keepdims=True)
    variance = (centered * centered).mean(axis=axes, keepdims=True)
    return centered / (variance + eps).sqrt()


def _channel_affine(z: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    """y = γ_c ẑ + β_c with γ, β of shape (C,) applied on axis 1 of (N, C, ...)."""
    shape = (1, -1) + (1,) * (z.ndim - 2)
    if weight is not None:
        z = z * weight.reshape(shape)
    if bias is not None:
        z = z + bias.reshape(shape)
    return z


def batch_norm(
    x: Tensor,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    weight: Tensor | None,
    bias: Tensor | None,
    training: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation over (N, C) or (N, C, H, W) per channel (seed 004 eqs. 8.30–8.33, 14.3).

    Training normalises with the batch statistics and updates the running buffers in place,
    μ_run ← α μ_run + (1 - α) μ_B with α = 1 - momentum (seed 004 eq. 14.4; σ²_run takes the unbiased
    batch variance, as torch does); evaluation normalises with the running buffers.
    """
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        count = x.size // x.shape[1]
        if count < 2:
            raise ValueError(f"batch_norm in training needs more than one value per channel, got shape {x.shape}")
        z = standardize(x, axes, eps)
        with no_grad():
            mean = x.data.mean(axis=axes)
            unbiased = x.data.var(axis=axes) * count / (count - 1)
            running_mean *= 1.0 - momentum
            running_mean += momentum * mean
            running_var *= 1.0 - momentum
            running_var += momentum * unbiased
    else:
        z = (x - running_mean.reshape(shape).astype(x.dtype)) / np.sqrt(running_var.reshape(shape) + eps).astype(
            x.dtype
        )
    return _channel_affine(z, weight, bias)


def layer_norm(
    x: Tensor,
    normalized_shape: tuple[int, ...],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing `normalized_shape` axes of each sample; γ, β elementwise
    (seed 004 eqs. 14.5–14.6)."""
    axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    z = standardize(x, axes, eps)
    if weight is not None:
        z = z * weight
    if bias is not None:
        z = z + bias
    return z


def group_norm(
    x: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5
) -> Tensor:
    """Normalise each of G channel groups of every sample over its C/G·H·W values (seed 004 eq. 14.7)."""
    n, c = x.shape[:2]
    if c % num_groups:
        raise ValueError(f"group_norm: {c} channels cannot be split into {num_groups} equal groups")
    z = standardize(x.reshape(n, num_groups, -1), (2,), eps).reshape(x.shape)
    return _channel_affine(z, weight, bias)


def instance_norm(x: Tensor, weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise every channel of every sample over its H·W values (seed 004 eq. 14.8)."""
    z = standardize(x, tuple(range(2, x.ndim)), eps)
    return _channel_affine(z, weight, bias)
