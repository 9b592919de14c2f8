"""First-order optimizers (seed 004 ch. 8, §7.3; seed 000 §2; seed 001 §2.3; seed 002 §2).

Every optimizer takes an iterable of parameters, has `zero_grad()` and `step()`, reads each
parameter's `.grad` (skipping parameters without one) and updates `.data` in place. `lr` is a plain
attribute so schedules can change it between steps. Step count t starts at 1 on the first step().
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from nnfoundation.tensor import Tensor

MOMENTUM_FORMS = ("heavy_ball", "ema", "velocity")


class Optimizer:
    def __init__(self, params: Iterable[Tensor], lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list; pass model.parameters()")
        if lr < 0:
            raise ValueError(f"learning rate must be non-negative, got {lr}")
        self.lr = lr
        self.initial_lr = lr
        self.t = 0
        self.state: list[dict[str, np.ndarray]] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def reset(self) -> None:
        """Forget all moment estimates and the step count; restore the initial learning rate."""
        self.t = 0
        self.lr = self.initial_lr
        self.state = [{} for _ in self.params]

    def step(self) -> None:
        self.t += 1
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                self._update(p.data, p.grad.astype(p.data.dtype, copy=False), state)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    @staticmethod
    def _moment(state: dict[str, np.ndarray], name: str, like: np.ndarray) -> np.ndarray:
        if name not in state:
            state[name] = np.zeros_like(like)
        return state[name]


class SGD(Optimizer):
    """Gradient descent θ ← θ - η g (seed 004 eqs. 8.2, 8.5) with optional momentum β in one of the
    three forms the seeds use:

    - "heavy_ball": v ← β v + g, θ ← θ - η v (seed 004 eqs. 7.9–7.10, 8.9–8.10; torch.optim.SGD);
      `nesterov=True` uses the look-ahead gradient (seed 004 eq. 8.12) in its change-of-variables form
      θ ← θ - η (g + β v) (as torch does);
    - "ema": v ← β v + (1 - β) g, θ ← θ - η v (seed 001 §2.3);
    - "velocity": v ← β v + η g, θ ← θ - v (seed 000 §2, seed 002 §2; the same as v ← μv - ηg,
      θ ← θ + v). It differs from heavy_ball only when η changes between steps.
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float,
        momentum: float = 0.0,
        momentum_form: str = "heavy_ball",
        nesterov: bool = False,
    ):
        super().__init__(params, lr)
        if momentum_form not in MOMENTUM_FORMS:
            raise ValueError(f"momentum_form '{momentum_form}' is not one of {MOMENTUM_FORMS}")
        if nesterov and (momentum_form != "heavy_ball" or momentum <= 0):
            raise ValueError("nesterov=True needs momentum > 0 and momentum_form='heavy_ball'")
        self.momentum, self.momentum_form, self.nesterov = momentum, momentum_form, nesterov

    def _update(self, theta, g, state) -> None:
        beta = self.momentum
        if beta == 0.0:
            theta -= self.lr * g
            return
        v = self._moment(state, "velocity", theta)
        if self.momentum_form == "heavy_ball":
            v *= beta
            v += g
            theta -= self.lr * (g + beta * v if self.nesterov else v)
        elif self.momentum_form == "ema":
            v *= beta
            v += (1.0 - beta) * g
            theta -= self.lr * v
        else:
            v *= beta
            v += self.lr * g
            theta -= v


class AdaGrad(Optimizer):
    """G ← G + g ⊙ g, θ ← θ - η g / (sqrt(G) + ε) (seed 000 §2, seed 002 §2)."""

    def __init__(self, params: Iterable[Tensor], lr: float = 0.01, eps: float = 1e-10):
        super().__init__(params, lr)
        self.eps = eps

    def _update(self, theta, g, state) -> None:
        squares = self._moment(state, "sum_of_squares", theta)
        squares += g * g
        theta -= self.lr * g / (np.sqrt(squares) + self.eps)


class RMSProp(Optimizer):
    """G ← β G + (1 - β) g², θ ← θ - η g / (sqrt(G) + ε) (seed 000 §2, seed 002 §2; seed 004 eq. 8.15
    puts ε inside the root, which differs only in the size of ε's effect)."""

    def __init__(self, params: Iterable[Tensor], lr: float = 0.01, beta: float = 0.99, eps: float = 1e-8):
        super().__init__(params, lr)
        self.beta, self.eps = beta, eps

    def _update(self, theta, g, state) -> None:
        mean_square = self._moment(state, "mean_square", theta)
        mean_square *= self.beta
        mean_square += (1.0 - self.beta) * g * g
        theta -= self.lr * g / (np.sqrt(mean_square) + self.eps)


class Adam(Optimizer):
    """m ← β₁m + (1-β₁)g, v ← β₂v + (1-β₂)g², m̂ = m/(1-β₁ᵗ), v̂ = v/(1-β₂ᵗ),
    θ ← θ - η m̂ / (sqrt(v̂) + ε) (seed 004 eqs. 8.16–8.20 with ε outside the root as in seeds 000–002)."""

    def __init__(
        self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ):
        super().__init__(params, lr)
        self.betas, self.eps = betas, eps

    def _adam_step(self, theta, g, state) -> None:
        beta1, beta2 = self.betas
        m = self._moment(state, "first_moment", theta)
        v = self._moment(state, "second_moment", theta)
        m *= beta1
        m += (1.0 - beta1) * g
        v *= beta2
        v += (1.0 - beta2) * g * g
        m_hat = m / (1.0 - beta1**self.t)
        v_hat = v / (1.0 - beta2**self.t)
        theta -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def _update(self, theta, g, state) -> None:
        self._adam_step(theta, g, state)


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← (1 - ηλ) θ - η m̂ / (sqrt(v̂) + ε) (seed 004 eq. 8.21)."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ):
        super().__init__(params, lr, betas, eps)
        self.weight_decay = weight_decay

    def _update(self, theta, g, state) -> None:
        theta *= 1.0 - self.lr * self.weight_decay
        self._adam_step(theta, g, state)
