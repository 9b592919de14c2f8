"""Transformer encoder and decoder blocks, post-norm (original) or pre-norm (seed 004 §18.4–18.5), and
their stacks (N blocks, then an optional final LayerNorm, which a pre-norm stack needs: its residual stream
is never normalised otherwise).

Parameter names mirror torch.nn.TransformerEncoderLayer / TransformerDecoderLayer / TransformerEncoder /
TransformerDecoder (batch_first, ReLU), so a torch state_dict loads by name.
"""

from __future__ import annotations

import numpy as np

from nnfoundation import functional as F
from nnfoundation.nn.attention import MultiheadAttention
from nnfoundation.nn.layers import Dropout, Linear
from nnfoundation.nn.module import Module, ModuleList, default_rng
from nnfoundation.nn.normalization import LayerNorm
from nnfoundation.tensor import Tensor


def _feed_forward(layer: Module, x: Tensor) -> Tensor:
    """Z = max(0, Y W_1 + b_1) W_2 + b_2 (seed 004 eq. 18.13), dropout after the ReLU and at the end."""
    return layer.dropout(layer.linear2(layer.dropout(F.relu(layer.linear1(x)))))


class TransformerEncoderLayer(Module):
    """Post-norm: x ← LN(x + MHA(x)); x ← LN(x + FFN(x)). Pre-norm: x ← x + MHA(LN(x)); x ← x + FFN(LN(x)).

    forward(x (N, T, d_model), mask, causal) → (N, T, d_model).
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        dim_feedforward: int,
        dropout: float = 0.1,
        norm_first: bool = False,
        rng: np.random.Generator | None = None,
        dtype=np.float32,
    ):
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

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        dim_feedforward: int,
        dropout: float = 0.1,
        norm_first: bool = False,
        rng: np.random.Generator | None = None,
        dtype=np.float32,
    ):
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

    def forward(
        self,
        x: Tensor,
        memory: Tensor,
        mask: np.ndarray | None = None,
        memory_mask: np.ndarray | None = None,
        causal: bool = True,
    ) -> Tensor:
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


class TransformerEncoder(Module):
    """x ← layer_i(x) for i = 1..N, then x ← LN(x) when final_norm (seed 004 §18.4: the encoder is a stack
    of identical blocks). Names: layers.{i}.*, norm.* (as torch.nn.TransformerEncoder with norm=LayerNorm).

    forward(x (N, T, d_model), mask, causal) → (N, T, d_model); mask and causal go to every layer.
    """

    def __init__(
        self,
        num_layers: int,
        d_model: int,
        num_heads: int,
        dim_feedforward: int,
        dropout: float = 0.1,
        norm_first: bool = False,
        final_norm: bool = False,
        rng: np.random.Generator | None = None,
        dtype=np.float32,
    ):
        super().__init__()
        rng = default_rng(rng)
        self.layers = ModuleList(
            TransformerEncoderLayer(d_model, num_heads, dim_feedforward, dropout, norm_first, rng, dtype)
            for _ in range(num_layers)
        )
        self.norm = LayerNorm(d_model, dtype=dtype) if final_norm else None

    def forward(self, x: Tensor, mask: np.ndarray | None = None, causal: bool = False) -> Tensor:
        for layer in self.layers:
            x = layer(x, mask, causal)
        return x if self.norm is None else self.norm(x)


class TransformerDecoder(Module):
    """x ← layer_i(x, memory) for i = 1..N, every layer attending to the same encoder memory, then x ← LN(x)
    when final_norm (seed 004 §18.5). The output is the last layer's, so every layer is used. Names:
    layers.{i}.*, norm.* (as torch.nn.TransformerDecoder with norm=LayerNorm).

    forward(x (N, L, d), memory (N, S, d), mask, memory_mask, causal=True) → (N, L, d); causal=False for
    queries that may all see each other (DETR / ACT object or action queries).
    """

    def __init__(
        self,
        num_layers: int,
        d_model: int,
        num_heads: int,
        dim_feedforward: int,
        dropout: float = 0.1,
        norm_first: bool = False,
        final_norm: bool = False,
        rng: np.random.Generator | None = None,
        dtype=np.float32,
    ):
        super().__init__()
        rng = default_rng(rng)
        self.layers = ModuleList(
            TransformerDecoderLayer(d_model, num_heads, dim_feedforward, dropout, norm_first, rng, dtype)
            for _ in range(num_layers)
        )
        self.norm = LayerNorm(d_model, dtype=dtype) if final_norm else None

    def forward(
        self,
        x: Tensor,
        memory: Tensor,
        mask: np.ndarray | None = None,
        memory_mask: np.ndarray | None = None,
        causal: bool = True,
    ) -> Tensor:
        for layer in self.layers:
            x = layer(x, memory, mask, memory_mask, causal)
        return x if self.norm is None else self.norm(x)
