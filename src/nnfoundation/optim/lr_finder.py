"""Learning-rate range test (seed 004 §13.1.1)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from nnfoundation.nn.module import Module
from nnfoundation.optim.optimizers import Optimizer
from nnfoundation.tensor import Tensor


@dataclass
class LRFinderResult:
    lrs: np.ndarray  # learning rate used at each step
    losses: np.ndarray  # bias-corrected exponentially smoothed loss at each step
    suggestion: float  # a tenth of the lr with the lowest smoothed loss


def find_learning_rate(
    model: Module,
    optimizer: Optimizer,
    loss_of_batch: Callable[[object], Tensor],
    batches: Iterable,
    lr_min: float = 1e-6,
    lr_max: float = 1.0,
    num_steps: int = 100,
    smoothing: float = 0.9,
    divergence_factor: float = 4.0,
) -> LRFinderResult:
    """Train with η_t = η_min (η_max / η_min)^(t/T) (seed 004 eq. 13.1), recording the smoothed loss,
    until T steps or the loss exceeds `divergence_factor` × its best; then restore the model's weights
    and reset the optimizer. Batches are cycled if there are fewer than `num_steps`.

    The suggestion is η at the lowest smoothed loss divided by 10 (Smith's / fastai's rule): one decade
    below the edge of divergence, where the loss still falls steeply (seed 004 §13.1.1 step 4). Unlike
    the steepest-slope point it does not depend on batch-to-batch noise in the slope.
    """
    if not 0 < lr_min < lr_max:
        raise ValueError(f"need 0 < lr_min < lr_max, got lr_min={lr_min}, lr_max={lr_max}")
    if num_steps < 3:
        raise ValueError(f"num_steps={num_steps} is too few for a sweep; use at least 3")
    saved = model.state_dict()
    lrs, losses = [], []
    average, best = 0.0, np.inf
    for t, batch in zip(range(num_steps), itertools.cycle(batches)):
        optimizer.lr = lr_min * (lr_max / lr_min) ** (t / (num_steps - 1))
        optimizer.zero_grad()
        loss = loss_of_batch(batch)
        loss.backward()
        optimizer.step()
        average = smoothing * average + (1.0 - smoothing) * loss.item()
        smoothed = average / (1.0 - smoothing ** (t + 1))
        if not np.isfinite(smoothed) or smoothed > divergence_factor * best:
            break
        best = min(best, smoothed)
        lrs.append(optimizer.lr)
        losses.append(smoothed)
    model.load_state_dict(saved)
    optimizer.reset()
    optimizer.zero_grad()
    if len(lrs) < 3:
        raise RuntimeError(f"the loss diverged after {len(lrs)} steps; lower lr_min (now {lr_min})")
    lrs_array, losses_array = np.asarray(lrs), np.asarray(losses)
    return LRFinderResult(lrs_array, losses_array, float(lrs_array[int(np.argmin(losses_array))] / 10.0))
