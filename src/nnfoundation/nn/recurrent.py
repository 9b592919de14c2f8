"""Vanilla RNN and LSTM over (N, T, D) batch-first sequences, trained by BPTT (seed 004 ch. 15–16).

The time loop is unrolled into the autodiff graph, so `backward()` is backpropagation through time
(seed 004 §15.3–15.4). Weights follow torch's layout: W_ih (G·H, D), W_hh (G·H, H), with G = 1 for
the RNN and G = 4 gate blocks (input, forget, cell candidate, output) for the LSTM.
"""

from __future__ import annotations

import numpy as np

from nnfoundation import functional as F
from nnfoundation import init
from nnfoundation.nn.module import Module, Parameter, default_rng
from nnfoundation.ops import stack
from nnfoundation.tensor import Tensor


class _Recurrent(Module):
    gates: int

    def __init__(self, input_size: int, hidden_size: int, rng: np.random.Generator | None, dtype):
        super().__init__()
        rng = default_rng(rng)
        self.hidden_size = hidden_size
        self.weight_ih = Parameter(init.xavier_uniform((self.gates * hidden_size, input_size), rng, dtype=dtype))
        self.weight_hh = Parameter(init.xavier_uniform((self.gates * hidden_size, hidden_size), rng, dtype=dtype))
        self.bias_ih = Parameter(np.zeros(self.gates * hidden_size, dtype=dtype))
        self.bias_hh = Parameter(np.zeros(self.gates * hidden_size, dtype=dtype))

    def _zeros(self, x: Tensor) -> Tensor:
        return Tensor(np.zeros((x.shape[0], self.hidden_size), dtype=x.dtype))

    def _check(self, x: Tensor) -> None:
        if x.ndim != 3 or x.shape[2] != self.weight_ih.shape[1]:
            raise ValueError(f"{type(self).__name__} expects (N, T, {self.weight_ih.shape[1]}) input, got {x.shape}")


class RNN(_Recurrent):
    """h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (seed 004 §15.2, seed 000 §4).

    forward(x (N, T, D), h0 (N, H) or None) → (outputs (N, T, H), h_T (N, H)).
    """

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, rng: np.random.Generator | None = None, dtype=np.float32):
        super().__init__(input_size, hidden_size, rng, dtype)

    def forward(self, x: Tensor, h0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        self._check(x)
        projected = F.linear(x, self.weight_ih, self.bias_ih)  # all input terms at once
        h = self._zeros(x) if h0 is None else h0
        outputs = []
        for t in range(x.shape[1]):
            h = (projected[:, t] + F.linear(h, self.weight_hh, self.bias_hh)).tanh()
            outputs.append(h)
        return stack(outputs, axis=1), h


class LSTM(_Recurrent):
    """LSTM cell unrolled over time (seed 004 eqs. 16.6–16.11):

    i, f, o = σ(·), c̃ = tanh(·) of W_ih x_t + b_ih + W_hh h_{t-1} + b_hh;
    c_t = f ⊙ c_{t-1} + i ⊙ c̃; h_t = o ⊙ tanh(c_t).
    The forget-gate bias starts at 1 so the cell remembers by default (seed 004 §16.3.3).
    forward(x (N, T, D), (h0, c0) or None) → (outputs (N, T, H), (h_T, c_T)).
    """

    gates = 4

    def __init__(self, input_size: int, hidden_size: int, rng: np.random.Generator | None = None, dtype=np.float32):
        super().__init__(input_size, hidden_size, rng, dtype)
        self.bias_ih.data[hidden_size : 2 * hidden_size] = 1.0

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        self._check(x)
        hidden = self.hidden_size
        projected = F.linear(x, self.weight_ih, self.bias_ih)
        h, c = (self._zeros(x), self._zeros(x)) if state is None else state
        outputs = []
        for t in range(x.shape[1]):
            pre = projected[:, t] + F.linear(h, self.weight_hh, self.bias_hh)  # (N, 4H)
            input_forget = pre[:, : 2 * hidden].sigmoid()
            candidate = pre[:, 2 * hidden : 3 * hidden].tanh()
            output_gate = pre[:, 3 * hidden :].sigmoid()
            c = input_forget[:, hidden:] * c + input_forget[:, :hidden] * candidate
            h = output_gate * c.tanh()
            outputs.append(h)
        return stack(outputs, axis=1), (h, c)
