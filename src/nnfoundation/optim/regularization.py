"""Weight penalties added to the loss (seed 004 §8.4.1–8.4.2)."""

from __future__ import annotations

from collections.abc import Iterable

from nnfoundation.tensor import Tensor


def l2_penalty(params: Iterable[Tensor], strength: float) -> Tensor:
    """(λ/2) Σ ‖W‖²_F, gradient λW (seed 004 eqs. 8.22–8.23); with SGD this is weight decay (eq. 8.24)."""
    params = list(params)
    total = sum(((p * p).sum() for p in params[1:]), (params[0] * params[0]).sum())
    return total * (0.5 * strength)


def l1_penalty(params: Iterable[Tensor], strength: float) -> Tensor:
    """λ Σ |W_ij|, subgradient λ sign(W) (seed 004 eqs. 8.25–8.26)."""
    params = list(params)
    total = sum((p.abs().sum() for p in params[1:]), params[0].abs().sum())
    return total * strength
