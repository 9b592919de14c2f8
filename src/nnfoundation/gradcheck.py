"""Finite-difference gradient check (seed 004 §10.3: reverse mode must agree with the derivative definition)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from nnfoundation.tensor import Tensor


def numerical_gradient(
    fn: Callable[..., Tensor], inputs: Sequence[np.ndarray], index: int, eps: float = 1e-6
) -> np.ndarray:
    """Central differences ∂f/∂x_k ≈ (f(x + ε e_k) - f(x - ε e_k)) / 2ε of the scalar Σ fn(*inputs)."""
    arrays = [np.array(a, dtype=np.float64) for a in inputs]
    target = arrays[index]
    grad = np.zeros_like(target)
    for k in np.ndindex(target.shape):
        original = target[k]
        target[k] = original + eps
        upper = fn(*(Tensor(a) for a in arrays)).data.sum()
        target[k] = original - eps
        lower = fn(*(Tensor(a) for a in arrays)).data.sum()
        target[k] = original
        grad[k] = (upper - lower) / (2.0 * eps)
    return grad


def gradcheck(
    fn: Callable[..., Tensor], inputs: Sequence[np.ndarray], eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-5
) -> float:
    """Compare `backward()` of Σ fn(*inputs) with central differences for every input (float64).

    Returns the largest absolute difference; raises AssertionError naming the input that disagrees.
    """
    tensors = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in inputs]
    fn(*tensors).sum().backward()
    worst = 0.0
    for index, t in enumerate(tensors):
        analytic = t.grad if t.grad is not None else np.zeros_like(t.data)
        numeric = numerical_gradient(fn, inputs, index, eps)
        error = np.abs(analytic - numeric)
        worst = max(worst, float(error.max(initial=0.0)))
        if not np.all(error <= atol + rtol * np.abs(numeric)):
            raise AssertionError(
                f"gradcheck: input {index} analytic and numerical gradients differ by up to "
                f"{error.max():.3e} (atol {atol}, rtol {rtol})"
            )
    return worst
