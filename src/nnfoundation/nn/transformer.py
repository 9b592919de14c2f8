"""Transformer encoder and decoder blocks, post-norm (original) or pre-norm (seed 004 §18.4–18.5).

Parameter names mirror torch.nn.TransformerEncoderLayer / TransformerDecoderLayer (batch_first, ReLU).
"""
from __future__ import annotations

import numpy as np

from nnfoundation import functional as F
from nnfoundation.nn.attention import MultiheadAttention
from nnfoundation.nn.layers import Dropout, Linear
from nnfoundation.nn.module import Module, default_rng
from nnfoundation.nn.normalization import LayerNorm
from nnfoundation.tensor import Tensor


def _feed_forward(layer: Module, x: Tensor) -> Tensor:
    """Z = max(0, Y W_1 + b_1) W_2 + b_2 (seed 004 eq. 18.13), dropout after the ReLU and at the end."""
    return layer.dropout(layer.linear2(layer.dropout(F.relu(layer.linear1(x)))))


class TransformerEncoderLayer(Module):
    """Post-norm: x ← LN(x + MHA(x)); x ← LN(x + FFN(x)). Pre-norm: x ← x + MHA(LN(x)); x ← x + FFN(LN(x)).

    forward(x (N, T, d_model), mask, causal) → (N, T, d_model).
    """

    def __init__(self, d_model: int, num_heads: int, dim_feedforward: int, dropout: float = 0.1,
                 norm_first: bool = False, rng: np.random.Generator | None = None, dtype=np.float32):
        super().__init__()
        rng = default_rng(rng)
        self.norm_first = norm_first
        self.self_attn = MultiheadAttention(d_model, num_heads, dropout, rng, dtype)
        self.linear1 = Linear(d_model, dim_feedforward, rng=rng, dtype=dtype)
        self.linear2 = Linear(dim_feedforward, d_model, rng=rng, dtype=dtype)
        self.norm1 = LayerNorm(d_model, dtype=dtype)
        self.norm2 = LayerNorm(d_model, dtype=dtype)
        self.dropout = Dropout(dropout, rng)

    def _self_attention(self, x: Tensor, mask, causal: bool) -> Tensor:
        return self.dropout(self.self_attn(x, x, x, mask, causal))

    def forward(self, x: Tensor, mask: np.ndarray | None = None, causal: bool = False) -> Tensor:
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), mask, causal)
            return x + _feed_forward(self, self.norm2(x))
        x = self.norm1(x + self._self_attention(x, mask, causal))
        return self.norm2(x + _feed_forward(self, x))


class TransformerDecoderLayer(Module):
    """Masked self-attention, cross-attention to the encoder memory, feed-forward; each wrapped in
    residual + LayerNorm, post- or pre-norm (seed 004 §18.5, mask eq. 18.16).

    forward(x (N, L, d), memory (N, S, d), mask, memory_mask, causal=True) → (N, L, d).
    """

    def __init__(self, d_model: int, num_heads: int, dim_feedforward: int, dropout: float = 0.1,
                 norm_first: bool = False, rng: np.random.Generator | None = None, dtype=np.float32):
        super().__init__()
        rng = default_rng(rng)
        self.norm_first = norm_first
        self.self_attn = MultiheadAttention(d_model, num_heads, dropout, rng, dtype)
        self.multihead_attn = MultiheadAttention(d_model, num_heads, dropout, rng, dtype)
        self.linear1 = Linear(d_model, dim_feedforward, rng=rng, dtype=dtype)
        self.linear2 = Linear(dim_feedforward, d_model, rng=rng, dtype=dtype)
        self.norm1 = LayerNorm(d_model, dtype=dtype)
        self.norm2 = LayerNorm(d_model, dtype=dtype)
        self.norm3 = LayerNorm(d_model, dtype=dtype)
        self.dropout = Dropout(dropout, rng)

    def forward(self, x: Tensor, memory: Tensor, mask: np.ndarray | None = None,
                memory_mask: np.ndarray | None = None, causal: bool = True) -> Tensor:
        def self_block(y):
            return self.dropout(self.self_attn(y, y, y, mask, causal))

        def cross_block(y):
            return self.dropout(self.multihead_attn(y, memory, memory, memory_mask))

        if self.norm_first:
            x = x + self_block(self.norm1(x))
            x = x + cross_block(self.norm2(x))
            return x + _feed_forward(self, self.norm3(x))
        x = self.norm1(x + self_block(x))
        x = self.norm2(x + cross_block(x))
        return self.norm3(x + _feed_forward(self, x))
