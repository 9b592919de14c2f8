"""Early stopping with patience (seed 000 §7, seed 002 §7 remedies for over-fitting)."""

from __future__ import annotations

import numpy as np

from nnfoundation.nn.module import Module


class EarlyStopping:
    """Stop when the monitored metric has not improved by more than `min_delta` for `patience`
    consecutive checks; remembers the model state at the best check.

    mode "min" (losses) or "max" (accuracies). Usage: `if stopper.step(val_loss, model): break`, then
    `stopper.restore_best(model)`.
    """

    def __init__(self, patience: int, min_delta: float = 0.0, mode: str = "min"):
        if mode not in ("min", "max"):
            raise ValueError(f"mode '{mode}' must be 'min' or 'max'")
        if patience < 1:
            raise ValueError(f"patience must be at least 1, got {patience}")
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        self.best = np.inf if mode == "min" else -np.inf
        self.best_state: dict[str, np.ndarray] | None = None
        self.checks_without_improvement = 0

    def _improved(self, metric: float) -> bool:
        if self.mode == "min":
            return metric < self.best - self.min_delta
        return metric > self.best + self.min_delta

    def step(self, metric: float, model: Module) -> bool:
        """Record one check; returns True when training should stop."""
        if self._improved(metric):
            self.best, self.best_state = metric, model.state_dict()
            self.checks_without_improvement = 0
        else:
            self.checks_without_improvement += 1
        return self.checks_without_improvement >= self.patience

    def restore_best(self, model: Module) -> None:
        if self.best_state is None:
            raise RuntimeError("no check recorded yet; call step() before restore_best()")
        model.load_state_dict(self.best_state)
