"""Learning-rate schedules η_t as functions of the step t = 0, 1, 2, ... (seed 004 §8.1.3, §13.1.2, §13.2).

A schedule is a callable `schedule(t) -> lr`; `LRScheduler` applies one to an optimizer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from nnfoundation.optim.optimizers import Optimizer

Schedule = Callable[[int], float]


@dataclass(frozen=True)
class StepDecay:
    """η_t = η_0 γ^⌊t/S⌋ (seed 004 eq. 13.2)."""

    lr0: float
    step_size: int
    gamma: float = 0.1

    def __call__(self, t: int) -> float:
        return self.lr0 * self.gamma ** (t // self.step_size)


@dataclass(frozen=True)
class ExponentialDecay:
    """η_t = η_0 e^(-λt) (seed 004 eq. 13.3), i.e. η_0 γ^t with γ = e^(-λ)."""

    lr0: float
    decay_rate: float

    def __call__(self, t: int) -> float:
        return self.lr0 * math.exp(-self.decay_rate * t)


@dataclass(frozen=True)
class InverseTimeDecay:
    """η_t = η_0 (1 + k t)^(-α) (seed 004 §8.1.3 polynomial decay has k = 1; α = 1 is the 1/t schedule)."""

    lr0: float
    k: float = 1.0
    power: float = 1.0

    def __call__(self, t: int) -> float:
        return self.lr0 * (1.0 + self.k * t) ** (-self.power)


@dataclass(frozen=True)
class CosineDecay:
    """η_t = η_min + ½(η_0 - η_min)(1 + cos(π t / T)) for t ≤ T, then η_min (seed 004 eq. 13.4)."""

    lr0: float
    total_steps: int
    lr_min: float = 0.0

    def __call__(self, t: int) -> float:
        t = min(t, self.total_steps)
        return self.lr_min + 0.5 * (self.lr0 - self.lr_min) * (1.0 + math.cos(math.pi * t / self.total_steps))


@dataclass(frozen=True)
class LinearWarmup:
    """η_t = η_start + (η_target - η_start) t / T_warm for t < T_warm (seed 004 eq. 13.6), then the
    wrapped schedule evaluated at t - T_warm, where η_target = after(0)."""

    after: Schedule
    warmup_steps: int
    lr_start: float = 0.0

    def __call__(self, t: int) -> float:
        if t >= self.warmup_steps:
            return self.after(t - self.warmup_steps)
        return self.lr_start + (self.after(0) - self.lr_start) * t / self.warmup_steps


@dataclass(frozen=True)
class Constant:
    lr0: float

    def __call__(self, t: int) -> float:
        return self.lr0


class LRScheduler:
    """Sets optimizer.lr = schedule(t); call step() once after every optimizer.step() (t counts calls)."""

    def __init__(self, optimizer: Optimizer, schedule: Schedule):
        self.optimizer, self.schedule, self.t = optimizer, schedule, 0
        optimizer.lr = schedule(0)

    def step(self) -> float:
        self.t += 1
        self.optimizer.lr = self.schedule(self.t)
        return self.optimizer.lr
