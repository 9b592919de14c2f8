"""Scaled dot-product attention and its masks (seed 004 §18.1–18.2, §18.5; seed 000 §5)."""

from __future__ import annotations

import numpy as np

from nnfoundation.functional.activations import softmax
from nnfoundation.functional.linear import dropout
from nnfoundation.tensor import Tensor


def causal_mask(query_length: int, key_length: int | None = None) -> np.ndarray:
    """Boolean (L, S) mask, True where query i may attend key j ≤ i (seed 004 §18.5, masked self-attention)."""
    key_length = query_length if key_length is None else key_length
    return np.tril(np.ones((query_length, key_length), dtype=bool))


def padding_mask(lengths, max_length: int) -> np.ndarray:
    """Boolean (N, 1, 1, S) mask, True for the first lengths[n] keys of sequence n (real tokens)."""
    lengths = np.asarray(lengths)
    return (np.arange(max_length)[None, :] < lengths[:, None])[:, None, None, :]


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    mask: np.ndarray | None = None,
    causal: bool = False,
    dropout_p: float = 0.0,
    training: bool = False,
    rng: np.random.Generator | None = None,
) -> Tensor:
    """softmax(Q Kᵀ / sqrt(d_k) + M) V (seed 004 eq. of §18.1).

    query (..., L, d_k), key (..., S, d_k), value (..., S, d_v) → (..., L, d_v). `mask` is boolean,
    broadcastable to (..., L, S), True where attention is allowed; masked scores become -inf.
    Each query must be allowed at least one key.
    """
    scores = (query @ key.transpose(-2, -1)) / np.sqrt(query.shape[-1])
    allowed = None if mask is None else np.asarray(mask, dtype=bool)
    if causal:
        tril = causal_mask(query.shape[-2], key.shape[-2])
        allowed = tril if allowed is None else allowed & tril
    if allowed is not None:
        scores = scores.masked_fill(~allowed, -np.inf)
    weights = softmax(scores, axis=-1)
    if dropout_p > 0.0 and training:
        weights = dropout(weights, dropout_p, training, rng if rng is not None else np.random.default_rng())
    return weights @ value
