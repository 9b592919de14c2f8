"""Multi-head attention and positional encodings (seed 004 §18.1–18.3, §26.4.2; seed 000 §5)."""

from __future__ import annotations

import numpy as np

from nnfoundation import functional as F
from nnfoundation import init
from nnfoundation.nn.layers import Linear
from nnfoundation.nn.module import Module, Parameter, default_rng
from nnfoundation.tensor import Tensor


class MultiheadAttention(Module):
    """MultiHead(Q, K, V) = Concat(head_1..head_h) W_O, head_i = Attention(Q W_Q^i, K W_K^i, V W_V^i)
    (seed 004 §18.2). Projections are packed like torch: in_proj_weight (3E, E) = [W_Q; W_K; W_V].

    forward(query (N, L, E), key (N, S, E), value (N, S, E), mask, causal) → (N, L, E); `mask` is
    boolean, broadcastable to (N, heads, L, S), True where attention is allowed (see F.padding_mask).
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        rng: np.random.Generator | None = None,
        dtype=np.float32,
    ):
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim={embed_dim} is not divisible by num_heads={num_heads}")
        rng = default_rng(rng)
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.rng = rng
        self.in_proj_weight = Parameter(init.xavier_uniform((3 * embed_dim, embed_dim), rng, dtype=dtype))
        self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, dtype=dtype))
        self.out_proj = Linear(embed_dim, embed_dim, rng=rng, dtype=dtype)

    def _heads(self, x: Tensor, part: int) -> Tensor:
        """Project with block `part` of the packed weights, then (N, T, E) → (N, heads, T, E / heads)."""
        e = self.embed_dim
        y = F.linear(x, self.in_proj_weight[part * e : (part + 1) * e], self.in_proj_bias[part * e : (part + 1) * e])
        n, t, _ = y.shape
        return y.reshape(n, t, self.num_heads, e // self.num_heads).permute(0, 2, 1, 3)

    def forward(
        self, query: Tensor, key: Tensor, value: Tensor, mask: np.ndarray | None = None, causal: bool = False
    ) -> Tensor:
        q, k, v = self._heads(query, 0), self._heads(key, 1), self._heads(value, 2)
        context = F.scaled_dot_product_attention(q, k, v, mask, causal, self.dropout, self.training, self.rng)
        n, _, length, _ = context.shape
        return self.out_proj(context.permute(0, 2, 1, 3).reshape(n, length, self.embed_dim))


def sinusoidal_table(length: int, d_model: int, dtype=np.float32) -> np.ndarray:
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(same) (seed 004 eqs. 18.11–18.12)."""
    position = np.arange(length)[:, None]
    frequency = 1.0 / 10000.0 ** (np.arange(0, d_model, 2) / d_model)
    table = np.zeros((length, d_model))
    table[:, 0::2] = np.sin(position * frequency)
    table[:, 1::2] = np.cos(position * frequency[: d_model // 2])
    return table.astype(dtype)


class SinusoidalPositionalEncoding(Module):
    """x + PE[:T] for x of shape (N, T, d_model); the table is a buffer, not trained."""

    def __init__(self, d_model: int, max_length: int = 512, dtype=np.float32):
        super().__init__()
        self.register_buffer("table", sinusoidal_table(max_length, d_model, dtype))

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[1] > self.table.shape[0]:
            raise ValueError(f"sequence length {x.shape[1]} exceeds max_length {self.table.shape[0]}")
        return x + self.table[: x.shape[1]].astype(x.dtype)


class LearnedPositionalEncoding(Module):
    """x + P[:T] with a trained table P (max_length, d_model) initialised N(0, 0.02²) (seed 004 eq. 26.16)."""

    def __init__(self, d_model: int, max_length: int = 512, rng: np.random.Generator | None = None, dtype=np.float32):
        super().__init__()
        self.weight = Parameter((default_rng(rng).standard_normal((max_length, d_model)) * 0.02).astype(dtype))

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[1] > self.weight.shape[0]:
            raise ValueError(f"sequence length {x.shape[1]} exceeds max_length {self.weight.shape[0]}")
        return x + self.weight[: x.shape[1]]
